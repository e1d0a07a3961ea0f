"""``invoice import`` and ``meter import``: bulk submission with a progress bar and a journal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from . import _sdk
from ._bulk import (
    Journal,
    Row,
    RowResult,
    classify_success,
    default_journal,
    read_rows,
    run_import,
)
from ._context import get_settings, network_options, progress
from ._device import check_signing_keys, sign_reading, signing_key_for
from ._inputs import json_text
from ._render import emit, emit_json_line
from ._sector import group_path

__all__ = ["EXIT_ROWS_FAILED", "INVOICE_IMPORT", "METER_IMPORT", "ImportSpec", "register"]

EXIT_ROWS_FAILED = 4
RETRIES = 3
RETRY_CODES = ("MVCC_READ_CONFLICT", "PHANTOM_READ_CONFLICT")
_COLUMNS = ("row", "key", "status", "tx_id", "message")


@dataclass(frozen=True)
class ImportSpec:
    """What one import command submits: function, natural key, transient document key."""

    chaincode: str
    function: str
    key_fields: tuple[str, ...]
    transient_key: str | None
    example: str
    signs_readings: bool = False
    batch_function: str | None = None
    batch_field: str = ""


def _prepared(row: Row, spec: ImportSpec, sign_with: Path | None) -> dict[str, Any]:
    document = dict(row.document)
    if sign_with is not None:
        key = signing_key_for(sign_with, str(document.get("meter_id", "")))
        document = sign_reading(document, key)
    return document


def _submit_with_retries(
    session: _sdk.Session, spec: ImportSpec, function: str, args: list[str], *,
    transient: dict[str, bytes] | None, label: str,
) -> _sdk.Submitted:  # fmt: skip
    for attempt in range(1, RETRIES + 1):
        try:
            return session.submit(spec.chaincode, function, args, transient=transient)
        except Exception as exc:
            code_name = str(getattr(exc, "code_name", ""))
            if attempt == RETRIES or code_name not in RETRY_CODES:
                raise
            progress(f"{label}: {code_name}, retrying")
    raise AssertionError("unreachable")


def _batch_submitter(
    session: _sdk.Session, spec: ImportSpec, sign_with: Path | None
) -> Callable[[list[Row]], list[RowResult]]:
    """One ``batch_function`` transaction for a list of rows; each row's record is matched
    back to it by natural key (a record an earlier transaction made is a duplicate)."""

    def submit_batch(rows: list[Row]) -> list[RowResult]:
        documents = [_prepared(row, spec, sign_with) for row in rows]
        label = f"rows {rows[0].number}-{rows[-1].number}"
        assert spec.batch_function is not None
        outcome = _submit_with_retries(
            session, spec, spec.batch_function, [json_text(documents)], transient=None, label=label
        )
        records = _sdk.decode_result(outcome.result).get(spec.batch_field, [])
        by_key = {
            "/".join(str(record[name]) for name in spec.key_fields): record for record in records
        }
        return [
            classify_success(row, str(outcome.transaction_id), by_key.get(row.key)) for row in rows
        ]

    return submit_batch


def _submitter(
    session: _sdk.Session, spec: ImportSpec, sign_with: Path | None
) -> Callable[[Row], RowResult]:
    def submit(row: Row) -> RowResult:
        document = _prepared(row, spec, sign_with)
        transient = None
        if spec.transient_key and spec.transient_key in document:
            private = json_text(document.pop(spec.transient_key))
            transient = {spec.transient_key: private.encode()}
        args = [json_text(document)]
        label = f"row {row.number}"
        outcome = _submit_with_retries(
            session, spec, spec.function, args, transient=transient, label=label
        )
        record = _sdk.decode_result(outcome.result)
        return classify_success(row, str(outcome.transaction_id), record)

    return submit


def _run(
    ctx: click.Context, source: Path, journal_path: Path | None, spec: ImportSpec, *,
    sign_with: Path | None, batch_size: int = 1,
) -> None:  # fmt: skip
    settings = get_settings(ctx)
    rows = read_rows(source, spec.key_fields)
    if sign_with is not None:  # a bad key is one usage error, not one error per row
        check_signing_keys(sign_with, (str(row.document.get("meter_id", "")) for row in rows))
    journal = Journal(journal_path or default_journal(source))
    progress(f"{len(rows)} row(s); {len(journal.done)} already in {journal.path}")
    with closing(_sdk.open_session(settings, spec.chaincode)) as session:
        submit = _submitter(session, spec, sign_with)
        with click.progressbar(length=len(rows), label="importing", file=sys.stderr) as bar:

            def report(result: RowResult) -> None:
                bar.update(1)
                if settings.output == "json":
                    emit_json_line(result.to_json())

            batch = _batch_submitter(session, spec, sign_with) if spec.batch_function else None
            results = run_import(
                rows, journal, submit, report, submit_batch=batch, batch_size=batch_size
            )
    if settings.output != "json":
        emit([result.to_json() for result in results], "table", _COLUMNS)
    failed = [result for result in results if result.status == "error"]
    progress(f"{len(results) - len(failed)} ok or duplicate, {len(failed)} failed")
    if failed:
        ctx.exit(EXIT_ROWS_FAILED)


def _import_command(spec: ImportSpec) -> click.Command:
    keys = ", ".join(spec.key_fields)

    @click.pass_context
    def callback(
        ctx: click.Context, /, file: str, journal: str | None, sign_with: str | None = None,
        batch_size: int = 1,
    ) -> None:  # fmt: skip
        journal_path = Path(journal) if journal else None
        signer = Path(sign_with) if sign_with else None
        _run(ctx, Path(file), journal_path, spec, sign_with=signer, batch_size=batch_size)

    help_text = (
        f"Submit every row of FILE (.csv, .json or .jsonl) with {spec.function}.\n\n"
        f"Rows are keyed by ({keys}). Each row's result (row, key, status ok/duplicate/error,"
        " tx_id, message) is printed as a table, or as JSON lines with -o json. Committed rows"
        " are appended to the journal (default FILE.journal.jsonl) and skipped on a re-run,"
        " so an interrupted import can simply be run again. Exit 4 if any row failed.\n\n"
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
                default=50,
                show_default=True,
                help=f"Rows per {spec.batch_function} transaction (atomic; a refused batch"
                " is retried row by row so the report names the bad rows).",
            )
        )
    command = click.Command(
        "import",
        callback=callback,
        params=params,
        help=help_text,
        short_help=f"Bulk {spec.function} from CSV or JSON, resumable.",
    )
    network_options(command)
    return command


INVOICE_IMPORT = ImportSpec(
    "tax_invoice", "issue_invoice", ("seller_tax_id", "number"), "buyer_personal",
    "invoice import invoices.json",
)  # fmt: skip
METER_IMPORT = ImportSpec(
    "energy_metering", "record_reading", ("meter_id", "interval_start"), None,
    "meter import readings.csv --journal readings.journal", signs_readings=True,
    batch_function="record_readings", batch_field="readings",
)  # fmt: skip


def register(cli: click.Group) -> None:
    """Add ``invoice import`` and ``meter import``."""
    group_path(cli, ("invoice",)).add_command(_import_command(INVOICE_IMPORT))
    group_path(cli, ("meter",)).add_command(_import_command(METER_IMPORT))
