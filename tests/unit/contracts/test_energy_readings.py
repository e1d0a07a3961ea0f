"""Energy contract: meters and signed readings (replay, monotonicity, intervals, batches)."""

from __future__ import annotations

import json

import pytest
from contract_helpers import Driver
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from energy_scenario import (
    DEC_START,
    EXPIRY,
    GEN,
    QUARTER,
    Actors,
    device_key,
    meter,
    new_driver,
    public_pem,
    reading,
    series,
)

from fabric_pilot_contracts.energy_metering import CHAINCODE


@pytest.fixture
def energy() -> Driver:
    return new_driver()


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    data = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return data.decode()


def test_register_meter_is_create_if_absent_with_private_customer() -> None:
    energy = Driver("energy_metering", CHAINCODE, "energy")
    customer = {"account": "0755-123", "address": "1 Harbour Rd", "name": "Li Si"}
    transient = {"customer": json.dumps(customer).encode()}
    first = energy.ok(Actors.operator, "register_meter", meter(), transient=transient)
    assert first["status"] == "active"
    assert len(first["customer_hash"]) == 64
    assert energy.last_event()[0] == "MeterRegistered"
    events = len(energy.ledger.events)
    assert energy.ok(Actors.operator, "register_meter", meter()) == first
    assert len(energy.ledger.events) == events
    code = energy.fails(Actors.operator, "register_meter", meter(capacity_w=1))
    assert code == "DUPLICATE_METER"
    public = b"".join(energy.snapshot()[0].values())
    assert b"Li Si" not in public
    assert energy.read(Actors.generator, "get_meter_customer", "M1") == customer
    assert energy.read(Actors.operator, "get_meter_customer", "M1") == customer
    assert energy.read_fails(Actors.a_trader, "get_meter_customer", "M1") == "FORBIDDEN"


@pytest.mark.parametrize(
    "change",
    [
        {"public_key_pem": "not a key"},
        {"calibration_expiry": DEC_START},
        {"kind": "storage"},
        {"owner_msp": "CourtMSP"},
        {"capacity_w": "5000"},
        {"meter_id": "bad id"},
    ],
)
def test_register_meter_rejects_bad_fields(energy: Driver, change: dict[str, object]) -> None:
    payload = dict(meter("M9"), **change)
    assert energy.fails(Actors.operator, "register_meter", payload) == "BAD_ARGUMENT"


@pytest.mark.parametrize(
    "key", [rsa.generate_private_key(65537, 2048), ec.generate_private_key(ec.SECP384R1())]
)
def test_device_keys_must_be_p256(energy: Driver, key: rsa.RSAPrivateKey) -> None:
    payload = meter("M9", public_key_pem=_pem(key))
    assert energy.fails(Actors.operator, "register_meter", payload) == "BAD_ARGUMENT"


def test_reading_is_recorded_once_with_deltas(energy: Driver) -> None:
    first = reading(1, DEC_START, 10, 1_000)
    record = energy.ok(Actors.gen_operator, "record_reading", first)
    assert (record["import_delta_wh"], record["export_delta_wh"]) == (10, 1_000)
    assert record["status"] == "recorded"
    name, event = energy.last_event()
    assert name == "ReadingRecorded"
    assert event["payload_hash"] == record["payload_hash"]
    events = len(energy.ledger.events)
    assert energy.ok(Actors.gen_operator, "record_reading", first) == record
    assert len(energy.ledger.events) == events
    other = reading(2, DEC_START, 10, 2_000)
    assert energy.fails(Actors.gen_operator, "record_reading", other) == "DUPLICATE_READING"
    second = energy.ok(
        Actors.operator, "record_reading", reading(2, DEC_START + QUARTER, 15, 1_500)
    )
    assert (second["import_delta_wh"], second["export_delta_wh"]) == (5, 500)
    state = energy.read(Actors.a_trader, "get_meter", "M1")
    assert (state["last_counter"], state["reading_count"]) == (2, 2)
    assert state["last_interval_end"] == DEC_START + 2 * QUARTER


def test_replay_of_a_counter_is_rejected(energy: Driver) -> None:
    energy.ok(Actors.gen_operator, "record_reading", reading(5, DEC_START, 0, 100))
    for counter in (5, 4, 0):
        replay = reading(counter, DEC_START + QUARTER, 0, 200)
        assert energy.fails(Actors.gen_operator, "record_reading", replay) == "REPLAY"
    energy.ok(Actors.gen_operator, "record_reading", reading(6, DEC_START + QUARTER, 0, 200))


