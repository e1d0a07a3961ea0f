"""Gateway throughput, latency and CPU cost: the Python SDK and the official Node client.

Brings up the ``dev`` topology with benchmark block settings (benchmarks/gateway_topology.yaml:
100 ms batch timeout, up to 500 transactions per block), deploys the tiny contract below
(default endorsement policy: a majority, so both organisations endorse every submit) and,
for each client in turn at each concurrency level:

- submits ``put(key, "v")`` with unique keys (no MVCC conflicts) from 1, 8, 32 and 128
  concurrent callers (Python threads / a Node promise pool): committed transactions per
  second and end-to-end submit latency (endorse + submit + commit status) p50/p99;
- evaluates ``get(key)`` at concurrency 1 and 32: latency p50/p99 and evaluations per second;
- CPU time per transaction: utime+stime of every network process (orderer, peers, chaincode
  server and its keeper) from psutil, plus the client process, sampled around the measured part.

Run: ``FABRIC_PILOT_FABRIC_BIN=... python benchmarks/bench_gateway.py`` (needs Node.js/npm for
the Node client; ``npm ci`` runs in benchmarks/node when node_modules is missing).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabric_pilot_chaincode import Context, Contract, ContractChaincode, evaluate, transaction
from fabric_pilot_network.processes import cpu_seconds, descendants

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / "node"
TOPOLOGY = HERE / "gateway_topology.yaml"
CHANNEL = "mychannel"
CHAINCODE_NAME = "gwbench"
SUBMIT_COUNTS = {1: 200, 8: 240, 32: 320, 128: 400}
EVALUATE_COUNTS = {1: 300, 32: 900}
WARMUP = 10


class BenchContract(Contract):
    """The smallest useful workload: one write or one read per transaction."""

    name = "Bench"

    @transaction
    def put(self, ctx: Context, key: str, value: str) -> None:
        """Store ``value`` under ``key``."""
        ctx.stub.put_state(key, value.encode())

    @evaluate
    def get(self, ctx: Context, key: str) -> bytes:
        """The value under ``key``."""
        return ctx.stub.get_state(key)


CHAINCODE = ContractChaincode(BenchContract())


@dataclass
class Run:
    """One measured batch of calls."""

    latencies_ms: list[float]
    errors: list[str]
    seconds: float
    network_cpu_s: float
    client_cpu_s: float

    def figures(self) -> dict[str, Any]:
        """Rates, latency percentiles and CPU per call, rounded for the record."""
        done = len(self.latencies_ms)
        ordered = sorted(self.latencies_ms)
        per_call = 1000 / max(done, 1)
        return {
            "calls": done,
            "errors": len(self.errors),
            "first_error": self.errors[0][:300] if self.errors else None,
            "per_second": round(done / self.seconds, 1),
            "p50_ms": round(_percentile(ordered, 0.50), 1),
            "p99_ms": round(_percentile(ordered, 0.99), 1),
            "cpu_ms_per_call": round((self.network_cpu_s + self.client_cpu_s) * per_call, 2),
            "network_cpu_ms_per_call": round(self.network_cpu_s * per_call, 2),
            "client_cpu_ms_per_call": round(self.client_cpu_s * per_call, 2),
        }


def _percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted values (0 when empty)."""
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def network_cpu_seconds(roots: list[int]) -> float:
    """utime+stime of the network's processes and all their descendants."""
    pids = [pid for root in roots for pid in (root, *descendants(root))]
    return sum(cpu_seconds(pid) for pid in pids)


def run_python(
    call: Callable[[int], object], count: int, concurrency: int, roots: list[int]
) -> Run:
    """``count`` calls from ``concurrency`` threads."""
    numbers = itertools.count()
    latencies: list[float] = []
    errors: list[str] = []

    def worker() -> None:
        while (index := next(numbers)) < count:
            started = time.perf_counter()
            try:
                call(index)
            except Exception as exc:  # every failure is counted and reported
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(min(concurrency, count))]
    network_before, client_before = network_cpu_seconds(roots), time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return Run(
        latencies,
        errors,
        seconds,
        network_cpu_seconds(roots) - network_before,
        time.process_time() - client_before,
    )


