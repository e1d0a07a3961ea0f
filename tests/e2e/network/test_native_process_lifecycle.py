"""Every process a network starts, on real Fabric processes: in status, stopped by process
group, verified by start, gone after down; start waits for Raft; the folder keeps user files."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from fabric_pilot_gateway.profiles import open_gateway
from fabric_pilot_network.chaincode import ChaincodeError, deploy
from fabric_pilot_network.chaincode_definitions import load_definition
from fabric_pilot_network.fabric_home import FabricHome
from fabric_pilot_network.folder import FolderNotEmptyError
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.ports import free_base_port
from fabric_pilot_network.processes import children, group_members
from fabric_pilot_network.pytest_plugin import NetworkFactory
from fabric_pilot_network.topology import load_topology

pytestmark = pytest.mark.e2e

SERVER = "chaincode-sample_assets"


@pytest.fixture(scope="module")
def network(fabric_network_factory: NetworkFactory) -> Iterator[FabricNetwork]:
    network = fabric_network_factory("dev")
    deploy(network, load_definition("sample_assets"))
    yield network


def _row(network: FabricNetwork, name: str) -> dict[str, object]:
    rows = [status.to_json() for status in network.status(with_heights=False)]
    return next(row for row in rows if row["name"] == name)


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _listeners(ports: list[int]) -> list[str]:
    connections = psutil.net_connections(kind="tcp")
    return [
        f"{connection.laddr.port} (pid {connection.pid})"
        for connection in connections
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port in ports
    ]


def test_status_lists_every_process_including_chaincode_servers(network: FabricNetwork) -> None:
    kinds = {row.name: row.kind for row in network.status(with_heights=False)}
    assert kinds[SERVER] == "chaincode"
    assert sorted(kinds) == sorted(network.processes)
    row = _row(network, SERVER)
    assert row["running"] is True
    assert row["ports"] == {"listen": network.chaincodes["sample_assets"]["port"]}
    keeper = network.processes[SERVER].pid
    assert row["pids"] == sorted([keeper, *children(keeper)])


def test_a_server_whose_keeper_was_killed_shows_in_status_and_stop_ends_it(
    network: FabricNetwork,
) -> None:
    keeper = network.processes[SERVER]
    (server,) = children(keeper.pid)
    port = int(network.chaincodes["sample_assets"]["port"])
    os.kill(keeper.pid, signal.SIGKILL)
    psutil.wait_procs([psutil.Process(keeper.pid)], timeout=10)
    row = _row(network, SERVER)
    assert row["running"] is False
    assert row["pids"] == [server]  # the orphan is visible
    assert SERVER in network.stop()
    assert _gone(server)
    assert _listeners([port]) == []
    network.start()
    assert all(row.running for row in network.status(with_heights=False))


def test_start_after_a_keeper_kill_replaces_the_orphaned_server(network: FabricNetwork) -> None:
    keeper = network.processes[SERVER]
    (server,) = children(keeper.pid)
    os.kill(keeper.pid, signal.SIGKILL)
    psutil.wait_procs([psutil.Process(keeper.pid)], timeout=10)
    network.start()  # no stop first
    assert _gone(server)
    row = _row(network, SERVER)
    assert row["running"] is True
    assert server not in row["pids"]  # type: ignore[operator]


def test_start_fails_loudly_when_a_chaincode_server_cannot_take_its_port(
    network: FabricNetwork,
) -> None:
    port = int(network.chaincodes["sample_assets"]["port"])
    network.stop()
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        with pytest.raises(
            ChaincodeError, match=rf"127\.0\.0\.1:{port}.*in use by pid {os.getpid()}"
        ):
            network.start()
        assert group_members(network.processes[SERVER]) == []  # not left crash-looping
    network.start()
    assert all(row.running for row in network.status(with_heights=False))


def test_start_returns_with_a_raft_leader_and_the_first_submit_succeeds(
    network: FabricNetwork,
) -> None:
    network.stop()
    network.start()
    assert len(network.raft_leaders("mychannel")) == 1
    with open_gateway(network.directory / "profiles" / "Org1.json") as gateway:
        contract = gateway.get_network("mychannel").get_contract("sample_assets")
        contract.submit("create_asset", ["after-start", "blue", "5", "300"])
        assert b"after-start" in contract.evaluate("read_asset", ["after-start"])


def _cli(network: FabricNetwork, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FABRIC_PILOT_")}
    env.update(
        XDG_CONFIG_HOME=str(home),
        FABRIC_PILOT_CONFIG=str(home / "config.yaml"),
        FABRIC_PILOT_FABRIC_BIN=str(network.home.bin_dir),
    )
    argv = [sys.executable, "-m", "fabric_pilot_cli", "--dir", str(network.directory), *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_doctor_and_commands_on_a_stopped_network_point_at_network_start(
    network: FabricNetwork, tmp_path: Path
) -> None:
    network.stop()
    doctor = _cli(network, tmp_path, "doctor", "-o", "json")
    assert doctor.returncode == 1, doctor.stderr
    rows = {row["check"]: row for row in json.loads(doctor.stdout)}
    assert rows["network"]["detail"].startswith("network is stopped")
    assert "fabric-pilot network start" in rows["network"]["fix"]
    assert rows["ports"]["status"] == "ok"  # just released (TIME_WAIT) is not "in use"
    assert "--base-port" not in doctor.stdout
    call = _cli(network, tmp_path, "--as", "Org1", "tx", "evaluate", "sample_assets",
                "read_asset", "after-start")  # fmt: skip
    assert call.returncode == 6
    assert call.stderr.strip() == "Error: network is stopped: run `fabric-pilot network start`"
    network.start()
    peer = "peer0.org2.example.com"
    os.kill(network.processes[peer].pid, signal.SIGKILL)
    psutil.wait_procs([psutil.Process(network.processes[peer].pid)], timeout=10)
    doctor = _cli(network, tmp_path, "doctor", "-o", "json")
    assert doctor.returncode == 1
    rows = {row["check"]: row for row in json.loads(doctor.stdout)}
    assert rows[f"peer {peer}"]["status"] == "fail"
    assert [name for name, row in rows.items() if row["status"] == "fail"] == [f"peer {peer}"]
    network.start()
    doctor = _cli(network, tmp_path, "doctor", "-o", "json")
    assert [row for row in json.loads(doctor.stdout) if row["status"] == "fail"] == []


def test_down_leaves_nothing_running_frees_every_port_and_keeps_user_files(
    network: FabricNetwork,
) -> None:
    pids = {member.pid for record in network.processes.values() for member in group_members(record)}
    assert len(pids) == len(network.processes) + 1  # the keeper's server
    ports = network.ports.all_ports()
    (network.directory / "important.txt").write_text("mine")
    started = time.perf_counter()
    kept = network.down()
    print(f"down with 1 chaincode: {time.perf_counter() - started:.2f}s")
    assert kept == ["important.txt"]
    assert all(_gone(pid) for pid in pids)
    assert _listeners(ports) == []  # (a busy check would see other processes' client ports)
    assert [child.name for child in network.directory.iterdir()] == ["important.txt"]


def test_up_refuses_a_non_empty_folder_it_did_not_create(
    fabric_home: FabricHome, tmp_path: Path
) -> None:
    (tmp_path / "important.txt").write_text("mine")
    topology = load_topology("dev")
    network = FabricNetwork.create(tmp_path, topology, fabric_home, free_base_port(topology))
    with pytest.raises(FolderNotEmptyError, match=r"important\.txt"):
        network.up()
    assert network.processes == {}
    assert [child.name for child in tmp_path.iterdir()] == ["important.txt"]
