"""The bulk engine: lanes, in-flight bound, per-row refusals, retries, journal, resume."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from fabric_pilot_gateway.bulk import (
    Job,
    Journal,
    Refusal,
    Row,
    RowResult,
    import_rows,
    pipelined,
    refusal_of,
    refused_row,
)
from fabric_pilot_gateway.errors import CommitError, EndorseError, ErrorDetail


class Tracker:
    """Counts calls running at once and records each lane's order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.order: dict[str, list[int]] = {}
        self.lane_busy: set[str] = set()
        self.overlap = False

    def job(self, lane: str, index: int, gate: threading.Event) -> Job[int]:
        def call() -> int:
            with self.lock:
                self.running += 1
                self.peak = max(self.peak, self.running)
                self.overlap |= lane in self.lane_busy
                self.lane_busy.add(lane)
                self.order.setdefault(lane, []).append(index)
            gate.wait(timeout=0.05)
            with self.lock:
                self.running -= 1
                self.lane_busy.discard(lane)
            return index

        return Job(lane, call)


def test_pipelined_keeps_lanes_in_order_and_bounds_the_calls_in_flight() -> None:
    tracker, gate = Tracker(), threading.Event()
    jobs = [tracker.job(f"lane{n % 5}", n, gate) for n in range(40)]
    values = sorted(outcome.value or 0 for outcome in pipelined(jobs, in_flight=4))
    assert values == list(range(40))
    assert 1 < tracker.peak <= 4
    assert not tracker.overlap
    for lane, order in tracker.order.items():
        assert order == sorted(order), lane


def test_pipelined_reports_errors_as_outcomes_and_refuses_zero_in_flight() -> None:
    def boom() -> int:
        raise RuntimeError("boom")

    outcomes = list(pipelined([Job("a", boom), Job("b", lambda: 2)], in_flight=2))
    assert sorted(str(o.error) if o.error else str(o.value) for o in outcomes) == ["2", "boom"]
    with pytest.raises(ValueError, match="in_flight"):
        list(pipelined([], in_flight=0))


