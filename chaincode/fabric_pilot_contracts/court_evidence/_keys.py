"""Composite keys and record loaders of the court evidence contract."""

from __future__ import annotations

import re
from typing import Any

from fabric_pilot_contracts._common import TxLedger, bad_argument

EVIDENCE = "evidence"
BY_HASH = "evidence~hash"
BY_CASE = "evidence~case"
BATCH = "batch"
CUSTODY = "custody"
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def check_id(value: str, what: str) -> str:
    """Return ``value`` when it is a plain identifier."""
    if not IDENTIFIER.fullmatch(value):
        raise bad_argument(f"{what} must match {IDENTIFIER.pattern}")
    return value


def evidence_key(ledger: TxLedger, evidence_id: str) -> str:
    """Primary key of an evidence item."""
    return ledger.key(EVIDENCE, check_id(evidence_id, "evidence_id"))


def evidence(ledger: TxLedger, evidence_id: str) -> tuple[str, dict[str, Any]]:
    """Load an evidence item (``NOT_FOUND`` otherwise)."""
    key = evidence_key(ledger, evidence_id)
    return key, ledger.require(key, "evidence", evidence_id)


def seq_part(seq: int) -> str:
    """Zero-padded custody sequence number (sorts numerically)."""
    return f"{seq:010d}"


def stamp(ledger: TxLedger, record: dict[str, Any]) -> dict[str, Any]:
    """Set ``updated_at``/``updated_tx_id`` and return the record."""
    record["updated_at"] = ledger.now_iso
    record["updated_tx_id"] = ledger.tx_id
    return record
