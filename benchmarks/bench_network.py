"""Time the network lifecycle with chaincode deployed, and the main job from start to teardown.

For the dev, raft3 and pilot topologies (binaries cached): ``network up``, deploying the
topology's chaincodes (dev and raft3: ``sample_assets``; pilot: the three sector chaincodes, in
parallel), ``stop``, ``start`` (until every chaincode server serves and every channel has a Raft
leader) and ``down``, with the resident memory of the running network (every process group).
``--demo`` also times ``scripts/demo`` (the main job: bootstrap check, ``fabric-pilot install``
reusing the cache, pilot up, three deploys, one transaction per sector, down) as a subprocess,
in a temporary copy of the per-user cache so that nothing is written to the real one.

Prints and appends one record to ``benchmarks/results/network.jsonl``, with the machine's load
average at the start (figures on a busy machine are not comparable with a quiet one).
Needs Fabric 2.5 binaries (see README).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _record import record

from fabric_pilot_network.chaincode import deploy_many
from fabric_pilot_network.chaincode_definitions import load_definition
from fabric_pilot_network.fabric_home import resolve_fabric_home
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.ports import free_base_port
from fabric_pilot_network.processes import group_members, resident_bytes
from fabric_pilot_network.topology import load_topology

ROUNDS = 3
ROOT = Path(__file__).resolve().parent.parent
CHAINCODES = {
    "dev": ("sample_assets",),
    "raft3": ("sample_assets",),
    "pilot": ("tax_invoice", "energy_metering", "court_evidence"),
}


def resident_mib(network: FabricNetwork) -> float:
    """Resident memory over the network's processes and their process groups, in MiB."""
    pids = {
        member.pid for record_ in network.processes.values() for member in group_members(record_)
    }
    return round(sum(resident_bytes(pid) for pid in pids) / 2**20, 1)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def one_round(name: str, folder: Path) -> dict[str, float]:
    home = resolve_fabric_home()
    home.check()
    topology = load_topology(name)
    network = FabricNetwork.create(folder / "net", topology, home, free_base_port(topology))
    figures = {"up": timed(network.up)}
    try:
        definitions = [load_definition(chaincode) for chaincode in CHAINCODES[name]]
        figures["deploy"] = timed(lambda: deploy_many(network, definitions))
        time.sleep(2)
        figures["rss"] = resident_mib(network)
        figures["stop"] = timed(network.stop)
        figures["start"] = timed(network.start)
    finally:
        figures["down"] = timed(network.down)
    return figures


def median(values: list[float]) -> float:
    return round(sorted(values)[len(values) // 2], 2)


def measure(name: str) -> dict[str, float]:
    rounds = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as folder:
            rounds.append(one_round(name, Path(folder)))
    count = len(CHAINCODES[name])
    return {
        f"{name}_chaincodes": count,
        **{
            f"{name}_{step}_{'mib' if step == 'rss' else 's_median'}": median(
                [figures[step] for figures in rounds]
            )
            for step in ("up", "deploy", "stop", "start", "down", "rss")
        },
    }


def time_demo() -> float:
    """Wall time of ``scripts/demo`` with a temporary copy of the per-user cache."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fabric-pilot"
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copytree(cache, Path(scratch) / "fabric-pilot", symlinks=True)
        env = {**os.environ, "XDG_CACHE_HOME": scratch}
        env.pop("FABRIC_PILOT_FABRIC_BIN", None)
        demo_dir = Path(scratch) / "demo"
        started = time.perf_counter()
        subprocess.run(
            [str(ROOT / "scripts" / "demo"), "--dir", str(demo_dir)],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        return round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="also time scripts/demo")
    parser.add_argument("--topology", action="append", choices=sorted(CHAINCODES))
    options = parser.parse_args()
    figures: dict[str, float | str] = {
        "rounds": ROUNDS,
        "load_average_1m": round(os.getloadavg()[0], 1),
    }
    for name in options.topology or ["dev", "raft3", "pilot"]:
        figures.update(measure(name))
        figures[f"{name}_load_average_1m_after"] = round(os.getloadavg()[0], 1)
    if options.demo:
        time_demo()  # the first run may reinstall the venv; time the second
        figures["demo_wall_s"] = time_demo()
        figures["demo_load_average_1m_after"] = round(os.getloadavg()[0], 1)
    record("network", figures)


if __name__ == "__main__":
    main()
