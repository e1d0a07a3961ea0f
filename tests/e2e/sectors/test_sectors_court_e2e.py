"""Court evidence on the pilot network: custody, court status machine, authorisation."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from _sector_data import evidence, unique

from fabric_pilot_gateway import Gateway
from fabric_pilot_gateway.receipts import ReceiptError, export_receipt, verify_receipt
from fabric_pilot_gateway.sectors import (
    ChaincodeRejectedError,
    CourtEvidence,
    export_evidence_receipt,
)
from fabric_pilot_network.network import FabricNetwork

pytestmark = pytest.mark.e2e
CourtAs = Callable[[str, str], CourtEvidence]
GatewayFor = Callable[[str, str], Gateway]


def _registered(court_as: CourtAs) -> tuple[str, bytes]:
    evidence_id, content = unique("E"), b"WARC/1.1 captured page " + unique("c").encode()
    personal = {"name": "Wang Wu", "phone": "+86-755-0000"}
    record = court_as("Notary", "Notary1").register_evidence(
        evidence=evidence(evidence_id, content), depositor_personal=personal
    )
    assert (record["status"], record["depositor"]["msp_id"]) == ("registered", "NotaryMSP")
    return evidence_id, content


def test_evidence_custody_submission_challenge_ruling_and_receipt(
    court_as: CourtAs, gateway_for: GatewayFor
) -> None:
    evidence_id, content = _registered(court_as)
    notary, clerk = court_as("Notary", "Notary1"), court_as("Court", "Clerk1")
    ids = {"evidence_id": evidence_id}

    started = notary.start_custody_transfer(
        **ids, seq=2, receiver={"msp_id": "CourtMSP"}, reason="hand over to the court"
    )
    assert started["kind"] == "transfer_started"
    accepted = clerk.accept_custody_transfer(**ids, seq=3)
    assert accepted["kind"] == "transfer_accepted"
    assert clerk.get_evidence(**ids)["custodian"]["msp_id"] == "CourtMSP"
    custody = clerk.list_custody(**ids, page_size=10)["records"]
    assert [entry["seq"] for entry in custody] == [1, 2, 3]

    notary.link_case(**ids, case_id="CASE-2026-001")
    notary.seal_evidence(**ids, note="sealed by the notary")
    assert notary.submit_evidence(**ids, note="to court")["status"] == "submitted"
    challenged = court_as("EnterpriseA", "Seller1").challenge_evidence(
        **ids, reason="timestamp looks forged"
    )
    assert challenged["status"] == "challenged"
    ruled = court_as("Court", "Judge1").rule_evidence(
        **ids, decision="admit", reasoning="timestamp verified"
    )
    assert (ruled["status"], ruled["ruling"]["decision"]) == ("admitted", "admit")

    check = clerk.verify_evidence(**ids, content_hash=hashlib.sha256(content).hexdigest())
    assert check["match"] is True
    assert check["status"] == "admitted"
    other = clerk.verify_evidence(**ids, content_hash=hashlib.sha256(b"other").hexdigest())
    assert other["match"] is False
    statuses = [entry["value"]["status"] for entry in clerk.evidence_history(**ids)]
    assert statuses[-4:] == ["sealed", "submitted", "challenged", "admitted"]
    assert clerk.get_depositor_personal_data(**ids)["name"] == "Wang Wu"

    justice = gateway_for("EnterpriseB", "Seller1").get_network("justice")
    receipt = json.loads(json.dumps(export_evidence_receipt(justice, evidence_id)))
    verified = verify_receipt(receipt)
    assert (verified.transaction_id, verified.record["status"]) == (
        ruled["updated_tx_id"],
        "admitted",
    )
    receipt["record"]["ruling"]["decision"] = "reject"
    with pytest.raises(ReceiptError) as tampered:
        verify_receipt(receipt)
    assert tampered.value.check == "record"


def test_writes_by_unauthorised_orgs_are_refused_and_change_nothing(court_as: CourtAs) -> None:
    evidence_id, _content = _registered(court_as)
    notary = court_as("Notary", "Notary1")
    notary.link_case(evidence_id=evidence_id, case_id="CASE-2026-002")
    notary.seal_evidence(evidence_id=evidence_id, note="sealed")
    notary.submit_evidence(evidence_id=evidence_id, note="to court")
    before = notary.get_evidence(evidence_id=evidence_id)
    other_id = unique("E")
    attempts: list[Callable[[], object]] = [
        lambda: court_as("EnterpriseA", "Seller1").rule_evidence(
            evidence_id=evidence_id, decision="admit", reasoning="we like it"
        ),
        lambda: notary.rule_evidence(evidence_id=evidence_id, decision="reject", reasoning="no"),
        lambda: notary.challenge_evidence(evidence_id=evidence_id, reason="own evidence"),
        lambda: court_as("Court", "Judge1").register_evidence(
            evidence=evidence(other_id, b"court content")
        ),
        lambda: court_as("EnterpriseB", "Seller1").archive_evidence(
            evidence_id=evidence_id, note="close it ourselves"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ChaincodeRejectedError) as caught:
            attempt()
        assert caught.value.rejection_code == "FORBIDDEN", caught.value

    assert notary.get_evidence(evidence_id=evidence_id) == before
    with pytest.raises(ChaincodeRejectedError) as missing:
        notary.get_evidence(evidence_id=other_id)
    assert missing.value.rejection_code == "NOT_FOUND"


def _msp_roots(pilot_network: FabricNetwork, org: str, msp_id: str) -> list[bytes]:
    """The org's root CA certificates, as a third party would obtain them out of band."""
    profile = json.loads((pilot_network.directory / "profiles" / f"{org}.json").read_text())
    msp_dir = Path(profile["x-fabric-pilot"]["users"]["Admin"]["mspDir"])
    roots = [path.read_bytes() for path in sorted((msp_dir / "cacerts").glob("*.pem"))]
    assert roots, f"no CA certificate for {msp_id}"
    return roots


