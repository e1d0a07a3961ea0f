"""Tax e-invoice contract: red letters, reimbursement (incl. concurrency) and deduction."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from contract_helpers import Driver
from tax_scenario import SELLER_ID, Actors, invoice, line, new_driver, number

from fabric_pilot_chaincode import TxTimestamp
from fabric_pilot_chaincode._memory_stub import TxContext
from fabric_pilot_chaincode.memory import MemoryStub
from fabric_pilot_contracts.tax_invoice import CHAINCODE

GROSS_LINE = line(10_000, 10_000)  # net 100_000, tax 13_000


@pytest.fixture
def tax() -> Driver:
    driver = new_driver()
    driver.ok(Actors.a_seller, "issue_invoice", invoice(number(1), [GROSS_LINE]))
    return driver


def _request(request_id: str, net: int, tax: int, reason: str = "discount") -> dict[str, Any]:
    return {"net_fen": net, "reason": reason, "request_id": request_id, "tax_fen": tax}


def _red(serial: int) -> dict[str, str]:
    return {"file_hash": hashlib.sha256(str(serial).encode()).hexdigest(), "number": number(serial)}


def test_partial_then_full_reversal(tax: Driver) -> None:
    req = tax.ok(
        Actors.b_finance, "request_reversal", SELLER_ID, number(1), _request("R1", 40_000, 5_200)
    )
    assert req["status"] == "requested"
    assert req["requested_by"] == "buyer"
    assert tax.last_event()[0] == "ReversalRequested"
    code = tax.fails(Actors.a_seller, "issue_red_invoice", SELLER_ID, number(1), "R1", _red(50))
    assert code == "ILLEGAL_TRANSITION"
    assert (
        tax.fails(Actors.b_finance, "confirm_reversal", SELLER_ID, number(1), "R1") == "FORBIDDEN"
    )
    tax.ok(Actors.a_seller, "confirm_reversal", SELLER_ID, number(1), "R1")
    assert tax.fails(Actors.a_seller, "confirm_reversal", SELLER_ID, number(1), "R1") == (
        "ILLEGAL_TRANSITION"
    )
    assert tax.fails(
        Actors.b_seller, "issue_red_invoice", SELLER_ID, number(1), "R1", _red(50)
    ) == ("FORBIDDEN")
    red = tax.ok(Actors.a_seller, "issue_red_invoice", SELLER_ID, number(1), "R1", _red(50))
    assert red["kind"] == "red"
    assert red["total_gross_fen"] == -45_200
    assert red["original"] == {"number": number(1), "seller_tax_id": SELLER_ID}
    assert tax.last_event()[0] == "RedInvoiceIssued"
    events = len(tax.ledger.events)
    assert tax.ok(Actors.a_seller, "issue_red_invoice", SELLER_ID, number(1), "R1", _red(50)) == red
    assert len(tax.ledger.events) == events
    original = tax.read(Actors.officer, "get_invoice", SELLER_ID, number(1))
    assert original["status"] == "partially_reversed"
    assert (original["remaining_net_fen"], original["remaining_tax_fen"]) == (60_000, 7_800)
    too_much = _request("R2", 60_001, 0)
    code = tax.fails(Actors.a_seller, "request_reversal", SELLER_ID, number(1), too_much)
    assert code == "REVERSAL_EXCEEDS_REMAINING"
    tax.ok(
        Actors.a_seller,
        "request_reversal",
        SELLER_ID,
        number(1),
        _request("R3", 60_000, 7_800, "return"),
    )
    tax.ok(Actors.b_finance, "confirm_reversal", SELLER_ID, number(1), "R3")
    tax.ok(Actors.a_seller, "issue_red_invoice", SELLER_ID, number(1), "R3", _red(51))
    final = tax.read(Actors.officer, "get_invoice", SELLER_ID, number(1))
    assert final["status"] == "reversed"
    assert (final["remaining_net_fen"], final["remaining_tax_fen"]) == (0, 0)
    code = tax.fails(
        Actors.a_seller, "request_reversal", SELLER_ID, number(1), _request("R4", 1, 0)
    )
    assert code == "ILLEGAL_TRANSITION"
    code = tax.fails(Actors.b_finance, "lock_reimbursement", SELLER_ID, number(1), "C")
    assert code == "ILLEGAL_TRANSITION"


def test_open_requests_reserve_the_amount_and_rejection_releases_it(tax: Driver) -> None:
    tax.ok(Actors.b_finance, "request_reversal", SELLER_ID, number(1), _request("R1", 70_000, 0))
    code = tax.fails(
        Actors.a_seller, "request_reversal", SELLER_ID, number(1), _request("R2", 30_001, 0)
    )
    assert code == "REVERSAL_EXCEEDS_REMAINING"
    assert (
        tax.fails(Actors.a_seller, "reject_reversal", SELLER_ID, number(1), "R1", " ")
        == "BAD_ARGUMENT"
    )
    rejected = tax.ok(Actors.a_seller, "reject_reversal", SELLER_ID, number(1), "R1", "not agreed")
    assert rejected["status"] == "rejected"
    assert tax.last_event()[0] == "ReversalRejected"
    tax.ok(Actors.a_seller, "request_reversal", SELLER_ID, number(1), _request("R2", 100_000, 0))
    code = tax.fails(Actors.b_finance, "lock_reimbursement", SELLER_ID, number(1), "C")
    assert code == "ILLEGAL_TRANSITION"


def test_reversal_requests_are_create_if_absent(tax: Driver) -> None:
    request = _request("R1", 1_000, 130)
    first = tax.ok(Actors.b_finance, "request_reversal", SELLER_ID, number(1), request)
    assert tax.ok(Actors.b_finance, "request_reversal", SELLER_ID, number(1), request) == first
    other = _request("R1", 2_000, 130)
    code = tax.fails(Actors.b_finance, "request_reversal", SELLER_ID, number(1), other)
    assert code == "DUPLICATE_REVERSAL"
    pending = tax.read(Actors.officer, "get_invoice", SELLER_ID, number(1))["pending_net_fen"]
    assert pending == 1_000
    page = tax.read(Actors.b_finance, "list_reversals", SELLER_ID, number(1), 10, "")
    assert [r["request_id"] for r in page["records"]] == ["R1"]
    versions = tax.read(Actors.b_finance, "reversal_history", SELLER_ID, number(1), "R1")
    assert len(versions) == 1


@pytest.mark.parametrize("reason", ["cancellation", "error"])
def test_cancellation_and_error_must_be_full(tax: Driver, reason: str) -> None:
    partial = _request("R1", 50_000, 6_500, reason)
    code = tax.fails(Actors.a_seller, "request_reversal", SELLER_ID, number(1), partial)
    assert code == "BAD_ARGUMENT"
    full = _request("R1", 100_000, 13_000, reason)
    tax.ok(Actors.a_seller, "request_reversal", SELLER_ID, number(1), full)


def test_reversal_rejects_bad_requests(tax: Driver) -> None:
    for bad in (_request("R1", 0, 0), _request("R 1", 1, 0), _request("R1", 1, 0, "whim")):
        assert (
            tax.fails(Actors.a_seller, "request_reversal", SELLER_ID, number(1), bad)
            == "BAD_ARGUMENT"
        )
    code = tax.fails(
        Actors.a_seller, "request_reversal", SELLER_ID, number(2), _request("R1", 1, 0)
    )
    assert code == "NOT_FOUND"


def test_person_invoice_seller_request_starts_confirmed() -> None:
    tax = new_driver()
    person = {"person_hash": "ef" * 32}
    tax.ok(Actors.a_seller, "issue_invoice", invoice(number(1), buyer=person, kind="ordinary"))
    request = tax.ok(
        Actors.a_seller, "request_reversal", SELLER_ID, number(1), _request("R1", 10, 0)
    )
    assert request["status"] == "confirmed"


def test_reimbursement_lock_complete_and_no_second_claim(tax: Driver) -> None:
    assert (
        tax.fails(Actors.a_finance, "lock_reimbursement", SELLER_ID, number(1), "C") == "FORBIDDEN"
    )
    locked = tax.ok(Actors.b_finance, "lock_reimbursement", SELLER_ID, number(1), "CLAIM-1")
    assert locked["reimbursement"]["status"] == "locked"
    assert locked["reimbursement"]["company_msp"] == "EnterpriseBMSP"
    assert tax.last_event()[0] == "ReimbursementLocked"
    code = tax.fails(Actors.b_finance, "lock_reimbursement", SELLER_ID, number(1), "CLAIM-2")
    assert code == "ALREADY_LOCKED"
    code = tax.fails(
        Actors.b_finance, "request_reversal", SELLER_ID, number(1), _request("R", 1, 0)
    )
    assert code == "ILLEGAL_TRANSITION"
    done = tax.ok(Actors.b_finance, "complete_reimbursement", SELLER_ID, number(1))
    assert done["reimbursement"]["status"] == "reimbursed"
    code = tax.fails(Actors.b_finance, "lock_reimbursement", SELLER_ID, number(1), "CLAIM-3")
    assert code == "ALREADY_REIMBURSED"
    code = tax.fails(Actors.b_finance, "release_reimbursement", SELLER_ID, number(1), "undo")
    assert code == "ILLEGAL_TRANSITION"
    code = tax.fails(Actors.b_finance, "complete_reimbursement", SELLER_ID, number(1))
    assert code == "ILLEGAL_TRANSITION"


def test_person_invoice_is_reimbursed_by_one_company_only() -> None:
    tax = new_driver()
    person = {"person_hash": "ef" * 32}
    tax.ok(Actors.a_seller, "issue_invoice", invoice(number(1), buyer=person, kind="ordinary"))
    tax.ok(Actors.b_finance, "lock_reimbursement", SELLER_ID, number(1), "B-EMP-1")
    code = tax.fails(Actors.a_finance, "lock_reimbursement", SELLER_ID, number(1), "A-EMP-1")
    assert code == "ALREADY_LOCKED"
    assert (
        tax.fails(Actors.a_finance, "complete_reimbursement", SELLER_ID, number(1)) == "FORBIDDEN"
    )
    tax.ok(Actors.b_finance, "release_reimbursement", SELLER_ID, number(1), "duplicate claim")
    assert tax.last_event()[0] == "ReimbursementReleased"
    tax.ok(Actors.a_finance, "lock_reimbursement", SELLER_ID, number(1), "A-EMP-1")
    tax.ok(Actors.a_finance, "complete_reimbursement", SELLER_ID, number(1))
    code = tax.fails(Actors.b_finance, "lock_reimbursement", SELLER_ID, number(1), "B-EMP-1")
    assert code == "ALREADY_REIMBURSED"


class _RecordingStub(MemoryStub):
    """MemoryStub that records the keys a simulation reads and writes."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read_keys: set[str] = set()
        self.written_keys: set[str] = set()

    def get_state(self, key: str) -> bytes:
        self.read_keys.add(key)
        return super().get_state(key)

    def put_state(self, key: str, value: bytes) -> None:
        self.written_keys.add(key)
        super().put_state(key, value)


