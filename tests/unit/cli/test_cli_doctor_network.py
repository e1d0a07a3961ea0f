"""``doctor`` on the network that is there, and "network is stopped" instead of a gRPC error."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from cli_fakes import EndorseError, FakeNetwork, FakeNodeStatus

from fabric_pilot_cli import _doctor


def _time_wait_port() -> int:
    """A port whose only trace is a TIME_WAIT connection (the server side closed first).

    The server sets SO_REUSEADDR, as Fabric's and gRPC's listeners do.
    """
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = int(server.getsockname()[1])
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()  # the active closer keeps 127.0.0.1:port in TIME_WAIT
        client.close()
    return port


def test_ports_in_time_wait_are_free_as_network_up_binds_them() -> None:
    port = _time_wait_port()
    assert _doctor.check_ports([port], port).status == "ok"


def _status(name: str, running: bool, port: int, kind: str = "peer") -> FakeNodeStatus:
    return FakeNodeStatus(name, kind, 7 if running else None, running, {"listen": port}, {})


def test_a_stopped_network_is_one_failure_that_points_at_network_start(tmp_path: Path) -> None:
    statuses = [_status("orderer0", False, 1, "orderer"), _status("peer0", False, 2)]
    (check,) = _doctor.check_processes(statuses, tmp_path)
    assert (check.check, check.status) == ("network", "fail")
    assert check.detail.startswith("network is stopped")
    assert "fabric-pilot network start" in check.fix


def test_a_dead_node_or_chaincode_server_fails_by_name(tmp_path: Path) -> None:
    statuses = [
        _status("orderer0", True, 1, "orderer"),
        _status("peer0", False, 2),
        _status("chaincode-tax_invoice", False, 3, "chaincode"),
    ]
    checks = {check.check: check for check in _doctor.check_processes(statuses, tmp_path)}
    assert checks["orderer orderer0"].status == "ok"
    assert checks["peer peer0"].status == "fail"
    assert checks["chaincode chaincode-tax_invoice"].status == "fail"
    assert "network start" in checks["peer peer0"].fix


def test_network_ports_probe_only_what_start_needs_and_name_the_holder() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = int(held.getsockname()[1])
        running = _doctor.check_network_ports([_status("peer0", True, port)])
        assert running.status == "ok"  # a running node's own port
        stopped = _doctor.check_network_ports([_status("peer0", False, port)])
    assert stopped.status == "fail"
    assert f"by pid {os.getpid()}" in stopped.detail
    assert "--base-port" not in stopped.fix and "network start" in stopped.fix


@pytest.fixture
def network_folder(tmp_path: Path, fake_network: FakeNetwork, monkeypatch) -> Path:
    folder = tmp_path / "net"
    folder.mkdir()
    (folder / "network.json").write_text("{}")
    monkeypatch.setattr(_doctor, "check_tls", lambda network: [])
    monkeypatch.setattr(_doctor, "check_go", lambda: _doctor.Check("go", "ok", "go1.24"))
    return folder


def test_doctor_fails_on_a_dead_peer_and_points_at_network_start(
    run, fake_network: FakeNetwork, network_folder: Path, monkeypatch
) -> None:
    import fabric_pilot_cli._cmd_doctor as command

    monkeypatch.setattr(command, "_fabric_checks", lambda settings: [])
    result = run("doctor", "--dir", str(network_folder), "-o", "json")
    assert result.exit_code == 1
    rows = {row["check"]: row for row in json.loads(result.stdout)}
    assert rows["peer peer0.org1.example.com"]["status"] == "fail"
    assert "fabric-pilot network start" in rows["peer peer0.org1.example.com"]["fix"]
    assert rows["orderer orderer0.example.com"]["status"] == "ok"
    assert "--base-port" not in result.stdout


def test_an_unavailable_network_that_is_stopped_says_so(
    run, ledger, fake_network: FakeNetwork, network_folder: Path
) -> None:
    fake_network.running = (False, False)
    ledger.errors["F"] = EndorseError("connection refused", code="UNAVAILABLE")
    result = run("tx", "submit", "cc", "F", "--dir", str(network_folder))
    assert result.exit_code == 6
    assert result.stderr.strip() == "Error: network is stopped: run `fabric-pilot network start`"


def test_an_unavailable_network_names_what_is_down(
    run, ledger, fake_network: FakeNetwork, network_folder: Path
) -> None:
    ledger.errors["F"] = EndorseError("connection refused", code="UNAVAILABLE")
    result = run("--dir", str(network_folder), "tx", "submit", "cc", "F")
    assert result.exit_code == 6
    assert "peer0.org1.example.com down: run `fabric-pilot network start`" in result.stderr
