"""Energy contract: corrections, green certificates and settlement."""

from __future__ import annotations

import pytest
from contract_helpers import Driver
from energy_scenario import DEC_START, QUARTER, Actors, meter, new_driver, reading, series

LOT = f"GC-M1-{DEC_START:012d}"
TARIFF = {"export_fen_per_kwh": 40, "fee_fen": 100, "import_fen_per_kwh": 65}


def _issue(start: int, end: int, meter_id: str = "M1") -> dict[str, object]:
    return {"meter_id": meter_id, "period_end": end, "period_start": start}


@pytest.fixture
def energy() -> Driver:
    driver = new_driver()
    driver.ok(Actors.gen_operator, "record_readings", series(8))  # 8 x 250 kWh = 2 MWh
    return driver


def test_certificates_issue_once_per_interval(energy: Driver) -> None:
    lot = energy.ok(
        Actors.registry, "issue_certificates", _issue(DEC_START, DEC_START + 8 * QUARTER)
    )
    assert lot["certificate_id"] == LOT
    assert (lot["quantity_mwh"], lot["serial_start"], lot["serial_end"]) == (2, 1, 2)
    assert lot["owner_msp"] == "GeneratorMSP"
    assert lot["energy_wh"] == 2_000_000
    assert energy.last_event()[0] == "CertificatesIssued"
    same = energy.ok(
        Actors.registry, "issue_certificates", _issue(DEC_START, DEC_START + 8 * QUARTER)
    )
    assert same == lot
    other = _issue(DEC_START, DEC_START + 4 * QUARTER)
    assert energy.fails(Actors.registry, "issue_certificates", other) == "DUPLICATE_CERTIFICATE"
    overlap = _issue(DEC_START + QUARTER, DEC_START + 8 * QUARTER)
    assert energy.fails(Actors.registry, "issue_certificates", overlap) == "ALREADY_CERTIFIED"
    reading_record = energy.read(Actors.operator, "get_reading", "M1", DEC_START)
    assert reading_record["certificate_id"] == LOT
    by_meter = energy.read(Actors.a_trader, "list_certificates_by_meter", "M1", 10, "")
    assert [c["certificate_id"] for c in by_meter["records"]] == [LOT]


def test_remainders_carry_over_between_issues(energy: Driver) -> None:
    first = energy.ok(
        Actors.registry, "issue_certificates", _issue(DEC_START, DEC_START + 6 * QUARTER)
    )
    assert (first["quantity_mwh"], first["carry_out_wh"]) == (1, 500_000)
    second = energy.ok(
        Actors.registry,
        "issue_certificates",
        _issue(DEC_START + 6 * QUARTER, DEC_START + 8 * QUARTER),
    )
    assert (second["quantity_mwh"], second["serial_start"], second["carry_in_wh"]) == (
        1,
        2,
        500_000,
    )
    assert second["carry_out_wh"] == 0


def test_issue_rejects_bad_periods(energy: Driver) -> None:
    small = _issue(DEC_START, DEC_START + 3 * QUARTER)
    assert energy.fails(Actors.registry, "issue_certificates", small) == "INSUFFICIENT_GENERATION"
    beyond = _issue(DEC_START, DEC_START + 9 * QUARTER)
    assert energy.fails(Actors.registry, "issue_certificates", beyond) == "BAD_ARGUMENT"
    splitting = _issue(DEC_START, DEC_START + 8 * QUARTER - 1)
    assert energy.fails(Actors.registry, "issue_certificates", splitting) == "BAD_ARGUMENT"
    backwards = _issue(DEC_START + QUARTER, DEC_START)
    assert energy.fails(Actors.registry, "issue_certificates", backwards) == "BAD_ARGUMENT"
    consumer = _issue(DEC_START, DEC_START + QUARTER, "C1")
    assert energy.fails(Actors.registry, "issue_certificates", consumer) == "NOT_RENEWABLE"
    energy.ok(Actors.operator, "register_meter", meter("F1", technology="fossil", seed=3))
    fossil = _issue(DEC_START, DEC_START + QUARTER, "F1")
    assert energy.fails(Actors.registry, "issue_certificates", fossil) == "NOT_RENEWABLE"


