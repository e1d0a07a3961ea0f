"""Every sample document in network-config/samples/ is accepted by its contract as shipped."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from contract_helpers import Driver, identity

from fabric_pilot_contracts.court_evidence import CHAINCODE as COURT
from fabric_pilot_contracts.energy_metering import CHAINCODE as ENERGY
from fabric_pilot_contracts.tax_invoice import CHAINCODE as TAX

SAMPLES = Path(__file__).resolve().parents[3] / "network-config" / "samples"


def _sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def _sha256(name: str) -> str:
    return hashlib.sha256((SAMPLES / name).read_bytes()).hexdigest()


def test_the_samples_are_the_ones_this_test_submits() -> None:
    assert sorted(path.name for path in SAMPLES.iterdir()) == [
        "evidence-EV-2026-0001.warc",
        "evidence.json",
        "invoice-26440000000000000001.ofd",
        "invoice.json",
        "meter.json",
        "taxpayer_buyer.json",
        "taxpayer_seller.json",
    ]


def test_tax_samples_register_and_issue_as_shipped() -> None:
    tax = Driver("tax_invoice", TAX, "tax")
    officer = identity("TaxBureauMSP", "tax_officer")
    for name in ("taxpayer_seller.json", "taxpayer_buyer.json"):
        assert tax.ok(officer, "register_taxpayer", _sample(name))["status"] == "active"
    invoice = _sample("invoice.json")
    issued = tax.ok(identity("EnterpriseAMSP", "seller"), "issue_invoice", invoice)
    assert issued["number"] == invoice["number"]
    assert invoice["file_hash"] == _sha256(f"invoice-{invoice['number']}.ofd")


def test_meter_sample_registers_as_shipped() -> None:
    energy = Driver("energy_metering", ENERGY, "energy")
    meter = _sample("meter.json")
    record = energy.ok(identity("GridOperatorMSP", "meter_operator"), "register_meter", meter)
    assert (record["meter_id"], record["status"]) == (meter["meter_id"], "active")


def test_evidence_sample_registers_as_shipped() -> None:
    court = Driver("court_evidence", COURT, "justice")
    evidence = _sample("evidence.json")
    record = court.ok(identity("NotaryMSP", "notary"), "register_evidence", evidence)
    assert record["status"] == "registered"
    assert evidence["content_hash"] == _sha256(f"evidence-{evidence['evidence_id']}.warc")
