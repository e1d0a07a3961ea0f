"""Tax e-invoices on the pilot network: lifecycle, races and authorisation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from _sector_data import invoice, invoice_number, person_buyer, random_uscc, taxpayer
from _sector_support import proposal, race

from fabric_pilot_gateway.sectors import ChaincodeRejectedError, TaxInvoices

pytestmark = pytest.mark.e2e
TaxAs = Callable[[str, str], TaxInvoices]
ENT_A, ENT_B = "EnterpriseAMSP", "EnterpriseBMSP"


def _register_parties(tax_as: TaxAs) -> tuple[str, str]:
    """Register a seller (Enterprise A) and a buyer (Enterprise B); return their tax IDs."""
    officer = tax_as("TaxBureau", "Officer1")
    seller_id, buyer_id = random_uscc(), random_uscc()
    assert officer.register_taxpayer(taxpayer=taxpayer(seller_id, ENT_A))["status"] == "active"
    officer.register_taxpayer(taxpayer=taxpayer(buyer_id, ENT_B))
    return seller_id, buyer_id


def test_invoice_lifecycle_issue_verify_red_letter_and_reimburse_once(tax_as: TaxAs) -> None:
    seller_id, buyer_id = _register_parties(tax_as)
    seller = tax_as("EnterpriseA", "Seller1")
    buyer_seller = tax_as("EnterpriseB", "Seller1")
    buyer_finance = tax_as("EnterpriseB", "Finance1")
    number = invoice_number()
    issued = seller.issue_invoice(invoice=invoice(seller_id, number, {"tax_id": buyer_id}))
    assert (issued["kind"], issued["status"], issued["buyer_msp"]) == ("blue", "issued", ENT_B)
    ids = {"seller_tax_id": seller_id, "number": number}

    verified = buyer_finance.verify_invoice(
        **ids, total_gross_fen=issued["total_gross_fen"], issue_date=issued["issued_at"][:10]
    )
    assert verified["authentic"] is True
    assert verified["tx_id"] == issued["tx_id"]
    forged = buyer_finance.verify_invoice(
        **ids, total_gross_fen=issued["total_gross_fen"] + 1, issue_date=issued["issued_at"][:10]
    )
    assert forged["authentic"] is False

    request = {"request_id": "R1", "reason": "discount", "net_fen": 10_000, "tax_fen": 1_300}
    assert seller.request_reversal(**ids, request=request)["status"] == "requested"
    assert buyer_seller.confirm_reversal(**ids, request_id="R1")["status"] == "confirmed"
    red_number = invoice_number()
    red = seller.issue_red_invoice(
        **ids, request_id="R1", red={"number": red_number, "file_hash": "ab" * 32}
    )
    assert (red["kind"], red["total_gross_fen"]) == ("red", -11_300)
    assert red["original"] == {"number": number, "seller_tax_id": seller_id}
    after_red = buyer_finance.get_invoice(**ids)
    assert after_red["status"] == "partially_reversed"
    assert after_red["remaining_net_fen"] == issued["total_net_fen"] - 10_000

    locked = buyer_finance.lock_reimbursement(**ids, claim_ref="CLAIM-1")
    assert locked["reimbursement"]["status"] == "locked"
    done = buyer_finance.complete_reimbursement(**ids)
    assert done["reimbursement"]["status"] == "reimbursed"
    with pytest.raises(ChaincodeRejectedError) as caught:
        buyer_finance.lock_reimbursement(**ids, claim_ref="CLAIM-2")
    assert caught.value.rejection_code == "ALREADY_REIMBURSED"
    history = buyer_finance.invoice_history(**ids)
    assert [entry["value"]["reimbursement"]["status"] for entry in history][-2:] == [
        "locked",
        "reimbursed",
    ]


def test_same_invoice_reimbursed_by_two_companies_at_once_commits_once(tax_as: TaxAs) -> None:
    seller_id, _buyer_id = _register_parties(tax_as)
    person, personal = person_buyer("110101199001011234", "salt-1")
    number = invoice_number()
    tax_as("EnterpriseA", "Seller1").issue_invoice(
        invoice=invoice(seller_id, number, person), buyer_personal=personal
    )
    finance_a, finance_b = tax_as("EnterpriseA", "Finance1"), tax_as("EnterpriseB", "Finance1")

    outcomes = race(
        [
            proposal(finance_a, "lock_reimbursement", seller_id, number, "A-CLAIM"),
            proposal(finance_b, "lock_reimbursement", seller_id, number, "B-CLAIM"),
        ],
        finance_a,
    )

    codes = sorted(outcome.code_name for outcome in outcomes)
    assert codes[1] == "VALID", codes
    assert codes[0] in ("MVCC_READ_CONFLICT", "REJECTED:ALREADY_LOCKED"), codes
    winner = next(outcome for outcome in outcomes if outcome.code_name == "VALID")
    stored = finance_a.get_invoice(seller_tax_id=seller_id, number=number)["reimbursement"]
    assert stored["locked_tx_id"] == winner.transaction_id
    winner_msp = ENT_A if outcomes[0] is winner else ENT_B
    assert stored["company_msp"] == winner_msp


def test_same_invoice_issued_twice_at_once_has_one_winner(tax_as: TaxAs) -> None:
    seller_id, buyer_id = _register_parties(tax_as)
    seller = tax_as("EnterpriseA", "Seller1")
    number = invoice_number()
    first = invoice(seller_id, number, {"tax_id": buyer_id}, payment_ref="PAY-FIRST")
    second = invoice(seller_id, number, {"tax_id": buyer_id}, payment_ref="PAY-SECOND")

    outcomes = race(
        [proposal(seller, "issue_invoice", first), proposal(seller, "issue_invoice", second)],
        seller,
    )

    codes = sorted(outcome.code_name for outcome in outcomes)
    assert codes[1] == "VALID", codes
    assert codes[0] in ("MVCC_READ_CONFLICT", "REJECTED:DUPLICATE_INVOICE"), codes
    stored = seller.get_invoice(seller_tax_id=seller_id, number=number)
    winner = 0 if outcomes[0].code_name == "VALID" else 1
    assert stored["payment_ref"] == ("PAY-FIRST", "PAY-SECOND")[winner]
    assert stored["tx_id"] == outcomes[winner].transaction_id


def test_writes_by_unauthorised_orgs_are_refused_and_change_nothing(tax_as: TaxAs) -> None:
    seller_id, buyer_id = _register_parties(tax_as)
    officer = tax_as("TaxBureau", "Officer1")
    number = invoice_number()
    tax_as("EnterpriseA", "Seller1").issue_invoice(
        invoice=invoice(seller_id, number, {"tax_id": buyer_id})
    )
    before = officer.get_invoice(seller_tax_id=seller_id, number=number)
    outsider_id = random_uscc()
    attempts: list[Callable[[], object]] = [
        lambda: tax_as("EnterpriseA", "Seller1").register_taxpayer(
            taxpayer=taxpayer(outsider_id, ENT_A)
        ),
        lambda: tax_as("EnterpriseB", "Seller1").set_quota(tax_id=buyer_id, quota_fen=1),
        lambda: officer.lock_reimbursement(seller_tax_id=seller_id, number=number, claim_ref="X"),
        lambda: tax_as("EnterpriseA", "Finance1").lock_reimbursement(
            seller_tax_id=seller_id, number=number, claim_ref="X"
        ),
        lambda: tax_as("EnterpriseB", "Seller1").issue_invoice(
            invoice=invoice(seller_id, invoice_number(), {"tax_id": buyer_id})
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ChaincodeRejectedError) as caught:
            attempt()
        assert caught.value.rejection_code == "FORBIDDEN", caught.value

    assert officer.get_invoice(seller_tax_id=seller_id, number=number) == before
    assert officer.get_taxpayer(tax_id=buyer_id)["quota_fen"] == 10**12
    with pytest.raises(ChaincodeRejectedError) as missing:
        officer.get_taxpayer(tax_id=outsider_id)
    assert missing.value.rejection_code == "NOT_FOUND"
    stats = officer.list_invoices_by_seller(seller_tax_id=seller_id, page_size=10)
    assert [record["number"] for record in stats["records"]] == [number]