def test_transfer_split_retire_cancel(energy: Driver) -> None:
    energy.ok(Actors.registry, "issue_certificates", _issue(DEC_START, DEC_START + 8 * QUARTER))
    assert (
        energy.fails(Actors.a_trader, "transfer_certificate", LOT, "EnterpriseAMSP") == "FORBIDDEN"
    )
    assert energy.fails(Actors.generator, "transfer_certificate", LOT, "GeneratorMSP") == (
        "BAD_ARGUMENT"
    )
    assert energy.fails(Actors.generator, "split_certificate", LOT, [1, 2]) == "BAD_ARGUMENT"
    assert energy.fails(Actors.generator, "split_certificate", LOT, [2]) == "BAD_ARGUMENT"
    parent = energy.ok(Actors.generator, "split_certificate", LOT, [1, 1])
    assert parent["status"] == "split"
    assert parent["children"] == [f"{LOT}/1", f"{LOT}/2"]
    assert energy.fails(Actors.generator, "transfer_certificate", LOT, "EnterpriseAMSP") == (
        "ILLEGAL_TRANSITION"
    )
    child = energy.ok(Actors.generator, "transfer_certificate", f"{LOT}/2", "EnterpriseAMSP")
    assert (child["owner_msp"], child["serial_start"], child["serial_end"]) == (
        "EnterpriseAMSP",
        2,
        2,
    )
    assert energy.last_event()[0] == "CertificateTransferred"
    claim = {"beneficiary": "Enterprise A", "purpose": "Scope 2 2025", "reporting_year": 2025}
    retired = energy.ok(Actors.a_trader, "retire_certificate", f"{LOT}/2", claim)
    assert retired["status"] == "retired"
    assert retired["retirement"]["beneficiary"] == "Enterprise A"
    for function, args in (
        ("retire_certificate", (f"{LOT}/2", claim)),
        ("transfer_certificate", (f"{LOT}/2", "EnterpriseBMSP")),
    ):
        assert energy.fails(Actors.a_trader, function, *args) == "CERTIFICATE_RETIRED"
    assert (
        energy.fails(Actors.registry, "cancel_certificate", f"{LOT}/2", "x")
        == "CERTIFICATE_RETIRED"
    )
    cancelled = energy.ok(Actors.registry, "cancel_certificate", f"{LOT}/1", "fraud check")
    assert cancelled["status"] == "cancelled"
    assert energy.fails(Actors.generator, "retire_certificate", f"{LOT}/1", claim) == (
        "ILLEGAL_TRANSITION"
    )
    held = energy.read(Actors.b_finance, "list_certificates_by_owner", "EnterpriseAMSP", 10, "")
    assert [c["certificate_id"] for c in held["records"]] == [f"{LOT}/2"]
    history = energy.read(Actors.b_finance, "certificate_history", f"{LOT}/2")
    assert [v["value"]["status"] for v in history] == ["active", "active", "retired"]
    again = _issue(DEC_START, DEC_START + 8 * QUARTER)
    assert energy.ok(Actors.registry, "issue_certificates", again)["status"] == "split"


