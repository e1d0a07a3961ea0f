"""Court evidence contract: registration, Merkle batches, status machine, verification."""

from __future__ import annotations

import json

import pytest
from contract_helpers import Driver
from court_scenario import Actors, content_hash, evidence, new_driver, run_full_scenario

from fabric_pilot_contracts.court_evidence import CHAINCODE
from fabric_pilot_contracts.court_evidence._merkle import (
    audit_path,
    leaf_hash,
    merkle_root,
    node_hash,
    verify_proof,
)


@pytest.fixture
def court() -> Driver:
    return new_driver()


def test_register_is_create_if_absent(court: Driver) -> None:
    record = court.read(Actors.judge, "get_evidence", "E1")
    assert record["status"] == "registered"
    assert record["custodian"]["msp_id"] == "NotaryMSP"
    assert record["custody_seq"] == 1
    events = len(court.ledger.events)
    assert court.ok(Actors.notary, "register_evidence", evidence("E1")) == record
    assert len(court.ledger.events) == events
    code = court.fails(Actors.notary, "register_evidence", evidence("E1", size_bytes=1))
    assert code == "DUPLICATE_EVIDENCE"


@pytest.mark.parametrize(
    "change",
    [
        {"hash_alg": "MD5"},
        {"content_hash": "ABC"},
        {"content_hash": content_hash("x").upper()},
        {"size_bytes": -1},
        {"size_bytes": "12"},
        {"media_type": "warc"},
        {"tsa_token": "not base64!"},
        {"capture": {"device": "d"}},
        {"content": "raw bytes never go on chain"},
        {"capture": dict(evidence("E2")["capture"], captured_at="yesterday")},
        {"capture": dict(evidence("E2")["capture"], captured_at="2026-02-30T08:00:00Z")},
        {"capture": dict(evidence("E2")["capture"], captured_at="2026-11-20 08:00")},
    ],
)
def test_register_rejects_bad_fields(court: Driver, change: dict[str, object]) -> None:
    payload = dict(evidence("E2"), **change)
    assert court.fails(Actors.notary, "register_evidence", payload) == "BAD_ARGUMENT"


def test_identical_content_with_another_capture_time_returns_the_record(court: Driver) -> None:
    record = court.read(Actors.judge, "get_evidence", "E1")
    events = len(court.ledger.events)
    retry = evidence("E1")
    retry["capture"] = dict(retry["capture"], captured_at="2026-01-02T03:04:05+08:00")
    assert court.ok(Actors.notary, "register_evidence", retry) == record
    assert len(court.ledger.events) == events
    other_device = evidence("E1")
    other_device["capture"] = dict(other_device["capture"], device="camera-2")
    code = court.fails(Actors.notary, "register_evidence", other_device)
    assert code == "DUPLICATE_EVIDENCE"
    other_bytes = evidence("E1", content_hash=content_hash("E1-other"))
    assert court.fails(Actors.notary, "register_evidence", other_bytes) == "DUPLICATE_EVIDENCE"


def test_personal_data_has_a_size_limit(court: Driver) -> None:
    personal = {"note": "x" * 5_000}
    transient = {"depositor_personal": json.dumps(personal).encode()}
    code = court.fails(Actors.a_party, "register_evidence", evidence("E2"), transient=transient)
    assert code == "BAD_ARGUMENT"
    assert court.read_fails(Actors.judge, "get_evidence", "E2") == "NOT_FOUND"


def test_sm3_label_and_tsa_token_are_accepted(court: Driver) -> None:
    payload = evidence("E2", hash_alg="SM3", tsa_token="MIIBAA==", case_id="CASE-9")
    record = court.ok(Actors.a_party, "register_evidence", payload)
    assert record["hash_alg"] == "SM3"
    assert record["depositor"]["msp_id"] == "EnterpriseAMSP"
    listed = court.read(Actors.judge, "list_evidence_by_case", "CASE-9", 10, "")
    assert [r["evidence_id"] for r in listed["records"]] == ["E2"]


