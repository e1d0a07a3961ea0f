"""``invoice import`` and ``meter import``: pipelined bulk submission with a journal.

A thin adapter over :func:`fabric_pilot_gateway.bulk.import_rows`: it reads the rows, builds
the transaction for a batch of rows, and renders progress and results.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import click

from fabric_pilot_gateway.bulk import SubmitRows, import_rows

from . import _sdk
from ._bulk import (
    Journal,
    Row,
    RowResult,
    classify_success,
    default_journal,
    read_rows,
    refusal,
)
from ._context import get_settings, network_options, progress
from ._device import check_signing_keys, sign_reading, signing_key_for
from ._inputs import json_text
from ._render import emit, emit_json_line
from ._sector import group_path, pin

__all__ = [
    "DEFAULT_IN_FLIGHT",
    "EXIT_ROWS_FAILED",
    "INVOICE_IMPORT",
    "METER_IMPORT",
    "ImportSpec",
    "register",
]

EXIT_ROWS_FAILED = 4
ATTEMPTS = 3
"""Tries per batch when it fails transiently (MVCC conflict, endorsement mismatch)."""
DEFAULT_IN_FLIGHT = 16
"""Transactions in flight by default (see the README's figures: measured on the pilot)."""
MAX_IN_FLIGHT = 512
_COLUMNS = ("row", "key", "status", "tx_id", "message")


@dataclass(frozen=True)
class ImportSpec:
    """What one import command submits.

    Attributes:
        function: Transaction for one row; ``batch_function`` for several (its result holds
            the records under ``batch_field``).
        key_fields: The row's natural key.
        lane_fields: Rows sharing these values are submitted in file order, one transaction
            at a time (they update the same ledger keys); other rows go in parallel.
        transient_key: Field sent as transient (private) data; in a batch, a JSON object
            mapping each row's ``number`` to it.
    """

    chaincode: str
    function: str
    key_fields: tuple[str, ...]
    lane_fields: tuple[str, ...]
    transient_key: str | None
    example: str
    signs_readings: bool = False
    batch_function: str | None = None
    batch_field: str = ""
    default_batch: int = 50


def _prepared(row: Row, sign_with: Path | None) -> dict[str, Any]:
    document = dict(row.document)
    if sign_with is not None:
        key = signing_key_for(sign_with, str(document.get("meter_id", "")))
        document = sign_reading(document, key)
    return document


def _split_private(
    spec: ImportSpec, documents: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Documents without their transient field, and that field by row ``number``."""
    if not spec.transient_key:
        return documents, {}
    private: dict[str, Any] = {}
    public = []
    for document in documents:
        copy = dict(document)
        if spec.transient_key in copy:
            private[str(copy.get("number", ""))] = copy.pop(spec.transient_key)
        public.append(copy)
    return public, private


def _submitter(session: _sdk.Session, spec: ImportSpec, sign_with: Path | None) -> SubmitRows:
    """One transaction for the rows: ``function`` for one, ``batch_function`` for several.
    Each record in a batch's result is matched back to its row by natural key."""

    def submit_one(row: Row) -> RowResult:
        documents, private = _split_private(spec, [_prepared(row, sign_with)])
        transient = None
        if private:
            transient = {str(spec.transient_key): json_text(next(iter(private.values()))).encode()}
        outcome = session.submit(
            spec.chaincode, spec.function, [json_text(documents[0])], transient=transient
        )
        return classify_success(row, outcome.transaction_id, _sdk.decode_result(outcome.result))

    def submit(rows: Sequence[Row]) -> list[RowResult]:
        if len(rows) == 1 or spec.batch_function is None:
            return [submit_one(row) for row in rows]
        documents, private = _split_private(spec, [_prepared(row, sign_with) for row in rows])
        transient = {str(spec.transient_key): json_text(private).encode()} if private else None
        outcome = session.submit(
            spec.chaincode, spec.batch_function, [json_text(documents)], transient=transient
        )
        records = _sdk.decode_result(outcome.result).get(spec.batch_field, [])
        by_key = {
            "/".join(str(record[name]) for name in spec.key_fields): record for record in records
        }
        return [classify_success(row, outcome.transaction_id, by_key.get(row.key)) for row in rows]

    return submit


class _Progress:
    """Rows done, rows/s and ETA on a terminal; results printed in input order with -o json."""

    def __init__(self, rows: list[Row], stream: TextIO, json_lines: bool) -> None:
        self._order = [row.number for row in rows]
        self._total = len(rows)
        self._stream = stream
        self._live = stream.isatty()
        self._json_lines = json_lines
        self._results: dict[int, RowResult] = {}
        self._next = 0
        self._done = 0
        self._submitted = 0
        self._started = time.perf_counter()
        self._shown = 0.0

    def __call__(self, result: RowResult) -> None:
        self._done += 1
        if result.message != "already done (journal)":
            self._submitted += 1
        self._results[result.row] = result
        while self._next < self._total and self._order[self._next] in self._results:
            if self._json_lines:
                emit_json_line(self._results[self._order[self._next]].to_json())
            self._next += 1
        now = time.perf_counter()
        if self._live and (now - self._shown >= 0.2 or self._done == self._total):
            self._shown = now
            self._stream.write(f"\r{self.line(now)}\x1b[K")
            self._stream.flush()

    def rate(self, now: float) -> float:
        """Rows submitted (not skipped from the journal) per second so far."""
        return self._submitted / max(now - self._started, 1e-9)

    def line(self, now: float) -> str:
        """``importing: done/total rows, R rows/s, ETA S s``."""
        rate = self.rate(now)
        left = self._total - self._done
        eta = f"{left / rate:.0f} s" if rate > 0 else "?"
        return f"importing: {self._done}/{self._total} rows, {rate:.1f} rows/s, ETA {eta}"

    def summary(self, results: list[RowResult]) -> str:
        """The closing line: rows, time, rows/s and the outcome counts."""
        now = time.perf_counter()
        if self._live:
            self._stream.write("\n")
        failed = len([result for result in results if result.status not in ("ok", "duplicate")])
        return (
            f"{len(results)} row(s) in {now - self._started:.1f} s, {self.rate(now):.1f} rows/s:"
            f" {len(results) - failed} ok or duplicate, {failed} failed"
        )


def _run(
    ctx: click.Context, source: Path, journal_path: Path | None, spec: ImportSpec, *,
    sign_with: Path | None, batch_size: int, in_flight: int,
) -> None:  # fmt: skip
    settings = get_settings(ctx)
    rows = read_rows(source, spec.key_fields, spec.lane_fields)
    if sign_with is not None:  # a bad key is one usage error, not one error per row
        check_signing_keys(sign_with, (str(row.document.get("meter_id", "")) for row in rows))
    journal = Journal(journal_path or default_journal(source))
    progress(f"{len(rows)} row(s); {len(journal.done)} already in {journal.path}")
    show = _Progress(rows, sys.stderr, settings.output == "json")
    with closing(_sdk.open_session(settings, spec.chaincode)) as session:
        results = import_rows(
            rows,
            journal,
            _submitter(session, spec, sign_with),
            report=show,
            in_flight=in_flight,
            batch_size=batch_size,
            classify=refusal,
            retries=ATTEMPTS - 1,
        )
    if settings.output != "json":
        emit([result.to_json() for result in results], "table", _COLUMNS)
    progress(show.summary(results))
    if any(result.status not in ("ok", "duplicate") for result in results):
        ctx.exit(EXIT_ROWS_FAILED)


def _import_command(spec: ImportSpec) -> click.Command:
    keys = ", ".join(spec.key_fields)
    lanes = ", ".join(spec.lane_fields)

    @click.pass_context
    def callback(
        ctx: click.Context, /, *, file: str, journal: str | None, in_flight: int,
        sign_with: str | None = None, batch_size: int = 1,
    ) -> None:  # fmt: skip
        journal_path = Path(journal) if journal else None
        signer = Path(sign_with) if sign_with else None
        _run(
            ctx, Path(file), journal_path, spec,
            sign_with=signer, batch_size=batch_size, in_flight=in_flight,
        )  # fmt: skip

    help_text = (
        f"Submit every row of FILE (.csv, .json or .jsonl) with {spec.function}.\n\n"
        f"Rows are keyed by ({keys}). Rows with the same {lanes} go in file order, one"
        " transaction at a time; the others are submitted in parallel, --in-flight"
        " transactions at once. Each row's result (row, key, status ok/duplicate/conflict/"
        "error, tx_id, message) is printed as a table, or as JSON lines in file order with"
        " -o json. Committed rows are appended to the journal (default FILE.journal.jsonl)"
        " and skipped on a re-run, so an interrupted import can simply be run again: a row"
        " already on the ledger with the same content is a duplicate; with different content"
        " it is a conflict. Progress (rows/s, ETA) goes to stderr, with a closing summary"
        " line. Exit 4 if any row failed or conflicted.\n\n"
        "CSV cells holding JSON objects/arrays are parsed; *_fen, *_wh, counter, interval_*"
        f" columns are integers.\n\n\b\nExample:\n  fabric-pilot {spec.example}"
    )
    params: list[Any] = [
        click.Argument(["file"], type=click.Path(exists=True, dir_okay=False)),
        click.Option(
            ["--journal"],
            type=click.Path(dir_okay=False),
            help="Journal file (default: FILE.journal.jsonl).",
        ),
        click.Option(
            ["--in-flight"],
            type=click.IntRange(1, MAX_IN_FLIGHT),
            default=DEFAULT_IN_FLIGHT,
            show_default=True,
            help="Transactions submitted and awaiting commit at once.",
        ),
    ]
    if spec.signs_readings:
        params.append(
            click.Option(
                ["--sign-with"],
                type=click.Path(exists=True),
                help="Sign each reading as its meter: a P-256 key file, or a folder of"
                " <meter_id>.pem keys.",
            )
        )
    if spec.batch_function:
        params.append(
            click.Option(
                ["--batch-size"],
                type=click.IntRange(1, 500),
                default=spec.default_batch,
                show_default=True,
                help=f"Rows per {spec.batch_function} transaction (atomic; a row the contract"
                " refuses is reported and the rest of its batch submitted again without it).",
            )
        )
    command = click.Command(
        "import",
        callback=callback,
        params=params,
        help=help_text,
        short_help=f"Bulk {spec.function} from CSV or JSON, pipelined and resumable.",
    )
    network_options(command)
    return command


INVOICE_IMPORT = ImportSpec(
    "tax_invoice", "issue_invoice", ("seller_tax_id", "number"), ("seller_tax_id",),
    "buyer_personal", "invoice import invoices.json", batch_function="issue_invoices",
    batch_field="invoices", default_batch=250,
)  # fmt: skip
METER_IMPORT = ImportSpec(
    "energy_metering", "record_reading", ("meter_id", "interval_start"), ("meter_id",), None,
    "meter import readings.csv --journal readings.journal", signs_readings=True,
    batch_function="record_readings", batch_field="readings", default_batch=100,
)  # fmt: skip


def register(cli: click.Group) -> None:
    """Add ``invoice import`` and ``meter import``."""
    for group, spec in (("invoice", INVOICE_IMPORT), ("meter", METER_IMPORT)):
        group_path(cli, (group,)).add_command(_import_command(spec))
        methods = (spec.function, spec.batch_function) if spec.batch_function else (spec.function,)
        pin((group, "import"), spec.chaincode, *methods)
