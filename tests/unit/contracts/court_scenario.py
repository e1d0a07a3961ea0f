"""Actors, payload builders and a base scenario for the court evidence tests."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from contract_helpers import Driver, identity

from fabric_pilot_contracts.court_evidence import CHAINCODE

COURT = "CourtMSP"
NOTARY = "NotaryMSP"


class Actors:
    """Creators for every org/role the court tests use."""

    judge = identity(COURT, "judge")
    clerk = identity(COURT, "clerk")
    court_admin = identity(COURT, None, "admin")
    notary = identity(NOTARY, "notary")
    custodian = identity(NOTARY, "custodian", name="vault@notary")
    notary_admin = identity(NOTARY, None, "admin")
    a_party = identity("EnterpriseAMSP", "party")
    b_party = identity("EnterpriseBMSP", "party")
    b_lawyer = identity("EnterpriseBMSP", "lawyer")
    outsider = identity("TaxBureauMSP", "tax_officer")


def content_hash(name: str) -> str:
    """A SHA-256 content hash for a named test file."""
    return hashlib.sha256(name.encode()).hexdigest()


def evidence(evidence_id: str, **extra: Any) -> dict[str, Any]:
    """An evidence registration payload."""
    payload: dict[str, Any] = {
        "capture": {
            "captured_at": "2025-12-30T08:00:00Z",
            "device": "crawler-01",
            "source": "https://shop.example.com/item/42",
            "tool": "webcapture 3.2",
        },
        "content_hash": content_hash(evidence_id),
        "evidence_id": evidence_id,
        "hash_alg": "SHA-256",
        "location": f"oss://evidence/{evidence_id}.warc",
        "media_type": "application/warc",
        "size_bytes": 123_456,
    }
    payload.update(extra)
    return payload


def setup(driver: Driver) -> None:
    """Register evidence E1 by the notary."""
    driver.ok(Actors.notary, "register_evidence", evidence("E1"))


def new_driver() -> Driver:
    """A justice ledger with evidence E1 registered by the notary."""
    driver = Driver("court_evidence", CHAINCODE, "justice")
    setup(driver)
    return driver


def run_full_scenario(driver: Driver) -> None:
    """Exercise every write path once (used by the determinism test)."""
    items = [evidence(f"B{i}") for i in range(5)]
    driver.ok(Actors.a_party, "register_evidence_batch", {"batch_id": "BATCH-1", "items": items})
    driver.ok(Actors.notary, "link_case", "E1", "CASE-2026-001")
    driver.ok(Actors.notary, "seal_evidence", "E1", "sealed")
    driver.ok(Actors.notary, "submit_evidence", "E1", "to court")
    driver.ok(Actors.b_party, "challenge_evidence", "E1", "forged timestamp")
    driver.ok(Actors.judge, "rule_evidence", "E1", "admit", "timestamp verified")
    driver.ok(Actors.clerk, "archive_evidence", "E1", "case closed")
    driver.ok(Actors.notary, "check_out_evidence", "E1", 2, "forensic copy")
    driver.ok(Actors.notary, "check_in_evidence", "E1", 3, "returned")
    receiver = {"msp_id": COURT}
    driver.ok(Actors.notary, "start_custody_transfer", "E1", 4, receiver, "hearing")
    driver.ok(Actors.clerk, "accept_custody_transfer", "E1", 5)
    driver.ok(Actors.b_lawyer, "record_access", "E1", 6, "prepare defence")
    driver.ok(Actors.a_party, "invalidate_evidence", "B0", "wrong file")
    personal = {"name": "Wang Wu", "phone": "13800000000"}
    transient = {"depositor_personal": json.dumps(personal).encode()}
    driver.ok(Actors.b_party, "register_evidence", evidence("P1"), transient=transient)
