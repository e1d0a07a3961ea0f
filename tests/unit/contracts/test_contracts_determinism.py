"""The same scenario yields byte-identical ledgers under different hash seeds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def _dump(seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    result = subprocess.run(
        [sys.executable, str(HERE / "determinism_dump.py")],
        capture_output=True,
        check=True,
        cwd=HERE,
        env=env,
        text=True,
        timeout=300,
    )
    return result.stdout


def test_ledger_bytes_do_not_depend_on_hash_seed() -> None:
    first = _dump("1")
    second = _dump("4242")
    assert first.count("\n") > 20
    for chaincode in ("tax_invoice", "energy_metering", "court_evidence"):
        assert f"{chaincode} event" in first
    assert first == second
