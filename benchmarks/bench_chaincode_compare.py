"""Python chaincode vs Node chaincode, same network, same run, each driven by both clients.

Brings up the ``dev`` topology with the gateway benchmark's block settings
(benchmarks/gateway_topology.yaml) and deploys the same tiny contract twice, both as
chaincode-as-a-service behind mutual TLS and supervised by the same keeper:

- ``gwbench_py``: ``bench_gateway.BenchContract`` on our Python chaincode runtime;
- ``gwbench_node``: the same contract on ``fabric-contract-api`` / ``fabric-shim`` 2.5.8 from
  npm (benchmarks/node_chaincode, served by fabric-shim's own ``server`` command).

Then, for each chaincode, each client (our Python SDK, the official Node gateway client in
benchmarks/node) submits ``put`` with unique keys at 1, 32 and 128 in flight and evaluates
``get`` at 32 in flight, interleaved so that load drift hits all four combinations alike. It
prints committed tx/s, p50/p99 latency and CPU per transaction (every network process,
both chaincode servers included, plus the client) for the four combinations, and records
them in benchmarks/results/chaincode_compare.jsonl.

Run: ``FABRIC_PILOT_FABRIC_BIN=... python benchmarks/bench_chaincode_compare.py`` (needs
Node.js and npm: ``npm ci`` runs in benchmarks/node and benchmarks/node_chaincode when their
node_modules are missing).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_gateway as gw  # noqa: E402

from fabric_pilot_network import chaincode as chaincode_module  # noqa: E402

NODE_CHAINCODE_DIR = HERE / "node_chaincode"
NODE_SERVER = "bench_node_chaincode:SERVER"  # marks the Node chaincode's server entry
CHAINCODES = {"python": "gwbench_py", "node": "gwbench_node"}
SUBMIT_COUNTS = {1: 150, 32: 320, 128: 400}
EVALUATE_COUNTS = {32: 600}


def ensure_node_chaincode() -> str:
    """The ``node`` executable, after ``npm ci`` in node_chaincode if it is not installed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise SystemExit("bench_chaincode_compare: Node.js and npm are needed")
    if not (NODE_CHAINCODE_DIR / "node_modules" / "fabric-shim").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_CHAINCODE_DIR, check=True)
    return node


def _serve_node_too(node: str) -> None:
    """Let the manager start the Node chaincode like any other: under the keeper, with the
    same CHAINCODE_* environment (address, package ID, mutual TLS files)."""
    python_command = chaincode_module._server_command

    def server_command(server: str) -> list[str]:
        if server != NODE_SERVER:
            return python_command(server)
        return [
            sys.executable, "-m", "fabric_pilot_network.keeper", "--",
            node, str(NODE_CHAINCODE_DIR / "server.js"),
        ]  # fmt: skip

    chaincode_module._server_command = server_command


def _deploy_both(network: Any, node: str) -> None:
    from fabric_pilot_network.chaincode import deploy
    from fabric_pilot_network.chaincode_definitions import ChaincodeDefinition

    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(HERE), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    _serve_node_too(node)
    deploy(network, ChaincodeDefinition(CHAINCODES["python"], gw.CHANNEL, "1.0",
                                        "bench_gateway:CHAINCODE"))  # fmt: skip
    deploy(network, ChaincodeDefinition(CHAINCODES["node"], gw.CHANNEL, "1.0", NODE_SERVER))


