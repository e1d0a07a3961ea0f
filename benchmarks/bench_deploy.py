"""Time ``chaincode deploy`` (package, install, start server, approve, commit, callable,
discoverable) on a dev network with its default block settings: a first deploy and upgrades."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _record import record

from fabric_pilot_network.chaincode import deploy
from fabric_pilot_network.chaincode_definitions import load_definition
from fabric_pilot_network.fabric_home import resolve_fabric_home
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.ports import free_base_port
from fabric_pilot_network.topology import load_topology

UPGRADES = 3


def main() -> None:
    home = resolve_fabric_home()
    home.check()
    topology = load_topology("dev")
    with tempfile.TemporaryDirectory() as folder:
        network = FabricNetwork.create(
            Path(folder) / "net", topology, home, free_base_port(topology)
        )
        network.up()
        try:
            definition = load_definition("sample_assets")
            started = time.perf_counter()
            deploy(network, definition)
            first = time.perf_counter() - started
            upgrades = []
            for version in range(2, 2 + UPGRADES):
                started = time.perf_counter()
                deploy(network, definition.replace(version=f"{version}.0"))
                upgrades.append(time.perf_counter() - started)
        finally:
            network.down()
    record(
        "deploy",
        {
            "topology": "dev",
            "batch_timeout": topology.batch.timeout,
            "first_deploy_s": round(first, 2),
            "upgrade_s_median": round(sorted(upgrades)[len(upgrades) // 2], 2),
        },
    )


if __name__ == "__main__":
    main()
