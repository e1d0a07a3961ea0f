"""Tax e-invoice contract: taxpayers, issuing, verification, lists, statistics, history."""

from __future__ import annotations

import hashlib
import json

import pytest
from contract_helpers import Driver, uscc
from tax_scenario import (
    BUYER_ID,
    ENT_A,
    SELLER_ID,
    THIRD_ID,
    Actors,
    invoice,
    line,
    new_driver,
    number,
    taxpayer,
)

from fabric_pilot_contracts.tax_invoice import CHAINCODE
from fabric_pilot_contracts.tax_invoice._uscc import is_valid_uscc


@pytest.fixture
def tax() -> Driver:
    return new_driver()


def test_uscc_check_character_detects_a_changed_character() -> None:
    code = uscc("91350100M000100Y4")
    assert code == "91350100M000100Y43"
    assert is_valid_uscc(code)
    assert not is_valid_uscc(code[:-1] + "4")
    assert not is_valid_uscc(code[:17])
    assert not is_valid_uscc("I" + code[1:])


def test_register_taxpayer_is_create_if_absent() -> None:
    tax = Driver("tax_invoice", CHAINCODE, "tax")
    payload = taxpayer(SELLER_ID, ENT_A)
    first = tax.ok(Actors.officer, "register_taxpayer", payload)
    events = len(tax.ledger.events)
    again = tax.ok(Actors.officer, "register_taxpayer", payload)
    assert again == first
    assert len(tax.ledger.events) == events
    assert tax.last_event()[0] == "TaxpayerRegistered"
    changed = dict(payload, name="Other name")
    assert tax.fails(Actors.officer, "register_taxpayer", changed) == "DUPLICATE_TAXPAYER"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"tax_id": "91350100M000100Y44"}, "BAD_TAX_ID"),
        ({"quota_fen": "1000"}, "BAD_ARGUMENT"),
        ({"quota_fen": -1}, "BAD_ARGUMENT"),
        ({"quota_fen": True}, "BAD_ARGUMENT"),
        ({"invoice_types": ["paper"]}, "BAD_ARGUMENT"),
        ({"extra": 1}, "BAD_ARGUMENT"),
    ],
)
def test_register_taxpayer_rejects_bad_fields(change: dict[str, object], code: str) -> None:
    tax = Driver("tax_invoice", CHAINCODE, "tax")
    payload = dict(taxpayer(THIRD_ID, ENT_A), **change)
    assert tax.fails(Actors.officer, "register_taxpayer", payload) == code


def test_float_amount_is_rejected_at_the_argument() -> None:
    tax = Driver("tax_invoice", CHAINCODE, "tax")
    raw = json.dumps(taxpayer(THIRD_ID, ENT_A)).replace(
        '"quota_fen": 1000000000', '"quota_fen": 1.5'
    )
    assert "1.5" in raw
    assert tax.fails(Actors.officer, "register_taxpayer", raw) == "BAD_ARGUMENT"


def test_suspend_and_reinstate_state_machine(tax: Driver) -> None:
    record = tax.ok(Actors.officer, "suspend_taxpayer", SELLER_ID, "arrears")
    assert record["status"] == "suspended"
    assert tax.fails(Actors.officer, "suspend_taxpayer", SELLER_ID, "again") == "ILLEGAL_TRANSITION"
    assert tax.fails(Actors.a_seller, "issue_invoice", invoice(number(1))) == "TAXPAYER_SUSPENDED"
    assert tax.ok(Actors.officer, "reinstate_taxpayer", SELLER_ID, "paid")["status"] == "active"
    assert tax.fails(Actors.officer, "reinstate_taxpayer", SELLER_ID, "x") == "ILLEGAL_TRANSITION"
    assert tax.fails(Actors.officer, "suspend_taxpayer", SELLER_ID, " ") == "BAD_ARGUMENT"
    assert tax.fails(Actors.officer, "suspend_taxpayer", THIRD_ID, "x") == "NOT_FOUND"
    tax.ok(Actors.a_seller, "issue_invoice", invoice(number(1)))


