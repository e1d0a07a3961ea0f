"""Native processes: started detached in their own session, tracked by PID, stopped by PID.

A PID is only ever signalled after checking that it is still the process this network started
(same start time in /proc), so a recycled PID is never touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import ssl
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ProcessRecord",
    "children",
    "cpu_seconds",
    "descendants",
    "failure_summary",
    "is_running",
    "spawn",
    "stop",
    "tail",
    "wait_healthy",
    "wait_listening",
]


@dataclass(frozen=True)
class ProcessRecord:
    """A process this network started: enough to find, check and stop it later."""

    name: str
    pid: int
    start_ticks: int
    argv: tuple[str, ...]
    log_file: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProcessRecord:
        """Rebuild from :meth:`to_json` output."""
        return cls(
            str(data["name"]),
            int(data["pid"]),
            int(data["start_ticks"]),
            tuple(data["argv"]),
            str(data["log_file"]),
        )


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) of process ``pid``; 0.0 once it is gone."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS if fields else 0.0


def _process_tree() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        fields = _stat_fields(int(entry.name)) if entry.name.isdigit() else None
        if fields is not None:
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def children(pid: int) -> list[int]:
    """PIDs of the live children of ``pid``."""
    return _process_tree().get(pid, [])


def descendants(pid: int) -> list[int]:
    """PIDs of every live descendant of ``pid`` (children, their children, ...)."""
    tree = _process_tree()
    found, pending = [], list(tree.get(pid, []))
    while pending:
        child = pending.pop()
        found.append(child)
        pending += tree.get(child, [])
    return found


def _start_ticks(pid: int) -> int:
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else -1


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def is_running(record: ProcessRecord) -> bool:
    """Whether the recorded process is alive (not a zombie) and is still the same process."""
    _reap(record.pid)
    fields = _stat_fields(record.pid)
    if fields is None or fields[0] in ("Z", "X"):
        return False
    return int(fields[19]) == record.start_ticks


def spawn(name: str, argv: Sequence[str], env: Mapping[str, str], log_file: Path) -> ProcessRecord:
    """Start ``argv`` in a new session with output appended to ``log_file``."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        pid = os.posix_spawn(
            argv[0],
            list(argv),
            dict(env),
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, log_fd, 1),
                (os.POSIX_SPAWN_DUP2, log_fd, 2),
            ],
            setsid=True,
        )
    finally:
        os.close(log_fd)
    return ProcessRecord(name, pid, _start_ticks(pid), tuple(argv), str(log_file))


def stop(record: ProcessRecord, grace: float = 10.0) -> bool:
    """Stop the recorded process: SIGTERM, then SIGKILL after ``grace`` seconds.

    Returns:
        True if this call stopped it; False if it was not running (or the PID was reused).
    """
    if not is_running(record):
        return False
    os.kill(record.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not is_running(record):
            return True
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(record.pid, signal.SIGKILL)
    while is_running(record):
        time.sleep(0.05)
    return True


def wait_healthy(record: ProcessRecord, url: str, ca_file: Path, timeout: float = 30.0) -> None:
    """Poll ``url`` (an operations ``/healthz``) over TLS until it answers 200.

    Raises:
        RuntimeError: the process died or the endpoint did not turn healthy in time; the
            message ends with the last lines of the process log.
    """
    context = ssl.create_default_context(cafile=str(ca_file))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(record):
            raise RuntimeError(f"{record.name} exited during start-up:\n{failure_summary(record)}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url, context=context, timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(
        f"{record.name} not healthy after {timeout:.0f}s:\n{failure_summary(record)}"
    )


_FAILURE = re.compile(r"\b(PANI|FATA|ERRO)\b|^panic: ")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def failure_summary(record: ProcessRecord, lines: int = 8) -> str:
    """The node's last fatal or error log lines (colour codes removed), else its log tail.

    A crashing Go node ends its log with a stack trace; the reason is the PANI/FATA line above.
    """
    try:
        text = _ANSI.sub("", Path(record.log_file).read_text(errors="replace"))
    except OSError:
        return "(no log)"
    failures = [line for line in text.splitlines() if _FAILURE.search(line)]
    return "\n".join(failures[-3:]) if failures else tail(record, lines)


def tail(record: ProcessRecord, lines: int = 20) -> str:
    """The last ``lines`` lines of the process log."""
    try:
        text = Path(record.log_file).read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def wait_listening(record: ProcessRecord, port: int, timeout: float = 30.0) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:``port``.

    Raises:
        RuntimeError: the process died or the port did not open in time.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(record):
            raise RuntimeError(f"{record.name} exited during start-up:\n{failure_summary(record)}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{record.name} not listening on {port} after {timeout:.0f}s")
