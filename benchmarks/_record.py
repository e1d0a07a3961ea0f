"""Shared by the benchmarks: print a figure set and append it to benchmarks/results/NAME.jsonl."""

from __future__ import annotations

import datetime
import json
import platform
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def record(name: str, figures: dict[str, Any]) -> None:
    """Print ``figures`` as one JSON line and append it, stamped, to the results file."""
    entry = {
        "benchmark": name,
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.python_version()}",
        **figures,
    }
    line = json.dumps(entry, sort_keys=True)
    print(line)
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / f"{name}.jsonl").open("a", encoding="utf-8") as results:
        results.write(line + "\n")
