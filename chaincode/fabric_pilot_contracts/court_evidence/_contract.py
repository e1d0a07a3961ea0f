"""CourtEvidenceContract: thin transaction layer over the evidence and custody modules."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from fabric_pilot_chaincode import Context, Contract, evaluate, transaction
from fabric_pilot_contracts._common import (
    TxLedger,
    authorize,
    bad_argument,
    history_of,
    page_of,
)
from fabric_pilot_contracts._common._values import HEX64
from fabric_pilot_contracts.court_evidence import _custody, _evidence
from fabric_pilot_contracts.court_evidence._keys import (
    BATCH,
    BY_CASE,
    BY_HASH,
    CUSTODY,
    check_id,
    evidence,
    evidence_key,
)
from fabric_pilot_contracts.court_evidence._policy import COURT, PARTY_COLLECTION, POLICY

STATUS_EVENTS = {
    "admit": "EvidenceAdmitted",
    "archive": "EvidenceArchived",
    "challenge": "EvidenceChallenged",
    "invalidate": "EvidenceInvalidated",
    "reject": "EvidenceRejected",
    "seal": "EvidenceSealed",
    "submit": "EvidenceSubmitted",
}
CUSTODY_EVENTS = {
    "accessed": "EvidenceAccessed",
    "checked_in": "EvidenceCheckedIn",
    "checked_out": "EvidenceCheckedOut",
    "transfer_accepted": "CustodyTransferAccepted",
    "transfer_cancelled": "CustodyTransferCancelled",
    "transfer_started": "CustodyTransferStarted",
}


def _evidence_event(ledger: TxLedger, name: str, record: dict[str, Any]) -> None:
    fields = ("case_id", "content_hash", "evidence_id", "hash_alg", "status")
    payload = {field: record[field] for field in fields}
    payload["tx_id"] = ledger.tx_id
    ledger.emit(name, payload)


def _custody_event(ledger: TxLedger, entry: dict[str, Any]) -> dict[str, Any]:
    payload = {
        "custodian": entry["custodian"],
        "evidence_id": entry["evidence_id"],
        "kind": entry["kind"],
        "seq": entry["seq"],
        "tx_id": ledger.tx_id,
    }
    ledger.emit(CUSTODY_EVENTS[str(entry["kind"])], payload)
    return entry


class CourtEvidenceContract(Contract):
    """Evidence deposit, verification, court status machine and chain of custody."""

    name: ClassVar[str] = "CourtEvidenceContract"
    version: ClassVar[str] = "1.0.0"

    def _status(self, ctx: Context, evidence_id: str, action: str, reason: str) -> dict[str, Any]:
        policy_name = {"admit": "rule_evidence", "reject": "rule_evidence"}.get(
            action, f"{action}_evidence"
        )
        caller = authorize(ctx, POLICY, policy_name)
        ledger = TxLedger(ctx)
        record = _evidence.transition(ledger, caller, evidence_id, action, reason)
        _evidence_event(ledger, STATUS_EVENTS[action], record)
        return record

    # --- registration ---
    @transaction
    def register_evidence(self, ctx: Context, evidence: dict[str, Any]) -> dict[str, Any]:
        """Register one evidence hash; transient ``depositor_personal`` is kept private."""
        caller = authorize(ctx, POLICY, "register_evidence")
        ledger = TxLedger(ctx)
        record, created = _evidence.register(ledger, caller, evidence)
        if created:
            _evidence_event(ledger, "EvidenceRegistered", record)
        return record

    @transaction
    def register_evidence_batch(self, ctx: Context, batch: dict[str, Any]) -> dict[str, Any]:
        """Register {batch_id, items[]} under a Merkle root (see ``_merkle``)."""
        caller = authorize(ctx, POLICY, "register_evidence")
        ledger = TxLedger(ctx)
        record, created = _evidence.register_batch(ledger, caller, batch)
        if created:
            payload = {
                "batch_id": record["batch_id"],
                "leaf_count": record["leaf_count"],
                "merkle_root": record["merkle_root"],
                "tx_id": ledger.tx_id,
            }
            ledger.emit("EvidenceBatchRegistered", payload)
        return record

    # --- status machine ---
    @transaction
    def seal_evidence(self, ctx: Context, evidence_id: str, note: str) -> dict[str, Any]:
        """registered → sealed (depositor's org or notary)."""
        return self._status(ctx, evidence_id, "seal", note)

    @transaction
    def link_case(self, ctx: Context, evidence_id: str, case_id: str) -> dict[str, Any]:
        """Link registered/sealed evidence to a case (court or depositor's org)."""
        caller = authorize(ctx, POLICY, "link_case")
        ledger = TxLedger(ctx)
        record = _evidence.link_case(ledger, caller, evidence_id, case_id)
        _evidence_event(ledger, "EvidenceLinked", record)
        return record

    @transaction
    def submit_evidence(self, ctx: Context, evidence_id: str, note: str) -> dict[str, Any]:
        """sealed → submitted to the linked case (depositor's org or notary)."""
        return self._status(ctx, evidence_id, "submit", note)

    @transaction
    def challenge_evidence(self, ctx: Context, evidence_id: str, reason: str) -> dict[str, Any]:
        """submitted → challenged (a party other than the depositor)."""
        return self._status(ctx, evidence_id, "challenge", reason)

    @transaction
    def rule_evidence(
        self, ctx: Context, evidence_id: str, decision: str, reasoning: str
    ) -> dict[str, Any]:
        """submitted/challenged → admitted or rejected (``decision`` admit|reject; judge)."""
        authorize(ctx, POLICY, "rule_evidence")
        if decision not in ("admit", "reject"):
            raise bad_argument("decision must be 'admit' or 'reject'")
        return self._status(ctx, evidence_id, decision, reasoning)

    @transaction
    def archive_evidence(self, ctx: Context, evidence_id: str, note: str) -> dict[str, Any]:
        """admitted/rejected/invalidated → archived (court)."""
        return self._status(ctx, evidence_id, "archive", note)

    @transaction
    def invalidate_evidence(self, ctx: Context, evidence_id: str, reason: str) -> dict[str, Any]:
        """Invalidate with a reason before a ruling (court or depositor's org)."""
        return self._status(ctx, evidence_id, "invalidate", reason)

    # --- custody ---
    @transaction
    def start_custody_transfer(
        self, ctx: Context, evidence_id: str, seq: int, receiver: dict[str, Any], reason: str
    ) -> dict[str, Any]:
        """The current custodian names the receiver {msp_id, id?}; returns the entry."""
        caller = authorize(ctx, POLICY, "custody")
        ledger = TxLedger(ctx)
        entry = _custody.start_transfer(
            ledger, caller, evidence_id, seq, receiver=receiver, reason=reason
        )
        return _custody_event(ledger, entry)

    @transaction
    def accept_custody_transfer(self, ctx: Context, evidence_id: str, seq: int) -> dict[str, Any]:
        """The named receiver takes custody."""
        caller = authorize(ctx, POLICY, "custody")
        ledger = TxLedger(ctx)
        return _custody_event(ledger, _custody.accept_transfer(ledger, caller, evidence_id, seq))

    @transaction
    def cancel_custody_transfer(
        self, ctx: Context, evidence_id: str, seq: int, reason: str
    ) -> dict[str, Any]:
        """The custodian withdraws, or the receiver declines, a pending transfer."""
        caller = authorize(ctx, POLICY, "custody")
        ledger = TxLedger(ctx)
        entry = _custody.cancel_transfer(ledger, caller, evidence_id, seq, reason)
        return _custody_event(ledger, entry)

    @transaction
    def check_out_evidence(
        self, ctx: Context, evidence_id: str, seq: int, purpose: str
    ) -> dict[str, Any]:
        """The custodian checks the item out with a purpose."""
        caller = authorize(ctx, POLICY, "custody")
        ledger = TxLedger(ctx)
        entry = _custody.check_out(ledger, caller, evidence_id, seq, purpose)
        return _custody_event(ledger, entry)

    @transaction
    def check_in_evidence(
        self, ctx: Context, evidence_id: str, seq: int, note: str
    ) -> dict[str, Any]:
        """The custodian checks the item back in."""
        caller = authorize(ctx, POLICY, "custody")
        ledger = TxLedger(ctx)
        return _custody_event(ledger, _custody.check_in(ledger, caller, evidence_id, seq, note))

    @transaction
    def record_access(
        self, ctx: Context, evidence_id: str, seq: int, purpose: str
    ) -> dict[str, Any]:
        """Record an access to the item with its purpose."""
        caller = authorize(ctx, POLICY, "record_access")
        ledger = TxLedger(ctx)
        entry = _custody.record_access(ledger, caller, evidence_id, seq, purpose)
        return _custody_event(ledger, entry)

    # --- reads ---
    @evaluate
    def get_evidence(self, ctx: Context, evidence_id: str) -> dict[str, Any]:
        """Return an evidence record (metadata and hash only)."""
        authorize(ctx, POLICY, "read")
        return evidence(TxLedger(ctx), evidence_id)[1]

    @evaluate
    def evidence_history(self, ctx: Context, evidence_id: str) -> list[Any]:
        """Return every version of an evidence record."""
        authorize(ctx, POLICY, "read")
        ledger = TxLedger(ctx)
        return history_of(ledger, evidence_key(ledger, evidence_id))

    @evaluate
    def verify_evidence(self, ctx: Context, evidence_id: str, content_hash: str) -> dict[str, Any]:
        """Compare a presented content hash with evidence ``evidence_id``."""
        authorize(ctx, POLICY, "read")
        return _evidence.verify_by_id(TxLedger(ctx), evidence_id, content_hash)

    @evaluate
    def verify_evidence_hash(
        self, ctx: Context, hash_alg: str, content_hash: str, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Find the evidence registered with a content hash: ``{match, records, bookmark}``."""
        authorize(ctx, POLICY, "read")
        if hash_alg not in _evidence.HASH_ALGORITHMS or not HEX64.fullmatch(content_hash):
            raise bad_argument("hash_alg must be SHA-256|SM3 and content_hash 64 lowercase hex")
        ledger = TxLedger(ctx)
        page = page_of(ledger, BY_HASH, [hash_alg, content_hash], page_size, bookmark, resolve=True)
        records = [_evidence.verification(r, content_hash) for r in page["records"]]
        return {"bookmark": page["bookmark"], "match": bool(records), "records": records}

    @evaluate
    def list_evidence_by_case(
        self, ctx: Context, case_id: str, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Page through the evidence linked to a case."""
        authorize(ctx, POLICY, "read")
        ledger = TxLedger(ctx)
        parts = [check_id(case_id, "case_id")]
        return page_of(ledger, BY_CASE, parts, page_size, bookmark, resolve=True)

    @evaluate
    def list_custody(
        self, ctx: Context, evidence_id: str, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Page through an item's custody series in sequence order."""
        authorize(ctx, POLICY, "read")
        ledger = TxLedger(ctx)
        parts = [check_id(evidence_id, "evidence_id")]
        return page_of(ledger, CUSTODY, parts, page_size, bookmark, resolve=False)

    @evaluate
    def get_batch(self, ctx: Context, batch_id: str) -> dict[str, Any]:
        """Return a batch record (Merkle root and item IDs)."""
        authorize(ctx, POLICY, "read")
        ledger = TxLedger(ctx)
        key = ledger.key(BATCH, check_id(batch_id, "batch_id"))
        return ledger.require(key, "batch", batch_id)

    @evaluate
    def get_depositor_personal_data(self, ctx: Context, evidence_id: str) -> dict[str, Any]:
        """Return the depositor's private data (court or the depositor's org)."""
        caller = authorize(ctx, POLICY, "read_personal")
        ledger = TxLedger(ctx)
        key, record = evidence(ledger, evidence_id)
        caller.require_msp([COURT, str(record["depositor"]["msp_id"])], "read personal data")
        raw = ledger.stub.get_private_data(PARTY_COLLECTION, key)
        value: dict[str, Any] = json.loads(raw) if raw else {}
        return value
