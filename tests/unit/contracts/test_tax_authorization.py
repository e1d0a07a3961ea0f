"""Authorisation matrix of the tax contract: every write by every org/role.

Each operation is prepared so that it succeeds for an admitted caller; every other caller must
get ``FORBIDDEN`` with the state unchanged, and every admitted caller must succeed.
"""

from __future__ import annotations

from typing import Any

import pytest
from contract_helpers import Driver, Setup, access_matrix, check_write_access
from tax_scenario import (
    BUYER_ID,
    ENT_A,
    SELLER_ID,
    THIRD_ID,
    Actors,
    invoice,
    new_driver,
    number,
    taxpayer,
)

ALL = {
    name: getattr(Actors, name)
    for name in (
        "officer",
        "auditor",
        "a_seller",
        "a_finance",
        "a_auditor",
        "a_admin",
        "a_peer",
        "b_seller",
        "b_finance",
        "b_admin",
        "grid",
    )
}
REQUEST = {"net_fen": 100, "reason": "discount", "request_id": "R1", "tax_fen": 13}
RED = {"file_hash": "aa" * 32, "number": number(500)}


def _issued(driver: Driver) -> None:
    driver.ok(Actors.a_seller, "issue_invoice", invoice(number(1)))


def _requested(driver: Driver) -> None:
    _issued(driver)
    driver.ok(Actors.b_finance, "request_reversal", SELLER_ID, number(1), REQUEST)


def _confirmed(driver: Driver) -> None:
    _requested(driver)
    driver.ok(Actors.a_seller, "confirm_reversal", SELLER_ID, number(1), "R1")


def _locked(driver: Driver) -> None:
    _issued(driver)
    driver.ok(Actors.b_finance, "lock_reimbursement", SELLER_ID, number(1), "C-1")


def _suspended(driver: Driver) -> None:
    driver.ok(Actors.officer, "suspend_taxpayer", BUYER_ID, "check")


def _nothing(driver: Driver) -> None:
    del driver


SELLER_SIDE = {"a_seller", "a_finance"}
BUYER_FINANCE = {"b_finance"}
CASES: list[tuple[str, Setup, tuple[Any, ...], set[str]]] = [
    ("register_taxpayer", _nothing, (taxpayer(THIRD_ID, ENT_A),), {"officer"}),
    ("suspend_taxpayer", _nothing, (BUYER_ID, "check"), {"officer"}),
    ("reinstate_taxpayer", _suspended, (BUYER_ID, "done"), {"officer"}),
    ("set_quota", _nothing, (SELLER_ID, 5), {"officer"}),
    ("issue_invoice", _nothing, (invoice(number(1)),), SELLER_SIDE),
    (
        "request_reversal",
        _issued,
        (SELLER_ID, number(1), REQUEST),
        SELLER_SIDE | BUYER_FINANCE | {"b_seller"},
    ),
    ("confirm_reversal", _requested, (SELLER_ID, number(1), "R1"), SELLER_SIDE),
    ("reject_reversal", _requested, (SELLER_ID, number(1), "R1", "no"), SELLER_SIDE),
    ("issue_red_invoice", _confirmed, (SELLER_ID, number(1), "R1", RED), SELLER_SIDE),
    ("lock_reimbursement", _issued, (SELLER_ID, number(1), "C-1"), BUYER_FINANCE),
    ("complete_reimbursement", _locked, (SELLER_ID, number(1)), BUYER_FINANCE),
    ("release_reimbursement", _locked, (SELLER_ID, number(1), "no"), BUYER_FINANCE),
    ("mark_deducted", _issued, (SELLER_ID, number(1)), BUYER_FINANCE),
]
MATRIX = access_matrix(CASES, ALL)


@pytest.mark.parametrize(("function", "setup", "args", "actor", "admitted"), MATRIX)
def test_write_access(
    function: str, setup: Setup, args: tuple[Any, ...], actor: str, admitted: bool
) -> None:
    code = check_write_access(new_driver(), ALL, (function, setup, args, actor, admitted))
    assert code == (None if admitted else "FORBIDDEN")


def test_roles_are_denied_by_default_and_may_be_several() -> None:
    """Issue 13 item 8: a client certificate without ``pilot.role`` (cryptogen's) gets no
    role-gated right; ``pilot.role`` may list several roles."""
    from contract_helpers import identity
    from tax_scenario import BUREAU, ENT_B

    driver = new_driver()
    _issued(driver)
    plain_bureau_user = identity(BUREAU, None, "client", name="Auditor1@taxbureau")
    plain_seller = identity(ENT_B, None, "client", name="Seller1@enterpriseb")
    assert driver.fails(plain_bureau_user, "set_quota", SELLER_ID, 5) == "FORBIDDEN"
    lock = ("lock_reimbursement", SELLER_ID, number(1), "C-1")
    assert driver.fails(plain_seller, *lock) == "FORBIDDEN"
    assert driver.fails(identity(ENT_B, "seller party"), *lock) == "FORBIDDEN"
    locked = driver.ok(identity(ENT_B, "party,finance"), *lock)
    assert locked["reimbursement"]["status"] == "locked", locked
