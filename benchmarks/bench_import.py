"""Bulk import throughput through the CLI on the ``pilot`` topology: ``invoice import`` and
``meter import``, one by one (the old behaviour) and pipelined, in the same run.

Brings up ``pilot`` (500 ms batch timeout, 100 transactions per block), deploys the tax and
energy chaincodes, registers a seller and a buyer, and meters with device keys, then runs the
real CLI (``python -m fabric_pilot_cli --dir NET ... import FILE``) as a subprocess:

- ``invoice import`` of one seller's invoices (an import file is usually one seller):
  ``--batch-size 1 --in-flight 1`` (every row waits for its own commit: the behaviour before
  batches and pipelining), then batches of 100 / 250 / 500 (one seller's batches go one after
  another: its monthly totals are one key), then a file of four sellers at 16 in flight;
- ``meter import --sign-with KEYS`` of readings over many meters: ``--batch-size 50
  --in-flight 1`` (batches, no pipelining: the behaviour before), then pipelined.

For each run: rows, seconds (wall, the CLI process from start to exit), rows/s, the CLI's
own rows/s summary line, CPU per row of the CLI process and of the network's processes (and
by kind: chaincode servers, peers, orderers). The machine may be shared with other jobs:
the load average is recorded.

Run: ``FABRIC_PILOT_FABRIC_BIN=... python benchmarks/bench_import.py`` (about 5 minutes).
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fabric_pilot_gateway.bulk import Job, pipelined
from fabric_pilot_gateway.profiles import open_gateway
from fabric_pilot_gateway.sectors import EnergyMetering, TaxInvoices
from fabric_pilot_network.processes import cpu_seconds, descendants

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_sectors import QUARTER, _invoice, _meter, _taxpayer, _uscc  # noqa: E402

CHAINCODES = ("tax_invoice", "energy_metering")
DAY = 86_400
INVOICE_RUNS: list[tuple[str, int, int, int]] = [
    # (name, rows, batch size, in flight), one seller
    ("one_by_one", 40, 1, 1),
    ("batch_100", 2000, 100, 16),
    ("batch_250", 2000, 250, 16),
    ("batch_500", 2000, 500, 16),
]
FOUR_SELLERS = ("four_sellers_batch_100", 4000, 100, 16)
METER_RUNS: list[tuple[str, int, int, int, int]] = [
    # (name, meters, readings per meter, batch size, in flight)
    ("batch_50_one_in_flight", 10, 100, 50, 1),
    ("batch_100_16_in_flight", 20, 500, 100, 16),
    ("batch_250_32_in_flight", 20, 500, 250, 32),
]


def network_cpu(network: Any) -> dict[str, float]:
    """utime+stime of the network's processes by kind: chaincode servers (with their
    keepers), peers, orderers."""
    kinds = {"chaincode": 0.0, "peers": 0.0, "orderers": 0.0}
    for name, record in network.processes.items():
        pid = int(record.pid)
        used = cpu_seconds(pid) + sum(cpu_seconds(child) for child in descendants(pid))
        kind = "peers" if name.startswith("peer") else "orderers"
        kinds["chaincode" if name.startswith("chaincode") else kind] += used
    return kinds


def run_cli(network: Any, folder: Path, identity: str, args: list[str]) -> dict[str, Any]:
    """One CLI import, timed from start to exit, with its CPU and the network's."""
    env = dict(os.environ, XDG_CONFIG_HOME=str(folder / "config"), HOME=str(folder))
    argv = [sys.executable, "-m", "fabric_pilot_cli", "--dir", str(network.directory)]
    argv += ["--as", identity, "--output", "json", *args]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    network_before = network_cpu(network)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    network_after = network_cpu(network)
    by_kind = {kind: network_after[kind] - network_before[kind] for kind in network_after}
    network_used = sum(by_kind.values())
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cli_cpu = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    statuses: dict[str, int] = {}
    for line in lines:
        statuses[line["status"]] = statuses.get(line["status"], 0) + 1
    summary = [line for line in done.stderr.splitlines() if "rows/s" in line]
    rows = len(lines)
    return {
        "exit_code": done.returncode,
        "rows": rows,
        "statuses": statuses,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds, 1),
        "cli_summary": summary[-1] if summary else done.stderr.strip().splitlines()[-1:],
        "cli_cpu_ms_per_row": round(1000 * cli_cpu / max(rows, 1), 3),
        "network_cpu_ms_per_row": round(1000 * network_used / max(rows, 1), 3),
        **{
            f"{kind}_cpu_ms_per_row": round(1000 * used / max(rows, 1), 3)
            for kind, used in by_kind.items()
        },
        "all_cpu_ms_per_row": round(1000 * (cli_cpu + network_used) / max(rows, 1), 3),
    }


