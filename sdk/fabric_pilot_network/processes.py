"""Native processes: started detached in their own session, tracked by PID, stopped by group.

Every process is the leader of a new session and process group (``setsid``), so whatever it
starts (a keeper's chaincode server) shares its group. Stopping signals the whole group, so
a child whose keeper was killed is stopped too. Process facts come from psutil, which works on
Linux and macOS alike.

A PID is only ever signalled after checking that it is still the process this network started
(same creation time), so a recycled PID is never touched. A group whose leader is gone is still
ours while any member lives: the kernel does not hand out a PID that is in use as a process
group ID.
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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from .file_modes import private_umask

__all__ = [
    "GroupTable",
    "ProcessRecord",
    "children",
    "cpu_seconds",
    "descendants",
    "failure_summary",
    "group_members",
    "group_table",
    "is_healthy",
    "is_running",
    "port_holder",
    "resident_bytes",
    "serving_on",
    "signal_groups",
    "spawn",
    "stop",
    "stop_groups",
    "stop_in_phases",
    "tail",
    "wait_gone",
    "wait_healthy",
    "wait_listening",
]

# psutil derives Linux creation times from clock ticks (10 ms), so equal means within that.
_SAME_START = 0.005


@dataclass(frozen=True)
class ProcessRecord:
    """A process this network started: enough to find, check and stop it later."""

    name: str
    pid: int
    create_time: float
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
            _create_time(data),
            tuple(data["argv"]),
            str(data["log_file"]),
        )


def _create_time(data: Mapping[str, Any]) -> float:
    """``create_time``, or the ``start_ticks`` (clock ticks after boot) older versions recorded."""
    if "create_time" in data:
        return float(data["create_time"])
    # the formula psutil itself uses on Linux, so the value compares equal to its create_time()
    return psutil.boot_time() + int(data["start_ticks"]) / os.sysconf("SC_CLK_TCK")


def _process(pid: int) -> psutil.Process | None:
    try:
        return psutil.Process(pid)
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return None


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) of process ``pid``; 0.0 once it is gone."""
    process = _process(pid)
    if process is None:
        return 0.0
    try:
        times = process.cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0
    return float(times.user + times.system)


def resident_bytes(pid: int) -> int:
    """Resident memory of process ``pid`` in bytes; 0 once it is gone."""
    process = _process(pid)
    if process is None:
        return 0
    try:
        return int(process.memory_info().rss)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0


def children(pid: int) -> list[int]:
    """PIDs of the live children of ``pid``."""
    return _child_pids(pid, recursive=False)


def descendants(pid: int) -> list[int]:
    """PIDs of every live descendant of ``pid`` (children, their children, ...)."""
    return _child_pids(pid, recursive=True)


def _child_pids(pid: int, recursive: bool) -> list[int]:
    process = _process(pid)
    if process is None:
        return []
    try:
        return [child.pid for child in process.children(recursive=recursive)]
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def _leader(record: ProcessRecord) -> psutil.Process | None:
    """The recorded process when it is alive and still the same process."""
    _reap(record.pid)
    process = _process(record.pid)
    if process is None or not _alive(process):
        return None
    try:
        same = abs(process.create_time() - record.create_time) < _SAME_START
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return process if same else None


def is_running(record: ProcessRecord) -> bool:
    """Whether the recorded process is alive (not a zombie) and is still the same process."""
    return _leader(record) is not None


def _in_group(process: psutil.Process, group: int) -> bool:
    try:
        return os.getpgid(process.pid) == group and _alive(process)
    except OSError:
        return False


GroupTable = dict[int, list[psutil.Process]]


def group_table() -> GroupTable:
    """Every live process by its process group ID: one scan of the process table."""
    table: GroupTable = {}
    for process in psutil.process_iter():
        try:
            group = os.getpgid(process.pid)
        except OSError:
            continue
        table.setdefault(group, []).append(process)
    return table


def group_members(record: ProcessRecord, table: GroupTable | None = None) -> list[psutil.Process]:
    """The live processes of the record's process group (the leader first, when alive).

    Nothing is returned when another process now has the PID. ``table`` (from
    :func:`group_table`) saves a scan of the process table when asking about many records.
    """
    leader = _leader(record)
    if leader is None and psutil.pid_exists(record.pid):
        other = _process(record.pid)  # a zombie of ours, or the PID now belongs to another
        if other is None or _alive(other):
            return []
    members = (group_table() if table is None else table).get(record.pid, [])
    live = [process for process in members if process.pid != record.pid and _alive(process)]
    return [leader, *live] if leader is not None else live