def test_issue_invoice_records_and_emits_one_event(tax: Driver) -> None:
    payload = invoice(number(1), [line(2500, 12_345), line(1000, 99, 600)])
    record = tax.ok(Actors.a_seller, "issue_invoice", payload)
    assert record["status"] == "issued"
    assert record["total_net_fen"] == 30_863 + 99
    assert record["seller_msp"] == ENT_A
    assert record["buyer_msp"] == "EnterpriseBMSP"
    assert record["issued_at"] == "2026-01-01T00:00:03Z"
    name, event = tax.last_event()
    assert name == "InvoiceIssued"
    assert event["number"] == number(1)
    assert event["tx_id"] == record["tx_id"]
    events = len(tax.ledger.events)
    assert tax.ok(Actors.a_seller, "issue_invoice", payload) == record
    assert len(tax.ledger.events) == events
    other = dict(payload, payment_ref="PAY-OTHER")
    assert tax.fails(Actors.a_seller, "issue_invoice", other) == "DUPLICATE_INVOICE"


@pytest.mark.parametrize(
    ("field", "delta"),
    [("net_fen", 1), ("tax_fen", -1), ("unit_price_fen", 1)],
)
def test_line_arithmetic_is_checked_to_the_fen(tax: Driver, field: str, delta: int) -> None:
    item = line(3333, 333)
    item[field] += delta
    payload = invoice(number(1), [item])
    assert tax.fails(Actors.a_seller, "issue_invoice", payload) == "TOTALS_MISMATCH"


@pytest.mark.parametrize("field", ["total_net_fen", "total_tax_fen", "total_gross_fen"])
def test_invoice_totals_are_checked_to_the_fen(tax: Driver, field: str) -> None:
    payload = invoice(number(1))
    payload[field] += 1
    assert tax.fails(Actors.a_seller, "issue_invoice", payload) == "TOTALS_MISMATCH"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.update(number="1234"),
        lambda p: p.update(type="paper"),
        lambda p: p["lines"][0].update(net_fen=str(p["lines"][0]["net_fen"])),
        lambda p: p["lines"][0].update(rate_bp=1200),
        lambda p: p["lines"][0].update(tax_code="12"),
        lambda p: p.update(lines=[]),
        lambda p: p.update(file_hash="XYZ"),
        lambda p: p.update(buyer={"person_hash": "ab" * 32}, type="special_vat"),
        lambda p: p.update(buyer={"person_hash": "ab" * 32, "tax_id": BUYER_ID}),
    ],
)
def test_issue_rejects_malformed_invoices(tax: Driver, mutate: object) -> None:
    payload = invoice(number(1))
    mutate(payload)  # type: ignore[operator]
    assert tax.fails(Actors.a_seller, "issue_invoice", payload) == "BAD_ARGUMENT"


def test_issue_checks_seller_org_buyer_and_types(tax: Driver) -> None:
    assert tax.fails(Actors.b_seller, "issue_invoice", invoice(number(1))) == "FORBIDDEN"
    unknown_buyer = invoice(number(1), buyer={"tax_id": THIRD_ID})
    assert tax.fails(Actors.a_seller, "issue_invoice", unknown_buyer) == "NOT_FOUND"
    bad_buyer = invoice(number(1), buyer={"tax_id": "91350100M000100Y44"})
    assert tax.fails(Actors.a_seller, "issue_invoice", bad_buyer) == "BAD_TAX_ID"
    limited = dict(taxpayer(THIRD_ID, ENT_A), invoice_types=["ordinary"])
    tax.ok(Actors.officer, "register_taxpayer", limited)
    special = invoice(number(1), seller=THIRD_ID, kind="special_vat")
    assert tax.fails(Actors.a_seller, "issue_invoice", special) == "INVOICE_TYPE_NOT_ALLOWED"


def test_quota_per_month_is_enforced() -> None:
    tax = new_driver(seller_quota=200_000)
    first = invoice(number(1), [line(1000, 100_000, 0)])
    tax.ok(Actors.a_seller, "issue_invoice", first)
    second = invoice(number(2), [line(1000, 100_000, 0)])
    tax.ok(Actors.a_seller, "issue_invoice", second)
    third = invoice(number(3), [line(1000, 1, 0)])
    assert tax.fails(Actors.a_seller, "issue_invoice", third) == "QUOTA_EXCEEDED"
    tax.ok(Actors.officer, "set_quota", SELLER_ID, 200_001)
    tax.ok(Actors.a_seller, "issue_invoice", third)