class Bench:
    def __init__(self, network: Any, stack: ExitStack, folder: Path) -> None:
        self.network = network
        self.stack = stack
        self.folder = folder

    def client(self, org: str, user: str, channel: str, chaincode: str) -> Any:
        profile = self.network.directory / "profiles" / f"{org}.json"
        gateway = self.stack.enter_context(open_gateway(profile, user))
        return gateway.get_network(channel).get_contract(chaincode)

    def invoices(self) -> dict[str, Any]:
        officer = TaxInvoices(self.client("TaxBureau", "Officer1", "tax", "tax_invoice"))
        buyer = _uscc()
        officer.register_taxpayer(taxpayer=_taxpayer(buyer, "EnterpriseBMSP"))
        results: dict[str, Any] = {}
        for name, rows, batch, in_flight in [*INVOICE_RUNS, FOUR_SELLERS]:
            sellers = [_uscc() for _ in range(4 if name.startswith("four") else 1)]
            for seller in sellers:
                officer.register_taxpayer(taxpayer=_taxpayer(seller, "EnterpriseAMSP"))
            documents = [_invoice(sellers[n % len(sellers)], buyer, n) for n in range(rows)]
            source = self.folder / f"invoices-{name}.json"
            source.write_text(json.dumps(documents), encoding="utf-8")
            args = ["invoice", "import", str(source), "--batch-size", str(batch)]
            args += ["--in-flight", str(in_flight)]
            results[name] = {
                "batch_size": batch,
                "in_flight": in_flight,
                "sellers": len(sellers),
                **run_cli(self.network, self.folder, "EnterpriseA/Seller1", args),
            }
            print(name, results[name], file=sys.stderr)
        return results

    def readings(self) -> dict[str, Any]:
        grid = EnergyMetering(self.client("GridOperator", "Operator1", "energy", "energy_metering"))
        results: dict[str, Any] = {}
        for name, meters, per_meter, batch, in_flight in METER_RUNS:
            keys_dir = self.folder / f"keys-{name}"
            keys_dir.mkdir()
            meter_ids = [f"IMP-{uuid.uuid4().hex[:8]}" for _ in range(meters)]
            calls = []
            for meter_id in meter_ids:
                key = ec.generate_private_key(ec.SECP256R1())
                pem = key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                (keys_dir / f"{meter_id}.pem").write_bytes(pem)
                calls.append(lambda m=meter_id, k=key: grid.register_meter(meter=_meter(m, k)))
            for outcome in pipelined([Job(n, call) for n, call in enumerate(calls)], 32):
                if outcome.error is not None:
                    raise outcome.error
            source = self.folder / f"readings-{name}.csv"
            _write_readings(source, meter_ids, per_meter)
            args = ["meter", "import", str(source), "--sign-with", str(keys_dir)]
            args += ["--batch-size", str(batch), "--in-flight", str(in_flight)]
            results[name] = {
                "meters": meters,
                "batch_size": batch,
                "in_flight": in_flight,
                **run_cli(self.network, self.folder, "Generator/Operator1", args),
            }
            print(name, results[name], file=sys.stderr)
        return results


def _write_readings(path: Path, meter_ids: list[str], per_meter: int) -> None:
    """Readings of every meter, interleaved (as a collection system would export them)."""
    now = int(time.time())
    start = now - now % DAY - (per_meter * QUARTER // DAY + 2) * DAY
    columns = ["meter_id", "interval_start", "interval_end", "import_wh", "export_wh", "counter"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for counter in range(1, per_meter + 1):
            for meter_id in meter_ids:
                begin = start + (counter - 1) * QUARTER
                writer.writerow([meter_id, begin, begin + QUARTER, 0, counter * 1000, counter])


def main() -> None:
    from _record import record

    from fabric_pilot_network.chaincode import deploy
    from fabric_pilot_network.chaincode_definitions import load_definition
    from fabric_pilot_network.fabric_home import resolve_fabric_home
    from fabric_pilot_network.network import FabricNetwork
    from fabric_pilot_network.ports import free_base_port
    from fabric_pilot_network.topology import load_topology

    home = resolve_fabric_home()
    home.check()
    topology = load_topology("pilot")
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        network = FabricNetwork.create(
            Path(folder) / "net", topology, home, free_base_port(topology)
        )
        network.up()
        try:
            for name in CHAINCODES:
                deploy(network, load_definition(name))
            bench = Bench(network, stack, Path(folder))
            figures: dict[str, Any] = {
                "invoice_import": bench.invoices(),
                "meter_import": bench.readings(),
            }
            stack.close()
        finally:
            network.down()
    figures["settings"] = {
        "topology": "pilot (7 orgs x 1 peer, 3 raft orderers)",
        "batch_timeout": topology.batch.timeout,
        "max_message_count": topology.batch.max_message_count,
        "cpus": os.cpu_count(),
        "loadavg_1m_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "total_s": round(time.perf_counter() - started, 1),
        "note": "machine shared with other busy jobs; see the load average",
    }
    record("import", figures)


if __name__ == "__main__":
    main()