class Ledger:
    """Create-if-absent records by key, like the contracts; thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.records: dict[str, tuple[str, str]] = {}  # key -> (payload, tx_id)
        self.batches: list[list[int]] = []
        self.refuse: dict[str, str] = {}  # key -> contract code
        self.mvcc: dict[str, int] = {}  # key -> conflicts left
        self.down_after: int | None = None

    def submit(self, rows: Sequence[Row]) -> list[RowResult]:
        with self.lock:
            self.batches.append([row.number for row in rows])
            if self.down_after is not None and len(self.batches) > self.down_after:
                raise EndorseError("unavailable", code="UNAVAILABLE")
            for index, row in enumerate(rows):
                self._check(index, row)
            tx_id = f"tx{len(self.batches)}"
            results = []
            for row in rows:
                payload = str(row.document)
                stored = self.records.setdefault(row.key, (payload, tx_id))
                status = "ok" if stored[1] == tx_id else "duplicate"
                results.append(RowResult(row.number, row.key, status, stored[1]))
            return results

    def _check(self, index: int, row: Row) -> None:
        if self.mvcc.get(row.key, 0) > 0:
            self.mvcc[row.key] -= 1
            raise CommitError(
                "conflict", transaction_id="t", code=11, code_name="MVCC_READ_CONFLICT"
            )
        code = self.refuse.get(row.key)
        stored = self.records.get(row.key)
        if stored is not None and stored[0] != str(row.document):
            code = "DUPLICATE_INVOICE"
        if code:
            detail = ErrorDetail(
                "peer0", "OrgMSP", f"chaincode response 500, {code}: rows[{index}]: no"
            )
            raise EndorseError("failed to endorse", code="ABORTED", details=[detail])


def _rows(count: int, lanes: int = 3) -> list[Row]:
    return [Row(n, f"k{n}", {"n": n}, f"lane{n % lanes}") for n in range(1, count + 1)]


def test_refusal_of_reads_rows_conflicts_and_transient_failures() -> None:
    detail = ErrorDetail("p", "M", "chaincode response 500, REPLAY: readings[7]: counter 3")
    refusal = refusal_of(EndorseError("x", code="ABORTED", details=[detail]))
    assert refusal == Refusal("REPLAY", "REPLAY: readings[7]: counter 3", row=7)
    duplicate = ErrorDetail("p", "M", "chaincode response 500, DUPLICATE_READING: no")
    conflict = refusal_of(EndorseError("x", code="ABORTED", details=[duplicate]))
    assert conflict is not None and conflict.status == "conflict"
    mismatch = EndorseError("ProposalResponsePayloads do not match", code="ABORTED")
    assert refusal_of(mismatch) == Refusal(
        "ENDORSEMENT_MISMATCH",
        "ProposalResponsePayloads do not match",
        retry=True,
        stop_when_exhausted=True,
    )
    assert refusal_of(EndorseError("down", code="UNAVAILABLE")) is None
    assert refusal_of(OSError("disk")) is None
    assert refused_row("invoices[12]: text") == 12 and refused_row("no index") is None


def test_a_named_row_is_reported_and_its_batch_retried_without_it(tmp_path: Path) -> None:
    ledger, journal = Ledger(), Journal(tmp_path / "j.jsonl")
    ledger.refuse = {"k4": "TOTALS_MISMATCH", "k7": "QUOTA_EXCEEDED"}
    results = import_rows(_rows(9, lanes=1), journal, ledger.submit, in_flight=3, batch_size=9)
    assert [r.status for r in results] == ["ok"] * 3 + ["error"] + ["ok"] * 2 + ["error"] + [
        "ok"
    ] * 2
    assert "TOTALS_MISMATCH" in results[3].message
    assert ledger.batches[0] == list(range(1, 10))
    assert len(ledger.batches) == 3
    assert sorted(journal.done) == sorted(f"k{n}" for n in (1, 2, 3, 5, 6, 8, 9))


def test_transient_conflicts_are_retried_within_a_bound(tmp_path: Path) -> None:
    ledger, journal = Ledger(), Journal(tmp_path / "j.jsonl")
    ledger.mvcc = {"k1": 1, "k2": 9}
    results = import_rows(_rows(3, lanes=3), journal, ledger.submit, in_flight=3, retries=3)
    assert [r.status for r in results] == ["ok", "error", "ok"]
    assert "MVCC_READ_CONFLICT" in results[1].message
    assert [batch for batch in ledger.batches if batch == [2]] == [[2]] * 4


def test_a_conflicting_payload_is_an_error_and_not_journaled(tmp_path: Path) -> None:
    ledger, journal = Ledger(), Journal(tmp_path / "j.jsonl")
    ledger.records["k2"] = ("something else", "tx0")
    results = import_rows(_rows(3), journal, ledger.submit, in_flight=2, batch_size=1)
    assert [r.status for r in results] == ["ok", "conflict", "ok"]
    assert "k2" not in journal.done


@pytest.mark.parametrize(("in_flight", "batch_size"), [(1, 1), (8, 1), (8, 4), (32, 2)])
def test_network_loss_then_resume_stores_every_row_exactly_once(
    tmp_path: Path, in_flight: int, batch_size: int
) -> None:
    ledger, path = Ledger(), tmp_path / "j.jsonl"
    ledger.down_after = 5
    rows = _rows(60, lanes=7)
    with pytest.raises(EndorseError):
        import_rows(rows, Journal(path), ledger.submit, in_flight=in_flight, batch_size=batch_size)
    journal = Journal(path)
    assert 0 < len(journal.done) < 60
    assert all(ledger.records[key][1] == entry["tx_id"] for key, entry in journal.done.items())
    ledger.down_after = None
    results = import_rows(rows, journal, ledger.submit, in_flight=in_flight, batch_size=batch_size)
    assert [r.row for r in results] == list(range(1, 61))
    assert {r.status for r in results} <= {"ok", "duplicate"}
    assert sorted(Journal(path).done) == sorted(row.key for row in rows)
    submitted = [n for batch in ledger.batches for n in batch]
    assert set(submitted) == set(range(1, 61))
    assert len(ledger.records) == 60
    lines = path.read_text().splitlines()
    assert len(lines) == 60  # one journal line per row, none twice