def test_personal_data_stays_private(court: Driver) -> None:
    personal = {"id_number": "440301199002020000", "name": "Wang Wu", "phone": "13800000000"}
    transient = {"depositor_personal": json.dumps(personal).encode()}
    record = court.ok(Actors.a_party, "register_evidence", evidence("E2"), transient=transient)
    assert len(record["personal_hash"]) == 64
    assert b"Wang Wu" not in b"".join(court.snapshot()[0].values())
    assert court.read(Actors.judge, "get_depositor_personal_data", "E2") == personal
    assert court.read(Actors.a_party, "get_depositor_personal_data", "E2") == personal
    code = court.read_fails(Actors.b_party, "get_depositor_personal_data", "E2")
    assert code == "FORBIDDEN"


def test_verify_by_id_and_by_hash(court: Driver) -> None:
    good = court.read(Actors.b_lawyer, "verify_evidence", "E1", content_hash("E1"))
    assert good["match"] is True
    stored = court.read(Actors.judge, "get_evidence", "E1")
    assert good["tx_id"] == stored["tx_id"]
    assert good["registered_at"] == stored["registered_at"]
    bad = court.read(Actors.b_lawyer, "verify_evidence", "E1", content_hash("tampered"))
    assert bad["match"] is False
    absent = court.read(Actors.b_lawyer, "verify_evidence", "E9", content_hash("E1"))
    assert absent == {"evidence_id": "E9", "match": False, "reason": "not_found"}
    found = court.read(Actors.b_party, "verify_evidence_hash", "SHA-256", content_hash("E1"), 5, "")
    assert found["match"] is True
    assert [r["evidence_id"] for r in found["records"]] == ["E1"]
    other = court.read(Actors.b_party, "verify_evidence_hash", "SM3", content_hash("E1"), 5, "")
    assert other["match"] is False
    assert court.read_fails(Actors.outsider, "verify_evidence", "E1", content_hash("E1")) == (
        "FORBIDDEN"
    )


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 13])
def test_merkle_proofs_verify_for_every_leaf(count: int) -> None:
    leaves = [leaf_hash(f"X{i}", "SHA-256", content_hash(str(i))) for i in range(count)]
    root = merkle_root(leaves).hex()
    for index, leaf in enumerate(leaves):
        proof = audit_path(index, leaves)
        assert verify_proof(leaf, proof, root)
        assert not verify_proof(leaf_hash("other", "SHA-256", content_hash("z")), proof, root)
    if count > 1:
        assert not verify_proof(leaves[0], audit_path(1, leaves), root)


def test_merkle_root_shape_is_rfc6962() -> None:
    a, b, c = (leaf_hash(name, "SHA-256", content_hash(name)) for name in "abc")
    assert merkle_root([a, b, c]) == node_hash(node_hash(a, b), c)
    assert merkle_root([a]) == a
    assert leaf_hash("a", "SHA-256", content_hash("a")) != leaf_hash("a", "SM3", content_hash("a"))


def test_batch_registration_stores_per_item_proofs(court: Driver) -> None:
    items = [evidence(f"B{i}") for i in range(5)]
    batch = {"batch_id": "BATCH-1", "items": items}
    record = court.ok(Actors.notary, "register_evidence_batch", batch)
    assert record["leaf_count"] == 5
    assert court.last_event()[0] == "EvidenceBatchRegistered"
    for item in items:
        stored = court.read(Actors.judge, "get_evidence", item["evidence_id"])
        leaf = bytes.fromhex(stored["batch"]["leaf_hash"])
        assert leaf == leaf_hash(item["evidence_id"], "SHA-256", item["content_hash"])
        assert verify_proof(leaf, stored["batch"]["proof"], record["merkle_root"])
    assert court.ok(Actors.notary, "register_evidence_batch", batch) == record
    changed = {"batch_id": "BATCH-1", "items": items[:4]}
    assert court.fails(Actors.notary, "register_evidence_batch", changed) == "DUPLICATE_BATCH"
    clash = {"batch_id": "BATCH-2", "items": [evidence("N1"), evidence("E1")]}
    assert court.fails(Actors.notary, "register_evidence_batch", clash) == "DUPLICATE_EVIDENCE"
    twice = {"batch_id": "BATCH-3", "items": [evidence("N1"), evidence("N1")]}
    assert court.fails(Actors.notary, "register_evidence_batch", twice) == "BAD_ARGUMENT"
    assert court.read(Actors.b_party, "get_batch", "BATCH-1") == record