def test_registers_never_decrease_without_rollover(energy: Driver) -> None:
    energy.ok(Actors.gen_operator, "record_reading", reading(1, DEC_START, 50, 900))
    lower = reading(2, DEC_START + QUARTER, 49, 1_000)
    assert energy.fails(Actors.gen_operator, "record_reading", lower) == "NON_MONOTONIC"
    lower = reading(2, DEC_START + QUARTER, 50, 899)
    assert energy.fails(Actors.gen_operator, "record_reading", lower) == "NON_MONOTONIC"
    not_wrapped = reading(2, DEC_START + QUARTER, 60, 950, flag="rollover")
    assert energy.fails(Actors.gen_operator, "record_reading", not_wrapped) == "BAD_ARGUMENT"


def test_rollover_wraps_at_register_max() -> None:
    energy = Driver("energy_metering", CHAINCODE, "energy")
    energy.ok(Actors.operator, "register_meter", meter(register_max_wh=1_000_000))
    energy.ok(Actors.gen_operator, "record_reading", reading(1, DEC_START, 0, 999_900))
    too_big = reading(2, DEC_START + QUARTER, 0, 1_000_000)
    assert energy.fails(Actors.gen_operator, "record_reading", too_big) == "BAD_ARGUMENT"
    wrapped = reading(2, DEC_START + QUARTER, 0, 50, flag="rollover")
    record = energy.ok(Actors.gen_operator, "record_reading", wrapped)
    assert record["export_delta_wh"] == 150
    assert record["flag"] == "rollover"


def test_intervals_never_overlap(energy: Driver) -> None:
    energy.ok(Actors.gen_operator, "record_reading", reading(1, DEC_START, 0, 100))
    overlap = reading(2, DEC_START + QUARTER - 1, 0, 200)
    assert energy.fails(Actors.gen_operator, "record_reading", overlap) == "OVERLAPPING_INTERVAL"
    before = reading(2, DEC_START - QUARTER, 0, 200)
    assert energy.fails(Actors.gen_operator, "record_reading", before) == "OVERLAPPING_INTERVAL"
    gap = reading(2, DEC_START + 4 * QUARTER, 0, 200)
    energy.ok(Actors.gen_operator, "record_reading", gap)


def test_interval_must_be_non_empty_and_past(energy: Driver) -> None:
    empty = reading(1, DEC_START, 0, 1, end=DEC_START)
    assert energy.fails(Actors.gen_operator, "record_reading", empty) == "BAD_ARGUMENT"
    future = reading(1, 1_800_000_000, 0, 1)
    assert energy.fails(Actors.gen_operator, "record_reading", future) == "BAD_ARGUMENT"


def test_signature_must_verify_against_the_registered_key(energy: Driver) -> None:
    tampered = reading(1, DEC_START, 0, 100)
    tampered["export_wh"] = 101
    assert energy.fails(Actors.gen_operator, "record_reading", tampered) == "BAD_SIGNATURE"
    foreign = reading(1, DEC_START, 0, 100, seed=9)
    assert energy.fails(Actors.gen_operator, "record_reading", foreign) == "BAD_SIGNATURE"
    garbage = dict(reading(1, DEC_START, 0, 100), signature="zz")
    assert energy.fails(Actors.gen_operator, "record_reading", garbage) == "BAD_SIGNATURE"
    flag_changed = dict(reading(1, DEC_START, 0, 100), flag="rollover")
    assert energy.fails(Actors.gen_operator, "record_reading", flag_changed) == "BAD_SIGNATURE"


def test_no_readings_after_decommissioning(energy: Driver) -> None:
    energy.ok(Actors.operator, "decommission_meter", "M1", "end of life")
    assert energy.last_event()[0] == "MeterDecommissioned"
    code = energy.fails(Actors.gen_operator, "record_reading", reading(1, DEC_START, 0, 1))
    assert code == "METER_DECOMMISSIONED"
    assert energy.fails(Actors.operator, "decommission_meter", "M1", "again") == (
        "METER_DECOMMISSIONED"
    )
    code = energy.fails(Actors.operator, "recalibrate_meter", "M1", EXPIRY + 5, "C")
    assert code == "METER_DECOMMISSIONED"