def test_duplicate_file_hash_is_rejected(tax: Driver) -> None:
    first = invoice(number(1))
    tax.ok(Actors.a_seller, "issue_invoice", first)
    second = dict(invoice(number(2)), file_hash=first["file_hash"])
    assert tax.fails(Actors.a_seller, "issue_invoice", second) == "DUPLICATE_FILE_HASH"


def test_person_buyer_data_is_private_and_hashed(tax: Driver) -> None:
    personal = {"id_number": "110101199001011234", "name": "Zhang San", "salt": "s3cr3t"}
    person_hash = hashlib.sha256(b"s3cr3t110101199001011234").hexdigest()
    payload = invoice(number(1), buyer={"person_hash": person_hash}, kind="ordinary")
    transient = {"buyer_personal": json.dumps(personal).encode()}
    wrong = {"buyer_personal": json.dumps(dict(personal, salt="x")).encode()}
    code = tax.fails(Actors.a_seller, "issue_invoice", payload, transient=wrong)
    assert code == "BAD_ARGUMENT"
    tax.ok(Actors.a_seller, "issue_invoice", payload, transient=transient)
    public = b"".join(tax.snapshot()[0].values())
    assert b"Zhang San" not in public
    assert b"110101199001011234" not in public
    data = tax.read(Actors.officer, "get_buyer_personal_data", SELLER_ID, number(1))
    assert data == personal
    assert tax.read(Actors.a_seller, "get_buyer_personal_data", SELLER_ID, number(1)) == personal
    code = tax.read_fails(Actors.b_finance, "get_buyer_personal_data", SELLER_ID, number(1))
    assert code == "FORBIDDEN"


def test_verify_by_key_fields_and_by_file_hash(tax: Driver) -> None:
    payload = invoice(number(1))
    record = tax.ok(Actors.a_seller, "issue_invoice", payload)
    gross = payload["total_gross_fen"]
    outsider = Actors.grid
    ok = tax.read(outsider, "verify_invoice", SELLER_ID, number(1), gross, "2026-01-01")
    assert ok["authentic"] is True
    assert ok["tx_id"] == record["tx_id"]
    assert ok["status"] == "issued"
    wrong = tax.read(outsider, "verify_invoice", SELLER_ID, number(1), gross + 1, "2026-01-01")
    assert wrong == {"authentic": False, "reason": "key_fields_mismatch"}
    absent = tax.read(outsider, "verify_invoice", SELLER_ID, number(2), gross, "2026-01-01")
    assert absent == {"authentic": False, "reason": "not_found"}
    by_file = tax.read(outsider, "verify_invoice_file", payload["file_hash"])
    assert by_file["number"] == number(1)
    assert tax.read(outsider, "verify_invoice_file", "00" * 32)["authentic"] is False


def test_get_invoice_is_limited_to_parties_and_bureau(tax: Driver) -> None:
    tax.ok(Actors.officer, "register_taxpayer", taxpayer(THIRD_ID, "EnterpriseBMSP"))
    tax.ok(Actors.a_seller, "issue_invoice", invoice(number(1), seller=SELLER_ID))
    for reader in (Actors.officer, Actors.auditor, Actors.a_seller, Actors.b_finance):
        assert tax.read(reader, "get_invoice", SELLER_ID, number(1))["number"] == number(1)
    assert tax.read_fails(Actors.grid, "get_invoice", SELLER_ID, number(1)) == "FORBIDDEN"
    assert tax.read_fails(Actors.officer, "get_invoice", SELLER_ID, number(2)) == "NOT_FOUND"


