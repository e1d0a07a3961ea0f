"""Actors, payload builders and a base scenario for the tax e-invoice tests."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from contract_helpers import Driver, identity, round_half_up, uscc

from fabric_pilot_contracts.tax_invoice import CHAINCODE

BUREAU = "TaxBureauMSP"
ENT_A = "EnterpriseAMSP"
ENT_B = "EnterpriseBMSP"
SELLER_ID = uscc("91440300MA5F0001A")
BUYER_ID = uscc("91440300MA5F0002B")
THIRD_ID = uscc("91110000MA0000003")
TAX_CODE = "1090511030000000000"


class Actors:
    """Creators for every org/role the tax tests use."""

    officer = identity(BUREAU, "tax_officer")
    auditor = identity(BUREAU, "auditor")
    a_seller = identity(ENT_A, "seller")
    a_finance = identity(ENT_A, "finance")
    a_auditor = identity(ENT_A, "auditor")
    a_admin = identity(ENT_A, None, "admin")
    a_peer = identity(ENT_A, None, "peer")
    b_seller = identity(ENT_B, "seller")
    b_finance = identity(ENT_B, "finance")
    b_admin = identity(ENT_B, None, "admin")
    grid = identity("GridOperatorMSP", "tax_officer")


def taxpayer(tax_id: str, msp_id: str, quota_fen: int = 10**9) -> dict[str, Any]:
    """Registration payload."""
    return {
        "invoice_types": ["fully_digital", "ordinary", "special_vat"],
        "msp_id": msp_id,
        "name": f"Company {tax_id[-4:]}",
        "quota_fen": quota_fen,
        "tax_id": tax_id,
    }


def line(quantity_milli: int, unit_price_fen: int, rate_bp: int = 1300) -> dict[str, Any]:
    """A correct line item computed with the reference rounding."""
    net = round_half_up(quantity_milli * unit_price_fen, 1000)
    return {
        "name": "Consulting service",
        "net_fen": net,
        "quantity_milli": quantity_milli,
        "rate_bp": rate_bp,
        "tax_code": TAX_CODE,
        "tax_fen": round_half_up(net * rate_bp, 10_000),
        "unit_price_fen": unit_price_fen,
    }


def invoice(
    number: str,
    lines: list[dict[str, Any]] | None = None,
    buyer: dict[str, Any] | None = None,
    kind: str = "fully_digital",
    seller: str = SELLER_ID,
) -> dict[str, Any]:
    """A consistent invoice payload."""
    lines = lines if lines is not None else [line(2000, 50_000)]
    net = sum(item["net_fen"] for item in lines)
    tax = sum(item["tax_fen"] for item in lines)
    return {
        "buyer": buyer if buyer is not None else {"tax_id": BUYER_ID},
        "file_hash": hashlib.sha256(f"{seller}/{number}".encode()).hexdigest(),
        "lines": lines,
        "number": number,
        "payment_ref": f"PAY-{number[-6:]}",
        "seller_tax_id": seller,
        "total_gross_fen": net + tax,
        "total_net_fen": net,
        "total_tax_fen": tax,
        "type": kind,
    }


def number(serial: int) -> str:
    """A 20-digit invoice number."""
    return f"2644{serial:016d}"


def setup(driver: Driver, seller_quota: int = 10**9) -> None:
    """Register the seller (Enterprise A) and the buyer (Enterprise B)."""
    driver.ok(Actors.officer, "register_taxpayer", taxpayer(SELLER_ID, ENT_A, seller_quota))
    driver.ok(Actors.officer, "register_taxpayer", taxpayer(BUYER_ID, ENT_B))


def new_driver(seller_quota: int = 10**9) -> Driver:
    """A tax ledger with the seller (Enterprise A) and buyer (Enterprise B) registered."""
    driver = Driver("tax_invoice", CHAINCODE, "tax")
    setup(driver, seller_quota)
    return driver


def run_full_scenario(driver: Driver) -> None:
    """Exercise every write path once (used by the determinism test)."""
    driver.ok(Actors.a_seller, "issue_invoice", invoice(number(1)))
    driver.ok(Actors.a_seller, "issue_invoice", invoice(number(2), [line(1500, 333, 600)]))
    person = {"person_hash": hashlib.sha256(b"salt110101199001011234").hexdigest()}
    personal = {"id_number": "110101199001011234", "name": "Zhang San", "salt": "salt"}
    transient = {"buyer_personal": json.dumps(personal).encode()}
    payload = invoice(number(3), buyer=person, kind="ordinary")
    driver.ok(Actors.a_seller, "issue_invoice", payload, transient=transient)
    request = {"net_fen": 10_000, "reason": "discount", "request_id": "R1", "tax_fen": 1300}
    driver.ok(Actors.b_finance, "request_reversal", SELLER_ID, number(1), request)
    driver.ok(Actors.a_seller, "confirm_reversal", SELLER_ID, number(1), "R1")
    red = {"file_hash": "ab" * 32, "number": number(900)}
    driver.ok(Actors.a_seller, "issue_red_invoice", SELLER_ID, number(1), "R1", red)
    driver.ok(Actors.b_finance, "lock_reimbursement", SELLER_ID, number(2), "CLAIM-1")
    driver.ok(Actors.b_finance, "complete_reimbursement", SELLER_ID, number(2))
    driver.ok(Actors.b_finance, "mark_deducted", SELLER_ID, number(1))
    driver.ok(Actors.a_finance, "lock_reimbursement", SELLER_ID, number(3), "EMP-7")
    driver.ok(Actors.a_finance, "release_reimbursement", SELLER_ID, number(3), "wrong claim")
    driver.ok(Actors.officer, "suspend_taxpayer", BUYER_ID, "audit")
    driver.ok(Actors.officer, "reinstate_taxpayer", BUYER_ID, "audit closed")
    driver.ok(Actors.officer, "set_quota", SELLER_ID, 5 * 10**8)