def test_no_readings_after_calibration_expiry(energy: Driver) -> None:
    late = EXPIRY + 10
    code = energy.fails(Actors.gen_operator, "record_reading", reading(1, DEC_START, 0, 1), at=late)
    assert code == "CALIBRATION_EXPIRED"
    energy.ok(Actors.operator, "recalibrate_meter", "M1", EXPIRY + 86_400, "CAL-7", at=late)
    assert energy.last_event()[0] == "MeterRecalibrated"
    energy.ok(Actors.gen_operator, "record_reading", reading(1, DEC_START, 0, 1), at=late + 1)
    code = energy.fails(Actors.operator, "recalibrate_meter", "M1", DEC_START, "CAL-8")
    assert code == "BAD_ARGUMENT"


def test_only_grid_or_owner_org_records(energy: Driver) -> None:
    code = energy.fails(Actors.a_operator, "record_reading", reading(1, DEC_START, 0, 1))
    assert code == "FORBIDDEN"
    energy.ok(
        Actors.a_operator, "record_reading", reading(1, DEC_START, 5, 0, meter_id="C1", seed=2)
    )


def test_batches_are_atomic(energy: Driver) -> None:
    batch = series(4)
    batch[3] = reading(2, DEC_START + 3 * QUARTER, 0, 2_000_000)
    assert energy.fails(Actors.gen_operator, "record_readings", batch) == "REPLAY"
    refused = energy.ledger.invoke(
        energy.name, "record_readings", json.dumps(batch), creator=Actors.gen_operator
    )
    assert refused.message.startswith("REPLAY: readings[3]: "), refused.message
    assert energy.read(Actors.operator, "get_meter", "M1")["reading_count"] == 0
    result = energy.ok(Actors.gen_operator, "record_readings", series(4))
    assert result["created"] == 4
    assert [r["export_delta_wh"] for r in result["readings"]] == [250_000] * 4
    name, event = energy.last_event()
    assert name == "ReadingsRecorded"
    assert event["count"] == 4
    events = len(energy.ledger.events)
    assert energy.ok(Actors.gen_operator, "record_readings", series(4))["created"] == 0
    assert len(energy.ledger.events) == events
    assert energy.fails(Actors.gen_operator, "record_readings", []) == "BAD_ARGUMENT"


def test_rotated_key_keeps_the_counter(energy: Driver) -> None:
    energy.ok(Actors.gen_operator, "record_reading", reading(3, DEC_START, 0, 10))
    rotated = energy.ok(Actors.operator, "rotate_meter_key", "M1", public_pem(device_key(5)))
    assert rotated["key_epoch"] == 2
    old_key = reading(4, DEC_START + QUARTER, 0, 20)
    assert energy.fails(Actors.gen_operator, "record_reading", old_key) == "BAD_SIGNATURE"
    replay = reading(3, DEC_START + QUARTER, 0, 20, seed=5)
    assert energy.fails(Actors.gen_operator, "record_reading", replay) == "REPLAY"
    energy.ok(Actors.gen_operator, "record_reading", reading(4, DEC_START + QUARTER, 0, 20, seed=5))


def test_replaced_device_restarts_counter_and_registers(energy: Driver) -> None:
    energy.ok(Actors.gen_operator, "record_reading", reading(40, DEC_START, 500, 9_000))
    replacement = {
        "initial_export_wh": 100,
        "initial_import_wh": 0,
        "public_key_pem": public_pem(device_key(6)),
        "reason": "lightning",
    }
    energy.ok(Actors.operator, "replace_meter_device", "M1", replacement)
    assert energy.last_event()[0] == "MeterReplaced"
    after = reading(1, DEC_START + QUARTER, 0, 400, seed=6)
    record = energy.ok(Actors.gen_operator, "record_reading", after)
    assert (record["import_delta_wh"], record["export_delta_wh"]) == (0, 300)
    assert record["key_epoch"] == 2


