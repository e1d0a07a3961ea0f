"""Fixtures: one ``pilot`` network with the three sector chaincodes, and per-user clients.

Clients come from ``tax_as(org, user)``, ``energy_as`` and ``court_as``; their writes return
once every organisation's peer on the channel has committed them, so a test may read through
any organisation right after a write by another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any, TypeVar, cast

import pytest
from _sector_support import CHANNEL_MEMBERS, SyncedContract

from fabric_pilot_gateway import Contract, Gateway
from fabric_pilot_gateway.profiles import open_gateway
from fabric_pilot_gateway.sectors import CourtEvidence, EnergyMetering, SectorClient, TaxInvoices
from fabric_pilot_network.chaincode import deploy
from fabric_pilot_network.chaincode_definitions import load_definition
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.pytest_plugin import NetworkFactory

SECTOR_CHAINCODES = ("tax_invoice", "energy_metering", "court_evidence")
GatewayFor = Callable[[str, str], Gateway]
ClientT = TypeVar("ClientT", bound=SectorClient)


@pytest.fixture(scope="session")
def pilot_network(fabric_network_factory: NetworkFactory) -> FabricNetwork:
    """The ``pilot`` topology (7 orgs, 3 Raft orderers) with every sector chaincode."""
    network = fabric_network_factory("pilot")
    for name in SECTOR_CHAINCODES:
        deploy(network, load_definition(name))
    return network


@pytest.fixture(scope="session")
def gateway_for(pilot_network: FabricNetwork) -> Iterator[GatewayFor]:
    """``gateway_for(org, user)``: a Gateway (opened once per org/user for the session)."""
    opened: dict[tuple[str, str], Gateway] = {}
    with ExitStack() as stack:

        def get(org: str, user: str) -> Gateway:
            if (org, user) not in opened:
                profile = pilot_network.directory / "profiles" / f"{org}.json"
                opened[org, user] = stack.enter_context(open_gateway(profile, user))
            return opened[org, user]

        yield get


def synced_contract(gateway_for: GatewayFor, org: str, user: str, channel: str) -> Contract:
    """``channel``'s sector contract for ``org``/``user``, synced across the channel's peers."""
    chaincode = {"tax": "tax_invoice", "energy": "energy_metering", "justice": "court_evidence"}
    contract = gateway_for(org, user).get_network(channel).get_contract(chaincode[channel])
    peers = [gateway_for(*member) for member in CHANNEL_MEMBERS[channel]]
    return cast(Contract, SyncedContract(contract, channel, peers))


def _factory(
    gateway_for: GatewayFor, client: type[ClientT], channel: str
) -> Callable[[str, str], ClientT]:
    cache: dict[tuple[str, str], Any] = {}

    def make(org: str, user: str) -> ClientT:
        if (org, user) not in cache:
            cache[org, user] = client(synced_contract(gateway_for, org, user, channel))
        return cast(ClientT, cache[org, user])

    return make


@pytest.fixture(scope="session")
def tax_as(gateway_for: GatewayFor) -> Callable[[str, str], TaxInvoices]:
    """``tax_as(org, user)``: the tax invoice client of that user."""
    return _factory(gateway_for, TaxInvoices, "tax")


@pytest.fixture(scope="session")
def energy_as(gateway_for: GatewayFor) -> Callable[[str, str], EnergyMetering]:
    """``energy_as(org, user)``: the energy metering client of that user."""
    return _factory(gateway_for, EnergyMetering, "energy")


@pytest.fixture(scope="session")
def court_as(gateway_for: GatewayFor) -> Callable[[str, str], CourtEvidence]:
    """``court_as(org, user)``: the court evidence client of that user."""
    return _factory(gateway_for, CourtEvidence, "justice")
