"""Process helpers on real child processes: children, descendants, CPU time."""

from __future__ import annotations

import os
import subprocess
import sys

from fabric_pilot_network.processes import children, cpu_seconds, descendants

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
