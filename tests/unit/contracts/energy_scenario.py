"""Actors, device keys, signed readings and a base scenario for the energy tests."""

from __future__ import annotations

import json
from typing import Any

from contract_helpers import Driver, identity
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fabric_pilot_chaincode import canonical_json
from fabric_pilot_contracts.energy_metering import CHAINCODE

GRID = "GridOperatorMSP"
GEN = "GeneratorMSP"
DEC_START = 1_764_547_200  # 2025-12-01T00:00:00Z
NOV_START = DEC_START - 30 * 86_400
QUARTER = 900
EXPIRY = 1_900_000_000


class Actors:
    """Creators for every org/role the energy tests use."""

    operator = identity(GRID, "meter_operator")
    registry = identity(GRID, "registry")
    settlement = identity(GRID, "settlement")
    grid_admin = identity(GRID, None, "admin")
    gen_operator = identity(GEN, "meter_operator")
    generator = identity(GEN, "generator")
    gen_admin = identity(GEN, None, "admin")
    a_trader = identity("EnterpriseAMSP", "trader")
    a_operator = identity("EnterpriseAMSP", "meter_operator")
    b_finance = identity("EnterpriseBMSP", "finance")
    court = identity("CourtMSP", "judge")


def device_key(seed: int) -> ec.EllipticCurvePrivateKey:
    """A deterministic P-256 device key."""
    return ec.derive_private_key(10_000 + seed, ec.SECP256R1())


def public_pem(key: ec.EllipticCurvePrivateKey) -> str:
    """The device's public key as PEM."""
    data = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return data.decode()


def meter(
    meter_id: str = "M1",
    owner: str = GEN,
    kind: str = "generation",
    technology: str = "solar",
    seed: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    """A meter registration payload."""
    payload = {
        "calibration_expiry": EXPIRY,
        "capacity_w": 5_000_000,
        "grid_node": "SZ-110kV-07",
        "kind": kind,
        "meter_id": meter_id,
        "owner_msp": owner,
        "public_key_pem": public_pem(device_key(seed)),
        "technology": technology,
    }
    payload.update(extra)
    return payload


def reading(
    counter: int,
    start: int,
    import_wh: int,
    export_wh: int,
    *,
    meter_id: str = "M1",
    seed: int = 1,
    end: int | None = None,
    flag: str | None = None,
) -> dict[str, Any]:
    """A reading signed (deterministically) by device ``seed``."""
    body: dict[str, Any] = {
        "counter": counter,
        "export_wh": export_wh,
        "import_wh": import_wh,
        "interval_end": start + QUARTER if end is None else end,
        "interval_start": start,
        "meter_id": meter_id,
    }
    signed = dict(body, flag=flag or "normal")
    algorithm = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
    body["signature"] = device_key(seed).sign(canonical_json(signed), algorithm).hex()
    if flag is not None:
        body["flag"] = flag
    return body


def series(
    count: int, first_counter: int = 1, start: int = DEC_START, step_wh: int = 250_000
) -> list[dict[str, Any]]:
    """Consecutive quarter-hour generation readings exporting ``step_wh`` each."""
    return [
        reading(first_counter + i, start + i * QUARTER, 0, (i + 1) * step_wh) for i in range(count)
    ]


def setup(driver: Driver) -> None:
    """Register solar meter M1 (GeneratorMSP) and consumer meter C1 (Enterprise A)."""
    driver.ok(Actors.operator, "register_meter", meter())
    consumer = meter("C1", "EnterpriseAMSP", "consumption", "none", seed=2)
    driver.ok(Actors.operator, "register_meter", consumer)


def new_driver() -> Driver:
    """An energy ledger with solar meter M1 (GeneratorMSP) and consumer meter C1 (EntA)."""
    driver = Driver("energy_metering", CHAINCODE, "energy")
    setup(driver)
    return driver


def run_full_scenario(driver: Driver) -> None:
    """Exercise every write path once (used by the determinism test)."""
    driver.ok(Actors.gen_operator, "record_readings", series(8))
    driver.ok(
        Actors.operator, "record_reading", reading(1, DEC_START, 5_000, 0, meter_id="C1", seed=2)
    )
    correction = {
        "correction_id": "K1",
        "export_delta_wh": 0,
        "import_delta_wh": 4_000,
        "reason": "CT ratio",
    }
    driver.ok(Actors.operator, "correct_reading", "C1", DEC_START, correction)
    request = {"meter_id": "M1", "period_end": DEC_START + 8 * QUARTER, "period_start": DEC_START}
    driver.ok(Actors.registry, "issue_certificates", request)
    lot = f"GC-M1-{DEC_START:012d}"
    driver.ok(Actors.generator, "split_certificate", lot, [1, 1])
    driver.ok(Actors.generator, "transfer_certificate", f"{lot}/1", "EnterpriseAMSP")
    claim = {"beneficiary": "Enterprise A", "purpose": "RE100 2025"}
    driver.ok(Actors.a_trader, "retire_certificate", f"{lot}/1", claim)
    driver.ok(Actors.registry, "cancel_certificate", f"{lot}/2", "audit")
    tariff = {"export_fen_per_kwh": 40, "fee_fen": 100, "import_fen_per_kwh": 65}
    driver.ok(Actors.settlement, "settle_period", "EnterpriseAMSP", "202512", tariff)
    driver.ok(Actors.operator, "recalibrate_meter", "M1", EXPIRY + 1, "CAL-2026")
    driver.ok(Actors.operator, "rotate_meter_key", "M1", public_pem(device_key(3)))
    replacement = {
        "initial_export_wh": 0,
        "initial_import_wh": 0,
        "public_key_pem": public_pem(device_key(4)),
        "reason": "faulty",
    }
    driver.ok(Actors.operator, "replace_meter_device", "M1", replacement)
    driver.ok(Actors.operator, "decommission_meter", "C1", "moved")
    customer = {"account": "0755-88", "address": "8 Shennan Rd", "name": "Chen Liu"}
    transient = {"customer": json.dumps(customer).encode()}
    household = meter("H1", "EnterpriseBMSP", "consumption", "none", seed=9)
    driver.ok(Actors.operator, "register_meter", household, transient=transient)