def test_evidence_receipt_verifies_offline_and_tampering_is_rejected(
    court_as: CourtAs, gateway_for: GatewayFor, pilot_network: FabricNetwork
) -> None:
    evidence_id, _content = _registered(court_as)
    notary = court_as("Notary", "Notary1")
    notary.link_case(evidence_id=evidence_id, case_id="CASE-2026-003")
    sealed = notary.seal_evidence(evidence_id=evidence_id, note="sealed")
    court_channel = gateway_for("Court", "Judge1").get_network("justice")

    receipt = json.loads(json.dumps(export_evidence_receipt(court_channel, evidence_id)))

    assert receipt["transaction_id"] == sealed["updated_tx_id"]
    verified = verify_receipt(receipt)
    assert verified.record["status"] == "sealed"
    assert verified.record == sealed
    assert verified.endorser_msp_ids == ("CourtMSP", "NotaryMSP")
    assert verified.creator_msp_id == "NotaryMSP"
    assert verified.orderer_msp_ids == ("PilotOrdererMSP",)
    orderer_roots = sorted(
        pilot_network.directory.rglob("ordererOrganizations/*/msp/cacerts/*.pem")
    )
    assert orderer_roots, "no orderer organisation CA certificate"
    roots = {
        "CourtMSP": _msp_roots(pilot_network, "Court", "CourtMSP"),
        "NotaryMSP": _msp_roots(pilot_network, "Notary", "NotaryMSP"),
        "PilotOrdererMSP": [path.read_bytes() for path in orderer_roots],
    }
    assert verify_receipt(receipt, trusted_roots=roots).block_number == receipt["block_number"]
    assert verified.state_endorser_msp_ids == ("CourtMSP", "NotaryMSP")
    registration = export_receipt(court_channel, "court_evidence", sealed["tx_id"])
    with pytest.raises(ReceiptError) as unproven:  # the record changed since: no state proof
        verify_receipt(registration)
    assert unproven.value.check == "state_proof"
    proven = verify_receipt(registration, require_state_proof=False)
    assert proven.record["status"] == "registered"

    forged = copy.deepcopy(receipt)
    forged["record"]["status"] = "admitted"
    with pytest.raises(ReceiptError) as record_error:
        verify_receipt(forged)
    assert record_error.value.check == "record"
    corrupted = copy.deepcopy(receipt)
    index = receipt["transaction_index"]
    raw = bytearray(base64.b64decode(corrupted["block"]["data"][index]))
    raw[len(raw) // 2] ^= 0x01
    corrupted["block"]["data"][index] = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(ReceiptError) as data_error:
        verify_receipt(corrupted)
    assert data_error.value.check == "data_hash"
