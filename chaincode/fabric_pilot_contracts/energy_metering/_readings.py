"""Signed meter readings: per-meter monotonic counters, registers and intervals; corrections.

A reading's deltas are the register increases since the meter's previous reading (or its
registration/replacement baseline); a ``rollover`` reading wraps at ``register_max_wh``.
Readings carry the meter's monthly usage aggregate (``usage`` key per period, owner, meter),
which settlement sums up.

Physical plausibility: neither register may advance by more than the meter's ``capacity_w``
running flat out since the previous reading (the reading's own interval for a meter's first
reading), plus :data:`CAPACITY_TOLERANCE_PERCENT` for clock drift and metering error. A reading
beyond that is refused with ``EXCEEDS_CAPACITY`` (so no certificate can ever count it); this
also refuses a fake "rollover" whose wrap-around delta is close to ``register_max_wh``.
Corrections are held to the same limit.
"""

from __future__ import annotations

from typing import Any

from fabric_pilot_chaincode import ContractError
from fabric_pilot_contracts._common import (
    Caller,
    Fields,
    TxLedger,
    bad_argument,
    illegal_transition,
    month_of,
    row_error,
    sha256_hex,
)
from fabric_pilot_contracts._common._values import MAX_TEXT
from fabric_pilot_contracts.energy_metering._keys import (
    CORRECTION,
    SETTLEMENT,
    USAGE,
    check_id,
    meter_key,
    reading_key,
    stamp,
    time_part,
)
from fabric_pilot_contracts.energy_metering._meters import active_meter
from fabric_pilot_contracts.energy_metering._policy import GRID
from fabric_pilot_contracts.energy_metering._signature import signed_message, verify_reading

READING_FIELDS = (
    "counter",
    "export_wh",
    "import_wh",
    "interval_end",
    "interval_start",
    "meter_id",
    "signature",
)
FLAGS = ("normal", "rollover")
MAX_BATCH = 500
MAX_SAFE_INTEGER = 2**53 - 1  # exact in every JSON client
CAPACITY_TOLERANCE_PERCENT = 10
"""Allowance above ``capacity_w`` x elapsed time before a register advance is impossible."""


def _parse(payload: Any, what: str) -> tuple[dict[str, Any], str]:
    fields = Fields(payload, what, READING_FIELDS, ("flag",))
    reading = {
        "counter": fields.integer("counter", 0, MAX_SAFE_INTEGER),
        "export_wh": fields.integer("export_wh", 0),
        "flag": fields.text("flag", choices=FLAGS) if fields.has("flag") else "normal",
        "import_wh": fields.integer("import_wh", 0),
        "interval_end": fields.integer("interval_end", 1),
        "interval_start": fields.integer("interval_start", 0),
        "meter_id": check_id(fields.text("meter_id"), f"{what}.meter_id"),
    }
    return reading, fields.text("signature", max_len=MAX_TEXT)


def _check_time(ledger: TxLedger, meter: dict[str, Any], reading: dict[str, Any]) -> None:
    start, end = int(reading["interval_start"]), int(reading["interval_end"])
    if not start < end <= ledger.now_seconds:
        raise bad_argument("a reading interval must be non-empty and lie in the past")
    expiry = int(meter["calibration_expiry"])
    if end > expiry or ledger.now_seconds > expiry:
        raise ContractError(
            "CALIBRATION_EXPIRED", f"meter {meter['meter_id']} calibration expired at {expiry}"
        )


def _check_sequence(meter: dict[str, Any], reading: dict[str, Any]) -> None:
    if int(reading["counter"]) <= int(meter["last_counter"]):
        raise ContractError(
            "REPLAY",
            f"meter {meter['meter_id']} counter {reading['counter']} is not above "
            f"{meter['last_counter']}",
        )
    if int(reading["interval_start"]) < int(meter["last_interval_end"]):
        raise ContractError(
            "OVERLAPPING_INTERVAL",
            f"meter {meter['meter_id']} interval starts before {meter['last_interval_end']}",
        )


