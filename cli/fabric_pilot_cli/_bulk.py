"""Bulk import: input rows, the outcome of a row, and how the CLI reads a failure.

The engine (per-lane batches, N transactions in flight, retries, the crash-safe journal) is
:mod:`fabric_pilot_gateway.bulk`; this module reads CSV/JSON rows and maps the CLI's view of
errors onto it. A re-run skips every row the journal holds; a row whose commit state is unknown
(crash between commit and journal write) is submitted again and answered by the contract with
the stored record (create-if-absent, identical payload), so it is reported ``duplicate`` and
stored once. A different payload under an existing key is a ``conflict``: exit 4, not journaled.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fabric_pilot_gateway.bulk import (
    FINAL,
    RETRY_CODES,
    Journal,
    Refusal,
    Row,
    RowResult,
    refused_row,
)

from ._errors import EXIT_NOT_FOUND, EXIT_REFUSED, EXIT_USAGE, CliError, describe

__all__ = [
    "FINAL",
    "Journal",
    "Row",
    "RowResult",
    "classify_success",
    "default_journal",
    "read_rows",
    "refusal",
]

_INT_SUFFIXES = ("_fen", "_wh", "_w", "_milli", "_bp", "_count")
_INT_NAMES = {"counter", "interval_start", "interval_end", "calibration_expiry"}
_MISMATCH = "ProposalResponsePayloads do not match"
_CONTRACT_CODE = re.compile(r"\b([A-Z][A-Z0-9_]+): (.*)$")


def default_journal(source: Path) -> Path:
    """``FILE.journal.jsonl`` next to the input file."""
    return source.with_name(source.name + ".journal.jsonl")


def _cell(name: str, value: str) -> Any:
    text = value.strip()
    if text.startswith(("{", "[")):
        return json.loads(text)
    if name in _INT_NAMES or name.endswith(_INT_SUFFIXES):
        return int(text)
    return text


def _documents(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return [
            {name: _cell(name, value) for name, value in record.items() if value not in ("", None)}
            for record in csv.DictReader(text.splitlines())
        ]
    if path.suffix.lower() == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    document = json.loads(text)
    if isinstance(document, dict) and isinstance(document.get("records"), list):
        document = document["records"]
    if not isinstance(document, list):
        raise ValueError("a JSON import file must hold a list of objects")
    return document


def read_rows(path: Path, key_fields: Sequence[str], lane_fields: Sequence[str] = ()) -> list[Row]:
    """Read every row of a .csv, .json or .jsonl file and compute its natural key and lane
    (rows sharing the ``lane_fields`` values are submitted in file order; none: any order).

    Raises:
        CliError: unreadable file, bad JSON/number, or a row without a key field (exit 2).
    """
    try:
        documents = _documents(path)
    except (OSError, ValueError) as exc:
        raise CliError(f"{path}: {exc}", EXIT_USAGE) from exc
    rows = []
    for number, document in enumerate(documents, start=1):
        if not isinstance(document, dict):
            raise CliError(f"{path}: row {number} is not an object", EXIT_USAGE)
        missing = [name for name in key_fields if name not in document]
        if missing:
            raise CliError(f"{path}: row {number} has no {missing[0]!r}", EXIT_USAGE)
        key = "/".join(str(document[name]) for name in key_fields)
        lane = "/".join(str(document.get(name, "")) for name in lane_fields)
        rows.append(Row(number, key, document, lane))
    return rows


def classify_success(row: Row, transaction_id: str, record: Any) -> RowResult:
    """``ok``, or ``duplicate`` when the contract returned a record an earlier transaction
    created (an identical resubmission is answered with the stored record)."""
    original = record.get("tx_id") if isinstance(record, dict) else None
    if original and original != transaction_id:
        message = f"already on the ledger (transaction {original})"
        return RowResult(row.number, row.key, "duplicate", str(original), message)
    return RowResult(row.number, row.key, "ok", transaction_id)


def refusal(exc: BaseException) -> Refusal | None:
    """How the import treats a submit's failure: retried (MVCC conflict, endorsement
    mismatch), a refusal of the rows (the contract's code, and the batch row it names), or
    None when the network itself failed and the import must stop."""
    failure = describe(exc)
    name = type(exc).__name__
    if name == "CommitError":
        code = str(getattr(exc, "code_name", "UNKNOWN"))
        return Refusal(code, failure.message, retry=code in RETRY_CODES)
    if name == "EndorsementMismatchError" or _MISMATCH in failure.message:
        return Refusal(
            "ENDORSEMENT_MISMATCH", failure.message, retry=True, stop_when_exhausted=True
        )
    if failure.exit_code not in (EXIT_REFUSED, EXIT_USAGE, EXIT_NOT_FOUND):
        return None
    found = _CONTRACT_CODE.search(failure.message)
    if found is None:
        return Refusal("REFUSED", failure.message)
    return Refusal(found.group(1), failure.message, row=refused_row(found.group(2)))
