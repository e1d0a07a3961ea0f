"""CLI figures: start-up time (``fabric-pilot --help``), one ``tx evaluate`` against a running
network, and bulk-import rows per second for 10,000 signed meter readings on the pilot topology
(``meter import --sign-with KEY``, batches of ``record_readings``)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _record import record

from fabric_pilot_network.ports import free_base_port
from fabric_pilot_network.topology import load_topology

READINGS = 10_000
BATCH = 100
QUARTER = 900
STARTS = 10


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``fabric-pilot ARGS``; raise with its stderr when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "fabric_pilot_cli", *args],
        env=env, capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"fabric-pilot {' '.join(args[:3])}: {done.stderr.strip()[-400:]}")
    return done


def median_seconds(env: dict[str, str], *args: str) -> float:
    """Median wall time of ``STARTS`` runs of a CLI command."""
    times = []
    for _ in range(STARTS):
        started = time.perf_counter()
        cli(env, *args)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 3)


def write_readings(folder: Path, meter_id: str, count: int) -> Path:
    """``count`` consecutive quarter-hour readings ending an hour ago, as CSV."""
    first = int(time.time()) // QUARTER * QUARTER - (count + 4) * QUARTER
    lines = ["meter_id,interval_start,interval_end,import_wh,export_wh,counter"]
    for index in range(count):
        start = first + index * QUARTER
        lines.append(f"{meter_id},{start},{start + QUARTER},0,{(index + 1) * 2500},{index + 1}")
    path = folder / "readings.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def meter_document(folder: Path, meter_id: str) -> tuple[Path, Path]:
    """A meter registration file and its device key file."""
    key = ec.generate_private_key(ec.SECP256R1())
    key_file = folder / "device.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    meter = {
        "meter_id": meter_id,
        "owner_msp": "GeneratorMSP",
        "kind": "generation",
        "technology": "wind",
        "grid_node": "SZ-220kV-01",
        "capacity_w": 50_000_000,
        "calibration_expiry": int(time.time()) + 365 * 86400,
        "public_key_pem": public.decode(),
    }
    meter_file = folder / "meter.json"
    meter_file.write_text(json.dumps(meter), encoding="utf-8")
    return meter_file, key_file


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "FABRIC_PILOT_CONFIG": str(folder / "config.yaml")}
        env["FABRIC_PILOT_DIR"] = str(folder / "net")
        figures: dict[str, object] = {"help_s_median": median_seconds(env, "--help")}
        base = str(free_base_port(load_topology("pilot")))
        cli(env, "network", "up", "--topology", "pilot", "--base-port", base)
        try:
            cli(env, "chaincode", "deploy", "energy_metering")
            operator = ("--as", "GridOperator/Operator1")
            meter_file, key_file = meter_document(folder, "BENCH-WIND-1")
            cli(env, *operator, "meter", "register", str(meter_file))
            figures["tx_evaluate_s_median"] = median_seconds(
                env, *operator, "tx", "evaluate", "energy_metering", "get_meter", "BENCH-WIND-1"
            )
            readings = write_readings(folder, "BENCH-WIND-1", READINGS)
            started = time.perf_counter()
            cli(env, *operator, "meter", "import", str(readings), "--sign-with", str(key_file),
                "--batch-size", str(BATCH), "-o", "json")  # fmt: skip
            seconds = time.perf_counter() - started
        finally:
            cli(env, "network", "down")
    figures.update(
        {
            "import_readings": READINGS,
            "import_batch_size": BATCH,
            "import_seconds": round(seconds, 1),
            "import_rows_per_s": round(READINGS / seconds, 1),
        }
    )
    record("cli", figures)


if __name__ == "__main__":
    main()
