"""pytest plugin: fixtures that give tests a running native Fabric network.

Registered as the ``fabric_pilot`` pytest11 entry point. Fixtures:

- ``fabric_home``: the checked Fabric installation (``FABRIC_PILOT_FABRIC_BIN`` or the cache);
  tests that need it are skipped, with the reason, when no Fabric 2.5 binaries are available,
  and fail instead with ``--require-fabric`` or ``FABRIC_PILOT_REQUIRE_FABRIC=1``.
- ``fabric_network_factory``: ``factory(topology="dev", crypto="cryptogen")`` brings a network
  up in a temporary folder on a free port range; every network is torn down at session end.
- ``dev_network``: one ``dev`` network for the whole session.

At the end it prints ``end-to-end: N run, M skipped`` for the ``e2e``-marked tests (also
written to ``--e2e-report FILE``). When an e2e test fails, the last lines of every node log of
the networks it used are attached to its report, and the names of processes that died are
listed first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from .fabric_home import FabricHome, FabricHomeError, resolve_fabric_home
from .network import FabricNetwork
from .ports import free_base_port
from .processes import is_running, tail
from .topology import load_topology

__all__ = ["NetworkFactory", "e2e_summary", "require_fabric", "skip_without"]

NetworkFactory = Callable[..., FabricNetwork]
_RUNNING: list[FabricNetwork] = []


REQUIRE_ENV = "FABRIC_PILOT_REQUIRE_FABRIC"
REQUIRE_OPTION = "--require-fabric"
UNAVAILABLE = "binaries unavailable"  # in every skip this plugin turns into a failure
_E2E_OUTCOMES = pytest.StashKey[dict[str, str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--require-fabric`` and ``--e2e-report FILE``."""
    group = parser.getgroup("fabric_pilot")
    group.addoption(
        REQUIRE_OPTION,
        action="store_true",
        default=False,
        help=f"fail, instead of skip, tests that need Fabric binaries (or {REQUIRE_ENV}=1)",
    )
    group.addoption(
        "--e2e-report",
        metavar="FILE",
        help="write the line 'end-to-end: N run, M skipped' to FILE at the end",
    )


def require_fabric(config: pytest.Config) -> bool:
    """Whether missing Fabric binaries fail tests (option or environment variable)."""
    flag = os.environ.get(REQUIRE_ENV, "").strip().lower() not in ("", "0", "false", "no")
    return bool(config.getoption(REQUIRE_OPTION)) or flag


def skip_without(reason: str, config: pytest.Config) -> NoReturn:
    """Skip for missing Fabric binaries, or fail when they are required."""
    message = f"{reason}; {REQUIRE_OPTION} or {REQUIRE_ENV}=1 makes this a failure"
    if require_fabric(config):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def fabric_home(request: pytest.FixtureRequest) -> FabricHome:
    """The Fabric installation the e2e tests use; skips (or fails) when none is available."""
    home = resolve_fabric_home()
    try:
        home.check()
    except FabricHomeError as exc:
        skip_without(f"Fabric 2.5 {UNAVAILABLE}: {exc}", request.config)
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
    if report.skipped and UNAVAILABLE in str(report.longrepr) and require_fabric(item.config):
        report.outcome = "failed"
    if item.get_closest_marker("e2e") is not None:
        _record_e2e(item.config, report)
    if report.failed and _RUNNING:
        for network in _RUNNING:
            report.sections.append((f"fabric network {network.directory}", _log_report(network)))
    return report


def _record_e2e(config: pytest.Config, report: pytest.TestReport) -> None:
    """Remember whether an e2e test ran or was skipped (a skip in any phase counts)."""
    outcomes = config.stash.setdefault(_E2E_OUTCOMES, {})
    if report.skipped:
        outcomes[report.nodeid] = "skipped"
    else:
        outcomes.setdefault(report.nodeid, "run")


def e2e_summary(config: pytest.Config) -> str:
    """``end-to-end: N run, M skipped`` for the e2e-marked tests of this session."""
    outcomes = config.stash.get(_E2E_OUTCOMES, {})
    skipped = sum(outcome == "skipped" for outcome in outcomes.values())
    return f"end-to-end: {len(outcomes) - skipped} run, {skipped} skipped"


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print the e2e count, and write it to ``--e2e-report FILE`` when asked."""
    line = e2e_summary(config)
    terminalreporter.write_line(line)
    target = config.getoption("--e2e-report")
    if target:
        Path(str(target)).write_text(line + "\n", encoding="utf-8")
