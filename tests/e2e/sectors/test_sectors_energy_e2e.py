"""Energy metering on the pilot network: meter, signed readings, certificates, authorisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from _sector_data import DAY, QUARTER, device_key, meter, past_day_start, signed_readings, unique
from cryptography.hazmat.primitives.asymmetric import ec

from fabric_pilot_gateway.sectors import ChaincodeRejectedError, EnergyMetering

pytestmark = pytest.mark.e2e
EnergyAs = Callable[[str, str], EnergyMetering]
GEN, ENT_A = "GeneratorMSP", "EnterpriseAMSP"


def _solar_meter(energy_as: EnergyAs) -> tuple[str, ec.EllipticCurvePrivateKey]:
    """Register a solar meter owned by the generator; return its ID and device key."""
    meter_id, key = unique("M"), device_key()
    customer = {"account": "0755-88", "address": "8 Shennan Rd", "name": "Chen Liu"}
    registered = energy_as("GridOperator", "Operator1").register_meter(
        meter=meter(meter_id, GEN, key), customer=customer
    )
    assert (registered["meter_id"], registered["owner_msp"]) == (meter_id, GEN)
    return meter_id, key


def test_meter_readings_certificates_transfer_and_retire(energy_as: EnergyAs) -> None:
    meter_id, key = _solar_meter(energy_as)
    grid = energy_as("GridOperator", "Operator1")
    assert grid.get_meter_customer(meter_id=meter_id)["name"] == "Chen Liu"
    generator = energy_as("Generator", "Operator1")
    start = past_day_start(2)
    batch = signed_readings(key, meter_id, start, 8)

    recorded = generator.record_readings(readings=batch)

    assert recorded["created"] == 8
    assert [r["counter"] for r in recorded["readings"]] == list(range(1, 9))
    again = generator.record_readings(readings=batch)
    assert again["created"] == 0
    stored = grid.get_reading(meter_id=meter_id, interval_start=start + QUARTER)
    assert stored["signature"] == batch[1]["signature"]
    page = generator.list_readings(meter_id=meter_id, page_size=100)
    assert [r["interval_start"] for r in page["records"]] == [r["interval_start"] for r in batch]

    lot = energy_as("GridOperator", "Registry1").issue_certificates(
        request={"meter_id": meter_id, "period_start": start, "period_end": start + 8 * QUARTER}
    )
    assert (lot["owner_msp"], lot["energy_wh"], lot["status"]) == (GEN, 2_000_000, "active")
    moved = generator.transfer_certificate(certificate_id=lot["certificate_id"], to_msp=ENT_A)
    assert moved["owner_msp"] == ENT_A
    claim = {"beneficiary": "Enterprise A", "purpose": "RE100 2026"}
    retired = energy_as("EnterpriseA", "Finance1").retire_certificate(
        certificate_id=lot["certificate_id"], claim=claim
    )
    assert retired["status"] == "retired"
    history = generator.certificate_history(certificate_id=lot["certificate_id"])
    assert [entry["value"]["status"] for entry in history] == ["active", "active", "retired"]


def test_tampered_or_foreign_signed_readings_are_refused(energy_as: EnergyAs) -> None:
    meter_id, key = _solar_meter(energy_as)
    generator = energy_as("Generator", "Operator1")
    start = past_day_start(3)
    generator.record_readings(readings=signed_readings(key, meter_id, start, 2))
    third = start + 2 * QUARTER
    forged: dict[str, Any] = signed_readings(key, meter_id, third, 1, first_counter=3)[0]
    forged["export_wh"] += 1

    with pytest.raises(ChaincodeRejectedError) as bad:
        generator.record_reading(reading=forged)
    assert bad.value.rejection_code == "BAD_SIGNATURE"
    stranger = signed_readings(device_key(), meter_id, third, 1, first_counter=3)
    with pytest.raises(ChaincodeRejectedError) as wrong_key:
        generator.record_reading(reading=stranger[0])
    assert wrong_key.value.rejection_code == "BAD_SIGNATURE"
    assert generator.list_readings(meter_id=meter_id)["fetched"] == 2


def test_writes_by_unauthorised_orgs_are_refused_and_change_nothing(energy_as: EnergyAs) -> None:
    meter_id, key = _solar_meter(energy_as)
    start = past_day_start(4)
    energy_as("Generator", "Operator1").record_readings(
        readings=signed_readings(key, meter_id, start, 4, step_wh=500_000)
    )
    lot = energy_as("GridOperator", "Registry1").issue_certificates(
        request={"meter_id": meter_id, "period_start": start, "period_end": start + 4 * QUARTER}
    )
    grid = energy_as("GridOperator", "Operator1")
    meter_before = grid.get_meter(meter_id=meter_id)
    lot_before = grid.get_certificate(certificate_id=lot["certificate_id"])
    other_meter = unique("M")
    later = signed_readings(key, meter_id, start + DAY, 1, first_counter=5)
    attempts: list[Callable[[], object]] = [
        lambda: energy_as("Generator", "Operator1").register_meter(
            meter=meter(other_meter, GEN, device_key())
        ),
        lambda: energy_as("Generator", "Operator1").decommission_meter(
            meter_id=meter_id, reason="not mine to decide"
        ),
        lambda: energy_as("EnterpriseB", "Finance1").transfer_certificate(
            certificate_id=lot["certificate_id"], to_msp="EnterpriseBMSP"
        ),
        lambda: energy_as("EnterpriseA", "Seller1").record_readings(readings=later),
        lambda: energy_as("Generator", "Operator1").cancel_certificate(
            certificate_id=lot["certificate_id"], reason="self-service"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ChaincodeRejectedError) as caught:
            attempt()
        assert caught.value.rejection_code == "FORBIDDEN", caught.value

    assert grid.get_meter(meter_id=meter_id) == meter_before
    assert grid.get_certificate(certificate_id=lot["certificate_id"]) == lot_before
    assert grid.list_readings(meter_id=meter_id)["fetched"] == 4
    with pytest.raises(ChaincodeRejectedError) as missing:
        grid.get_meter(meter_id=other_meter)
    assert missing.value.rejection_code == "NOT_FOUND"
