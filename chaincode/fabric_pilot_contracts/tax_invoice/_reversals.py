"""Red-letter (reversal) flow: request → confirm / reject → red invoice.

The requester is the seller or the buyer; the counterparty confirms or rejects. When the buyer
is a natural person (no enterprise MSP), a seller's request is confirmed on creation. Requested
amounts are reserved (``pending_*``) so that open requests can never exceed what remains.
"""

from __future__ import annotations

import re
from typing import Any

from fabric_pilot_chaincode import ContractError
from fabric_pilot_contracts._common import (
    Caller,
    Fields,
    TxLedger,
    bad_argument,
    forbidden,
    illegal_transition,
    month_of,
)
from fabric_pilot_contracts._common._values import HEX64
from fabric_pilot_contracts.tax_invoice._amounts import MAX_AMOUNT, Totals
from fabric_pilot_contracts.tax_invoice._invoices import add_stats, index_new_invoice
from fabric_pilot_contracts.tax_invoice._keys import (
    REVERSAL,
    check_number,
    invoice,
    invoice_key,
    invoice_label,
    party_msps,
    require_side,
    set_status,
)

REASONS = ("cancellation", "discount", "error", "return")
FULL_ONLY = ("cancellation", "error")
REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _open_amounts(record: dict[str, Any]) -> Totals:
    return Totals(
        int(record["remaining_net_fen"]) - int(record["pending_net_fen"]),
        int(record["remaining_tax_fen"]) - int(record["pending_tax_fen"]),
    )


def _check_reversible(record: dict[str, Any], label: str, action: str) -> None:
    if record["kind"] != "blue":
        raise illegal_transition("invoice", label, f"{record['kind']} invoice", action)
    reimbursement = str(record["reimbursement"]["status"])
    if reimbursement != "none":
        raise illegal_transition("invoice", label, reimbursement, action)
    if record["status"] == "reversed":
        raise illegal_transition("invoice", label, "reversed", action)


def _check_amounts(record: dict[str, Any], reason: str, net: int, tax: int) -> None:
    available = _open_amounts(record)
    if net == 0 and tax == 0:
        raise bad_argument("a reversal must reverse a positive amount")
    if net > available.net_fen or tax > available.tax_fen:
        raise ContractError(
            "REVERSAL_EXCEEDS_REMAINING",
            f"reversal of {net}+{tax} fen exceeds the remaining "
            f"{available.net_fen}+{available.tax_fen} fen",
            remaining_net_fen=available.net_fen,
            remaining_tax_fen=available.tax_fen,
        )
    full = int(record["pending_net_fen"]) == 0 and int(record["pending_tax_fen"]) == 0
    full = full and (net, tax) == (available.net_fen, available.tax_fen)
    if reason in FULL_ONLY and not full:
        raise bad_argument(f"a reversal for {reason} must reverse the whole remaining amount")


def reversal_key(ledger: TxLedger, seller_tax_id: str, number: str, request_id: str) -> str:
    """Key of a reversal request."""
    if not REQUEST_ID.fullmatch(request_id):
        raise bad_argument("request_id must be 1-64 characters of [A-Za-z0-9_-]")
    return ledger.key(REVERSAL, seller_tax_id, check_number(number), request_id)


