"""Time ``network up`` and ``down`` for the dev, raft3 and pilot topologies (binaries cached),
and the resident memory of each running network. Needs Fabric 2.5 binaries (see README)."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _record import record

from fabric_pilot_network.fabric_home import resolve_fabric_home
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.ports import free_base_port
from fabric_pilot_network.processes import group_members, resident_bytes
from fabric_pilot_network.topology import load_topology

ROUNDS = 3


def resident_mib(network: FabricNetwork) -> float:
    """Resident memory over the network's processes and their process groups, in MiB."""
    pids = {
        member.pid for record_ in network.processes.values() for member in group_members(record_)
    }
    return round(sum(resident_bytes(pid) for pid in pids) / 2**20, 1)


def measure(name: str) -> dict[str, float]:
    home = resolve_fabric_home()
    home.check()
    ups, downs, memory = [], [], []
    for _ in range(ROUNDS):
        topology = load_topology(name)
        with tempfile.TemporaryDirectory() as folder:
            network = FabricNetwork.create(
                Path(folder) / "net", topology, home, free_base_port(topology)
            )
            started = time.perf_counter()
            network.up()
            ups.append(time.perf_counter() - started)
            time.sleep(2)
            memory.append(resident_mib(network))
            started = time.perf_counter()
            network.down()
            downs.append(time.perf_counter() - started)
    return {
        f"{name}_up_s_median": round(sorted(ups)[ROUNDS // 2], 2),
        f"{name}_down_s_median": round(sorted(downs)[ROUNDS // 2], 2),
        f"{name}_rss_mib": sorted(memory)[ROUNDS // 2],
    }


def main() -> None:
    figures: dict[str, float] = {"rounds": ROUNDS}
    for name in ("dev", "raft3", "pilot"):
        figures.update(measure(name))
    record("network", figures)


if __name__ == "__main__":
    main()
