"""Issuing, reading, verifying and listing invoices; per-taxpayer monthly statistics."""

from __future__ import annotations

import json
import re
from typing import Any

from fabric_pilot_chaincode import ContractError, canonical_json
from fabric_pilot_contracts._common import (
    Caller,
    Fields,
    TxLedger,
    bad_argument,
    forbidden,
    month_of,
    row_error,
    sha256_hex,
)
from fabric_pilot_contracts._common._values import HEX64
from fabric_pilot_contracts.tax_invoice._amounts import Totals, check_totals
from fabric_pilot_contracts.tax_invoice._keys import (
    BY_BUYER,
    BY_FILE,
    BY_PERIOD,
    BY_STATUS,
    STATS,
    check_number,
    check_tax_id,
    invoice_key,
    taxpayer,
)
from fabric_pilot_contracts.tax_invoice._policy import PERSONAL_DATA_COLLECTION, TAX_BUREAU
from fabric_pilot_contracts.tax_invoice._taxpayers import INVOICE_TYPES

INVOICE_FIELDS = (
    "buyer",
    "file_hash",
    "lines",
    "number",
    "payment_ref",
    "seller_tax_id",
    "total_gross_fen",
    "total_net_fen",
    "total_tax_fen",
    "type",
)
PERSONAL_TRANSIENT_KEY = "buyer_personal"
STAT_FIELDS = (
    "issued_count",
    "issued_gross_fen",
    "issued_net_fen",
    "issued_tax_fen",
    "red_count",
    "red_gross_fen",
    "red_net_fen",
    "red_tax_fen",
)
MAX_BATCH = 500
PAYMENT_REF = re.compile(r"[A-Za-z0-9._:/-]{1,128}")


def stats_key(ledger: TxLedger, tax_id: str, period: str) -> str:
    """Key of the monthly aggregate of one seller."""
    return ledger.key(STATS, tax_id, period)


def load_stats(ledger: TxLedger, tax_id: str, period: str) -> dict[str, Any]:
    """Return the monthly aggregate, zeroed when nothing was issued yet."""
    record = ledger.get(stats_key(ledger, tax_id, period))
    if record is None:
        record = {name: 0 for name in STAT_FIELDS}
        record.update({"period": period, "tax_id": tax_id})
    return record


def add_stats(
    ledger: TxLedger, tax_id: str, prefix: str, totals: Totals, count: int = 1
) -> dict[str, Any]:
    """Add ``count`` invoices (``issued``) or red invoices (``red``) with these summed totals
    to this month's aggregate."""
    period = month_of(ledger.now_seconds)
    record = load_stats(ledger, tax_id, period)
    record[f"{prefix}_count"] += count
    record[f"{prefix}_net_fen"] += totals.net_fen
    record[f"{prefix}_tax_fen"] += totals.tax_fen
    record[f"{prefix}_gross_fen"] += totals.gross_fen
    ledger.put(stats_key(ledger, tax_id, period), record)
    return record


def _buyer(ledger: TxLedger, fields: Fields, kind: str) -> tuple[dict[str, Any], str]:
    """Validate the buyer object; return it and the buyer's MSP ("" for a person)."""
    buyer = Fields(fields.mapping("buyer"), "invoice.buyer", (), ("name", "person_hash", "tax_id"))
    if buyer.has("name"):
        buyer.text("name", max_len=200)
    if buyer.has("tax_id") == buyer.has("person_hash"):
        raise bad_argument("invoice.buyer needs exactly one of tax_id and person_hash")
    if buyer.has("person_hash"):
        if kind == "special_vat":
            raise bad_argument("a special VAT invoice needs a taxpayer buyer")
        buyer.text("person_hash", pattern=HEX64)
        return fields.mapping("buyer"), ""
    buyer_record = taxpayer(ledger, buyer.text("tax_id"))
    return fields.mapping("buyer"), str(buyer_record["msp_id"])


def _check_seller(caller: Caller, seller: dict[str, Any], kind: str) -> None:
    caller.require_msp([str(seller["msp_id"])], "issue an invoice for this seller")
    if seller["status"] != "active":
        raise ContractError("TAXPAYER_SUSPENDED", f"taxpayer {seller['tax_id']} is suspended")
    if kind not in seller["invoice_types"]:
        raise ContractError(
            "INVOICE_TYPE_NOT_ALLOWED", f"taxpayer {seller['tax_id']} may not issue {kind}"
        )


def _store_personal_data(ledger: TxLedger, key: str, person_hash: str, raw: bytes | None) -> None:
    if raw is None:
        return
    try:
        data = Fields(json.loads(raw), "buyer_personal", ("id_number", "name", "salt"))
    except ValueError as exc:
        raise bad_argument("transient buyer_personal must be a JSON object") from exc
    salted = data.text("salt", max_len=128) + data.text("id_number", max_len=64)
    if sha256_hex(salted.encode("utf-8")) != person_hash:
        raise bad_argument("buyer.person_hash is not SHA-256(salt + id_number)")
    data.text("name", max_len=200)
    ledger.stub.put_private_data(PERSONAL_DATA_COLLECTION, key, canonical_json(json.loads(raw)))


