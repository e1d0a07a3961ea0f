"""``issue_invoices``: a batch of invoices in one transaction, the quota checked once."""

from __future__ import annotations

import hashlib
import json

from contract_helpers import Driver
from tax_scenario import Actors, invoice, line, new_driver, number


def _gross(payload: dict[str, object]) -> int:
    return int(str(payload["total_gross_fen"]))


def test_a_batch_stores_every_row_and_updates_the_sellers_totals_once() -> None:
    tax = new_driver()
    rows = [invoice(number(serial)) for serial in range(1, 6)]
    result = tax.ok(Actors.a_seller, "issue_invoices", rows)
    assert result["created"] == 5
    assert [record["number"] for record in result["invoices"]] == [row["number"] for row in rows]
    name, event = tax.last_event()
    assert name == "InvoicesIssued" and event["count"] == 5
    assert set(result["invoices"][0]) == {
        "number", "seller_tax_id", "status", "total_gross_fen", "tx_id",
    }  # fmt: skip
    stored = tax.read(Actors.officer, "get_invoice", rows[0]["seller_tax_id"], rows[0]["number"])
    period = stored["period"]
    stats = tax.read(Actors.officer, "get_statistics", rows[0]["seller_tax_id"], period)
    assert stats["issued_count"] == 5
    assert stats["issued_gross_fen"] == sum(_gross(row) for row in rows)


def test_rows_issued_before_come_back_as_stored_and_are_not_counted_twice() -> None:
    tax = new_driver()
    first = tax.ok(Actors.a_seller, "issue_invoice", invoice(number(1)))
    result = tax.ok(Actors.a_seller, "issue_invoices", [invoice(number(1)), invoice(number(2))])
    assert result["created"] == 1
    assert result["invoices"][0]["tx_id"] == first["tx_id"]
    stats = tax.read(Actors.officer, "get_statistics", first["seller_tax_id"], first["period"])
    assert stats["issued_count"] == 2


def test_a_refused_row_fails_the_whole_batch_and_is_named() -> None:
    tax = new_driver()
    tax.ok(Actors.a_seller, "issue_invoice", invoice(number(2)))
    conflicting = dict(invoice(number(2)), payment_ref="OTHER-REF")
    rows = [invoice(number(1)), conflicting, invoice(number(3))]
    message = _failure(tax, rows)
    assert message.startswith("DUPLICATE_INVOICE: invoices[1]: ")


def test_the_quota_is_checked_once_and_the_first_row_over_it_is_named() -> None:
    one = _gross(invoice(number(1)))
    tax = new_driver(seller_quota=2 * one + one // 2)
    rows = [invoice(number(serial)) for serial in range(1, 5)]
    assert _failure(tax, rows).startswith("QUOTA_EXCEEDED: invoices[2]: ")
    result = tax.ok(Actors.a_seller, "issue_invoices", rows[:2])
    assert result["created"] == 2


def test_person_buyers_personal_data_travels_per_invoice_number() -> None:
    tax = new_driver()
    personal = {"id_number": "110101199001011234", "name": "Zhang San", "salt": "s"}
    person = {"person_hash": hashlib.sha256(b"s110101199001011234").hexdigest()}
    rows = [invoice(number(1)), invoice(number(2), [line(1000, 100)], person, "ordinary")]
    transient = {"buyer_personal": json.dumps({number(2): personal}).encode()}
    tax.ok(Actors.a_seller, "issue_invoices", rows, transient=transient)
    stored = tax.read(
        Actors.officer, "get_buyer_personal_data", rows[0]["seller_tax_id"], number(2)
    )
    assert stored == personal


def test_batch_size_and_caller_are_checked() -> None:
    tax = new_driver()
    assert tax.fails(Actors.a_seller, "issue_invoices", []) == "BAD_ARGUMENT"
    assert tax.fails(Actors.b_seller, "issue_invoices", [invoice(number(1))]) == "FORBIDDEN"


def _failure(tax: Driver, rows: list[dict[str, object]]) -> str:
    before = tax.snapshot()
    result = tax.ledger.invoke(
        tax.name, "issue_invoices", json.dumps(rows), creator=Actors.a_seller
    )
    assert result.status == 500
    assert tax.snapshot() == before
    return result.message
