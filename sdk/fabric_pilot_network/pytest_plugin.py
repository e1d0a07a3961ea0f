"""pytest plugin: fixtures that give tests a running native Fabric network.

Registered as the ``fabric_pilot`` pytest11 entry point. Fixtures:

- ``fabric_home``: the checked Fabric installation (``FABRIC_PILOT_FABRIC_BIN`` or the cache);
  tests that need it are skipped, with the reason, when no Fabric 2.5 binaries are available.
- ``fabric_network_factory``: ``factory(topology="dev", crypto="cryptogen")`` brings a network
  up in a temporary folder on a free port range; every network is torn down at session end.
- ``dev_network``: one ``dev`` network for the whole session.

When an e2e test fails, the last lines of every node log of the networks it used are attached
to its report, and the names of processes that died are listed first.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from .fabric_home import FabricHome, FabricHomeError, resolve_fabric_home
from .network import FabricNetwork
from .ports import free_base_port
from .processes import is_running, tail
from .topology import load_topology

__all__ = ["NetworkFactory"]

NetworkFactory = Callable[..., FabricNetwork]
_RUNNING: list[FabricNetwork] = []


@pytest.fixture(scope="session")
def fabric_home() -> FabricHome:
    """The Fabric installation the e2e tests use; skips when none is available."""
    home = resolve_fabric_home()
    try:
        home.check()
    except FabricHomeError as exc:
        pytest.skip(f"Fabric 2.5 binaries unavailable: {exc}")
    return home


@pytest.fixture(scope="session")
def fabric_network_factory(
    fabric_home: FabricHome, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NetworkFactory]:
    """Bring networks up on demand; all are torn down at the end of the session."""
    started: list[FabricNetwork] = []

    def factory(topology: str | Path = "dev", crypto: str = "cryptogen") -> FabricNetwork:
        plan = load_topology(topology).with_crypto(crypto)
        folder = tmp_path_factory.mktemp(f"net-{plan.name}")
        network = FabricNetwork.create(folder, plan, fabric_home, free_base_port(plan))
        network.up()
        started.append(network)
        _RUNNING.append(network)
        return network

    yield factory
    for network in started:
        network.down()
        _RUNNING.remove(network)


@pytest.fixture(scope="session")
def dev_network(fabric_network_factory: NetworkFactory) -> FabricNetwork:
    """A ``dev`` network (2 orgs, 1 orderer, channel ``mychannel``) shared by the session."""
    return fabric_network_factory("dev")


def _log_report(network: FabricNetwork) -> str:
    parts = []
    dead = [name for name, record in network.processes.items() if not is_running(record)]
    if dead:
        parts.append(f"processes not running: {', '.join(dead)}")
    for name, record in network.processes.items():
        parts.append(f"--- {name} (pid {record.pid}) ---\n{tail(record, 25)}")
    return "\n".join(parts)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach node log tails to the report of a failing test while networks run."""
    report = yield
    if report.failed and _RUNNING:
        for network in _RUNNING:
            report.sections.append((f"fabric network {network.directory}", _log_report(network)))
    return report