def test_status_machine_happy_path(court: Driver) -> None:
    code = court.fails(Actors.notary, "submit_evidence", "E1", "x")
    assert code == "ILLEGAL_TRANSITION"
    court.ok(Actors.notary, "seal_evidence", "E1", "sealed at notary")
    assert court.fails(Actors.notary, "submit_evidence", "E1", "x") == "CASE_NOT_LINKED"
    court.ok(Actors.clerk, "link_case", "E1", "CASE-1")
    assert court.last_event()[0] == "EvidenceLinked"
    assert court.fails(Actors.clerk, "link_case", "E1", "CASE-2") == "ILLEGAL_TRANSITION"
    court.ok(Actors.notary, "submit_evidence", "E1", "filed")
    assert court.fails(Actors.b_party, "challenge_evidence", "E1", " ") == "BAD_ARGUMENT"
    challenged = court.ok(Actors.b_party, "challenge_evidence", "E1", "edited screenshot")
    assert challenged["status"] == "challenged"
    assert challenged["challenge"]["by"]["msp_id"] == "EnterpriseBMSP"
    assert court.fails(Actors.judge, "rule_evidence", "E1", "maybe", "x") == "BAD_ARGUMENT"
    ruled = court.ok(Actors.judge, "rule_evidence", "E1", "reject", "hash mismatch at capture")
    assert (ruled["status"], ruled["ruling"]["decision"]) == ("rejected", "reject")
    assert court.last_event()[0] == "EvidenceRejected"
    assert court.fails(Actors.judge, "rule_evidence", "E1", "admit", "x") == "ILLEGAL_TRANSITION"
    assert court.fails(Actors.judge, "invalidate_evidence", "E1", "x") == "ILLEGAL_TRANSITION"
    court.ok(Actors.clerk, "archive_evidence", "E1", "closed")
    assert court.fails(Actors.clerk, "archive_evidence", "E1", "closed") == "ILLEGAL_TRANSITION"
    history = court.read(Actors.a_party, "evidence_history", "E1")
    statuses = [v["value"]["status"] for v in history]
    assert statuses == [
        "registered",
        "sealed",
        "sealed",
        "submitted",
        "challenged",
        "rejected",
        "archived",
    ]


def test_admission_without_challenge_and_invalidation(court: Driver) -> None:
    court.ok(Actors.notary, "register_evidence", evidence("E2", case_id="C"))
    court.ok(Actors.notary, "seal_evidence", "E2", "s")
    court.ok(Actors.notary, "submit_evidence", "E2", "s")
    assert court.ok(Actors.judge, "rule_evidence", "E2", "admit", "ok")["status"] == "admitted"
    assert court.fails(Actors.notary, "invalidate_evidence", "E1", " ") == "BAD_ARGUMENT"
    invalid = court.ok(Actors.notary, "invalidate_evidence", "E1", "duplicate upload")
    assert (invalid["status"], invalid["status_reason"]) == ("invalidated", "duplicate upload")
    assert court.fails(Actors.notary, "seal_evidence", "E1", "x") == "ILLEGAL_TRANSITION"
    court.ok(Actors.clerk, "archive_evidence", "E1", "done")


def test_record_level_permissions(court: Driver) -> None:
    assert court.fails(Actors.a_party, "seal_evidence", "E1", "x") == "FORBIDDEN"
    assert court.fails(Actors.a_party, "invalidate_evidence", "E1", "x") == "FORBIDDEN"
    assert court.fails(Actors.a_party, "link_case", "E1", "C") == "FORBIDDEN"
    court.ok(Actors.a_party, "register_evidence", evidence("E2", case_id="C"))
    court.ok(Actors.a_party, "seal_evidence", "E2", "x")
    court.ok(Actors.a_party, "submit_evidence", "E2", "x")
    assert court.fails(Actors.a_party, "challenge_evidence", "E2", "mine") == "FORBIDDEN"
    court.ok(Actors.b_lawyer, "challenge_evidence", "E2", "theirs")


def test_full_court_scenario_runs() -> None:
    driver = Driver("court_evidence", CHAINCODE, "justice")
    driver.ok(Actors.notary, "register_evidence", evidence("E1"))
    run_full_scenario(driver)
    assert len(driver.ledger.events) == 15