@dataclass(frozen=True)
class _Bench:
    """The four combinations: each chaincode runtime driven by each client."""

    contracts: dict[str, Any]
    node_client: str
    base: dict[str, Any]
    roots: list[int]
    folder: Path

    def _python_call(self, runtime: str, mode: str, level: int) -> Callable[[int], object]:
        contract = self.contracts[runtime]
        if mode == "evaluate":
            return lambda _index: contract.evaluate("get", ["read-key"])
        prefix = f"py-{runtime}-{level}"
        return lambda index: contract.submit("put", [f"{prefix}-{index}", "v"])

    def level(self, mode: str, level: int, count: int) -> dict[str, Any]:
        """One concurrency level of ``mode`` (submit or evaluate) for all four combinations."""
        figures: dict[str, Any] = {}
        for runtime in self.contracts:
            call = self._python_call(runtime, mode, level)
            run = gw.run_python(call, count, level, self.roots)
            figures[f"{runtime}_chaincode/python_sdk"] = run.figures()
            request = {
                **self.base, "chaincode": CHAINCODES[runtime], "mode": mode,
                "concurrency": level, "count": count, "keyPrefix": f"node-{runtime}-{level}",
                "readKey": "read-key",
            }  # fmt: skip
            node_run = gw.run_node(self.node_client, request, self.roots, self.folder)
            figures[f"{runtime}_chaincode/node_client"] = node_run.figures()
        return figures


def _print(kind: str, level: int, figures: dict[str, Any]) -> None:
    for combination, values in figures.items():
        print(
            f"{kind} c={level:<3} {combination:<32} {values['per_second']:>7} /s  "
            f"p50 {values['p50_ms']:>6} ms  p99 {values['p99_ms']:>6} ms  "
            f"cpu {values['cpu_ms_per_call']:>5} ms/tx  errors {values['errors']}",
            flush=True,
        )


def measure(network: Any, folder: Path) -> dict[str, Any]:
    """Every level, all four combinations per level."""
    from fabric_pilot_gateway.profiles import open_gateway

    profile = network.directory / "profiles" / "Org1.json"
    roots = [record.pid for record in network.processes.values()]
    node_client = gw.ensure_node_client()
    base = {"profile": str(profile), "user": "User1", "channel": gw.CHANNEL,
            "warmup": gw.WARMUP}  # fmt: skip
    figures: dict[str, Any] = {}
    with open_gateway(profile, "User1") as gateway:
        channel = gateway.get_network(gw.CHANNEL)
        contracts = {runtime: channel.get_contract(name) for runtime, name in CHAINCODES.items()}
        for contract in contracts.values():
            contract.submit("put", ["read-key", "v" * 64])
            for index in range(gw.WARMUP):
                contract.submit("put", [f"warmup-{index}", "v"])
        bench = _Bench(contracts, node_client, base, roots, folder)
        for mode, counts in (("submit", SUBMIT_COUNTS), ("evaluate", EVALUATE_COUNTS)):
            for level, count in counts.items():
                figures[f"{mode}_c{level}"] = bench.level(mode, level, count)
                _print(mode, level, figures[f"{mode}_c{level}"])
    return figures


def main() -> None:
    from _record import record

    from fabric_pilot_network.fabric_home import resolve_fabric_home
    from fabric_pilot_network.network import FabricNetwork
    from fabric_pilot_network.ports import free_base_port
    from fabric_pilot_network.topology import load_topology

    home = resolve_fabric_home()
    home.check()
    node = ensure_node_chaincode()
    topology = load_topology(gw.TOPOLOGY)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        network = FabricNetwork.create(
            Path(folder) / "net", topology, home, free_base_port(topology)
        )
        network.up()
        try:
            _deploy_both(network, node)
            figures = measure(network, Path(folder))
        finally:
            network.down()
    versions = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    figures["settings"] = {
        "topology": "dev (2 orgs x 1 peer, 1 raft orderer)",
        "batch_timeout": topology.batch.timeout,
        "max_message_count": topology.batch.max_message_count,
        "endorsement": "majority (both orgs endorse)",
        "node_chaincode": "fabric-contract-api 2.5.8 + fabric-shim 2.5.8 (npm), CCaaS, mutual TLS",
        "node": versions.stdout.strip(),
        "submit_counts": {str(k): v for k, v in SUBMIT_COUNTS.items()},
        "evaluate_counts": {str(k): v for k, v in EVALUATE_COUNTS.items()},
        "cpu_per_tx": "all network processes (both chaincode servers) + the client",
        "cpus": os.cpu_count(),
        "loadavg_1m_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "total_s": round(time.perf_counter() - started, 1),
    }
    record("chaincode_compare", figures)


if __name__ == "__main__":
    main()