def test_readings_are_listed_in_time_order_and_scoped(energy: Driver) -> None:
    energy.ok(Actors.gen_operator, "record_readings", series(5))
    page = energy.read(Actors.generator, "list_readings", "M1", 3, "")
    rest = energy.read(Actors.generator, "list_readings", "M1", 3, page["bookmark"])
    starts = [r["interval_start"] for r in page["records"] + rest["records"]]
    assert starts == [DEC_START + i * QUARTER for i in range(5)]
    assert energy.read_fails(Actors.a_trader, "list_readings", "M1", 3, "") == "FORBIDDEN"
    got = energy.read(Actors.operator, "get_reading", "M1", DEC_START + QUARTER)
    assert got["counter"] == 2
    versions = energy.read(Actors.operator, "meter_history", "M1")
    assert len(versions) == 2
    assert versions[0]["value"]["reading_count"] == 0
    assert versions[1]["value"]["reading_count"] == 5


def test_owner_org_must_be_known(energy: Driver) -> None:
    assert GEN in energy.read(Actors.court, "get_meter", "M1")["owner_msp"]


def test_reading_beyond_capacity_is_refused_and_never_certified(energy: Driver) -> None:
    # 5 MW for 15 minutes is 1,250,000 Wh; 10 % tolerance allows 1,375,000 Wh.
    impossible = reading(1, DEC_START, 0, 10**15 - 1)
    assert energy.fails(Actors.gen_operator, "record_reading", impossible) == "EXCEEDS_CAPACITY"
    beyond = reading(1, DEC_START, 0, 1_375_001)
    assert energy.fails(Actors.gen_operator, "record_reading", beyond) == "EXCEEDS_CAPACITY"
    at_limit = energy.ok(Actors.gen_operator, "record_reading", reading(1, DEC_START, 0, 1_375_000))
    assert at_limit["capacity_limit_wh"] == 1_375_000
    assert energy.read(Actors.operator, "get_meter", "M1")["reading_count"] == 1
    request = {"meter_id": "M1", "period_end": DEC_START + QUARTER, "period_start": DEC_START}
    issued = energy.ok(Actors.registry, "issue_certificates", request)
    assert issued["quantity_mwh"] == 1  # from the plausible reading only


def test_a_gap_allows_the_energy_of_the_whole_gap(energy: Driver) -> None:
    energy.ok(Actors.gen_operator, "record_reading", reading(1, DEC_START, 0, 1_000))
    # Three quarters pass without a reading: up to 3 x 1,375,000 Wh may accrue.
    later = reading(2, DEC_START + 3 * QUARTER, 0, 1_000 + 3 * 1_375_000)
    energy.ok(Actors.gen_operator, "record_reading", later)
    too_much = reading(3, DEC_START + 4 * QUARTER, 0, 1_000 + 4 * 1_375_000 + 1)
    assert energy.fails(Actors.gen_operator, "record_reading", too_much) == "EXCEEDS_CAPACITY"


def test_fake_rollover_is_refused_as_impossible() -> None:
    energy = Driver("energy_metering", CHAINCODE, "energy")
    energy.ok(Actors.operator, "register_meter", meter(initial_export_wh=2_000_000))
    energy.ok(Actors.gen_operator, "record_reading", reading(1, DEC_START, 0, 2_600_000))
    fake = reading(2, DEC_START + QUARTER, 0, 2_599_999, flag="rollover")  # 10^15 - 1 Wh
    assert energy.fails(Actors.gen_operator, "record_reading", fake) == "EXCEEDS_CAPACITY"
    assert energy.read(Actors.operator, "get_meter", "M1")["last_export_wh"] == 2_600_000
    energy.ok(Actors.gen_operator, "record_reading", reading(2, DEC_START + QUARTER, 0, 3_600_000))
    request = {"meter_id": "M1", "period_end": DEC_START + 2 * QUARTER, "period_start": DEC_START}
    assert energy.ok(Actors.registry, "issue_certificates", request)["quantity_mwh"] == 1


def test_correction_beyond_capacity_is_refused(energy: Driver) -> None:
    energy.ok(Actors.gen_operator, "record_reading", reading(1, DEC_START, 0, 1_000))
    correction = {
        "correction_id": "K1",
        "export_delta_wh": 10**12,
        "import_delta_wh": 0,
        "reason": "typo",
    }
    code = energy.fails(Actors.operator, "correct_reading", "M1", DEC_START, correction)
    assert code == "EXCEEDS_CAPACITY"
