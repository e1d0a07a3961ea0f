"""Process helpers on real child processes: children, descendants, CPU time, group stop."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from fabric_pilot_network.processes import (
    ProcessRecord,
    children,
    cpu_seconds,
    descendants,
    group_members,
    is_running,
    resident_bytes,
    spawn,
    stop,
    stop_groups,
)

_SPAWN_GRANDCHILD = (
    "import subprocess, sys, time;"
    "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']);"
    "print(p.pid, flush=True); time.sleep(30)"
)


def test_children_and_descendants_follow_the_process_tree() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _SPAWN_GRANDCHILD], stdout=subprocess.PIPE)
    try:
        assert parent.stdout is not None
        grandchild = int(parent.stdout.readline())
        assert parent.pid in children(os.getpid())
        assert grandchild not in children(os.getpid())
        assert children(parent.pid) == [grandchild]
        assert set(descendants(parent.pid)) == {grandchild}
        assert {parent.pid, grandchild} <= set(descendants(os.getpid()))
    finally:
        for pid in descendants(parent.pid):
            os.kill(pid, 9)
        parent.kill()
        parent.wait()
        assert parent.stdout is not None
        parent.stdout.close()


def test_cpu_seconds_grows_with_work_and_is_zero_for_a_gone_process() -> None:
    before = cpu_seconds(os.getpid())
    total = 0
    while cpu_seconds(os.getpid()) - before < 0.05:
        total += sum(range(10_000))
    assert total > 0
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert cpu_seconds(gone.pid) == 0.0


_PARENT_OF_SLEEPER = (
    "import subprocess, sys, time;"
    "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
    "print(p.pid, flush=True); time.sleep(60)"
)


def _spawn_python(tmp_path: Path, name: str, code: str) -> ProcessRecord:
    return spawn(name, [sys.executable, "-c", code], dict(os.environ), tmp_path / f"{name}.log")


def _first_line(record: ProcessRecord, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = Path(record.log_file).read_text()
        if text.endswith("\n"):
            return text.splitlines()[0]
        time.sleep(0.02)
    raise AssertionError(f"{record.name} printed nothing")


def test_stop_reaches_the_child_of_a_killed_parent(tmp_path: Path) -> None:
    """A keeper killed with SIGKILL leaves its server behind; stop ends it by process group."""
    record = _spawn_python(tmp_path, "keeper", _PARENT_OF_SLEEPER)
    child = psutil.Process(int(_first_line(record)))
    try:
        os.kill(record.pid, signal.SIGKILL)
        psutil.wait_procs([psutil.Process(record.pid)], timeout=10)
        assert not is_running(record)
        assert child.is_running()
        assert [member.pid for member in group_members(record)] == [child.pid]
        assert stop(record, grace=5.0) is True
        assert not child.is_running()
        assert group_members(record) == []
        assert stop(record) is False
    finally:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


def test_a_record_of_another_process_with_the_same_pid_is_never_signalled(tmp_path: Path) -> None:
    record = _spawn_python(tmp_path, "sleeper", "import time; time.sleep(60)")
    stale = dataclasses.replace(record, create_time=record.create_time - 100.0)
    try:
        assert is_running(record)
        assert not is_running(stale)
        assert group_members(stale) == []
        assert stop(stale) is False
        assert is_running(record)
    finally:
        stop(record, grace=5.0)
    assert not is_running(record)


def test_stop_groups_signals_all_at_once_and_kills_what_ignores_sigterm(tmp_path: Path) -> None:
    stubborn = _spawn_python(
        tmp_path,
        "stubborn",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        " print('ready', flush=True); time.sleep(60)",
    )
    polite = _spawn_python(tmp_path, "polite", _PARENT_OF_SLEEPER)
    grandchild = int(_first_line(polite))
    assert _first_line(stubborn) == "ready"
    stopped = stop_groups([stubborn, polite], grace=0.5)
    assert sorted(record.name for record in stopped) == ["polite", "stubborn"]
    assert not is_running(stubborn)
    assert not is_running(polite)
    assert not psutil.pid_exists(grandchild) or psutil.Process(grandchild).status() == "zombie"


def test_process_record_round_trips_through_json(tmp_path: Path) -> None:
    record = _spawn_python(tmp_path, "sleeper", "import time; time.sleep(60)")
    try:
        assert ProcessRecord.from_json(record.to_json()) == record
        assert resident_bytes(record.pid) > 0
    finally:
        stop(record, grace=5.0)
    assert resident_bytes(record.pid) == 0


def test_a_record_written_by_an_older_version_still_finds_its_process() -> None:
    """Records from before psutil kept ``start_ticks``; stop/down must still work on them."""
    import os

    import psutil

    from fabric_pilot_network.processes import ProcessRecord, is_running

    me = psutil.Process(os.getpid())
    with open(f"/proc/{os.getpid()}/stat") as stat:
        ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    old = {"name": "me", "pid": os.getpid(), "start_ticks": ticks, "argv": [], "log_file": "x"}
    record = ProcessRecord.from_json(old)
    assert abs(record.create_time - me.create_time()) < 0.05
    assert is_running(record)
