"""Energy metering and green certificate chaincode: ``energy_metering`` on channel ``energy``.

Contract ``EnergyMeteringContract``. Energy is integer Wh, money integer fen, times are epoch
seconds (integers) in arguments and RFC 3339 strings in ``*_at`` fields. Every write checks
MSP, NodeOU and (Fabric CA certificates) ``pilot.role``: meter administration and corrections
``GridOperatorMSP``/``meter_operator``; readings ``meter_operator`` of the grid operator or of
the meter owner's org; certificate issue/cancel ``GridOperatorMSP``/``registry``; transfer,
split and retire the owner's ``generator``/``trader``/``finance``; settlement
``GridOperatorMSP``/``settlement`` or ``regulator``.

Readings: ``{meter_id, interval_start, interval_end, import_wh, export_wh, counter, flag?
("normal" | "rollover"), signature}``. The device signs ``canonical_json`` of every field but
``signature`` (``flag`` defaults to ``"normal"`` and is signed) with ECDSA P-256/SHA-256; the
signature is DER, hex-encoded. Per meter the counter strictly increases (``REPLAY``), an
interval starts no earlier than the previous one ended (``OVERLAPPING_INTERVAL``), registers
never decrease unless ``flag`` is ``rollover`` (wrap at ``register_max_wh``) or the device was
replaced with ``replace_meter_device`` (``NON_MONOTONIC``), no reading after decommissioning
(``METER_DECOMMISSIONED``) or past the calibration expiry (``CALIBRATION_EXPIRED``), none in
the future, none into a settled month (``PERIOD_SETTLED``). Neither register may advance by
more than ``capacity_w`` x the time since the previous reading's end (the reading's own
interval for the first one) plus 10 % tolerance (``EXCEEDS_CAPACITY``): a physically
impossible reading, including a fake rollover, is refused and so never certified; corrections
are held to the same limit. Batches are atomic.

Submit transactions (arguments → return; event):

- ``register_meter(meter: {meter_id, owner_msp, kind (generation|consumption|bidirectional),
  technology (solar|wind|hydro|biomass|geothermal|fossil|none), grid_node, capacity_w,
  calibration_expiry, public_key_pem, register_max_wh?, initial_import_wh?,
  initial_export_wh?})``, transient ``customer`` = {name, address, account} → Meter;
  ``MeterRegistered``.
- ``recalibrate_meter(meter_id, calibration_expiry: int, calibration_ref)`` → Meter;
  ``MeterRecalibrated``.
- ``rotate_meter_key(meter_id, public_key_pem)`` → Meter; ``MeterKeyRotated``.
- ``replace_meter_device(meter_id, replacement: {public_key_pem, initial_import_wh,
  initial_export_wh, reason})`` → Meter; ``MeterReplaced``.
- ``decommission_meter(meter_id, reason)`` → Meter; ``MeterDecommissioned``.
- ``record_reading(reading)`` → Reading; ``ReadingRecorded``.
- ``record_readings(readings: list)`` → {created: int, readings: [Reading]};
  ``ReadingsRecorded`` {count, readings: [{meter_id, interval_start}]}.
- ``correct_reading(meter_id, interval_start: int, correction: {correction_id,
  import_delta_wh, export_delta_wh, reason})`` → Correction; ``ReadingCorrected``.
- ``issue_certificates(request: {meter_id, period_start, period_end})`` → Certificate;
  ``CertificatesIssued``.
- ``transfer_certificate(certificate_id, to_msp)`` → Certificate; ``CertificateTransferred``.
- ``split_certificate(certificate_id, quantities: list[int])`` → parent Certificate (status
  ``split``, ``children`` IDs ``<id>/<serial_start>``); ``CertificateSplit``.
- ``retire_certificate(certificate_id, claim: {beneficiary, purpose, reporting_year?})`` →
  Certificate; ``CertificateRetired``.
- ``cancel_certificate(certificate_id, reason)`` → Certificate; ``CertificateCancelled``.
- ``settle_period(owner_msp, period "YYYYMM", tariff: {import_fen_per_kwh,
  export_fen_per_kwh, fee_fen})`` → Settlement; ``PeriodSettled``.

Evaluate transactions: ``get_meter(meter_id)``, ``meter_history(meter_id)``,
``get_meter_customer(meter_id)``, ``get_reading(meter_id, interval_start: int)``,
``reading_history(meter_id, interval_start: int)``,
``list_readings(meter_id, page_size: int, bookmark)``,
``list_corrections(meter_id, interval_start: int, page_size: int, bookmark)``,
``list_usage(period, owner_msp, page_size: int, bookmark)``,
``get_certificate(certificate_id)``, ``certificate_history(certificate_id)``,
``list_certificates_by_owner(owner_msp, page_size: int, bookmark)``,
``list_certificates_by_meter(meter_id, page_size: int, bookmark)``,
``get_settlement(owner_msp, period)``. Pages are ``{"records", "bookmark", "fetched"}``.

Certificates are 1 MWh units in lots with a per-meter serial range; issuing uses the net
generation (effective export minus import deltas) of readings starting in
``[period_start, period_end)`` plus the meter's carried remainder, and never covers an
interval twice (``ALREADY_CERTIFIED``). Lot states: active → split | retired | cancelled
(all final); transfer keeps it active. Settlement is once per party and month, after the
month ended (``PERIOD_OPEN``, ``ALREADY_SETTLED``).

Errors: BAD_ARGUMENT, BAD_KEY, NOT_FOUND, FORBIDDEN, DUPLICATE_METER, DUPLICATE_READING,
DUPLICATE_CORRECTION, DUPLICATE_CERTIFICATE, REPLAY, NON_MONOTONIC, OVERLAPPING_INTERVAL,
BAD_SIGNATURE, EXCEEDS_CAPACITY, METER_DECOMMISSIONED, CALIBRATION_EXPIRED, PERIOD_SETTLED,
PERIOD_OPEN, ALREADY_SETTLED, ALREADY_CERTIFIED, NOT_RENEWABLE, INSUFFICIENT_GENERATION,
CERTIFICATE_RETIRED, ILLEGAL_TRANSITION.
"""

from fabric_pilot_chaincode import ContractChaincode
from fabric_pilot_contracts.energy_metering._contract import EnergyMeteringContract

CHAINCODE = ContractChaincode(EnergyMeteringContract())

__all__ = ["CHAINCODE", "EnergyMeteringContract"]
