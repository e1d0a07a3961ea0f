"""EnergyMeteringContract: thin transaction layer over the metering domain modules."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from fabric_pilot_chaincode import Context, Contract, evaluate, transaction
from fabric_pilot_contracts._common import (
    Caller,
    TxLedger,
    authorize,
    history_of,
    page_of,
)
from fabric_pilot_contracts.energy_metering import (
    _certificates,
    _meters,
    _readings,
    _settlement,
)
from fabric_pilot_contracts.energy_metering._keys import (
    CERT_BY_INTERVAL,
    CERT_BY_OWNER,
    CORRECTION,
    READING,
    SETTLEMENT,
    USAGE,
    certificate,
    certificate_key,
    check_id,
    check_period,
    meter,
    meter_key,
    reading_key,
    time_part,
)
from fabric_pilot_contracts.energy_metering._policy import CUSTOMER_COLLECTION, GRID, POLICY


def _event(ledger: TxLedger, name: str, record: dict[str, Any], *fields: str) -> None:
    payload = {field: record[field] for field in fields}
    payload["tx_id"] = ledger.tx_id
    ledger.emit(name, payload)


def _meter_event(ledger: TxLedger, name: str, record: dict[str, Any]) -> None:
    _event(ledger, name, record, "key_epoch", "meter_id", "owner_msp", "status")


def _cert_event(ledger: TxLedger, name: str, record: dict[str, Any]) -> None:
    _event(
        ledger,
        name,
        record,
        "certificate_id",
        "owner_msp",
        "quantity_mwh",
        "serial_end",
        "serial_start",
        "status",
    )


def _owner_or_grid(ledger: TxLedger, caller: Caller, meter_id: str, action: str) -> None:
    owner = str(meter(ledger, meter_id)[1]["owner_msp"])
    caller.require_msp([GRID, owner], action)


class EnergyMeteringContract(Contract):
    """Meters, signed readings, green certificates and monthly settlement."""

    name: ClassVar[str] = "EnergyMeteringContract"
    version: ClassVar[str] = "1.0.0"

    # --- meters (grid operator) --------------------------------------------------------------
    @transaction
    def register_meter(self, ctx: Context, meter: dict[str, Any]) -> dict[str, Any]:
        """Register a meter; transient ``customer`` holds the customer's personal data."""
        authorize(ctx, POLICY, "register_meter")
        ledger = TxLedger(ctx)
        record, created = _meters.register(ledger, meter)
        if created:
            _meter_event(ledger, "MeterRegistered", record)
        return record

    @transaction
    def recalibrate_meter(
        self, ctx: Context, meter_id: str, calibration_expiry: int, calibration_ref: str
    ) -> dict[str, Any]:
        """Record a calibration and its expiry (epoch seconds)."""
        authorize(ctx, POLICY, "recalibrate_meter")
        ledger = TxLedger(ctx)
        record = _meters.recalibrate(ledger, meter_id, calibration_expiry, calibration_ref)
        _meter_event(ledger, "MeterRecalibrated", record)
        return record

    @transaction
    def rotate_meter_key(self, ctx: Context, meter_id: str, public_key_pem: str) -> dict[str, Any]:
        """Replace the device key (same device, counter continues)."""
        authorize(ctx, POLICY, "rotate_meter_key")
        ledger = TxLedger(ctx)
        record = _meters.rotate_key(ledger, meter_id, public_key_pem)
        _meter_event(ledger, "MeterKeyRotated", record)
        return record

    @transaction
    def replace_meter_device(
        self, ctx: Context, meter_id: str, replacement: dict[str, Any]
    ) -> dict[str, Any]:
        """Swap the physical device: new key and register baseline, counter restarts."""
        authorize(ctx, POLICY, "replace_meter_device")
        ledger = TxLedger(ctx)
        record = _meters.replace_device(ledger, meter_id, replacement)
        _meter_event(ledger, "MeterReplaced", record)
        return record

    @transaction
    def decommission_meter(self, ctx: Context, meter_id: str, reason: str) -> dict[str, Any]:
        """Decommission a meter (final)."""
        authorize(ctx, POLICY, "decommission_meter")
        ledger = TxLedger(ctx)
        record = _meters.decommission(ledger, meter_id, reason)
        _meter_event(ledger, "MeterDecommissioned", record)
        return record

    @evaluate
    def get_meter(self, ctx: Context, meter_id: str) -> dict[str, Any]:
        """Return a meter record."""
        authorize(ctx, POLICY, "read")
        return meter(TxLedger(ctx), meter_id)[1]

    @evaluate
    def meter_history(self, ctx: Context, meter_id: str) -> list[Any]:
        """Return every version of a meter record."""
        authorize(ctx, POLICY, "read")
        ledger = TxLedger(ctx)
        return history_of(ledger, meter_key(ledger, meter_id))

    @evaluate
    def get_meter_customer(self, ctx: Context, meter_id: str) -> dict[str, Any]:
        """Return the meter customer's private data (grid operator or owner)."""
        caller = authorize(ctx, POLICY, "read_customer")
        ledger = TxLedger(ctx)
        _owner_or_grid(ledger, caller, meter_id, "read the meter customer")
        raw = ledger.stub.get_private_data(CUSTOMER_COLLECTION, meter_key(ledger, meter_id))
        value: dict[str, Any] = json.loads(raw) if raw else {}
        return value

    # --- readings -----------------------------------------------------------------------
    @transaction
    def record_reading(self, ctx: Context, reading: dict[str, Any]) -> dict[str, Any]:
        """Record one signed reading."""
        caller = authorize(ctx, POLICY, "record_readings")
        ledger = TxLedger(ctx)
        record, created = _readings.record_one(ledger, caller, reading, "reading")
        if created:
            _event(
                ledger,
                "ReadingRecorded",
                record,
                "counter",
                "interval_end",
                "interval_start",
                "meter_id",
                "payload_hash",
            )
        return record

    @transaction
    def record_readings(self, ctx: Context, readings: list[Any]) -> dict[str, Any]:
        """Record a batch of signed readings atomically; returns ``{"readings": [...]}``."""
        caller = authorize(ctx, POLICY, "record_readings")
        ledger = TxLedger(ctx)
        results = _readings.record_batch(ledger, caller, readings)
        created = [
            {"interval_start": r["interval_start"], "meter_id": r["meter_id"]}
            for r, new in results
            if new
        ]
        if created:
            ledger.emit(
                "ReadingsRecorded",
                {"count": len(created), "readings": created, "tx_id": ledger.tx_id},
            )
        return {"created": len(created), "readings": [r for r, _new in results]}

    @transaction
    def correct_reading(
        self, ctx: Context, meter_id: str, interval_start: int, correction: dict[str, Any]
    ) -> dict[str, Any]:
        """Correct a reading's energy with a reason; the original stays on the ledger."""
        authorize(ctx, POLICY, "correct_reading")
        ledger = TxLedger(ctx)
        record, created = _readings.correct(ledger, meter_id, interval_start, correction)
        if created:
            _event(
                ledger,
                "ReadingCorrected",
                record,
                "correction_id",
                "export_delta_wh",
                "import_delta_wh",
                "interval_start",
                "meter_id",
            )
        return record

    @evaluate
    def get_reading(self, ctx: Context, meter_id: str, interval_start: int) -> dict[str, Any]:
        """Return a reading (grid operator or the meter owner)."""
        caller = authorize(ctx, POLICY, "read")
        ledger = TxLedger(ctx)
        _owner_or_grid(ledger, caller, meter_id, "read readings")
        key = reading_key(ledger, meter_id, interval_start)
        return ledger.require(key, "reading", f"{meter_id}@{interval_start}")

    @evaluate
    def reading_history(self, ctx: Context, meter_id: str, interval_start: int) -> list[Any]:
        """Return every version of a reading."""
        caller = authorize(ctx, POLICY, "read")
        ledger = TxLedger(ctx)
        _owner_or_grid(ledger, caller, meter_id, "read readings")
        return history_of(ledger, reading_key(ledger, meter_id, interval_start))

    @evaluate
    def list_readings(
        self, ctx: Context, meter_id: str, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Page through a meter's readings in time order."""
        caller = authorize(ctx, POLICY, "read")
        ledger = TxLedger(ctx)
        _owner_or_grid(ledger, caller, meter_id, "read readings")
        return page_of(ledger, READING, [meter_id], page_size, bookmark, resolve=False)

    @evaluate
    def list_corrections(
        self, ctx: Context, meter_id: str, interval_start: int, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Page through the corrections of one reading."""
        caller = authorize(ctx, POLICY, "read")
        ledger = TxLedger(ctx)
        _owner_or_grid(ledger, caller, meter_id, "read readings")
        parts = [meter_id, time_part(interval_start)]
        return page_of(ledger, CORRECTION, parts, page_size, bookmark, resolve=False)

    @evaluate
    def list_usage(
        self, ctx: Context, period: str, owner_msp: str, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Page through a party's per-meter monthly usage (grid operator or the party)."""
        caller = authorize(ctx, POLICY, "read")
        caller.require_msp([GRID, owner_msp], "read usage")
        ledger = TxLedger(ctx)
        parts = [check_period(period), owner_msp]
        return page_of(ledger, USAGE, parts, page_size, bookmark, resolve=False)

    # --- certificates -------------------------------------------------------------------
    @transaction
    def issue_certificates(self, ctx: Context, request: dict[str, Any]) -> dict[str, Any]:
        """Issue a certificate lot for {meter_id, period_start, period_end} (registry)."""
        authorize(ctx, POLICY, "issue_certificates")
        ledger = TxLedger(ctx)
        record, created = _certificates.issue(ledger, request)
        if created:
            _cert_event(ledger, "CertificatesIssued", record)
        return record

    @transaction
    def transfer_certificate(
        self, ctx: Context, certificate_id: str, to_msp: str
    ) -> dict[str, Any]:
        """Transfer a whole lot to another org (the owner)."""
        caller = authorize(ctx, POLICY, "transfer_certificate")
        ledger = TxLedger(ctx)
        record = _certificates.transfer(ledger, caller, certificate_id, to_msp)
        _cert_event(ledger, "CertificateTransferred", record)
        return record

    @transaction
    def split_certificate(
        self, ctx: Context, certificate_id: str, quantities: list[Any]
    ) -> dict[str, Any]:
        """Split a lot into child lots of the given MWh quantities (the owner)."""
        caller = authorize(ctx, POLICY, "split_certificate")
        ledger = TxLedger(ctx)
        record = _certificates.split(ledger, caller, certificate_id, quantities)
        _event(ledger, "CertificateSplit", record, "certificate_id", "children", "owner_msp")
        return record

    @transaction
    def retire_certificate(
        self, ctx: Context, certificate_id: str, claim: dict[str, Any]
    ) -> dict[str, Any]:
        """Retire a lot for {beneficiary, purpose, reporting_year?}; final (the owner)."""
        caller = authorize(ctx, POLICY, "retire_certificate")
        ledger = TxLedger(ctx)
        record = _certificates.retire(ledger, caller, certificate_id, claim)
        _cert_event(ledger, "CertificateRetired", record)
        return record

    @transaction
    def cancel_certificate(self, ctx: Context, certificate_id: str, reason: str) -> dict[str, Any]:
        """Cancel an active lot with a reason (registry)."""
        authorize(ctx, POLICY, "cancel_certificate")
        ledger = TxLedger(ctx)
        record = _certificates.cancel(ledger, certificate_id, reason)
        _cert_event(ledger, "CertificateCancelled", record)
        return record

    @evaluate
    def get_certificate(self, ctx: Context, certificate_id: str) -> dict[str, Any]:
        """Return a certificate lot (public within the channel)."""
        authorize(ctx, POLICY, "read")
        return certificate(TxLedger(ctx), certificate_id)[1]

    @evaluate
    def certificate_history(self, ctx: Context, certificate_id: str) -> list[Any]:
        """Return every version of a certificate lot."""
        authorize(ctx, POLICY, "read")
        ledger = TxLedger(ctx)
        return history_of(ledger, certificate_key(ledger, certificate_id))

    @evaluate
    def list_certificates_by_owner(
        self, ctx: Context, owner_msp: str, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Page through the active/retired/cancelled lots an org holds (not split parents)."""
        authorize(ctx, POLICY, "read")
        ledger = TxLedger(ctx)
        return page_of(ledger, CERT_BY_OWNER, [owner_msp], page_size, bookmark, resolve=True)

    @evaluate
    def list_certificates_by_meter(
        self, ctx: Context, meter_id: str, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Page through the lots issued for a meter, in interval order."""
        authorize(ctx, POLICY, "read")
        ledger = TxLedger(ctx)
        parts = [check_id(meter_id, "meter_id")]
        return page_of(ledger, CERT_BY_INTERVAL, parts, page_size, bookmark, resolve=True)

    # --- settlement ---------------------------------------------------------------------
    @transaction
    def settle_period(
        self, ctx: Context, owner_msp: str, period: str, tariff: dict[str, Any]
    ) -> dict[str, Any]:
        """Settle a party's month once (grid operator settlement/regulator)."""
        authorize(ctx, POLICY, "settle_period")
        ledger = TxLedger(ctx)
        record, created = _settlement.settle(ledger, owner_msp, period, tariff)
        if created:
            _event(ledger, "PeriodSettled", record, "balance_fen", "net_wh", "owner_msp", "period")
        return record

    @evaluate
    def get_settlement(self, ctx: Context, owner_msp: str, period: str) -> dict[str, Any]:
        """Return a settlement (grid operator or the party)."""
        caller = authorize(ctx, POLICY, "read")
        caller.require_msp([GRID, owner_msp], "read the settlement")
        ledger = TxLedger(ctx)
        key = ledger.key(SETTLEMENT, check_period(period), owner_msp)
        return ledger.require(key, "settlement", f"{owner_msp}/{period}")
