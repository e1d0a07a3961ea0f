"""The transaction surface of each contract (what the SDK clients and CLI are built from)."""

from __future__ import annotations

import json

import pytest

from fabric_pilot_chaincode import ContractChaincode
from fabric_pilot_contracts import court_evidence, energy_metering, tax_invoice

TAX_SUBMIT = {
    "register_taxpayer", "suspend_taxpayer", "reinstate_taxpayer", "set_quota", "issue_invoice",
    "issue_invoices",
    "request_reversal", "confirm_reversal", "reject_reversal", "issue_red_invoice",
    "lock_reimbursement", "complete_reimbursement", "release_reimbursement", "mark_deducted",
}  # fmt: skip
TAX_EVALUATE = {
    "get_taxpayer", "taxpayer_history", "get_invoice", "invoice_history", "verify_invoice",
    "verify_invoice_file", "get_buyer_personal_data", "list_invoices_by_seller",
    "list_invoices_by_buyer", "list_invoices_by_period", "list_invoices_by_status",
    "get_statistics", "get_reversal", "list_reversals", "reversal_history",
}  # fmt: skip
ENERGY_SUBMIT = {
    "register_meter", "recalibrate_meter", "rotate_meter_key", "replace_meter_device",
    "decommission_meter", "record_reading", "record_readings", "correct_reading",
    "issue_certificates", "transfer_certificate", "split_certificate", "retire_certificate",
    "cancel_certificate", "settle_period",
}  # fmt: skip
ENERGY_EVALUATE = {
    "get_meter", "meter_history", "get_meter_customer", "get_reading", "reading_history",
    "list_readings", "list_corrections", "list_usage", "get_certificate",
    "certificate_history", "list_certificates_by_owner", "list_certificates_by_meter",
    "get_settlement",
}  # fmt: skip
COURT_SUBMIT = {
    "register_evidence", "register_evidence_batch", "seal_evidence", "link_case",
    "submit_evidence", "challenge_evidence", "rule_evidence", "archive_evidence",
    "invalidate_evidence", "start_custody_transfer", "accept_custody_transfer",
    "cancel_custody_transfer", "check_out_evidence", "check_in_evidence", "record_access",
}  # fmt: skip
COURT_EVALUATE = {
    "get_evidence", "evidence_history", "verify_evidence", "verify_evidence_hash",
    "list_evidence_by_case", "list_custody", "get_batch", "get_depositor_personal_data",
}  # fmt: skip


@pytest.mark.parametrize(
    ("chaincode", "contract", "submit", "evaluate"),
    [
        (tax_invoice.CHAINCODE, "TaxInvoiceContract", TAX_SUBMIT, TAX_EVALUATE),
        (energy_metering.CHAINCODE, "EnergyMeteringContract", ENERGY_SUBMIT, ENERGY_EVALUATE),
        (court_evidence.CHAINCODE, "CourtEvidenceContract", COURT_SUBMIT, COURT_EVALUATE),
    ],
)
def test_transaction_surface(
    chaincode: ContractChaincode, contract: str, submit: set[str], evaluate: set[str]
) -> None:
    metadata = json.loads(json.dumps(chaincode.metadata()))
    transactions = metadata["contracts"][contract]["transactions"]
    kinds = {tx["name"]: set(tx.get("tag", [])) for tx in transactions}
    assert {name for name, tags in kinds.items() if "SUBMIT" in tags} == submit
    assert {name for name, tags in kinds.items() if "EVALUATE" in tags} == evaluate
    assert metadata["contracts"][contract].get("default") is True