def request(
    ledger: TxLedger, caller: Caller, seller_tax_id: str, number: str, payload: Any
) -> tuple[dict[str, Any], bool]:
    """Create a reversal request (create-if-absent on seller + number + request_id).

    Raises:
        ContractError: ``FORBIDDEN``, ``ILLEGAL_TRANSITION`` (locked, reimbursed, reversed or
            red invoice), ``REVERSAL_EXCEEDS_REMAINING``, ``DUPLICATE_REVERSAL``,
            ``BAD_ARGUMENT``.
    """
    fields = Fields(payload, "request", ("net_fen", "reason", "request_id", "tax_fen"), ("note",))
    key, record = invoice(ledger, seller_tax_id, number)
    label = invoice_label(seller_tax_id, number)
    side = require_side(caller.msp_id, record, ("seller", "buyer"), "request a reversal")
    rkey = reversal_key(ledger, seller_tax_id, number, fields.text("request_id"))
    existing = ledger.get(rkey)
    if existing is not None:
        return ledger.create_once(rkey, payload, existing, "reversal", "DUPLICATE_REVERSAL")
    _check_reversible(record, label, "request a reversal")
    reason = fields.text("reason", choices=REASONS)
    net = fields.integer("net_fen", 0, MAX_AMOUNT)
    tax = fields.integer("tax_fen", 0, MAX_AMOUNT)
    _check_amounts(record, reason, net, tax)
    counterparty = "buyer" if side == "seller" else "seller"
    auto = counterparty not in party_msps(record)
    reversal = {
        "net_fen": net,
        "note": fields.optional_text("note"),
        "number": number,
        "reason": reason,
        "red_number": "",
        "request_id": fields.text("request_id"),
        "requested_at": ledger.now_iso,
        "requested_by": side,
        "seller_tax_id": seller_tax_id,
        "status": "confirmed" if auto else "requested",
        "tax_fen": tax,
        "tx_id": ledger.tx_id,
        "updated_at": ledger.now_iso,
        "updated_tx_id": ledger.tx_id,
    }
    record["pending_net_fen"] = int(record["pending_net_fen"]) + net
    record["pending_tax_fen"] = int(record["pending_tax_fen"]) + tax
    set_status(ledger, key, record, str(record["status"]))
    return ledger.create_once(rkey, payload, reversal, "reversal", "DUPLICATE_REVERSAL")


def _load_request(
    ledger: TxLedger, seller_tax_id: str, number: str, request_id: str
) -> tuple[str, dict[str, Any]]:
    rkey = reversal_key(ledger, seller_tax_id, number, request_id)
    label = f"{invoice_label(seller_tax_id, number)}/{request_id}"
    return rkey, ledger.require(rkey, "reversal", label)


def decide(
    ledger: TxLedger,
    caller: Caller,
    ids: tuple[str, str, str],
    accept: bool,
    reason: str,
) -> dict[str, Any]:
    """Confirm (``accept``) or reject a requested reversal; only the counterparty may.

    Raises:
        ContractError: ``FORBIDDEN``, ``NOT_FOUND``, ``ILLEGAL_TRANSITION``.
    """
    seller_tax_id, number, request_id = ids
    key, record = invoice(ledger, seller_tax_id, number)
    rkey, reversal = _load_request(ledger, seller_tax_id, number, request_id)
    action = "confirm the reversal" if accept else "reject the reversal"
    counterparty = "buyer" if reversal["requested_by"] == "seller" else "seller"
    require_side(caller.msp_id, record, (counterparty,), action)
    if reversal["status"] != "requested":
        raise illegal_transition("reversal", request_id, str(reversal["status"]), action)
    if not accept:
        if not reason.strip():
            raise bad_argument("a rejection needs a reason")
        record["pending_net_fen"] = int(record["pending_net_fen"]) - int(reversal["net_fen"])
        record["pending_tax_fen"] = int(record["pending_tax_fen"]) - int(reversal["tax_fen"])
        set_status(ledger, key, record, str(record["status"]))
    reversal["status"] = "confirmed" if accept else "rejected"
    reversal["decision_reason"] = reason
    reversal["updated_at"] = ledger.now_iso
    reversal["updated_tx_id"] = ledger.tx_id
    ledger.put(rkey, reversal)
    return reversal