def ensure_node_client() -> str:
    """The ``node`` executable, after ``npm ci`` if the client is not installed yet."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise SystemExit("bench_gateway: Node.js and npm are needed for the Node client")
    if not (NODE_DIR / "node_modules" / "@hyperledger" / "fabric-gateway").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)
    return node


def run_node(node: str, request: dict[str, Any], roots: list[int], folder: Path) -> Run:
    """One ``bench.js`` run; network CPU is sampled right around its measured part."""
    request_file = folder / f"node-{request['mode']}-{request['concurrency']}.json"
    request_file.write_text(json.dumps(request), encoding="utf-8")
    argv = [node, str(NODE_DIR / "bench.js"), str(request_file)]
    with subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdin is not None and child.stdout is not None
        ready = child.stdout.readline().strip()
        if ready != "READY":
            raise RuntimeError(f"node bench did not start (exit {child.wait()}): {ready}")
        network_before = network_cpu_seconds(roots)
        child.stdin.write("go\n")
        child.stdin.flush()
        output = json.loads(child.stdout.readline())
        network_after = network_cpu_seconds(roots)
    cpu = output["cpuMicros"]
    errors = [output["firstError"]] * output["errors"] if output["errors"] else []
    return Run(
        output["latenciesMs"],
        errors,
        output["seconds"],
        network_after - network_before,
        (cpu["user"] + cpu["system"]) / 1e6,
    )


def _deploy(network: Any) -> None:
    from fabric_pilot_network.chaincode import deploy
    from fabric_pilot_network.chaincode_definitions import ChaincodeDefinition

    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(HERE), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    deploy(network, ChaincodeDefinition(CHAINCODE_NAME, CHANNEL, "1.0", "bench_gateway:CHAINCODE"))


def _submitter(contract: Any, prefix: str) -> Callable[[int], object]:
    def submit(index: int) -> object:
        return contract.submit("put", [f"{prefix}-{index}", "v"])

    return submit


def measure(network: Any, folder: Path) -> dict[str, Any]:
    """Every level for both clients, interleaved level by level."""
    from fabric_pilot_gateway.profiles import open_gateway

    profile = network.directory / "profiles" / "Org1.json"
    roots = [record.pid for record in network.processes.values()]
    node = ensure_node_client()
    base = {"profile": str(profile), "user": "User1", "channel": CHANNEL,
            "chaincode": CHAINCODE_NAME, "warmup": WARMUP}  # fmt: skip
    figures: dict[str, Any] = {"python": {}, "node": {}}
    with open_gateway(profile, "User1") as gateway:
        contract = gateway.get_network(CHANNEL).get_contract(CHAINCODE_NAME)
        contract.submit("put", ["read-key", "v" * 64])
        for index in range(WARMUP):
            contract.submit("put", [f"warmup-{index}", "v"])
        for level, count in SUBMIT_COUNTS.items():
            run = run_python(_submitter(contract, f"py-{level}"), count, level, roots)
            figures["python"][f"submit_c{level}"] = run.figures()
            request = {**base, "mode": "submit", "concurrency": level, "count": count,
                       "keyPrefix": f"node-{level}"}  # fmt: skip
            figures["node"][f"submit_c{level}"] = run_node(node, request, roots, folder).figures()
            print(f"submit c={level}: python {figures['python'][f'submit_c{level}']}", flush=True)
            print(f"submit c={level}: node   {figures['node'][f'submit_c{level}']}", flush=True)
        for level, count in EVALUATE_COUNTS.items():
            run = run_python(lambda _i: contract.evaluate("get", ["read-key"]), count, level, roots)
            figures["python"][f"evaluate_c{level}"] = run.figures()
            request = {**base, "mode": "evaluate", "concurrency": level, "count": count,
                       "readKey": "read-key"}  # fmt: skip
            figures["node"][f"evaluate_c{level}"] = run_node(node, request, roots, folder).figures()
            print(f"evaluate c={level}: python {figures['python'][f'evaluate_c{level}']}")
            print(f"evaluate c={level}: node   {figures['node'][f'evaluate_c{level}']}")
    return figures


def main() -> None:
    sys.path.insert(0, str(HERE))
    from _record import record

    from fabric_pilot_network.fabric_home import resolve_fabric_home
    from fabric_pilot_network.network import FabricNetwork
    from fabric_pilot_network.ports import free_base_port
    from fabric_pilot_network.topology import load_topology

    home = resolve_fabric_home()
    home.check()
    topology = load_topology(TOPOLOGY)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        network = FabricNetwork.create(
            Path(folder) / "net", topology, home, free_base_port(topology)
        )
        network.up()
        try:
            _deploy(network)
            figures = measure(network, Path(folder))
        finally:
            network.down()
    figures["settings"] = {
        "topology": "dev (2 orgs x 1 peer, 1 raft orderer)",
        "batch_timeout": topology.batch.timeout,
        "max_message_count": topology.batch.max_message_count,
        "endorsement": "majority (both orgs endorse)",
        "submit_counts": {str(k): v for k, v in SUBMIT_COUNTS.items()},
        "evaluate_counts": {str(k): v for k, v in EVALUATE_COUNTS.items()},
        "cpus": os.cpu_count(),
        "loadavg_1m_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "total_s": round(time.perf_counter() - started, 1),
    }
    record("gateway", figures)


if __name__ == "__main__":
    main()
