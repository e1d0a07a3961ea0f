"""Meter registry: register, recalibrate, rotate key, replace device, decommission."""

from __future__ import annotations

import json
from typing import Any

from fabric_pilot_chaincode import canonical_json
from fabric_pilot_contracts._common import (
    Fields,
    TxLedger,
    bad_argument,
    illegal_transition,
    sha256_hex,
)
from fabric_pilot_contracts.energy_metering._keys import check_id, meter, meter_key, stamp
from fabric_pilot_contracts.energy_metering._policy import CUSTOMER_COLLECTION, ENERGY_ORGS
from fabric_pilot_contracts.energy_metering._signature import load_device_key

KINDS = ("bidirectional", "consumption", "generation")
RENEWABLE = ("biomass", "geothermal", "hydro", "solar", "wind")
TECHNOLOGIES = (*RENEWABLE, "fossil", "none")
MAX_WH = 10**15
CUSTOMER_TRANSIENT_KEY = "customer"
METER_FIELDS = (
    "calibration_expiry",
    "capacity_w",
    "grid_node",
    "kind",
    "meter_id",
    "owner_msp",
    "public_key_pem",
    "technology",
)
METER_OPTIONAL = ("initial_export_wh", "initial_import_wh", "register_max_wh")


def _customer_hash(ledger: TxLedger, key: str) -> str:
    raw = ledger.stub.get_transient().get(CUSTOMER_TRANSIENT_KEY)
    if raw is None:
        return ""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise bad_argument("transient customer must be JSON") from exc
    Fields(value, "customer", ("account", "address", "name"))
    data = canonical_json(value)
    ledger.stub.put_private_data(CUSTOMER_COLLECTION, key, data)
    return sha256_hex(data)


def register(ledger: TxLedger, payload: Any) -> tuple[dict[str, Any], bool]:
    """Register a meter (create-if-absent on its ID).

    Raises:
        ContractError: ``BAD_ARGUMENT``, ``DUPLICATE_METER``.
    """
    fields = Fields(payload, "meter", METER_FIELDS, METER_OPTIONAL)
    meter_id = check_id(fields.text("meter_id"), "meter.meter_id")
    pem = fields.text("public_key_pem", max_len=1024)
    load_device_key(pem)
    expiry = fields.integer("calibration_expiry", ledger.now_seconds + 1, 10**11 - 1)
    register_max = (
        fields.integer("register_max_wh", 10**6, MAX_WH)
        if fields.has("register_max_wh")
        else MAX_WH
    )
    initial = [
        fields.integer(name, 0, register_max - 1) if fields.has(name) else 0
        for name in ("initial_import_wh", "initial_export_wh")
    ]
    key = meter_key(ledger, meter_id)
    record: dict[str, Any] = {
        "calibration_expiry": expiry,
        "calibration_ref": "",
        "capacity_w": fields.integer("capacity_w", 1, 10**12),
        "certificate_carry_wh": 0,
        "certified_until": 0,
        "customer_hash": "",
        "grid_node": fields.text("grid_node", max_len=64),
        "key_epoch": 1,
        "kind": fields.text("kind", choices=KINDS),
        "last_counter": -1,
        "last_export_wh": initial[1],
        "last_import_wh": initial[0],
        "last_interval_end": 0,
        "meter_id": meter_id,
        "next_serial": 1,
        "owner_msp": fields.text("owner_msp", choices=ENERGY_ORGS),
        "public_key_pem": pem,
        "reading_count": 0,
        "register_max_wh": register_max,
        "registered_at": ledger.now_iso,
        "status": "active",
        "status_reason": "",
        "technology": fields.text("technology", choices=TECHNOLOGIES),
        "tx_id": ledger.tx_id,
        "updated_at": ledger.now_iso,
        "updated_tx_id": ledger.tx_id,
    }
    if ledger.get(key) is None:
        record["customer_hash"] = _customer_hash(ledger, key)
    return ledger.create_once(key, payload, record, "meter", "DUPLICATE_METER")


def active_meter(ledger: TxLedger, meter_id: str, action: str) -> tuple[str, dict[str, Any]]:
    """Load a meter that is not decommissioned.

    Raises:
        ContractError: ``NOT_FOUND``, ``METER_DECOMMISSIONED``.
    """
    key, record = meter(ledger, meter_id)
    if record["status"] != "active":
        raise illegal_transition(
            "meter", meter_id, str(record["status"]), action, code="METER_DECOMMISSIONED"
        )
    return key, record


def recalibrate(
    ledger: TxLedger, meter_id: str, calibration_expiry: int, calibration_ref: str
) -> dict[str, Any]:
    """Record a new calibration with its expiry (epoch seconds, in the future)."""
    key, record = active_meter(ledger, meter_id, "recalibrate")
    if calibration_expiry <= ledger.now_seconds:
        raise bad_argument("calibration_expiry must lie after the transaction time")
    if not calibration_ref.strip():
        raise bad_argument("calibration_ref is required")
    record.update({"calibration_expiry": calibration_expiry, "calibration_ref": calibration_ref})
    ledger.put(key, stamp(ledger, record))
    return record


def rotate_key(ledger: TxLedger, meter_id: str, public_key_pem: str) -> dict[str, Any]:
    """Replace the device key of the same device (the frame counter continues)."""
    key, record = active_meter(ledger, meter_id, "rotate the key")
    load_device_key(public_key_pem)
    if public_key_pem == record["public_key_pem"]:
        raise bad_argument("the new key equals the current key")
    record["public_key_pem"] = public_key_pem
    record["key_epoch"] = int(record["key_epoch"]) + 1
    ledger.put(key, stamp(ledger, record))
    return record


def replace_device(ledger: TxLedger, meter_id: str, payload: Any) -> dict[str, Any]:
    """Swap the physical meter: new key, new register baseline, frame counter restarts.

    Raises:
        ContractError: ``METER_DECOMMISSIONED``, ``BAD_ARGUMENT``.
    """
    fields = Fields(
        payload,
        "replacement",
        ("initial_export_wh", "initial_import_wh", "public_key_pem", "reason"),
    )
    key, record = active_meter(ledger, meter_id, "replace the device")
    pem = fields.text("public_key_pem", max_len=1024)
    load_device_key(pem)
    limit = int(record["register_max_wh"]) - 1
    record.update(
        {
            "key_epoch": int(record["key_epoch"]) + 1,
            "last_counter": -1,
            "last_export_wh": fields.integer("initial_export_wh", 0, limit),
            "last_import_wh": fields.integer("initial_import_wh", 0, limit),
            "public_key_pem": pem,
            "status_reason": fields.text("reason"),
        }
    )
    ledger.put(key, stamp(ledger, record))
    return record


def decommission(ledger: TxLedger, meter_id: str, reason: str) -> dict[str, Any]:
    """Decommission a meter for good (no readings afterwards)."""
    key, record = active_meter(ledger, meter_id, "decommission")
    if not reason.strip():
        raise bad_argument("a reason is required")
    record.update({"status": "decommissioned", "status_reason": reason})
    ledger.put(key, stamp(ledger, record))
    return record
