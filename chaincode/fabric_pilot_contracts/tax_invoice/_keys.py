"""Composite keys and record access of the tax e-invoice contract."""

from __future__ import annotations

import re
from typing import Any

from fabric_pilot_chaincode import ContractError
from fabric_pilot_contracts._common import TxLedger, bad_argument, forbidden
from fabric_pilot_contracts.tax_invoice._policy import TAX_BUREAU
from fabric_pilot_contracts.tax_invoice._uscc import is_valid_uscc

TAXPAYER = "taxpayer"
INVOICE = "invoice"
REVERSAL = "reversal"
STATS = "stats"
BY_BUYER = "invoice~buyer"
BY_PERIOD = "invoice~period"
BY_STATUS = "invoice~status"
BY_FILE = "invoice~file"
INVOICE_NUMBER = re.compile(r"[0-9]{20}")
PERIOD = re.compile(r"[0-9]{4}(0[1-9]|1[0-2])")


def check_tax_id(tax_id: str, what: str = "tax_id") -> str:
    """Return ``tax_id`` when it is a valid unified social credit code."""
    if not is_valid_uscc(tax_id):
        raise ContractError("BAD_TAX_ID", f"{what} {tax_id!r} is not a valid credit code")
    return tax_id


def check_number(number: str) -> str:
    """Return ``number`` when it is a 20-digit invoice number."""
    if not INVOICE_NUMBER.fullmatch(number):
        raise bad_argument(f"invoice number {number!r} must be 20 digits")
    return number


def check_period(period: str) -> str:
    """Return ``period`` when it is a ``YYYYMM`` month."""
    if not PERIOD.fullmatch(period):
        raise bad_argument(f"period {period!r} must be YYYYMM")
    return period


def invoice_label(seller_tax_id: str, number: str) -> str:
    """Human-readable natural key of an invoice."""
    return f"{seller_tax_id}/{number}"


def taxpayer(ledger: TxLedger, tax_id: str) -> dict[str, Any]:
    """Load a registered taxpayer (``NOT_FOUND`` otherwise)."""
    return ledger.require(ledger.key(TAXPAYER, check_tax_id(tax_id)), "taxpayer", tax_id)


def invoice_key(ledger: TxLedger, seller_tax_id: str, number: str) -> str:
    """Primary key of an invoice after validating both parts."""
    return ledger.key(INVOICE, check_tax_id(seller_tax_id, "seller_tax_id"), check_number(number))


def invoice(ledger: TxLedger, seller_tax_id: str, number: str) -> tuple[str, dict[str, Any]]:
    """Load an invoice and return ``(key, record)``."""
    key = invoice_key(ledger, seller_tax_id, number)
    return key, ledger.require(key, "invoice", invoice_label(seller_tax_id, number))


def party_msps(record: dict[str, Any]) -> dict[str, str]:
    """Return the MSP of each enterprise party of an invoice (``seller``, maybe ``buyer``)."""
    parties = {"seller": str(record["seller_msp"])}
    if record.get("buyer_msp"):
        parties["buyer"] = str(record["buyer_msp"])
    return parties


def require_side(msp_id: str, record: dict[str, Any], sides: tuple[str, ...], action: str) -> str:
    """Return which side (``seller``/``buyer``) ``msp_id`` holds; ``FORBIDDEN`` otherwise."""
    parties = party_msps(record)
    for side in sides:
        if parties.get(side) == msp_id:
            return side
    raise forbidden(f"{msp_id} is not the {' or '.join(sides)} of this invoice", action=action)


def require_reader(msp_id: str, record: dict[str, Any], action: str) -> None:
    """Allow the tax bureau and the invoice's enterprise parties to read it."""
    if msp_id != TAX_BUREAU:
        require_side(msp_id, record, ("seller", "buyer"), action)


def set_status(ledger: TxLedger, key: str, record: dict[str, Any], status: str) -> None:
    """Move an invoice to ``status``, keeping the status index in step, and save it."""
    parts = [str(record["seller_tax_id"]), str(record["number"])]
    old = str(record["status"])
    if old != status:
        ledger.drop_index(BY_STATUS, [old, *parts])
        ledger.put_index(BY_STATUS, [status, *parts], key)
    record["status"] = status
    record["updated_at"] = ledger.now_iso
    record["updated_tx_id"] = ledger.tx_id
    ledger.put(key, record)