def _new_record(
    ledger: TxLedger, fields: Fields, buyer: tuple[dict[str, Any], str], totals: Totals
) -> dict[str, Any]:
    buyer_obj, buyer_msp = buyer
    return {
        "buyer": buyer_obj,
        "buyer_msp": buyer_msp,
        "buyer_tax_id": str(buyer_obj.get("tax_id", "")),
        "deduction": {"status": "none"},
        "file_hash": fields.text("file_hash", pattern=HEX64),
        "issued_at": ledger.now_iso,
        "kind": "blue",
        "lines": fields.items("lines", 200),
        "number": fields.text("number"),
        "original": None,
        "payment_ref": fields.text("payment_ref", pattern=PAYMENT_REF),
        "pending_net_fen": 0,
        "pending_tax_fen": 0,
        "period": month_of(ledger.now_seconds),
        "reimbursement": {"status": "none"},
        "remaining_net_fen": totals.net_fen,
        "remaining_tax_fen": totals.tax_fen,
        "remark": fields.optional_text("remark"),
        "seller_msp": "",
        "seller_tax_id": fields.text("seller_tax_id"),
        "status": "issued",
        "total_gross_fen": totals.gross_fen,
        "total_net_fen": totals.net_fen,
        "total_tax_fen": totals.tax_fen,
        "tx_id": ledger.tx_id,
        "type": fields.text("type", choices=INVOICE_TYPES),
        "updated_at": ledger.now_iso,
        "updated_tx_id": ledger.tx_id,
    }


def index_new_invoice(ledger: TxLedger, key: str, record: dict[str, Any]) -> None:
    """Write the buyer, period, status and file-hash index entries of a new invoice.

    Raises:
        ContractError: ``DUPLICATE_FILE_HASH`` when another invoice has the same file hash.
    """
    parts = [str(record["seller_tax_id"]), str(record["number"])]
    file_key = ledger.key(BY_FILE, str(record["file_hash"]))
    if ledger.raw(file_key):
        raise ContractError("DUPLICATE_FILE_HASH", "another invoice has the same file hash")
    ledger.put_index(BY_FILE, [str(record["file_hash"])], key)
    ledger.put_index(BY_PERIOD, [str(record["period"]), *parts], key)
    ledger.put_index(BY_STATUS, [str(record["status"]), *parts], key)
    if record["buyer_tax_id"]:
        ledger.put_index(BY_BUYER, [str(record["buyer_tax_id"]), *parts], key)


def _create(
    ledger: TxLedger, caller: Caller, payload: Any, personal: bytes | None
) -> tuple[dict[str, Any], bool, dict[str, Any], Totals]:
    """Validate and store one invoice with its indexes; the seller's totals are left to the
    caller. Returns the record, whether it was created, the seller and the checked totals."""
    fields = Fields(payload, "invoice", INVOICE_FIELDS, ("remark",))
    kind = fields.text("type", choices=INVOICE_TYPES)
    seller = taxpayer(ledger, fields.text("seller_tax_id"))
    _check_seller(caller, seller, kind)
    key = invoice_key(ledger, str(seller["tax_id"]), check_number(fields.text("number")))
    totals = check_totals(fields)
    record = _new_record(ledger, fields, _buyer(ledger, fields, kind), totals)
    record["seller_msp"] = seller["msp_id"]
    record, created = ledger.create_once(key, payload, record, "invoice", "DUPLICATE_INVOICE")
    if created:
        index_new_invoice(ledger, key, record)
        if not record["buyer_tax_id"]:
            _store_personal_data(ledger, key, str(record["buyer"]["person_hash"]), personal)
    return record, created, seller, totals


def _quota_exceeded(seller: dict[str, Any], gross_fen: int) -> ContractError:
    return ContractError(
        "QUOTA_EXCEEDED",
        f"taxpayer {seller['tax_id']} would issue {gross_fen} fen this month, "
        f"quota {seller['quota_fen']}",
    )


def issue(ledger: TxLedger, caller: Caller, payload: Any) -> tuple[dict[str, Any], bool]:
    """Issue a (blue) invoice; see the package docstring for the rules.

    Raises:
        ContractError: ``BAD_ARGUMENT``, ``BAD_TAX_ID``, ``NOT_FOUND``, ``FORBIDDEN``,
            ``TAXPAYER_SUSPENDED``, ``INVOICE_TYPE_NOT_ALLOWED``, ``TOTALS_MISMATCH``,
            ``QUOTA_EXCEEDED``, ``DUPLICATE_INVOICE``, ``DUPLICATE_FILE_HASH``.
    """
    personal = ledger.stub.get_transient().get(PERSONAL_TRANSIENT_KEY)
    record, created, seller, totals = _create(ledger, caller, payload, personal)
    if created:
        stats = add_stats(ledger, str(seller["tax_id"]), "issued", totals)
        if stats["issued_gross_fen"] > seller["quota_fen"]:
            raise _quota_exceeded(seller, int(stats["issued_gross_fen"]))
    return record, created


