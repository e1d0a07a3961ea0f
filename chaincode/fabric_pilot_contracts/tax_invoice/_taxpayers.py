"""Taxpayer registry: register, suspend, reinstate, quota (tax bureau only)."""

from __future__ import annotations

import re
from typing import Any

from fabric_pilot_contracts._common import Fields, TxLedger, bad_argument, illegal_transition
from fabric_pilot_contracts.tax_invoice._keys import TAXPAYER, check_tax_id, taxpayer

INVOICE_TYPES = ("fully_digital", "ordinary", "special_vat")
MSP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,63}")
MAX_QUOTA_FEN = 10**15


def register(ledger: TxLedger, payload: Any) -> tuple[dict[str, Any], bool]:
    """Create a taxpayer (create-if-absent on the credit code).

    Raises:
        ContractError: ``BAD_TAX_ID``, ``BAD_ARGUMENT``, ``DUPLICATE_TAXPAYER``.
    """
    fields = Fields(payload, "taxpayer", ("invoice_types", "msp_id", "name", "quota_fen", "tax_id"))
    tax_id = check_tax_id(fields.text("tax_id"))
    types = fields.items("invoice_types", len(INVOICE_TYPES))
    if any(kind not in INVOICE_TYPES for kind in types) or len(set(types)) != len(types):
        raise bad_argument(f"taxpayer.invoice_types must be distinct values of {INVOICE_TYPES}")
    record: dict[str, Any] = {
        "invoice_types": sorted(types),
        "msp_id": fields.text("msp_id", pattern=MSP_ID),
        "name": fields.text("name", max_len=200),
        "quota_fen": fields.integer("quota_fen", 0, MAX_QUOTA_FEN),
        "registered_at": ledger.now_iso,
        "status": "active",
        "status_reason": "",
        "tax_id": tax_id,
        "tx_id": ledger.tx_id,
        "updated_at": ledger.now_iso,
        "updated_tx_id": ledger.tx_id,
    }
    return ledger.create_once(
        ledger.key(TAXPAYER, tax_id), payload, record, "taxpayer", "DUPLICATE_TAXPAYER"
    )


def _save(ledger: TxLedger, record: dict[str, Any]) -> dict[str, Any]:
    record["updated_at"] = ledger.now_iso
    record["updated_tx_id"] = ledger.tx_id
    ledger.put(ledger.key(TAXPAYER, str(record["tax_id"])), record)
    return record


def change_status(
    ledger: TxLedger, tax_id: str, target: str, reason: str, action: str
) -> dict[str, Any]:
    """Suspend (``active`` → ``suspended``) or reinstate (``suspended`` → ``active``).

    Raises:
        ContractError: ``NOT_FOUND``, ``ILLEGAL_TRANSITION``, ``BAD_ARGUMENT`` (empty reason).
    """
    if not reason.strip():
        raise bad_argument("a reason is required")
    record = taxpayer(ledger, tax_id)
    source = "active" if target == "suspended" else "suspended"
    if record["status"] != source:
        raise illegal_transition("taxpayer", tax_id, str(record["status"]), action)
    record["status"] = target
    record["status_reason"] = reason
    return _save(ledger, record)


def set_quota(ledger: TxLedger, tax_id: str, quota_fen: int) -> dict[str, Any]:
    """Set the gross amount a taxpayer may issue per calendar month.

    Raises:
        ContractError: ``NOT_FOUND``, ``BAD_ARGUMENT`` (negative or huge quota).
    """
    if not 0 <= quota_fen <= MAX_QUOTA_FEN:
        raise bad_argument(f"quota_fen must be between 0 and {MAX_QUOTA_FEN}")
    record = taxpayer(ledger, tax_id)
    record["quota_fen"] = quota_fen
    return _save(ledger, record)
