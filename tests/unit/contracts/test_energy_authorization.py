"""Authorisation matrix of the energy contract: every write by every org/role."""

from __future__ import annotations

from typing import Any

import pytest
from contract_helpers import Driver, Setup, access_matrix, check_write_access
from energy_scenario import (
    DEC_START,
    EXPIRY,
    QUARTER,
    Actors,
    device_key,
    meter,
    new_driver,
    public_pem,
    reading,
    series,
)

ALL = {
    name: getattr(Actors, name)
    for name in (
        "operator",
        "registry",
        "settlement",
        "grid_admin",
        "gen_operator",
        "generator",
        "gen_admin",
        "a_trader",
        "a_operator",
        "b_finance",
        "court",
    )
}
LOT = f"GC-M1-{DEC_START:012d}"


def _nothing(driver: Driver) -> None:
    del driver


def _read(driver: Driver) -> None:
    driver.ok(Actors.gen_operator, "record_readings", series(4))


def _certified(driver: Driver) -> None:
    _read(driver)
    request = {"meter_id": "M1", "period_end": DEC_START + 4 * QUARTER, "period_start": DEC_START}
    driver.ok(Actors.registry, "issue_certificates", request)


GRID_METER = {"operator"}
REPLACEMENT = {
    "initial_export_wh": 0,
    "initial_import_wh": 0,
    "public_key_pem": public_pem(device_key(8)),
    "reason": "swap",
}
CORRECTION = {"correction_id": "K", "export_delta_wh": 1, "import_delta_wh": 0, "reason": "x"}
CLAIM = {"beneficiary": "B", "purpose": "P"}
TARIFF = {"export_fen_per_kwh": 1, "fee_fen": 0, "import_fen_per_kwh": 1}
CASES: list[tuple[str, Setup, tuple[Any, ...], set[str]]] = [
    ("register_meter", _nothing, (meter("M7", seed=7),), GRID_METER),
    ("recalibrate_meter", _nothing, ("M1", EXPIRY + 1, "CAL"), GRID_METER),
    ("rotate_meter_key", _nothing, ("M1", public_pem(device_key(8))), GRID_METER),
    ("replace_meter_device", _nothing, ("M1", REPLACEMENT), GRID_METER),
    ("decommission_meter", _nothing, ("M1", "old"), GRID_METER),
    (
        "record_reading",
        _nothing,
        (reading(1, DEC_START, 0, 5),),
        GRID_METER | {"gen_operator"},
    ),
    ("correct_reading", _read, ("M1", DEC_START, CORRECTION), GRID_METER),
    (
        "issue_certificates",
        _read,
        ({"meter_id": "M1", "period_end": DEC_START + 4 * QUARTER, "period_start": DEC_START},),
        {"registry"},
    ),
    ("cancel_certificate", _certified, (LOT, "x"), {"registry"}),
    ("transfer_certificate", _certified, (LOT, "EnterpriseAMSP"), {"generator"}),
    ("retire_certificate", _certified, (LOT, CLAIM), {"generator"}),
    ("settle_period", _read, ("GeneratorMSP", "202512", TARIFF), {"settlement"}),
]
MATRIX = access_matrix(CASES, ALL)


@pytest.mark.parametrize(("function", "setup", "args", "actor", "admitted"), MATRIX)
def test_write_access(
    function: str, setup: Setup, args: tuple[Any, ...], actor: str, admitted: bool
) -> None:
    code = check_write_access(new_driver(), ALL, (function, setup, args, actor, admitted))
    assert code == (None if admitted else "FORBIDDEN")


@pytest.mark.parametrize("actor", sorted(ALL))
def test_split_access(actor: str) -> None:
    driver = new_driver()
    driver.ok(Actors.gen_operator, "record_readings", series(8))
    request = {"meter_id": "M1", "period_end": DEC_START + 8 * QUARTER, "period_start": DEC_START}
    driver.ok(Actors.registry, "issue_certificates", request)
    if actor in {"generator"}:
        driver.ok(ALL[actor], "split_certificate", LOT, [1, 1])
    else:
        assert driver.fails(ALL[actor], "split_certificate", LOT, [1, 1]) == "FORBIDDEN"
