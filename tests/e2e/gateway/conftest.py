"""Fixtures: the session's ``dev`` network with the test contract (``_contracts``) deployed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from _gw_support import CHAINCODE, CHANNEL, HERE, ORG1_MSP, ORG2_MSP

from fabric_pilot_gateway import Contract, Gateway, Network
from fabric_pilot_gateway.profiles import open_gateway
from fabric_pilot_network.chaincode import deploy
from fabric_pilot_network.chaincode_definitions import ChaincodeDefinition
from fabric_pilot_network.network import FabricNetwork

DEFINITION = ChaincodeDefinition(
    name=CHAINCODE,
    channel=CHANNEL,
    version="1.0",
    server="_contracts:CHAINCODE",
    endorsement_policy=f"OR('{ORG1_MSP}.peer','{ORG2_MSP}.peer')",
)


def _prepend_python_path(folder: Path) -> str | None:
    previous = os.environ.get("PYTHONPATH")
    parts = [str(folder), *([previous] if previous else [])]
    os.environ["PYTHONPATH"] = os.pathsep.join(parts)
    return previous


@pytest.fixture(scope="session")
def gateway_network(dev_network: FabricNetwork) -> FabricNetwork:
    """The session ``dev`` network with chaincode ``gwtest`` (any one org endorses)."""
    if CHAINCODE not in dev_network.chaincodes:
        previous = _prepend_python_path(HERE)
        try:
            deploy(dev_network, DEFINITION)
        finally:
            if previous is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = previous
    return dev_network


def profile_path(network: FabricNetwork, org: str) -> Path:
    """The connection profile of ``org`` written by the network manager."""
    return network.directory / "profiles" / f"{org}.json"


@pytest.fixture(scope="session")
def org1_profile(gateway_network: FabricNetwork) -> Path:
    """Org1's connection profile."""
    return profile_path(gateway_network, "Org1")


@pytest.fixture(scope="session")
def org2_profile(gateway_network: FabricNetwork) -> Path:
    """Org2's connection profile."""
    return profile_path(gateway_network, "Org2")


@pytest.fixture(scope="session")
def gateway(org1_profile: Path) -> Iterator[Gateway]:
    """A Gateway for Org1's default user, open for the whole session."""
    with open_gateway(org1_profile) as opened:
        yield opened


@pytest.fixture(scope="session")
def channel(gateway: Gateway) -> Network:
    """``mychannel`` seen through Org1's Gateway."""
    return gateway.get_network(CHANNEL)


@pytest.fixture(scope="session")
def contract(channel: Network) -> Contract:
    """The ``gwtest`` chaincode seen through Org1's Gateway."""
    return channel.get_contract(CHAINCODE)
