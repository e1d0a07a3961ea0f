"""Green certificates: issue from verified net generation, transfer, split, retire, cancel.

One certificate unit is 1 MWh = 1,000,000 Wh. A lot covers a serial range
``serial_start..serial_end`` (inclusive, numbered per meter; the global serial of unit ``n``
is ``"<meter_id>:<n>"``). Issuing consumes the meter's readings whose interval starts in
``[period_start, period_end)``; the meter's ``certified_until`` watermark, the readings'
``certificate_id`` and the ``cert~interval`` index make a second issue for any interval
impossible. Remainders below 1 MWh carry over to the meter's next issue.
"""

from __future__ import annotations

from typing import Any

from fabric_pilot_chaincode import ContractError
from fabric_pilot_contracts._common import (
    Caller,
    Fields,
    TxLedger,
    bad_argument,
    forbidden,
    illegal_transition,
)
from fabric_pilot_contracts.energy_metering._keys import (
    CERT_BY_INTERVAL,
    CERT_BY_OWNER,
    READING,
    certificate,
    certificate_key,
    check_id,
    day_part,
    meter,
    stamp,
    time_part,
)
from fabric_pilot_contracts.energy_metering._meters import RENEWABLE
from fabric_pilot_contracts.energy_metering._policy import ENERGY_ORGS

WH_PER_CERTIFICATE = 1_000_000
MAX_PERIOD_SECONDS = 366 * 86_400
MAX_SPLIT = 100


def _covered_readings(
    ledger: TxLedger, meter_id: str, start: int, end: int
) -> list[tuple[str, dict[str, Any]]]:
    if end - start > MAX_PERIOD_SECONDS:
        raise bad_argument("a certificate period spans at most 366 days")
    readings: list[tuple[str, dict[str, Any]]] = []
    for day in range(start - start % 86_400, end, 86_400):
        bucket = [meter_id, day_part(day)]
        for entry in ledger.stub.get_state_by_partial_composite_key(READING, bucket):
            record = ledger.require(entry.key, "reading", entry.key)
            if not start <= int(record["interval_start"]) < end:
                continue
            if int(record["interval_end"]) > end:
                raise bad_argument("period_end must not split a reading interval")
            if record["certificate_id"]:
                raise ContractError("ALREADY_CERTIFIED", f"reading {entry.key!r} is certified")
            readings.append((entry.key, record))
    return readings


def _check_issuable(device: dict[str, Any], start: int, end: int) -> None:
    if device["kind"] == "consumption" or device["technology"] not in RENEWABLE:
        raise ContractError("NOT_RENEWABLE", f"meter {device['meter_id']} is not renewable")
    if not start < end:
        raise bad_argument("period_start must lie before period_end")
    if start < int(device["certified_until"]):
        raise ContractError(
            "ALREADY_CERTIFIED",
            f"meter {device['meter_id']} is certified until {device['certified_until']}",
        )
    if end > int(device["last_interval_end"]):
        raise bad_argument("the readings do not cover the period")


def issue(ledger: TxLedger, payload: Any) -> tuple[dict[str, Any], bool]:
    """Issue a certificate lot for a renewable meter's net generation in a period.

    Raises:
        ContractError: ``NOT_FOUND``, ``NOT_RENEWABLE``, ``ALREADY_CERTIFIED``,
            ``INSUFFICIENT_GENERATION``, ``DUPLICATE_CERTIFICATE``, ``BAD_ARGUMENT``.
    """
    fields = Fields(payload, "issue", ("meter_id", "period_end", "period_start"))
    meter_id = check_id(fields.text("meter_id"), "issue.meter_id")
    start, end = fields.integer("period_start", 0), fields.integer("period_end", 1)
    mkey, device = meter(ledger, meter_id)
    cert_id = f"GC-{meter_id}-{time_part(start)}"
    ckey = certificate_key(ledger, cert_id)
    if ledger.get(ckey) is not None:
        return ledger.create_once(ckey, payload, {}, "certificate", "DUPLICATE_CERTIFICATE")
    _check_issuable(device, start, end)
    readings = _covered_readings(ledger, meter_id, start, end)
    net = sum(
        int(r["effective_export_delta_wh"]) - int(r["effective_import_delta_wh"])
        for _key, r in readings
    )
    carry_in = int(device["certificate_carry_wh"])
    total = carry_in + max(net, 0)
    quantity = total // WH_PER_CERTIFICATE
    if quantity == 0:
        raise ContractError(
            "INSUFFICIENT_GENERATION", f"{total} Wh is less than one certificate (1 MWh)"
        )
    first_serial = int(device["next_serial"])
    record = {
        "carry_in_wh": carry_in,
        "carry_out_wh": total % WH_PER_CERTIFICATE,
        "certificate_id": cert_id,
        "children": [],
        "energy_wh": quantity * WH_PER_CERTIFICATE,
        "grid_node": device["grid_node"],
        "issued_at": ledger.now_iso,
        "meter_id": meter_id,
        "net_generation_wh": net,
        "owner_msp": device["owner_msp"],
        "parent": "",
        "period_end": end,
        "period_start": start,
        "quantity_mwh": quantity,
        "reading_count": len(readings),
        "retirement": None,
        "serial_end": first_serial + quantity - 1,
        "serial_start": first_serial,
        "status": "active",
        "status_reason": "",
        "technology": device["technology"],
        "tx_id": ledger.tx_id,
        "updated_at": ledger.now_iso,
        "updated_tx_id": ledger.tx_id,
    }
    for rkey, reading in readings:
        reading["certificate_id"] = cert_id
        ledger.put(rkey, stamp(ledger, reading))
    device.update(
        {
            "certificate_carry_wh": record["carry_out_wh"],
            "certified_until": end,
            "next_serial": first_serial + quantity,
        }
    )
    ledger.put(mkey, stamp(ledger, device))
    ledger.put_index(CERT_BY_INTERVAL, [meter_id, time_part(start), time_part(end)], ckey)
    ledger.put_index(CERT_BY_OWNER, [str(device["owner_msp"]), cert_id], ckey)
    return ledger.create_once(ckey, payload, record, "certificate", "DUPLICATE_CERTIFICATE")


