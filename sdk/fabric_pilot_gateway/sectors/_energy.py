"""Typed client of the energy metering chaincode (``energy_metering``, channel ``energy``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._client import Record, SectorClient

__all__ = ["EnergyMetering"]


class EnergyMetering(SectorClient):
    """Meters, signed readings, green certificates and monthly settlement.

    Writes are submitted (and wait for commit); reads are evaluated. Every method raises
    :class:`ChaincodeRejectedError` when the contract refuses the call.
    """

    # --- meters ------------------------------------------------------------------------
    def register_meter(
        self, *, meter: Mapping[str, Any], customer: Mapping[str, Any] | None = None
    ) -> Record:
        """Register a meter (grid operator); ``customer`` travels as transient data."""
        return self._submit("register_meter", meter, transient={"customer": customer})

    def recalibrate_meter(
        self, *, meter_id: str, calibration_expiry: int, calibration_ref: str
    ) -> Record:
        """Record a calibration; ``calibration_expiry`` in epoch seconds."""
        return self._submit("recalibrate_meter", meter_id, calibration_expiry, calibration_ref)

    def rotate_meter_key(self, *, meter_id: str, public_key_pem: str) -> Record:
        """Replace the device key (counter continues)."""
        return self._submit("rotate_meter_key", meter_id, public_key_pem)

    def replace_meter_device(self, *, meter_id: str, replacement: Mapping[str, Any]) -> Record:
        """Swap the device: ``{public_key_pem, initial_import_wh, initial_export_wh, reason}``."""
        return self._submit("replace_meter_device", meter_id, replacement)

    def decommission_meter(self, *, meter_id: str, reason: str) -> Record:
        """Decommission a meter (final)."""
        return self._submit("decommission_meter", meter_id, reason)

    def get_meter(self, *, meter_id: str) -> Record:
        """Return a meter record."""
        return self._evaluate("get_meter", meter_id)

    def meter_history(self, *, meter_id: str) -> list[Record]:
        """Return every version of a meter record, oldest first."""
        return self._evaluate_list("meter_history", meter_id)

    def get_meter_customer(self, *, meter_id: str) -> Record:
        """Return the meter customer's private data (grid operator or owner)."""
        return self._evaluate("get_meter_customer", meter_id)

    # --- readings ----------------------------------------------------------------------
    def record_reading(self, *, reading: Mapping[str, Any]) -> Record:
        """Record one device-signed reading."""
        return self._submit("record_reading", reading)

    def record_readings(self, *, readings: Sequence[Mapping[str, Any]]) -> Record:
        """Record a batch of signed readings atomically: ``{created, readings}``."""
        return self._submit("record_readings", list(readings))

    def correct_reading(
        self, *, meter_id: str, interval_start: int, correction: Mapping[str, Any]
    ) -> Record:
        """Correct a reading: ``{correction_id, import_delta_wh, export_delta_wh, reason}``."""
        return self._submit("correct_reading", meter_id, interval_start, correction)

    def get_reading(self, *, meter_id: str, interval_start: int) -> Record:
        """Return a reading (grid operator or the meter owner)."""
        return self._evaluate("get_reading", meter_id, interval_start)

    def reading_history(self, *, meter_id: str, interval_start: int) -> list[Record]:
        """Return every version of a reading."""
        return self._evaluate_list("reading_history", meter_id, interval_start)

    def list_readings(self, *, meter_id: str, page_size: int = 20, bookmark: str = "") -> Record:
        """Page through a meter's readings in time order."""
        return self._evaluate("list_readings", meter_id, page_size, bookmark)

    def list_corrections(
        self, *, meter_id: str, interval_start: int, page_size: int = 20, bookmark: str = ""
    ) -> Record:
        """Page through the corrections of one reading."""
        return self._evaluate("list_corrections", meter_id, interval_start, page_size, bookmark)

    def list_usage(
        self, *, period: str, owner_msp: str, page_size: int = 20, bookmark: str = ""
    ) -> Record:
        """Page through a party's per-meter usage for month ``YYYYMM``."""
        return self._evaluate("list_usage", period, owner_msp, page_size, bookmark)

    # --- certificates --------------------------------------------------------------------
    def issue_certificates(self, *, request: Mapping[str, Any]) -> Record:
        """Issue a lot for ``{meter_id, period_start, period_end}`` (registry)."""
        return self._submit("issue_certificates", request)

    def transfer_certificate(self, *, certificate_id: str, to_msp: str) -> Record:
        """Transfer a whole lot to another org (the owner)."""
        return self._submit("transfer_certificate", certificate_id, to_msp)

    def split_certificate(self, *, certificate_id: str, quantities: Sequence[int]) -> Record:
        """Split a lot into child lots of the given MWh quantities (the owner)."""
        return self._submit("split_certificate", certificate_id, list(quantities))

    def retire_certificate(self, *, certificate_id: str, claim: Mapping[str, Any]) -> Record:
        """Retire a lot for ``{beneficiary, purpose, reporting_year?}`` (the owner)."""
        return self._submit("retire_certificate", certificate_id, claim)

    def cancel_certificate(self, *, certificate_id: str, reason: str) -> Record:
        """Cancel an active lot (registry)."""
        return self._submit("cancel_certificate", certificate_id, reason)

    def get_certificate(self, *, certificate_id: str) -> Record:
        """Return a certificate lot."""
        return self._evaluate("get_certificate", certificate_id)

    def certificate_history(self, *, certificate_id: str) -> list[Record]:
        """Return every version of a certificate lot."""
        return self._evaluate_list("certificate_history", certificate_id)

    def list_certificates_by_owner(
        self, *, owner_msp: str, page_size: int = 20, bookmark: str = ""
    ) -> Record:
        """Page through the lots an org holds."""
        return self._evaluate("list_certificates_by_owner", owner_msp, page_size, bookmark)

    def list_certificates_by_meter(
        self, *, meter_id: str, page_size: int = 20, bookmark: str = ""
    ) -> Record:
        """Page through the lots issued for a meter."""
        return self._evaluate("list_certificates_by_meter", meter_id, page_size, bookmark)

    # --- settlement ----------------------------------------------------------------------
    def settle_period(self, *, owner_msp: str, period: str, tariff: Mapping[str, Any]) -> Record:
        """Settle a party's month once (grid operator settlement)."""
        return self._submit("settle_period", owner_msp, period, tariff)

    def get_settlement(self, *, owner_msp: str, period: str) -> Record:
        """Return a settlement (grid operator or the party)."""
        return self._evaluate("get_settlement", owner_msp, period)
