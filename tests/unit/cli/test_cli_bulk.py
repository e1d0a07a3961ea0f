"""Bulk import: per-row report, journal, batches, transactions in flight, and resuming after a
crash without duplicates."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cli_fakes import CommitError, Detail, EndorseError, FakeLedger


def _invoice_key(args: list[str]) -> str:
    document = json.loads(args[0])
    return f"{document['seller_tax_id']}/{document['number']}"


def _write_csv(path: Path, count: int) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["seller_tax_id", "number", "total_gross_fen", "lines"])
        writer.writeheader()
        for n in range(1, count + 1):
            row = {"seller_tax_id": "S", "number": f"{n:020d}", "total_gross_fen": str(100 * n)}
            writer.writerow({**row, "lines": '[{"name": "x"}]'})


@pytest.fixture
def invoices(tmp_path: Path, ledger: FakeLedger) -> Path:
    ledger.key_of = _invoice_key
    path = tmp_path / "invoices.csv"
    _write_csv(path, 5)
    return path


ONE_BY_ONE = ("--batch-size", "1", "--in-flight", "1")


def _journal(path: Path) -> list[dict]:
    journal = path.with_name(path.name + ".journal.jsonl")
    return [json.loads(line) for line in journal.read_text().splitlines()]


def test_import_converts_csv_cells_and_reports_rows(invoices: Path, run, ledger) -> None:
    result = run("invoice", "import", str(invoices), *ONE_BY_ONE)
    assert result.exit_code == 0, result.output
    first = json.loads(ledger.calls[0].args[0])
    assert first == {"seller_tax_id": "S", "number": "00000000000000000001",
                     "total_gross_fen": 100, "lines": [{"name": "x"}]}  # fmt: skip
    table = result.stdout.splitlines()
    assert table[0].split() == ["ROW", "KEY", "STATUS", "TX_ID", "MESSAGE"]
    assert len(table) == 6
    assert [entry["status"] for entry in _journal(invoices)] == ["ok"] * 5


def test_crash_midway_then_rerun_submits_each_row_once(invoices: Path, run, ledger) -> None:
    ledger.crash_on_call = 4
    crashed = run("invoice", "import", str(invoices), *ONE_BY_ONE)
    assert crashed.exit_code == 130
    assert [entry["row"] for entry in _journal(invoices)] == [1, 2, 3]
    ledger.crash_on_call = None
    calls_before = len(ledger.calls)
    rerun = run("invoice", "import", str(invoices), "-o", "json", *ONE_BY_ONE)
    assert rerun.exit_code == 0, rerun.output
    resubmitted = [_invoice_key(call.args) for call in ledger.calls[calls_before:]]
    assert resubmitted == ["S/00000000000000000004", "S/00000000000000000005"]
    assert sorted(ledger.committed) == [f"S/{n:020d}" for n in range(1, 6)]
    lines = [json.loads(line) for line in rerun.stdout.splitlines()]
    assert [line["status"] for line in lines] == ["ok"] * 5
    assert lines[0]["message"] == "already done (journal)"
    assert [entry["row"] for entry in _journal(invoices)] == [1, 2, 3, 4, 5]


def test_crash_after_commit_is_resubmitted_as_duplicate(invoices: Path, run, ledger) -> None:
    ledger.crash_after_commit_on_call = 3
    assert run("invoice", "import", str(invoices), *ONE_BY_ONE).exit_code == 130
    assert len(_journal(invoices)) == 2
    ledger.crash_after_commit_on_call = None
    rerun = run("invoice", "import", str(invoices), "-o", "json", *ONE_BY_ONE)
    assert rerun.exit_code == 0, rerun.output
    statuses = [json.loads(line)["status"] for line in rerun.stdout.splitlines()]
    assert statuses == ["ok", "ok", "duplicate", "ok", "ok"]
    assert len(ledger.committed) == 5
    assert [entry["status"] for entry in _journal(invoices)][2] == "duplicate"


def test_refused_rows_are_reported_not_journaled(invoices: Path, run, ledger) -> None:
    original = ledger.record

    def refuse_row_two(call):
        original(call)
        if _invoice_key(call.args) == "S/00000000000000000002":
            raise EndorseError("endorse", details=[Detail("p", "O", "TOTALS_MISMATCH: bad")])

    ledger.record = refuse_row_two
    result = run("invoice", "import", str(invoices), "-o", "json", *ONE_BY_ONE)
    assert result.exit_code == 4
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[1]["status"] == "error"
    assert "TOTALS_MISMATCH" in rows[1]["message"]
    assert [entry["row"] for entry in _journal(invoices)] == [1, 3, 4, 5]


def test_unavailable_network_stops_the_import(invoices: Path, run, ledger) -> None:
    ledger.errors["issue_invoice"] = EndorseError("down", code="UNAVAILABLE")
    result = run("invoice", "import", str(invoices), *ONE_BY_ONE)
    assert result.exit_code == 6
    assert len(ledger.calls) == 1


def test_torn_journal_line_and_json_input(tmp_path: Path, run, ledger) -> None:
    ledger.key_of = lambda args: "/".join(
        str(json.loads(args[0])[k]) for k in ("meter_id", "interval_start")
    )
    source = tmp_path / "readings.json"
    source.write_text(json.dumps([{"meter_id": "M", "interval_start": n} for n in (0, 900)]))
    journal = tmp_path / "j.jsonl"
    journal.write_text('{"row": 1, "key": "M/0", "status": "ok", "tx_id": "old"}\n{"row": 2, "ke')
    result = run("meter", "import", str(source), "--journal", str(journal), *ONE_BY_ONE)
    assert result.exit_code == 0, result.output
    assert [call.function for call in ledger.calls] == ["record_reading"]
    assert json.loads(ledger.calls[0].args[0]) == {"meter_id": "M", "interval_start": 900}
    lines = journal.read_text().splitlines()
    assert json.loads(lines[-1])["key"] == "M/900"


def test_row_without_key_is_usage_error(tmp_path: Path, run, ledger) -> None:
    source = tmp_path / "r.json"
    source.write_text('[{"meter_id": "M"}]')
    result = run("meter", "import", str(source))
    assert result.exit_code == 2
    assert "interval_start" in result.stderr


def test_mvcc_conflict_is_retried_then_reported(invoices: Path, run, ledger) -> None:
    original = ledger.record
    conflicts = {"S/00000000000000000001": 1, "S/00000000000000000002": 5}

    def conflict(call):
        original(call)
        key = _invoice_key(call.args)
        if conflicts.get(key, 0) > 0:
            conflicts[key] -= 1
            raise CommitError(f"tx-{key}", "MVCC_READ_CONFLICT")

    ledger.record = conflict
    result = run("invoice", "import", str(invoices), "-o", "json", *ONE_BY_ONE)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["status"] for row in rows] == ["ok", "error", "ok", "ok", "ok"]
    assert "MVCC_READ_CONFLICT" in rows[1]["message"]
    keys = [_invoice_key(call.args) for call in ledger.calls]
    assert keys.count("S/00000000000000000001") == 2
    assert keys.count("S/00000000000000000002") == 3
    assert result.exit_code == 4


def test_an_endorsement_mismatch_stops_the_import_without_journaling_the_row(
    invoices: Path, run, ledger
) -> None:
    from fabric_pilot_gateway import EndorsementMismatchError

    ledger.errors["issue_invoice"] = EndorsementMismatchError(
        "ProposalResponsePayloads do not match", code="ABORTED", transaction_id="t", attempts=3
    )
    result = run("invoice", "import", str(invoices), *ONE_BY_ONE)
    assert result.exit_code == 6, result.output
    assert len(ledger.calls) == 3  # the import tried the row three times, then stopped
    assert "refused" not in result.stderr
    assert not invoices.with_name(invoices.name + ".journal.jsonl").exists() or not _journal(
        invoices
    )


def test_rows_go_in_batches_and_json_lines_keep_file_order(invoices: Path, run, ledger) -> None:
    result = run("invoice", "import", str(invoices), "-o", "json", "--batch-size", "2")
    assert result.exit_code == 0, result.output
    functions = [call.function for call in ledger.calls]
    assert functions == ["issue_invoices", "issue_invoices", "issue_invoice"]
    assert [len(json.loads(call.args[0])) for call in ledger.calls[:2]] == [2, 2]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["row"] for line in lines] == [1, 2, 3, 4, 5]
    assert {line["status"] for line in lines} == {"ok"}
    assert "5 row(s) in " in result.stderr
    assert " rows/s: 5 ok or duplicate, 0 failed" in result.stderr


def test_a_different_payload_under_an_existing_key_is_a_conflict(
    invoices: Path, run, ledger
) -> None:
    ledger.committed["S/00000000000000000002"] = "tx-old"
    ledger.payloads["S/00000000000000000002"] = "{}"
    ledger.committed["S/00000000000000000004"] = "tx-same"
    ledger.payloads["S/00000000000000000004"] = json.dumps(
        {"seller_tax_id": "S", "number": f"{4:020d}", "total_gross_fen": 400,
         "lines": [{"name": "x"}]}
    )  # fmt: skip
    result = run("invoice", "import", str(invoices), "-o", "json")
    assert result.exit_code == 4, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["status"] for line in lines] == ["ok", "conflict", "ok", "duplicate", "ok"]
    assert "DUPLICATE_KEY" in lines[1]["message"]
    assert lines[3]["tx_id"] == "tx-same"
    journaled = {entry["key"] for entry in _journal(invoices)}
    assert "S/00000000000000000002" not in journaled and len(journaled) == 4
    # one batch refused naming row 2, then the other four again without it
    assert [len(json.loads(call.args[0])) for call in ledger.calls] == [5, 4]


def _many_sellers(path: Path, count: int) -> None:
    rows = [
        {"seller_tax_id": f"S{n % 4}", "number": f"{n:020d}", "total_gross_fen": n}
        for n in range(1, count + 1)
    ]
    path.write_text(json.dumps(rows))


@pytest.mark.parametrize("batch", ["1", "3"])
def test_killed_with_many_in_flight_then_resumed_stores_each_row_once(
    tmp_path: Path, run, ledger, batch: str
) -> None:
    ledger.key_of = _invoice_key
    source = tmp_path / "many.json"
    _many_sellers(source, 40)
    ledger.crash_on_call = 6
    crashed = run("invoice", "import", str(source), "--in-flight", "8", "--batch-size", batch)
    assert crashed.exit_code == 130
    before = {entry["key"] for entry in _journal(source)}
    assert before and len(before) < 40
    ledger.crash_on_call = None
    rerun = run("invoice", "import", str(source), "-o", "json", "--in-flight", "8",
                "--batch-size", batch)  # fmt: skip
    assert rerun.exit_code == 0, rerun.output
    lines = [json.loads(line) for line in rerun.stdout.splitlines()]
    assert [line["row"] for line in lines] == list(range(1, 41))
    assert {line["status"] for line in lines} <= {"ok", "duplicate"}
    assert {line["key"] for line in lines if line["message"] == "already done (journal)"} == before
    assert len(ledger.committed) == 40
    keys = [entry["key"] for entry in _journal(source)]
    assert sorted(keys) == sorted(set(keys)) and len(keys) == 40


def test_one_sellers_rows_stay_in_file_order(tmp_path: Path, run, ledger) -> None:
    ledger.key_of = _invoice_key
    source = tmp_path / "many.json"
    _many_sellers(source, 24)
    result = run("invoice", "import", str(source), "--in-flight", "8", "--batch-size", "1")
    assert result.exit_code == 0, result.output
    by_seller: dict[str, list[int]] = {}
    for call in ledger.calls:
        document = json.loads(call.args[0])
        by_seller.setdefault(document["seller_tax_id"], []).append(int(document["number"]))
    assert len(by_seller) == 4
    assert all(numbers == sorted(numbers) for numbers in by_seller.values())