def _active_lot(ledger: TxLedger, certificate_id: str, action: str) -> tuple[str, dict[str, Any]]:
    key, lot = certificate(ledger, certificate_id)
    status = str(lot["status"])
    if status == "retired":
        raise illegal_transition(
            "certificate", certificate_id, status, action, code="CERTIFICATE_RETIRED"
        )
    if status != "active":
        raise illegal_transition("certificate", certificate_id, status, action)
    return key, lot


def _owned_lot(
    ledger: TxLedger, caller: Caller, certificate_id: str, action: str
) -> tuple[str, dict[str, Any]]:
    key, lot = _active_lot(ledger, certificate_id, action)
    if caller.msp_id != lot["owner_msp"]:
        raise forbidden(f"{caller.msp_id} does not own certificate {certificate_id}")
    return key, lot


def transfer(ledger: TxLedger, caller: Caller, certificate_id: str, to_msp: str) -> dict[str, Any]:
    """Move a whole lot to another org (split first to move part of it)."""
    key, lot = _owned_lot(ledger, caller, certificate_id, "transfer")
    if to_msp not in ENERGY_ORGS or to_msp == lot["owner_msp"]:
        raise bad_argument(f"to_msp must be another org of {ENERGY_ORGS}")
    ledger.drop_index(CERT_BY_OWNER, [str(lot["owner_msp"]), certificate_id])
    ledger.put_index(CERT_BY_OWNER, [to_msp, certificate_id], key)
    lot["owner_msp"] = to_msp
    ledger.put(key, stamp(ledger, lot))
    return lot


def split(
    ledger: TxLedger, caller: Caller, certificate_id: str, quantities: list[Any]
) -> dict[str, Any]:
    """Split a lot into consecutive child lots of the given sizes (MWh, summing to the lot)."""
    key, lot = _owned_lot(ledger, caller, certificate_id, "split")
    sizes_ok = all(type(q) is int and q >= 1 for q in quantities)
    if not sizes_ok or not 2 <= len(quantities) <= MAX_SPLIT:
        raise bad_argument(f"quantities must be 2 to {MAX_SPLIT} positive integers")
    if sum(quantities) != lot["quantity_mwh"]:
        raise bad_argument(f"quantities must sum to {lot['quantity_mwh']}")
    serial = int(lot["serial_start"])
    children: list[str] = []
    for quantity in quantities:
        child_id = f"{certificate_id}/{serial}"
        child = dict(lot)
        child.update(
            {
                "certificate_id": child_id,
                "children": [],
                "energy_wh": quantity * WH_PER_CERTIFICATE,
                "issued_at": ledger.now_iso,
                "parent": certificate_id,
                "quantity_mwh": quantity,
                "serial_end": serial + quantity - 1,
                "serial_start": serial,
                "tx_id": ledger.tx_id,
            }
        )
        child_key = certificate_key(ledger, child_id)
        ledger.put(child_key, stamp(ledger, child))
        ledger.put_index(CERT_BY_OWNER, [str(lot["owner_msp"]), child_id], child_key)
        children.append(child_id)
        serial += quantity
    ledger.drop_index(CERT_BY_OWNER, [str(lot["owner_msp"]), certificate_id])
    lot.update({"children": children, "status": "split"})
    ledger.put(key, stamp(ledger, lot))
    return lot


def retire(ledger: TxLedger, caller: Caller, certificate_id: str, claim: Any) -> dict[str, Any]:
    """Retire (claim) a lot for a beneficiary and purpose; retirement is final."""
    fields = Fields(claim, "claim", ("beneficiary", "purpose"), ("reporting_year",))
    key, lot = _owned_lot(ledger, caller, certificate_id, "retire")
    lot["retirement"] = {
        "beneficiary": fields.text("beneficiary", max_len=200),
        "purpose": fields.text("purpose", max_len=200),
        "reporting_year": fields.integer("reporting_year", 2000, 2100)
        if fields.has("reporting_year")
        else None,
        "retired_at": ledger.now_iso,
        "retired_by": caller.msp_id,
        "tx_id": ledger.tx_id,
    }
    lot["status"] = "retired"
    ledger.put(key, stamp(ledger, lot))
    return lot


def cancel(ledger: TxLedger, certificate_id: str, reason: str) -> dict[str, Any]:
    """Cancel an active lot (registry only); its interval is never certified again."""
    if not reason.strip():
        raise bad_argument("a reason is required")
    key, lot = _active_lot(ledger, certificate_id, "cancel")
    lot.update({"status": "cancelled", "status_reason": reason})
    ledger.put(key, stamp(ledger, lot))
    return lot