def _simulate(tax: Driver, creator: bytes, claim: str, tx_id: str) -> _RecordingStub:
    raw = [b"lock_reimbursement", SELLER_ID.encode(), number(1).encode(), claim.encode()]
    context = TxContext(tx_id, "tax", TxTimestamp(1_767_300_000, 0), creator, {})
    stub = _RecordingStub(tax.ledger, "tax_invoice", raw, context)
    assert CHAINCODE.invoke(stub).status == 200
    return stub


def test_concurrent_claims_conflict_on_one_key() -> None:
    tax = new_driver()
    person = {"person_hash": "ef" * 32}
    tax.ok(Actors.a_seller, "issue_invoice", invoice(number(1), buyer=person, kind="ordinary"))
    first = _simulate(tax, Actors.a_finance, "A-1", "tx-a")
    second = _simulate(tax, Actors.b_finance, "B-1", "tx-b")
    shared = first.written_keys & second.written_keys & first.read_keys & second.read_keys
    invoice_key = tax.ledger.keys("tax_invoice")
    assert any(key in shared for key in invoice_key)
    # Fabric's MVCC check: the second transaction read a key the first one wrote -> invalid.
    assert second.read_keys & first.written_keys


def test_deduction_once_by_enterprise_buyer(tax: Driver) -> None:
    assert tax.fails(Actors.a_finance, "mark_deducted", SELLER_ID, number(1)) == "FORBIDDEN"
    record = tax.ok(Actors.b_finance, "mark_deducted", SELLER_ID, number(1))
    assert record["deduction"]["status"] == "deducted"
    assert record["deduction"]["deducted_tax_fen"] == 13_000
    assert tax.last_event()[0] == "InvoiceDeducted"
    assert tax.fails(Actors.b_finance, "mark_deducted", SELLER_ID, number(1)) == "ALREADY_DEDUCTED"
    tax.ok(Actors.a_seller, "issue_invoice", invoice(number(2), kind="ordinary"))
    assert tax.fails(Actors.b_finance, "mark_deducted", SELLER_ID, number(2)) == "NOT_DEDUCTIBLE"
