"""Fault figures: runs the fault-injection suite (``tests/faults``) and records, per fault,
transactions acknowledged, lost, applied twice, in doubt, and the time to recover, one JSON line
each in ``benchmarks/results/faults.jsonl``.

The suite asserts lost = duplicated = 0 itself; this script only collects what it measured
(the suite writes its figures to the file named by ``FABRIC_PILOT_FAULTS_RESULTS``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _record import record

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Run the suite once; record every fault's figures; exit with pytest's code."""
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as scratch:
        results = Path(scratch) / "faults.jsonl"
        env = {**os.environ, "FABRIC_PILOT_FAULTS_RESULTS": str(results)}
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/faults", "-q", "-p", "no:cacheprovider"],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        suite_seconds = round(time.monotonic() - started, 1)
        lines = results.read_text(encoding="utf-8").splitlines() if results.exists() else []
        for line in lines:
            record("faults", {**json.loads(line), "suite_seconds": suite_seconds})
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
