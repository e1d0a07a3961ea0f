"""Access table of the court evidence contract (MSP, NodeOU, ``pilot.role``).

Record-level checks come on top: the depositor's org for its own evidence, the current
custodian for custody moves, the named receiver for acceptance.
"""

from __future__ import annotations

from fabric_pilot_contracts._common import Rule

COURT = "CourtMSP"
NOTARY = "NotaryMSP"
ENTERPRISES = ("EnterpriseAMSP", "EnterpriseBMSP")
JUSTICE_ORGS = (COURT, NOTARY, *ENTERPRISES)
PARTY_COLLECTION = "evidencePartyData"

_DEPOSITOR = Rule.of([NOTARY, *ENTERPRISES], ["notary", "depositor", "custodian", "party"])
_COURT_OR_DEPOSITOR = Rule.of(
    [COURT, NOTARY, *ENTERPRISES], ["judge", "clerk", "notary", "depositor", "party"]
)
_CUSTODY = Rule.of(JUSTICE_ORGS, ["custodian", "notary", "clerk", "judge", "party"])
_READER = Rule.of(
    JUSTICE_ORGS, ["judge", "clerk", "notary", "custodian", "depositor", "party", "lawyer"]
)

POLICY: dict[str, Rule] = {
    "register_evidence": _DEPOSITOR,
    "seal_evidence": _DEPOSITOR,
    "submit_evidence": _DEPOSITOR,
    "link_case": _COURT_OR_DEPOSITOR,
    "invalidate_evidence": _COURT_OR_DEPOSITOR,
    "challenge_evidence": Rule.of(ENTERPRISES, ["party", "lawyer"]),
    "rule_evidence": Rule.of([COURT], ["judge"]),
    "archive_evidence": Rule.of([COURT], ["clerk", "judge"]),
    "custody": _CUSTODY,
    "record_access": _READER,
    "read": _READER,
    "read_personal": Rule.of([COURT, NOTARY, *ENTERPRISES], ["judge", "clerk", "notary", "party"]),
}