def test_corrections_keep_the_original(energy: Driver) -> None:
    correction = {
        "correction_id": "K1",
        "export_delta_wh": 200_000,
        "import_delta_wh": 0,
        "reason": "inverter clock",
    }
    record = energy.ok(Actors.operator, "correct_reading", "M1", DEC_START, correction)
    assert record["previous_export_delta_wh"] == 250_000
    assert energy.last_event()[0] == "ReadingCorrected"
    corrected = energy.read(Actors.operator, "get_reading", "M1", DEC_START)
    assert corrected["export_wh"] == 250_000
    assert corrected["export_delta_wh"] == 250_000
    assert corrected["effective_export_delta_wh"] == 200_000
    assert corrected["status"] == "corrected"
    assert energy.ok(Actors.operator, "correct_reading", "M1", DEC_START, correction) == record
    changed = dict(correction, reason="other")
    code = energy.fails(Actors.operator, "correct_reading", "M1", DEC_START, changed)
    assert code == "DUPLICATE_CORRECTION"
    listed = energy.read(Actors.generator, "list_corrections", "M1", DEC_START, 5, "")
    assert [c["correction_id"] for c in listed["records"]] == ["K1"]
    lot = energy.ok(
        Actors.registry, "issue_certificates", _issue(DEC_START, DEC_START + 8 * QUARTER)
    )
    assert lot["net_generation_wh"] == 1_950_000
    late = dict(correction, correction_id="K2")
    code = energy.fails(Actors.operator, "correct_reading", "M1", DEC_START, late)
    assert code == "ALREADY_CERTIFIED"
    assert (
        energy.fails(Actors.operator, "correct_reading", "M1", DEC_START + 1, late) == "NOT_FOUND"
    )


def test_settlement_once_per_party_and_month(energy: Driver) -> None:
    energy.ok(
        Actors.operator, "record_reading", reading(1, DEC_START, 12_345, 0, meter_id="C1", seed=2)
    )
    energy.ok(
        Actors.operator,
        "register_meter",
        meter("C2", "EnterpriseAMSP", "bidirectional", "solar", seed=7),
    )
    energy.ok(
        Actors.a_operator,
        "record_reading",
        reading(1, DEC_START, 1_000, 3_333, meter_id="C2", seed=7),
    )
    code = energy.fails(Actors.settlement, "settle_period", "EnterpriseAMSP", "202601", TARIFF)
    assert code == "PERIOD_OPEN"
    settled = energy.ok(Actors.settlement, "settle_period", "EnterpriseAMSP", "202512", TARIFF)
    assert (settled["import_wh"], settled["export_wh"]) == (13_345, 3_333)
    assert settled["import_charge_fen"] == 867  # 13.345 kWh * 65 = 867.425
    assert settled["export_credit_fen"] == 133  # 3.333 kWh * 40 = 133.32
    assert settled["balance_fen"] == 133 - 867 - 100
    assert settled["net_wh"] == 3_333 - 13_345
    assert [line["meter_id"] for line in settled["lines"]] == ["C1", "C2"]
    assert energy.last_event()[0] == "PeriodSettled"
    assert (
        energy.ok(Actors.settlement, "settle_period", "EnterpriseAMSP", "202512", TARIFF) == settled
    )
    cheaper = dict(TARIFF, fee_fen=0)
    code = energy.fails(Actors.settlement, "settle_period", "EnterpriseAMSP", "202512", cheaper)
    assert code == "ALREADY_SETTLED"
    late = reading(2, DEC_START + QUARTER, 13_000, 0, meter_id="C1", seed=2)
    assert energy.fails(Actors.operator, "record_reading", late) == "PERIOD_SETTLED"
    fix = {"correction_id": "K", "export_delta_wh": 0, "import_delta_wh": 1, "reason": "x"}
    assert (
        energy.fails(Actors.operator, "correct_reading", "C1", DEC_START, fix) == "PERIOD_SETTLED"
    )
    got = energy.read(Actors.a_trader, "get_settlement", "EnterpriseAMSP", "202512")
    assert got == settled
    assert energy.read_fails(Actors.b_finance, "get_settlement", "EnterpriseAMSP", "202512") == (
        "FORBIDDEN"
    )
    generator = energy.ok(Actors.settlement, "settle_period", "GeneratorMSP", "202512", TARIFF)
    assert generator["export_wh"] == 2_000_000
    usage = energy.read(Actors.generator, "list_usage", "202512", "GeneratorMSP", 10, "")
    assert usage["records"][0]["readings"] == 8
