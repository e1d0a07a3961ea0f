"""Reimbursement (lock → reimbursed / release) and input-VAT deduction.

The reimbursement state lives in the invoice record itself: every claim reads and writes that
single key, so of two concurrent claims in one block MVCC validation lets exactly one commit.
An enterprise buyer's finance department alone may claim its invoices; an invoice to a natural
person may be claimed by the finance department of any enterprise (the employer), once.
"""

from __future__ import annotations

import re
from typing import Any

from fabric_pilot_chaincode import ContractError
from fabric_pilot_contracts._common import Caller, TxLedger, bad_argument, forbidden
from fabric_pilot_contracts._common import illegal_transition as _illegal
from fabric_pilot_contracts.tax_invoice._keys import invoice, invoice_label, set_status

CLAIM_REF = re.compile(r"[A-Za-z0-9._:/-]{1,128}")
DEDUCTIBLE_TYPES = ("fully_digital", "special_vat")


def _check_claimable(record: dict[str, Any], label: str, caller: Caller) -> None:
    if record["buyer_msp"] and caller.msp_id != record["buyer_msp"]:
        raise forbidden(f"{caller.msp_id} is not the buyer of invoice {label}")
    status = str(record["reimbursement"]["status"])
    if status == "reimbursed":
        raise _illegal("invoice", label, status, "lock", code="ALREADY_REIMBURSED")
    if status == "locked":
        raise _illegal("invoice", label, status, "lock", code="ALREADY_LOCKED")
    if record["kind"] != "blue" or record["status"] == "reversed":
        raise _illegal("invoice", label, f"{record['kind']}/{record['status']}", "lock")
    if record["pending_net_fen"] or record["pending_tax_fen"]:
        raise _illegal("invoice", label, "reversal pending", "lock")


def lock(
    ledger: TxLedger, caller: Caller, seller_tax_id: str, number: str, claim_ref: str
) -> dict[str, Any]:
    """Lock an invoice for one company's reimbursement claim.

    Raises:
        ContractError: ``FORBIDDEN``, ``ALREADY_LOCKED``, ``ALREADY_REIMBURSED``,
            ``ILLEGAL_TRANSITION``, ``BAD_ARGUMENT``.
    """
    if not CLAIM_REF.fullmatch(claim_ref):
        raise bad_argument("claim_ref must be 1-128 characters of [A-Za-z0-9._:/-]")
    key, record = invoice(ledger, seller_tax_id, number)
    _check_claimable(record, invoice_label(seller_tax_id, number), caller)
    record["reimbursement"] = {
        "claim_ref": claim_ref,
        "company_msp": caller.msp_id,
        "locked_at": ledger.now_iso,
        "locked_by": caller.id,
        "locked_tx_id": ledger.tx_id,
        "status": "locked",
    }
    set_status(ledger, key, record, str(record["status"]))
    return record


def finish(
    ledger: TxLedger, caller: Caller, seller_tax_id: str, number: str, release_reason: str | None
) -> dict[str, Any]:
    """Mark a locked invoice reimbursed (``release_reason`` None) or release the lock.

    Raises:
        ContractError: ``FORBIDDEN`` (another company's lock), ``ILLEGAL_TRANSITION``.
    """
    key, record = invoice(ledger, seller_tax_id, number)
    label = invoice_label(seller_tax_id, number)
    claim = dict(record["reimbursement"])
    action = "complete the reimbursement" if release_reason is None else "release the lock"
    if claim["status"] != "locked":
        raise _illegal("invoice", label, str(claim["status"]), action)
    if claim["company_msp"] != caller.msp_id:
        raise forbidden(f"invoice {label} is locked by another company", action=action)
    if release_reason is None:
        claim.update({"completed_at": ledger.now_iso, "status": "reimbursed"})
    else:
        if not release_reason.strip():
            raise bad_argument("a release needs a reason")
        claim = {"last_release_reason": release_reason, "status": "none"}
    record["reimbursement"] = claim
    set_status(ledger, key, record, str(record["status"]))
    return record


def deduct(ledger: TxLedger, caller: Caller, seller_tax_id: str, number: str) -> dict[str, Any]:
    """Mark the input VAT of an invoice deducted by its enterprise buyer, once.

    Raises:
        ContractError: ``FORBIDDEN``, ``ALREADY_DEDUCTED``, ``ILLEGAL_TRANSITION``.
    """
    key, record = invoice(ledger, seller_tax_id, number)
    label = invoice_label(seller_tax_id, number)
    if not record["buyer_msp"] or caller.msp_id != record["buyer_msp"]:
        raise forbidden(f"{caller.msp_id} is not the enterprise buyer of invoice {label}")
    if record["deduction"]["status"] == "deducted":
        raise _illegal("invoice", label, "deducted", "deduct", code="ALREADY_DEDUCTED")
    if record["type"] not in DEDUCTIBLE_TYPES or record["kind"] != "blue":
        raise ContractError("NOT_DEDUCTIBLE", f"invoice {label} carries no deductible input VAT")
    if record["status"] == "reversed":
        raise _illegal("invoice", label, "reversed", "deduct")
    record["deduction"] = {
        "deducted_at": ledger.now_iso,
        "deducted_tax_fen": record["remaining_tax_fen"],
        "period": ledger.now_iso[:7].replace("-", ""),
        "status": "deducted",
        "tx_id": ledger.tx_id,
    }
    set_status(ledger, key, record, str(record["status"]))
    return record