def signal_groups(
    records: Iterable[ProcessRecord], signum: int, table: GroupTable | None = None
) -> list[psutil.Process]:
    """Send ``signum`` to the process group of each record that still has live members.

    Returns:
        Every process that was signalled, to wait for with :func:`wait_gone`.
    """
    table = group_table() if table is None else table
    signalled: list[psutil.Process] = []
    for record in records:
        members = group_members(record, table)
        if not members:
            continue
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(record.pid, signum)
            signalled += members
    return signalled


def wait_gone(processes: Sequence[psutil.Process], timeout: float) -> list[psutil.Process]:
    """Wait up to ``timeout`` seconds for ``processes`` to exit (reaping children of ours).

    Returns:
        The processes still alive.
    """
    if not processes:
        return []
    _gone, alive = psutil.wait_procs(list(processes), timeout=timeout)
    return [process for process in alive if _alive(process)]


def stop_groups(records: Sequence[ProcessRecord], grace: float = 10.0) -> list[ProcessRecord]:
    """SIGTERM the groups of ``records`` at once; SIGKILL what is left after ``grace`` seconds.

    Returns:
        The records whose group had live processes (and is now stopped).
    """
    return stop_in_phases([records], grace)


def stop_in_phases(
    phases: Sequence[Sequence[ProcessRecord]], grace: float = 10.0
) -> list[ProcessRecord]:
    """Stop groups phase by phase: each phase is signalled at once, as soon as the processes of
    the phases before it are gone. What is alive ``grace`` seconds after the start is killed.

    Returns:
        The records whose group had live processes (and is now stopped).
    """
    deadline = time.monotonic() + grace
    table = group_table()
    stopped: list[ProcessRecord] = []
    pending: list[psutil.Process] = []
    for phase in phases:
        live = [record for record in phase if group_members(record, table)]
        pending = wait_gone(pending, max(0.0, deadline - time.monotonic()))
        pending += signal_groups(live, signal.SIGTERM, table)
        stopped += live
    survivors = wait_gone(pending, max(0.0, deadline - time.monotonic()))
    for process in survivors:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            process.kill()
    wait_gone(survivors, 5.0)
    return stopped


def stop(record: ProcessRecord, grace: float = 10.0) -> bool:
    """Stop the recorded process and its group: SIGTERM, then SIGKILL after ``grace`` seconds.

    Returns:
        True if this call stopped something; False if nothing of it was running (or the PID
        was reused by another process).
    """
    return bool(stop_groups([record], grace))


def spawn(name: str, argv: Sequence[str], env: Mapping[str, str], log_file: Path) -> ProcessRecord:
    """Start ``argv`` in a new session with output appended to ``log_file``."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log_fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        with private_umask():  # the process writes keys and chaincode builds: keep them private
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
    return ProcessRecord(name, pid, psutil.Process(pid).create_time(), tuple(argv), str(log_file))


def is_healthy(url: str, ca_file: Path, timeout: float = 2.0) -> bool:
    """Whether ``url`` (an operations ``/healthz``) answers 200 over TLS right now."""
    context = ssl.create_default_context(cafile=str(ca_file))
    with (
        contextlib.suppress(OSError),
        urllib.request.urlopen(url, context=context, timeout=timeout) as response,
    ):
        return bool(response.status == 200)
    return False


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


def serving_on(record: ProcessRecord, port: int) -> bool:
    """Whether a process of the record's group listens on TCP ``port``."""
    for member in group_members(record):
        try:
            connections = member.net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if any(_listens(connection, port) for connection in connections):
            return True
    return False


def _listens(connection: Any, port: int) -> bool:
    address = connection.laddr
    return bool(connection.status == psutil.CONN_LISTEN and address and address.port == port)


def port_holder(port: int) -> str:
    """``pid N (command)`` of the process listening on TCP ``port``; "" when none is seen.

    Only processes this user may inspect are seen (all of them as root).
    """
    try:
        connections = psutil.net_connections(kind="tcp")
    except psutil.AccessDenied:
        return ""
    for connection in connections:
        if _listens(connection, port):
            if connection.pid is None:
                return "another process"
            process = _process(connection.pid)
            try:
                command = " ".join(process.cmdline()[:4]) if process else "?"
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                command = "?"
            return f"pid {connection.pid} ({command})"
    return ""
