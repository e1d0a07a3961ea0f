"""Composite keys and record loaders of the energy metering contract."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from fabric_pilot_contracts._common import TxLedger, bad_argument

METER = "meter"
READING = "reading"
CORRECTION = "correction"
USAGE = "usage"
CERTIFICATE = "certificate"
CERT_BY_OWNER = "cert~owner"
CERT_BY_INTERVAL = "cert~interval"
SETTLEMENT = "settlement"
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
CERT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,159}")
PERIOD = re.compile(r"[0-9]{4}(0[1-9]|1[0-2])")
MAX_TIME = 10**11


def check_id(value: str, what: str) -> str:
    """Return ``value`` when it is a plain identifier."""
    if not IDENTIFIER.fullmatch(value):
        raise bad_argument(f"{what} must match {IDENTIFIER.pattern}")
    return value


def check_period(period: str) -> str:
    """Return ``period`` when it is ``YYYYMM``."""
    if not PERIOD.fullmatch(period):
        raise bad_argument(f"period {period!r} must be YYYYMM")
    return period


def time_part(seconds: int) -> str:
    """Zero-padded epoch seconds, so composite keys sort in time order."""
    if not 0 <= seconds < MAX_TIME:
        raise bad_argument(f"time {seconds} is out of range")
    return f"{seconds:012d}"


def meter_key(ledger: TxLedger, meter_id: str) -> str:
    """Primary key of a meter."""
    return ledger.key(METER, check_id(meter_id, "meter_id"))


def meter(ledger: TxLedger, meter_id: str) -> tuple[str, dict[str, Any]]:
    """Load a meter (``NOT_FOUND`` otherwise)."""
    key = meter_key(ledger, meter_id)
    return key, ledger.require(key, "meter", meter_id)


def day_part(seconds: int) -> str:
    """UTC day ``YYYYMMDD`` of epoch ``seconds`` (the reading key's bucket)."""
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y%m%d")


def reading_key(ledger: TxLedger, meter_id: str, interval_start: int) -> str:
    """Primary key of a reading: meter, UTC day bucket and interval start.

    The day bucket lets certificate issuing walk a period day by day with partial composite
    key queries (Fabric forbids range queries over composite keys).
    """
    start = time_part(interval_start)
    return ledger.key(READING, check_id(meter_id, "meter_id"), day_part(interval_start), start)


def certificate_key(ledger: TxLedger, certificate_id: str) -> str:
    """Primary key of a certificate lot."""
    if not CERT_ID.fullmatch(certificate_id):
        raise bad_argument(f"certificate_id must match {CERT_ID.pattern}")
    return ledger.key(CERTIFICATE, certificate_id)


def certificate(ledger: TxLedger, certificate_id: str) -> tuple[str, dict[str, Any]]:
    """Load a certificate lot (``NOT_FOUND`` otherwise)."""
    key = certificate_key(ledger, certificate_id)
    return key, ledger.require(key, "certificate", certificate_id)


def stamp(ledger: TxLedger, record: dict[str, Any]) -> dict[str, Any]:
    """Set ``updated_at``/``updated_tx_id`` and return the record."""
    record["updated_at"] = ledger.now_iso
    record["updated_tx_id"] = ledger.tx_id
    return record