def test_lists_are_paged_and_scoped(tax: Driver) -> None:
    for serial in range(1, 6):
        tax.ok(Actors.a_seller, "issue_invoice", invoice(number(serial)))
    seen: list[str] = []
    bookmark = ""
    while True:
        page = tax.read(Actors.a_seller, "list_invoices_by_seller", SELLER_ID, 2, bookmark)
        assert len(page["records"]) <= 2
        seen += [record["number"] for record in page["records"]]
        bookmark = page["bookmark"]
        if not bookmark:
            break
    assert seen == [number(serial) for serial in range(1, 6)]
    by_buyer = tax.read(Actors.b_finance, "list_invoices_by_buyer", BUYER_ID, 10, "")
    assert len(by_buyer["records"]) == 5
    by_period = tax.read(Actors.officer, "list_invoices_by_period", "202601", 10, "")
    assert len(by_period["records"]) == 5
    assert tax.read(Actors.officer, "list_invoices_by_period", "202602", 10, "")["records"] == []
    issued = tax.read(Actors.officer, "list_invoices_by_status", "issued", 3, "")
    assert len(issued["records"]) == 3
    assert issued["bookmark"]
    denied = tax.read_fails(Actors.b_finance, "list_invoices_by_seller", SELLER_ID, 2, "")
    assert denied == "FORBIDDEN"
    denied = tax.read_fails(Actors.a_seller, "list_invoices_by_period", "202601", 2, "")
    assert denied == "FORBIDDEN"
    assert tax.read_fails(Actors.officer, "list_invoices_by_seller", SELLER_ID, 0, "") == (
        "BAD_ARGUMENT"
    )
    assert tax.read_fails(Actors.officer, "list_invoices_by_seller", SELLER_ID, 101, "") == (
        "BAD_ARGUMENT"
    )


def test_statistics_per_taxpayer_and_period(tax: Driver) -> None:
    a = invoice(number(1), [line(1000, 10_000)])
    b = invoice(number(2), [line(2000, 10_000, 600)])
    tax.ok(Actors.a_seller, "issue_invoice", a)
    tax.ok(Actors.a_seller, "issue_invoice", b)
    request = {"net_fen": 10_000, "reason": "cancellation", "request_id": "C", "tax_fen": 1300}
    tax.ok(Actors.a_seller, "request_reversal", SELLER_ID, number(1), request)
    tax.ok(Actors.b_finance, "confirm_reversal", SELLER_ID, number(1), "C")
    red = {"file_hash": "cd" * 32, "number": number(99)}
    tax.ok(Actors.a_seller, "issue_red_invoice", SELLER_ID, number(1), "C", red)
    stats = tax.read(Actors.officer, "get_statistics", SELLER_ID, "202601")
    assert stats["issued_count"] == 2
    assert stats["issued_net_fen"] == 30_000
    assert stats["issued_tax_fen"] == 1300 + 1200
    assert stats["issued_gross_fen"] == a["total_gross_fen"] + b["total_gross_fen"]
    assert stats["red_count"] == 1
    assert stats["red_gross_fen"] == -11_300
    assert tax.read(Actors.a_seller, "get_statistics", SELLER_ID, "202601") == stats
    assert tax.read_fails(Actors.b_finance, "get_statistics", SELLER_ID, "202601") == "FORBIDDEN"
    empty = tax.read(Actors.officer, "get_statistics", SELLER_ID, "202512")
    assert empty["issued_count"] == 0


def test_history_shows_every_change(tax: Driver) -> None:
    tax.ok(Actors.a_seller, "issue_invoice", invoice(number(1)))
    tax.ok(Actors.b_finance, "lock_reimbursement", SELLER_ID, number(1), "C-1")
    tax.ok(Actors.b_finance, "release_reimbursement", SELLER_ID, number(1), "rejected claim")
    history = tax.read(Actors.officer, "invoice_history", SELLER_ID, number(1))
    statuses = [entry["value"]["reimbursement"]["status"] for entry in history]
    assert statuses == ["none", "locked", "none"]
    assert len({entry["tx_id"] for entry in history}) == 3
    assert all(not entry["is_delete"] for entry in history)
    taxpayer_versions = tax.read(Actors.a_seller, "taxpayer_history", SELLER_ID)
    assert len(taxpayer_versions) == 1
