"""Pipelined bulk submission with a crash-safe journal: exactly once, many in flight.

The engine behind ``invoice import`` and ``meter import``, usable by any application:

- :func:`pipelined` runs callables with at most N in flight (worker threads: each one
  endorses, submits and waits for its commit status while the others do the same). Jobs share
  a *lane* when they touch the same keys (one meter's readings, one seller's monthly totals):
  a lane's jobs run one after another in the order given; different lanes run in parallel.
- :func:`import_rows` splits rows into per-lane batches of up to ``batch_size`` rows, submits
  them through :func:`pipelined`, retries transient failures (MVCC conflicts, endorsement
  mismatches) within a bound, drops a row the contract names as refused
  (``CODE: rows[i]: text``) and retries the rest of its batch without it, and appends every
  final row (``ok`` or ``duplicate``) to a :class:`Journal` from the calling thread only.

Exactly once: a row is journaled only after its transaction committed (or the ledger already
held the identical record). A re-run skips journaled rows and submits the rest again; a row
whose transaction committed but whose journal line was lost (crash, kill) is answered by the
contract with the stored record (create-if-absent on its natural key, byte-identical payload),
so it is reported ``duplicate`` and stored once. A row whose key holds a *different* payload
is a ``conflict``: an error, never journaled.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import deque
from collections.abc import Callable, Generator, Hashable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from .errors import ChaincodeRejectedError, CommitError, GatewayError

__all__ = [
    "FINAL",
    "RETRY_CODES",
    "Classifier",
    "Job",
    "Journal",
    "Outcome",
    "Refusal",
    "Row",
    "RowResult",
    "SubmitRows",
    "import_rows",
    "pipelined",
    "refusal_of",
    "refused_row",
]

T = TypeVar("T")

FINAL = ("ok", "duplicate")
"""Row statuses that are final: journaled, and skipped on a re-run."""

RETRY_CODES = ("MVCC_READ_CONFLICT", "PHANTOM_READ_CONFLICT", "ENDORSEMENT_MISMATCH")
"""Transient failures: the same rows are submitted again (at most ``retries`` times)."""

_MISMATCH = "ProposalResponsePayloads do not match"
_ROW = re.compile(r"^[A-Za-z_]+\[(\d+)\]: ")


# --- the pipeline ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Job(Generic[T]):
    """One unit of work: ``call`` runs in a worker thread after the lane's earlier jobs."""

    lane: Hashable
    call: Callable[[], T]


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a job returned, or the exception it raised."""

    job: Job[T]
    value: T | None = None
    error: BaseException | None = None


class _Lanes(Generic[T]):
    """Jobs queued per lane; a lane with a job running is busy."""

    def __init__(self, jobs: Iterable[Job[T]]) -> None:
        self._queues: dict[Hashable, deque[Job[T]]] = {}
        for job in jobs:
            self._queues.setdefault(job.lane, deque()).append(job)
        self._ready: deque[Hashable] = deque(self._queues)

    def take(self) -> Job[T] | None:
        """The next job of the next idle lane (round robin), or None."""
        if not self._ready:
            return None
        lane = self._ready.popleft()
        return self._queues[lane].popleft()

    def release(self, lane: Hashable) -> None:
        """A lane's job finished: its next job may start."""
        if self._queues[lane]:
            self._ready.append(lane)


def pipelined(jobs: Iterable[Job[T]], in_flight: int) -> Generator[Outcome[T], None, None]:
    """Run ``jobs`` with at most ``in_flight`` at once; yield outcomes as they complete.

    Jobs of one lane run in the given order, one at a time. Closing the iterator early (or an
    exception in the consumer) cancels the jobs not started and waits for the running ones.

    Raises:
        ValueError: ``in_flight`` below 1.
    """
    if in_flight < 1:
        raise ValueError(f"in_flight must be at least 1, not {in_flight}")
    lanes = _Lanes(jobs)
    running: dict[Future[T], Job[T]] = {}
    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="pipelined") as pool:
        try:
            while True:
                while len(running) < in_flight and (job := lanes.take()) is not None:
                    running[pool.submit(job.call)] = job
                if not running:
                    return
                done, _pending = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    lanes.release(job.lane)
                    error = future.exception()
                    if error is None:
                        yield Outcome(job, value=future.result())
                    else:
                        yield Outcome(job, error=error)
        finally:
            for future in running:
                future.cancel()