def register_deltas(meter: dict[str, Any], reading: dict[str, Any]) -> tuple[int, int]:
    """Return the import and export increases; enforce monotonic registers.

    Raises:
        ContractError: ``NON_MONOTONIC`` for a decrease without ``rollover``, ``BAD_ARGUMENT``
            for registers beyond ``register_max_wh`` or a rollover that does not wrap.
    """
    modulus = int(meter["register_max_wh"])
    new = (int(reading["import_wh"]), int(reading["export_wh"]))
    old = (int(meter["last_import_wh"]), int(meter["last_export_wh"]))
    if max(new) >= modulus:
        raise bad_argument(f"registers must stay below register_max_wh {modulus}")
    decreased = new[0] < old[0] or new[1] < old[1]
    if reading["flag"] == "rollover":
        if not decreased:
            raise bad_argument("a rollover reading must show a wrapped register")
        return (new[0] - old[0]) % modulus, (new[1] - old[1]) % modulus
    if decreased:
        raise ContractError(
            "NON_MONOTONIC",
            f"meter {meter['meter_id']} registers {new} fall below {old} without rollover",
        )
    return new[0] - old[0], new[1] - old[1]


def capacity_limit_wh(meter: dict[str, Any], reading: dict[str, Any]) -> int:
    """The most energy (Wh) either register may advance by for ``reading``.

    The span runs from the meter's previous reading (its ``last_interval_end``) to the end of
    this interval, or over this interval alone for the first reading; rounded up.
    """
    since = int(meter["last_interval_end"]) or int(reading["interval_start"])
    seconds = int(reading["interval_end"]) - since
    allowed = int(meter["capacity_w"]) * seconds * (100 + CAPACITY_TOLERANCE_PERCENT)
    return -(-allowed // (3600 * 100))


def check_capacity(meter_id: str, deltas: tuple[int, int], limit: int) -> None:
    """Raise ``EXCEEDS_CAPACITY`` when a register advance is physically impossible."""
    if max(deltas) > limit:
        raise ContractError(
            "EXCEEDS_CAPACITY",
            f"meter {meter_id} registers advanced by {max(deltas)} Wh, more than its capacity "
            f"allows in the interval ({limit} Wh including {CAPACITY_TOLERANCE_PERCENT}% "
            "tolerance)",
        )


def require_open_period(ledger: TxLedger, period: str, owner_msp: str) -> None:
    """Raise ``PERIOD_SETTLED`` when the owner's period has been settled."""
    if ledger.raw(ledger.key(SETTLEMENT, period, owner_msp)):
        raise ContractError("PERIOD_SETTLED", f"period {period} of {owner_msp} is settled")


def add_usage(
    ledger: TxLedger, meter: dict[str, Any], period: str, deltas: tuple[int, int], count: int
) -> None:
    """Add register increases to the meter's monthly usage aggregate."""
    key = ledger.key(USAGE, period, str(meter["owner_msp"]), str(meter["meter_id"]))
    usage = ledger.get(key) or {
        "export_wh": 0,
        "import_wh": 0,
        "meter_id": meter["meter_id"],
        "owner_msp": meter["owner_msp"],
        "period": period,
        "readings": 0,
    }
    usage["import_wh"] = int(usage["import_wh"]) + deltas[0]
    usage["export_wh"] = int(usage["export_wh"]) + deltas[1]
    usage["readings"] = int(usage["readings"]) + count
    ledger.put(key, usage)


def record_one(
    ledger: TxLedger, caller: Caller, payload: Any, what: str
) -> tuple[dict[str, Any], bool]:
    """Validate and store one reading; an identical resubmission returns the stored one.

    Raises:
        ContractError: ``FORBIDDEN``, ``NOT_FOUND``, ``DUPLICATE_READING``,
            ``METER_DECOMMISSIONED``, ``CALIBRATION_EXPIRED``, ``BAD_SIGNATURE``, ``REPLAY``,
            ``OVERLAPPING_INTERVAL``, ``NON_MONOTONIC``, ``EXCEEDS_CAPACITY``,
            ``PERIOD_SETTLED``, ``BAD_ARGUMENT``.
    """
    reading, signature = _parse(payload, what)
    mkey = meter_key(ledger, str(reading["meter_id"]))
    meter = ledger.require(mkey, "meter", str(reading["meter_id"]))
    caller.require_msp([GRID, str(meter["owner_msp"])], "record readings of this meter")
    rkey = reading_key(ledger, str(reading["meter_id"]), int(reading["interval_start"]))
    payload_hash = sha256_hex(signed_message(reading))
    existing = ledger.get(rkey)
    if existing is not None:
        if existing["payload_hash"] == payload_hash and existing["signature"] == signature:
            return existing, False
        raise ContractError("DUPLICATE_READING", f"{what} interval already has a reading")
    active_meter(ledger, str(reading["meter_id"]), "record a reading")
    _check_time(ledger, meter, reading)
    verify_reading(str(meter["public_key_pem"]), reading, signature)
    _check_sequence(meter, reading)
    deltas = register_deltas(meter, reading)
    limit = capacity_limit_wh(meter, reading)
    check_capacity(str(meter["meter_id"]), deltas, limit)
    period = month_of(int(reading["interval_start"]))
    require_open_period(ledger, period, str(meter["owner_msp"]))
    add_usage(ledger, meter, period, deltas, 1)
    reading.update(
        {
            "capacity_limit_wh": limit,
            "certificate_id": "",
            "corrections": [],
            "effective_export_delta_wh": deltas[1],
            "effective_import_delta_wh": deltas[0],
            "export_delta_wh": deltas[1],
            "import_delta_wh": deltas[0],
            "key_epoch": meter["key_epoch"],
            "payload_hash": payload_hash,
            "period": period,
            "recorded_at": ledger.now_iso,
            "recorded_by": caller.msp_id,
            "signature": signature,
            "status": "recorded",
            "tx_id": ledger.tx_id,
        }
    )
    ledger.put(rkey, reading)
    meter.update(
        {
            "last_counter": reading["counter"],
            "last_export_wh": reading["export_wh"],
            "last_import_wh": reading["import_wh"],
            "last_interval_end": reading["interval_end"],
            "reading_count": int(meter["reading_count"]) + 1,
        }
    )
    ledger.put(mkey, stamp(ledger, meter))
    return reading, True


def record_batch(
    ledger: TxLedger, caller: Caller, payloads: list[Any]
) -> list[tuple[dict[str, Any], bool]]:
    """Record readings in order, all or nothing (any error fails the whole transaction);
    a row's error is ``CODE: readings[i]: message`` so a client can retry without it."""
    if not 1 <= len(payloads) <= MAX_BATCH:
        raise bad_argument(f"a batch holds 1 to {MAX_BATCH} readings")
    results = []
    with ledger.deferred_writes():
        for index, payload in enumerate(payloads):
            try:
                results.append(record_one(ledger, caller, payload, "reading"))
            except ContractError as exc:
                raise row_error("readings", index, exc) from exc
    return results


def correct(
    ledger: TxLedger, meter_id: str, interval_start: int, payload: Any
) -> tuple[dict[str, Any], bool]:
    """Record a correction of a reading's energy; the original values stay untouched.

    Raises:
        ContractError: ``NOT_FOUND``, ``ALREADY_CERTIFIED``, ``PERIOD_SETTLED``,
            ``DUPLICATE_CORRECTION``, ``EXCEEDS_CAPACITY``, ``BAD_ARGUMENT``.
    """
    fields = Fields(
        payload, "correction", ("correction_id", "export_delta_wh", "import_delta_wh", "reason")
    )
    rkey = reading_key(ledger, meter_id, interval_start)
    reading = ledger.require(rkey, "reading", f"{meter_id}@{interval_start}")
    correction_id = check_id(fields.text("correction_id"), "correction.correction_id")
    ckey = ledger.key(CORRECTION, meter_id, time_part(interval_start), correction_id)
    if ledger.get(ckey) is not None:
        return ledger.create_once(ckey, payload, {}, "correction", "DUPLICATE_CORRECTION")
    if reading["certificate_id"]:
        raise illegal_transition(
            "reading",
            f"{meter_id}@{interval_start}",
            "certified",
            "correct",
            code="ALREADY_CERTIFIED",
        )
    meter = ledger.require(meter_key(ledger, meter_id), "meter", meter_id)
    require_open_period(ledger, str(reading["period"]), str(meter["owner_msp"]))
    new = (fields.integer("import_delta_wh", 0), fields.integer("export_delta_wh", 0))
    limit = reading.get("capacity_limit_wh")
    if limit is not None:
        check_capacity(meter_id, new, int(limit))
    old = (int(reading["effective_import_delta_wh"]), int(reading["effective_export_delta_wh"]))
    add_usage(ledger, meter, str(reading["period"]), (new[0] - old[0], new[1] - old[1]), 0)
    record = {
        "correction_id": correction_id,
        "corrected_at": ledger.now_iso,
        "export_delta_wh": new[1],
        "import_delta_wh": new[0],
        "interval_start": interval_start,
        "meter_id": meter_id,
        "previous_export_delta_wh": old[1],
        "previous_import_delta_wh": old[0],
        "reason": fields.text("reason"),
        "tx_id": ledger.tx_id,
    }
    reading["corrections"] = [*reading["corrections"], correction_id]
    reading.update({"effective_export_delta_wh": new[1], "effective_import_delta_wh": new[0]})
    reading["status"] = "corrected"
    ledger.put(rkey, stamp(ledger, reading))
    return ledger.create_once(ckey, payload, record, "correction", "DUPLICATE_CORRECTION")
