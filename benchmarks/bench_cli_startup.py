"""CLI start-up and size: ``fabric-pilot --help`` wall time and the CLI package's lines.

Runs ``fabric-pilot --help`` ROUNDS times (default 20) in fresh processes and records the
median and minimum wall time and CPU time (user + system; CPU time is the least disturbed by
other load on a shared machine), plus the lines and files of ``cli/fabric_pilot_cli``.

Run: ``.venv/bin/python benchmarks/bench_cli_startup.py [ROUNDS] [LABEL]``
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _record import record

ROOT = Path(__file__).resolve().parent.parent
CLI_PACKAGE = ROOT / "cli" / "fabric_pilot_cli"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def help_seconds(rounds: int) -> tuple[list[float], list[float]]:
    """Wall and CPU time of ``fabric-pilot --help``, one fresh process per round."""
    command = shutil.which("fabric-pilot", path=str(Path(sys.executable).parent))
    if command is None:
        raise SystemExit("fabric-pilot is not installed next to this Python")
    wall, cpu = [], []
    for _ in range(rounds):
        cpu_before, started = _children_cpu(), time.perf_counter()
        subprocess.run([command, "--help"], check=True, capture_output=True)
        wall.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - cpu_before)
    return wall, cpu


def package_lines() -> tuple[int, int]:
    """Lines and files of the CLI package."""
    files = sorted(CLI_PACKAGE.glob("*.py"))
    return sum(len(path.read_text(encoding="utf-8").splitlines()) for path in files), len(files)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    label = sys.argv[2] if len(sys.argv) > 2 else ""
    wall, cpu = help_seconds(rounds)
    lines, files = package_lines()
    record(
        "cli_startup",
        {
            "label": label,
            "rounds": rounds,
            "help_s_median": round(statistics.median(wall), 3),
            "help_s_min": round(min(wall), 3),
            "help_cpu_s_median": round(statistics.median(cpu), 3),
            "help_cpu_s_min": round(min(cpu), 3),
            "cli_lines": lines,
            "cli_files": files,
        },
    )


if __name__ == "__main__":
    main()