def _batch_personal(ledger: TxLedger) -> dict[str, bytes]:
    """Transient ``buyer_personal`` of a batch: a JSON object mapping invoice number to the
    person buyer's ``{id_number, name, salt}``."""
    raw = ledger.stub.get_transient().get(PERSONAL_TRANSIENT_KEY)
    if raw is None:
        return {}
    try:
        by_number = json.loads(raw)
    except ValueError as exc:
        raise bad_argument("transient buyer_personal must be a JSON object") from exc
    if not isinstance(by_number, dict):
        raise bad_argument("transient buyer_personal must map invoice numbers to objects")
    return {str(number): json.dumps(value).encode() for number, value in by_number.items()}


def _add_batch_stats(
    ledger: TxLedger, seller: dict[str, Any], rows: list[tuple[int, Totals]]
) -> None:
    """Add a batch's new invoices to the seller's month in one write and check the quota once;
    over quota, the error names the first row that crosses it."""
    summed = Totals(sum(t.net_fen for _i, t in rows), sum(t.tax_fen for _i, t in rows))
    stats = add_stats(ledger, str(seller["tax_id"]), "issued", summed, count=len(rows))
    if stats["issued_gross_fen"] <= seller["quota_fen"]:
        return
    running = int(stats["issued_gross_fen"]) - summed.gross_fen
    for index, totals in rows:
        running += totals.gross_fen
        if running > seller["quota_fen"]:
            raise row_error("invoices", index, _quota_exceeded(seller, running))


def issue_batch(
    ledger: TxLedger, caller: Caller, payloads: Any
) -> list[tuple[dict[str, Any], bool]]:
    """Issue invoices in order, all or nothing; each seller's totals are updated, and its
    quota checked, once for the batch. A row's error is ``CODE: invoices[i]: message``.

    Raises:
        ContractError: any error of :func:`issue`, naming the row.
    """
    if not isinstance(payloads, list) or not 1 <= len(payloads) <= MAX_BATCH:
        raise bad_argument(f"a batch holds 1 to {MAX_BATCH} invoices")
    personal = _batch_personal(ledger)
    results: list[tuple[dict[str, Any], bool]] = []
    sellers: dict[str, dict[str, Any]] = {}
    created_rows: dict[str, list[tuple[int, Totals]]] = {}
    with ledger.deferred_writes():
        for index, payload in enumerate(payloads):
            number = str(payload.get("number", "")) if isinstance(payload, dict) else ""
            try:
                record, created, seller, totals = _create(
                    ledger, caller, payload, personal.get(number)
                )
            except ContractError as exc:
                raise row_error("invoices", index, exc) from exc
            results.append((record, created))
            if created:
                sellers[str(seller["tax_id"])] = seller
                created_rows.setdefault(str(seller["tax_id"]), []).append((index, totals))
        for tax_id, rows in created_rows.items():
            _add_batch_stats(ledger, sellers[tax_id], rows)
    return results


def summary(record: dict[str, Any]) -> dict[str, Any]:
    """What a verifier learns about an authentic invoice."""
    return {
        "authentic": True,
        "deduction_status": record["deduction"]["status"],
        "issued_at": record["issued_at"],
        "kind": record["kind"],
        "number": record["number"],
        "reimbursement_status": record["reimbursement"]["status"],
        "seller_tax_id": record["seller_tax_id"],
        "status": record["status"],
        "total_gross_fen": record["total_gross_fen"],
        "tx_id": record["tx_id"],
    }


def verify(
    ledger: TxLedger, seller_tax_id: str, number: str, total_gross_fen: int, issue_date: str
) -> dict[str, Any]:
    """Check an invoice by number and key fields (gross amount, issue date ``YYYY-MM-DD``)."""
    record = ledger.get(invoice_key(ledger, seller_tax_id, number))
    if record is None:
        return {"authentic": False, "reason": "not_found"}
    if record["total_gross_fen"] != total_gross_fen or record["issued_at"][:10] != issue_date:
        return {"authentic": False, "reason": "key_fields_mismatch"}
    return summary(record)


def verify_file(ledger: TxLedger, file_hash: str) -> dict[str, Any]:
    """Check an invoice file (PDF/OFD/XML) by its SHA-256."""
    if not HEX64.fullmatch(file_hash):
        raise bad_argument("file_hash must be 64 lowercase hex characters")
    target = ledger.raw(ledger.key(BY_FILE, file_hash))
    record = ledger.get(target.decode("utf-8")) if target else None
    if record is None:
        return {"authentic": False, "reason": "not_found"}
    return summary(record)


def require_own_taxpayer(ledger: TxLedger, caller: Caller, tax_id: str, action: str) -> None:
    """Let the bureau act on any taxpayer, an enterprise only on its own."""
    record = taxpayer(ledger, check_tax_id(tax_id))
    if caller.msp_id not in (TAX_BUREAU, record["msp_id"]):
        raise forbidden(f"{caller.msp_id} may not {action} for taxpayer {tax_id}", action=action)
