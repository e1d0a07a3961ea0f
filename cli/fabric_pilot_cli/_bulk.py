"""Bulk import with a crash-safe journal.

Rows come from CSV or JSON; each is submitted and, once its outcome is final (committed, or
refused as a duplicate), one JSON line is appended to the journal and fsynced. A re-run skips
every row the journal holds. A row whose commit state is unknown (crash between commit and
journal write) is simply submitted again: the contracts create records only if absent on their
natural keys, so the second attempt is refused as a duplicate and nothing is stored twice.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ._errors import EXIT_COMMIT_INVALID, EXIT_REFUSED, EXIT_USAGE, CliError, describe

__all__ = [
    "BatchSubmit",
    "Journal",
    "Row",
    "RowResult",
    "classify_failure",
    "classify_success",
    "default_journal",
    "read_rows",
    "run_import",
]

FINAL = ("ok", "duplicate")
_INT_SUFFIXES = ("_fen", "_wh", "_w", "_milli", "_bp", "_count")
_INT_NAMES = {"counter", "interval_start", "interval_end", "calibration_expiry"}


@dataclass(frozen=True)
class Row:
    """One input record: 1-based row number, natural key, JSON document."""

    number: int
    key: str
    document: dict[str, Any]


@dataclass(frozen=True)
class RowResult:
    """What happened to one row."""

    row: int
    key: str
    status: str
    tx_id: str = ""
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def default_journal(source: Path) -> Path:
    """``FILE.journal.jsonl`` next to the input file."""
    return source.with_name(source.name + ".journal.jsonl")


class Journal:
    """Append-only JSON-lines record of rows whose outcome is final."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, dict[str, Any]] = {}
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        self._torn = bool(text) and not text.endswith("\n")
        if text:
            for line in text.splitlines():
                entry = _parse_line(line)
                if entry and entry.get("status") in FINAL:
                    self.done[str(entry["key"])] = entry

    def record(self, result: RowResult) -> None:
        """Append one line and fsync it before returning."""
        self.record_many([result])

    def record_many(self, results: Sequence[RowResult]) -> None:
        """Append one line per result and fsync once before returning."""
        if not results:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(json.dumps(result.to_json(), sort_keys=True) + "\n" for result in results)
        if self._torn:
            text = "\n" + text
            self._torn = False
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        for result in results:
            self.done[result.key] = result.to_json()


def _parse_line(line: str) -> dict[str, Any] | None:
    """A journal line, or None for a torn last line left by a crash."""
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) and "key" in entry else None


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


def read_rows(path: Path, key_fields: Sequence[str]) -> list[Row]:
    """Read every row of a .csv, .json or .jsonl file and compute its natural key.

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
        rows.append(Row(number, key, document))
    return rows


def classify_success(row: Row, transaction_id: str, record: Any) -> RowResult:
    """``ok``, or ``duplicate`` when the contract returned a record an earlier transaction
    created (an identical resubmission is answered with the stored record)."""
    original = record.get("tx_id") if isinstance(record, dict) else None
    if original and original != transaction_id:
        message = f"already on the ledger (transaction {original})"
        return RowResult(row.number, row.key, "duplicate", str(original), message)
    return RowResult(row.number, row.key, "ok", transaction_id)


def classify_failure(row: Row, exc: Exception) -> RowResult:
    """A per-row result for a failed submit; re-raises when the network itself is gone."""
    failure = describe(exc)
    if failure.exit_code == EXIT_REFUSED and "DUPLICATE" in failure.message:
        return RowResult(row.number, row.key, "duplicate", "", failure.message)
    if failure.exit_code in (EXIT_REFUSED, EXIT_COMMIT_INVALID, EXIT_USAGE):
        return RowResult(row.number, row.key, "error", "", failure.message)
    raise exc


BatchSubmit = Callable[[list[Row]], list[RowResult]]


def _submit_one(row: Row, submit: Callable[[Row], RowResult]) -> RowResult:
    try:
        return submit(row)
    except Exception as exc:
        return classify_failure(row, exc)


def _submit_batch(
    batch: list[Row], submit: Callable[[Row], RowResult], submit_batch: BatchSubmit | None
) -> list[RowResult]:
    """Submit ``batch`` as one transaction; a refused batch is retried row by row, so the
    report names the rows the contract refuses (batches are atomic: nothing was stored)."""
    if submit_batch is not None and len(batch) > 1:
        try:
            return submit_batch(batch)
        except Exception as exc:
            if describe(exc).exit_code not in (EXIT_REFUSED, EXIT_COMMIT_INVALID):
                raise
    return [_submit_one(row, submit) for row in batch]


def run_import(
    rows: Iterable[Row],
    journal: Journal,
    submit: Callable[[Row], RowResult],
    report: Callable[[RowResult], None],
    *,
    submit_batch: BatchSubmit | None = None,
    batch_size: int = 1,
) -> list[RowResult]:
    """Submit every row not yet in the journal, ``batch_size`` rows per transaction when
    ``submit_batch`` is given; results come back in input order.

    Raises:
        Exception: whatever a submit raised when the network is unavailable (rows done so
            far are journaled).
    """
    results: list[RowResult] = []
    pending: list[Row] = []

    def flush() -> None:
        outcomes = _submit_batch(pending, submit, submit_batch)
        pending.clear()
        journal.record_many([result for result in outcomes if result.status in FINAL])
        for result in outcomes:
            results.append(result)
            report(result)

    for row in rows:
        entry = journal.done.get(row.key)
        if entry is None:
            pending.append(row)
            if len(pending) >= batch_size:
                flush()
            continue
        if pending:
            flush()
        result = RowResult(row.number, row.key, str(entry["status"]),
                           str(entry.get("tx_id", "")), "already done (journal)")  # fmt: skip
        results.append(result)
        report(result)
    if pending:
        flush()
    return results
