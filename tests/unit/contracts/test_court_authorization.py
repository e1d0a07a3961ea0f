"""Authorisation matrix of the court evidence contract: every write by every org/role."""

from __future__ import annotations

from typing import Any

import pytest
from contract_helpers import Driver, Setup, access_matrix, check_write_access
from court_scenario import COURT, Actors, evidence, new_driver

ALL = {
    name: getattr(Actors, name)
    for name in (
        "judge",
        "clerk",
        "court_admin",
        "notary",
        "custodian",
        "notary_admin",
        "a_party",
        "b_party",
        "b_lawyer",
        "outsider",
    )
}


def _nothing(driver: Driver) -> None:
    del driver


def _sealed(driver: Driver) -> None:
    driver.ok(Actors.notary, "link_case", "E1", "CASE-1")
    driver.ok(Actors.notary, "seal_evidence", "E1", "s")


def _submitted(driver: Driver) -> None:
    _sealed(driver)
    driver.ok(Actors.notary, "submit_evidence", "E1", "s")


def _ruled(driver: Driver) -> None:
    _submitted(driver)
    driver.ok(Actors.judge, "rule_evidence", "E1", "admit", "ok")


def _in_transfer(driver: Driver) -> None:
    driver.ok(Actors.notary, "start_custody_transfer", "E1", 2, {"msp_id": COURT}, "hearing")


def _checked_out(driver: Driver) -> None:
    driver.ok(Actors.notary, "check_out_evidence", "E1", 2, "exam")


DEPOSITORS = {"notary", "custodian", "a_party", "b_party"}
NOTARY_SIDE = {"notary", "custodian"}
COURT_SIDE = {"judge", "clerk"}
READERS = set(ALL) - {"outsider", "court_admin", "notary_admin"}
CASE_OFFICERS = {"notary", "judge", "clerk"}
CASES: list[tuple[str, Setup, tuple[Any, ...], set[str]]] = [
    ("register_evidence", _nothing, (evidence("E2"),), DEPOSITORS),
    (
        "register_evidence_batch",
        _nothing,
        ({"batch_id": "B", "items": [evidence("E2")]},),
        DEPOSITORS,
    ),
    ("seal_evidence", _nothing, ("E1", "s"), NOTARY_SIDE),
    ("link_case", _nothing, ("E1", "CASE-1"), CASE_OFFICERS),
    ("submit_evidence", _sealed, ("E1", "s"), NOTARY_SIDE),
    ("challenge_evidence", _submitted, ("E1", "doubt"), {"a_party", "b_party", "b_lawyer"}),
    ("rule_evidence", _submitted, ("E1", "admit", "ok"), {"judge"}),
    ("archive_evidence", _ruled, ("E1", "done"), COURT_SIDE),
    ("invalidate_evidence", _nothing, ("E1", "bad"), CASE_OFFICERS),
    ("start_custody_transfer", _nothing, ("E1", 2, {"msp_id": COURT}, "x"), {"notary"}),
    ("accept_custody_transfer", _in_transfer, ("E1", 3), COURT_SIDE),
    ("cancel_custody_transfer", _in_transfer, ("E1", 3, "no"), COURT_SIDE | {"notary"}),
    ("check_out_evidence", _nothing, ("E1", 2, "exam"), {"notary"}),
    ("check_in_evidence", _checked_out, ("E1", 3, "back"), {"notary"}),
    ("record_access", _nothing, ("E1", 2, "read"), READERS),
]
CUSTODY_ERRORS = {"NOT_CUSTODIAN", "NOT_RECEIVER"}
MATRIX = access_matrix(CASES, ALL)


@pytest.mark.parametrize(("function", "setup", "args", "actor", "admitted"), MATRIX)
def test_write_access(
    function: str, setup: Setup, args: tuple[Any, ...], actor: str, admitted: bool
) -> None:
    code = check_write_access(new_driver(), ALL, (function, setup, args, actor, admitted))
    if admitted:
        assert code is None
        return
    assert code == "FORBIDDEN" or code in CUSTODY_ERRORS
    if actor == "outsider":
        assert code == "FORBIDDEN"