# --- rows, results, journal --------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One input record: 1-based row number, natural key, JSON document, ordering lane.

    Rows sharing a ``lane`` are submitted in input order, one batch at a time (their
    transactions read what the earlier ones wrote); ``""`` gives each row a lane of its own.
    """

    number: int
    key: str
    document: dict[str, Any]
    lane: str = ""


@dataclass(frozen=True)
class RowResult:
    """What happened to one row: ``ok``, ``duplicate``, ``conflict`` or ``error``."""

    row: int
    key: str
    status: str
    tx_id: str = ""
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


class Journal:
    """Append-only JSON-lines record of rows whose outcome is final (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        self._torn = bool(text) and not text.endswith("\n")
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
        text = "".join(json.dumps(result.to_json(), sort_keys=True) + "\n" for result in results)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
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


# --- failures ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Refusal:
    """Why a submission of rows failed while the network itself works.

    Attributes:
        code: The contract's code (``DUPLICATE_INVOICE``, ``REPLAY``...) or the validation
            code (``MVCC_READ_CONFLICT``).
        message: One line for the report.
        retry: Transient: submit the same rows again.
        row: Index, within the submitted rows, of the row the contract named, if any.
        stop_when_exhausted: Once the retries are used up, stop the import (the network is
            not in a state to take the rows) instead of reporting the rows as errors.
    """

    code: str
    message: str
    retry: bool = False
    row: int | None = None
    stop_when_exhausted: bool = False

    @property
    def status(self) -> str:
        """``conflict`` when the key holds a different payload, else ``error``."""
        return "conflict" if self.code.startswith("DUPLICATE_") else "error"


Classifier = Callable[[BaseException], "Refusal | None"]
"""Maps a submit's exception to a :class:`Refusal`, or None when the import must stop."""


def refused_row(message: str) -> int | None:
    """The batch row index a contract names (``rows[i]: text``), or None."""
    found = _ROW.match(message)
    return int(found.group(1)) if found else None


def _is_mismatch(error: GatewayError) -> bool:
    if type(error).__name__ == "EndorsementMismatchError":
        return True
    return _MISMATCH in error.message or any(_MISMATCH in d.message for d in error.details)


def refusal_of(error: BaseException) -> Refusal | None:
    """The default :data:`Classifier` for this SDK's errors.

    ``CommitError`` with an MVCC/phantom conflict and the Gateway's "ProposalResponsePayloads
    do not match" (``EndorsementMismatchError``: an endorsing peer a block behind) are
    transient (a mismatch that persists stops the import: the peers are not in step); a
    chaincode's ``CODE: text`` is a refusal of the rows; anything else (network down...) is
    None.
    """
    if isinstance(error, CommitError):
        code = error.code_name
        return Refusal(code, f"invalid at commit: {code}", retry=code in RETRY_CODES)
    if not isinstance(error, GatewayError):
        return None
    if _is_mismatch(error):
        return Refusal("ENDORSEMENT_MISMATCH", _MISMATCH, retry=True, stop_when_exhausted=True)
    from .sectors._errors import rejection_from  # here: importing bulk loads no protobuf

    rejection = error if isinstance(error, ChaincodeRejectedError) else rejection_from(error)
    if rejection is None:
        return None
    code, message = rejection.rejection_code, str(rejection.message)
    return Refusal(code, f"{code}: {message}", row=refused_row(message))


SubmitRows = Callable[[Sequence[Row]], list[RowResult]]
"""Submits rows as one transaction (one row, or a batch) and returns one result per row."""


def _failed_rows(rows: list[Row], refusal: Refusal) -> list[Row]:
    """The row the contract named, or every row when it named none (or just one was sent)."""
    named = refusal.row
    if named is None or len(rows) == 1 or not 0 <= named < len(rows):
        return rows
    return [rows[named]]


def _settle(
    rows: Sequence[Row], submit: SubmitRows, classify: Classifier, retries: int
) -> list[RowResult]:
    """Submit ``rows`` until each has a result: transient failures are retried up to
    ``retries`` times; a row the contract names is reported and the rest go again."""
    results: list[RowResult] = []
    remaining = list(rows)
    attempts = 0
    while remaining:
        try:
            return results + submit(remaining)
        except Exception as exc:
            refusal = classify(exc)
            if refusal is None:
                raise
            if refusal.retry and attempts < retries:
                attempts += 1
                continue
            if refusal.stop_when_exhausted:
                raise
            failed = _failed_rows(remaining, refusal)
            results += [
                RowResult(row.number, row.key, refusal.status, "", refusal.message)
                for row in failed
            ]
            gone = {row.number for row in failed}
            remaining = [row for row in remaining if row.number not in gone]
    return results


def _batches(rows: Sequence[Row], batch_size: int) -> list[tuple[str, list[Row]]]:
    """Per lane, consecutive batches of at most ``batch_size`` rows (input order kept)."""
    lanes: dict[str, list[Row]] = {}
    for row in rows:
        lanes.setdefault(row.lane or f"\0{row.number}", []).append(row)
    return [
        (lane, members[start : start + batch_size])
        for lane, members in lanes.items()
        for start in range(0, len(members), batch_size)
    ]


def import_rows(
    rows: Iterable[Row],
    journal: Journal,
    submit: SubmitRows,
    *,
    report: Callable[[RowResult], None] = lambda result: None,
    in_flight: int = 1,
    batch_size: int = 1,
    classify: Classifier = refusal_of,
    retries: int = 3,
) -> list[RowResult]:
    """Submit every row not yet in ``journal``; return one result per row, in input order.

    Rows already journaled are reported first (``already done (journal)``); the others are
    reported as their batches complete. Final results are journaled (and fsynced) before they
    are reported.

    Raises:
        Exception: whatever a submit raised that ``classify`` maps to None (the network is
            gone), once the batches already running have finished: rows that completed are
            journaled, the rest are left for a re-run.
    """
    by_number: dict[int, RowResult] = {}
    pending: list[Row] = []
    every = list(rows)
    for row in every:
        entry = journal.done.get(row.key)
        if entry is None:
            pending.append(row)
            continue
        status, tx_id = str(entry["status"]), str(entry.get("tx_id", ""))
        by_number[row.number] = RowResult(
            row.number, row.key, status, tx_id, "already done (journal)"
        )
        report(by_number[row.number])
    stop = threading.Event()
    jobs = [
        Job(lane, _settler(batch, submit, classify, retries, stop))
        for lane, batch in _batches(pending, batch_size)
    ]
    fatal: BaseException | None = None
    outcomes = pipelined(jobs, in_flight)
    try:
        for outcome in outcomes:
            if outcome.error is not None:
                # stop starting batches, but keep the results of those still running
                stop.set()
                if fatal is None and not isinstance(outcome.error, _SkippedError):
                    fatal = outcome.error
                continue
            results = outcome.value or []
            journal.record_many([result for result in results if result.status in FINAL])
            for result in results:
                by_number[result.row] = result
                report(result)
    finally:
        outcomes.close()
    if fatal is not None:
        raise fatal
    return [by_number[row.number] for row in every if row.number in by_number]


class _SkippedError(Exception):
    """A batch not started because the import is stopping."""


def _settler(
    rows: list[Row],
    submit: SubmitRows,
    classify: Classifier,
    retries: int,
    stop: threading.Event,
) -> Callable[[], list[RowResult]]:
    def settle() -> list[RowResult]:
        if stop.is_set():
            raise _SkippedError
        return _settle(rows, submit, classify, retries)

    return settle
