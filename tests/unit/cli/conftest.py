"""Fixtures for the CLI tests: isolated settings, a fake network manager, a fake SDK."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from cli_fakes import (
    FakeDefinition,
    FakeDeployResult,
    FakeLedger,
    FakeNetwork,
    FakeRecord,
    FakeSession,
)
from click.testing import CliRunner, Result

from fabric_pilot_cli import _fabric, _sdk
from fabric_pilot_cli.main import cli


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No FABRIC_PILOT_* from the outside; the config file lives in tmp_path."""
    for key in list(os.environ):
        if key.startswith("FABRIC_PILOT_"):
            monkeypatch.delenv(key)
    config = tmp_path / "config" / "config.yaml"
    monkeypatch.setenv("FABRIC_PILOT_CONFIG", str(config))
    monkeypatch.chdir(tmp_path)
    return config


@pytest.fixture
def run() -> Any:
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(cli, list(args), input=stdin, catch_exceptions=True)

    return invoke


@pytest.fixture
def fake_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeNetwork:
    network = FakeNetwork(tmp_path / "net")
    network.processes["peer0.org1.example.com"] = FakeRecord(str(tmp_path / "peer0.log"))
    loaded: list[Path] = []

    def load_network(directory: Path) -> FakeNetwork:
        loaded.append(directory)
        network.calls.append(f"load:{directory}")
        return network

    def create_network(
        directory: Path, topology: str, fabric_bin: Any, base_port: int, ca: bool, *,
        runtime: str = "native",
    ):  # fmt: skip
        network.calls.append(f"create:{directory}:{topology}:{fabric_bin}:{base_port}:{ca}")
        if runtime != "native":
            network.calls.append(f"runtime:{runtime}")
        return network, None

    def deploy(net: FakeNetwork, definition: FakeDefinition, progress: Any) -> FakeDeployResult:
        net.calls.append(f"deploy:{definition}")
        progress("deploying")
        return FakeDeployResult(definition.name, definition.channel, definition.version, 1)

    monkeypatch.setattr(_fabric, "load_network", load_network)
    monkeypatch.setattr(_fabric, "create_network", create_network)
    monkeypatch.setattr(_fabric, "deploy_chaincode", deploy)
    monkeypatch.setattr(_fabric, "load_definition", FakeDefinition)
    monkeypatch.setattr(
        _fabric, "available_definitions", lambda: [FakeDefinition("a"), FakeDefinition("b")]
    )
    monkeypatch.setattr(
        _fabric,
        "list_chaincodes",
        lambda net: [{"channel": "mychannel", "org": "Org1", "name": "a", "version": "1.0",
                      "sequence": 1, "installed": True, "package_id": "a_1.0:ff"}],
    )  # fmt: skip
    return network


@pytest.fixture
def ledger(monkeypatch: pytest.MonkeyPatch) -> FakeLedger:
    """Every command's SDK session writes to this fake ledger."""
    book = FakeLedger()
    sessions: list[FakeSession] = []

    def open_session(settings: Any, chaincode: str | None = None) -> FakeSession:
        session = FakeSession(book, chaincode)
        session.settings = settings  # type: ignore[attr-defined]
        sessions.append(session)
        return session

    monkeypatch.setattr(_sdk, "open_session", open_session)
    book.sessions = sessions  # type: ignore[attr-defined]
    return book
