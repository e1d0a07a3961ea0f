"""Fixtures of the fault-injection suite: one ``raft3`` network per module that needs it.

Networks are module-scoped and torn down at the end of their module, so at most one runs at a
time. Faults are injected by signalling the processes the network started, by PID.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from _faults_support import CHAINCODE, CHANNEL, HERE

from fabric_pilot_gateway import Contract, Gateway
from fabric_pilot_gateway.profiles import open_gateway
from fabric_pilot_network.chaincode import deploy
from fabric_pilot_network.chaincode_definitions import ChaincodeDefinition
from fabric_pilot_network.fabric_home import FabricHome
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.ports import free_base_port
from fabric_pilot_network.topology import load_topology

# the import fault builds its taxpayers and invoices like the CLI e2e tests do
sys.path.insert(0, str(HERE.parent / "e2e" / "cli"))


def definition(name: str = CHAINCODE) -> ChaincodeDefinition:
    """The counter contract; either org's peer may endorse."""
    return ChaincodeDefinition(
        name=name,
        channel=CHANNEL,
        version="1.0",
        server="_fault_contract:CHAINCODE",
        endorsement_policy="OR('Org1MSP.peer','Org2MSP.peer')",
    )


def deploy_with_contract_path(network: FabricNetwork, name: str = CHAINCODE) -> None:
    """Deploy the counter contract (the ``raft3`` fixture puts its folder on PYTHONPATH, so
    servers restarted later import it too)."""
    assert str(HERE) in os.environ.get("PYTHONPATH", "").split(os.pathsep)
    deploy(network, definition(name))


@contextmanager
def contract_on_python_path() -> Iterator[None]:
    """This folder on PYTHONPATH while the block runs (chaincode servers import from it)."""
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE), *([previous] if previous else [])])
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = previous


@pytest.fixture(scope="module")
def raft3(
    fabric_home: FabricHome, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FabricNetwork]:
    """A ``raft3`` network (3 Raft orderers, Org1 and Org2) with the counter contract."""
    plan = load_topology("raft3")
    folder = tmp_path_factory.mktemp("faults-raft3")
    network = FabricNetwork.create(folder, plan, fabric_home, free_base_port(plan))
    with contract_on_python_path():
        try:
            network.up()
            deploy_with_contract_path(network)
            yield network
        finally:
            network.down(keep_logs=True)


def profile(network: FabricNetwork, org: str) -> Path:
    return network.directory / "profiles" / f"{org}.json"


@pytest.fixture(scope="module")
def org1_gateway(raft3: FabricNetwork) -> Iterator[Gateway]:
    with open_gateway(profile(raft3, "Org1")) as gateway:
        yield gateway


@pytest.fixture(scope="module")
def counter(org1_gateway: Gateway) -> Contract:
    return org1_gateway.get_network(CHANNEL).get_contract(CHAINCODE)