def _red_record(
    ledger: TxLedger, original: dict[str, Any], reversal: dict[str, Any], red: Fields
) -> dict[str, Any]:
    net, tax = int(reversal["net_fen"]), int(reversal["tax_fen"])
    return {
        "buyer": original["buyer"],
        "buyer_msp": original["buyer_msp"],
        "buyer_tax_id": original["buyer_tax_id"],
        "deduction": {"status": "none"},
        "file_hash": red.text("file_hash", pattern=HEX64),
        "issued_at": ledger.now_iso,
        "kind": "red",
        "lines": [],
        "number": red.text("number"),
        "original": {"number": original["number"], "seller_tax_id": original["seller_tax_id"]},
        "payment_ref": original["payment_ref"],
        "pending_net_fen": 0,
        "pending_tax_fen": 0,
        "period": month_of(ledger.now_seconds),
        "reimbursement": {"status": "none"},
        "remaining_net_fen": 0,
        "remaining_tax_fen": 0,
        "remark": f"reversal {reversal['request_id']}: {reversal['reason']}",
        "reversal_reason": reversal["reason"],
        "seller_msp": original["seller_msp"],
        "seller_tax_id": original["seller_tax_id"],
        "status": "issued",
        "total_gross_fen": -(net + tax),
        "total_net_fen": -net,
        "total_tax_fen": -tax,
        "tx_id": ledger.tx_id,
        "type": original["type"],
        "updated_at": ledger.now_iso,
        "updated_tx_id": ledger.tx_id,
    }


def _apply_to_original(ledger: TxLedger, key: str, record: dict[str, Any], rev: Totals) -> None:
    for part, amount in (("net", rev.net_fen), ("tax", rev.tax_fen)):
        record[f"remaining_{part}_fen"] = int(record[f"remaining_{part}_fen"]) - amount
        record[f"pending_{part}_fen"] = int(record[f"pending_{part}_fen"]) - amount
    done = record["remaining_net_fen"] == 0 and record["remaining_tax_fen"] == 0
    set_status(ledger, key, record, "reversed" if done else "partially_reversed")


def issue_red(
    ledger: TxLedger, caller: Caller, ids: tuple[str, str, str], payload: Any
) -> tuple[dict[str, Any], bool]:
    """Issue the negative invoice of a confirmed reversal (seller only).

    Raises:
        ContractError: ``FORBIDDEN``, ``NOT_FOUND``, ``ILLEGAL_TRANSITION``,
            ``DUPLICATE_INVOICE``, ``DUPLICATE_FILE_HASH``, ``BAD_ARGUMENT``.
    """
    seller_tax_id, number, request_id = ids
    red = Fields(payload, "red", ("file_hash", "number"))
    red_number = check_number(red.text("number"))
    key, original = invoice(ledger, seller_tax_id, number)
    require_side(caller.msp_id, original, ("seller",), "issue a red invoice")
    rkey, reversal = _load_request(ledger, seller_tax_id, number, request_id)
    red_key = invoice_key(ledger, seller_tax_id, red_number)
    if reversal["status"] == "red_issued" and reversal["red_number"] == red_number:
        return ledger.require(red_key, "invoice", red_number), False
    if reversal["status"] != "confirmed":
        raise illegal_transition("reversal", request_id, str(reversal["status"]), "issue red")
    if ledger.get(red_key) is not None:
        raise ContractError("DUPLICATE_INVOICE", f"invoice {red_number} already exists")
    if caller.msp_id != original["seller_msp"]:
        raise forbidden("only the seller issues the red invoice")
    record = _red_record(ledger, original, reversal, red)
    amounts = Totals(int(reversal["net_fen"]), int(reversal["tax_fen"]))
    add_stats(ledger, seller_tax_id, "red", Totals(-amounts.net_fen, -amounts.tax_fen))
    ledger.put(red_key, record)
    index_new_invoice(ledger, red_key, record)
    _apply_to_original(ledger, key, original, amounts)
    reversal.update(
        {
            "red_number": red_number,
            "status": "red_issued",
            "updated_at": ledger.now_iso,
            "updated_tx_id": ledger.tx_id,
        }
    )
    ledger.put(rkey, reversal)
    return record, True
