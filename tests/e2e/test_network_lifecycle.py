"""The native network against real Fabric processes: up, TLS, heights, stop/start, down, Raft."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest

from fabric_pilot_network.fabric_home import FabricHome
from fabric_pilot_network.network import FabricNetwork, NetworkError
from fabric_pilot_network.ports import PortClashError, busy_ports, free_base_port
from fabric_pilot_network.processes import is_running
from fabric_pilot_network.pytest_plugin import NetworkFactory
from fabric_pilot_network.topology import TopologyError, load_topology

pytestmark = pytest.mark.e2e


def _tls_handshake(port: int, ca_file: Path, server_name: str) -> str:
    context = ssl.create_default_context(cafile=str(ca_file))
    context.set_alpn_protocols(["h2"])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=server_name) as tls,
    ):
        return tls.version() or ""


def test_dev_network_channel_exists_everywhere_with_equal_heights(
    dev_network: FabricNetwork,
) -> None:
    statuses = [s for s in dev_network.status() if s.kind != "chaincode"]  # others deploy some
    assert [s.kind for s in statuses] == ["orderer", "peer", "peer"]
    assert all(s.running for s in statuses)
    heights = {s.name: s.heights["mychannel"] for s in statuses}
    assert min(heights.values()) >= 1
    assert len(set(heights.values())) == 1, heights


def test_every_peer_gateway_port_completes_tls_with_the_generated_ca(
    dev_network: FabricNetwork,
) -> None:
    for org in dev_network.topology.orgs:
        for peer in org.peer_names:
            ca_file = dev_network.layout.node_dir(peer) / "tls" / "ca.crt"
            version = _tls_handshake(dev_network.ports.port(peer, "listen"), ca_file, peer)
            assert version.startswith("TLSv1.")


def test_peer_rejects_tls_from_another_ca(dev_network: FabricNetwork) -> None:
    org1, org2 = dev_network.topology.orgs
    wrong_ca = dev_network.layout.node_dir(org2.peer_names[0]) / "tls" / "ca.crt"
    with pytest.raises(ssl.SSLCertVerificationError):
        _tls_handshake(
            dev_network.ports.port(org1.peer_names[0], "listen"), wrong_ca, org1.peer_names[0]
        )


def test_profiles_are_written_for_each_org(dev_network: FabricNetwork) -> None:
    for org in dev_network.topology.orgs:
        profile = (dev_network.directory / "profiles" / f"{org.name}.json").read_text()
        assert org.msp_id in profile
        assert f"grpcs://127.0.0.1:{dev_network.ports.port(org.peer_names[0], 'listen')}" in profile


def test_stop_start_keeps_height_and_down_frees_everything(
    fabric_network_factory: NetworkFactory,
) -> None:
    network = fabric_network_factory("dev")
    before = {s.name: s.heights for s in network.status()}
    records = list(network.processes.values())
    stopped = network.stop()
    assert sorted(stopped) == sorted(network.node_names())
    assert not any(is_running(record) for record in records)
    network.start()
    after = {s.name: s.heights for s in network.status()}
    assert after == before
    reloaded = FabricNetwork.load(network.directory)
    records = list(reloaded.processes.values())
    ports = reloaded.ports.all_ports()
    reloaded.down()
    assert not any(is_running(record) for record in records)
    assert busy_ports(ports) == []
    assert list(network.directory.iterdir()) == []  # the test's folder: not fabric-pilot's


def test_raft3_has_three_consenters_and_exactly_one_leader(
    fabric_network_factory: NetworkFactory,
) -> None:
    network = fabric_network_factory("raft3")
    orderers = network.topology.orderer_org.orderer_names
    assert len(orderers) == 3
    for orderer in orderers:
        assert network.orderer_metric(orderer, "consensus_etcdraft_cluster_size", "mychannel") == 3
    assert len(network.raft_leaders("mychannel")) == 1


def test_bad_topology_file_is_rejected_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\norderer_org: {orderers: 1}\norgs:\n  - {name: Org1, msp_id: Org1MSP,"
        " domain: org1.example.com}\nchannels:\n  - {name: ch, orgs: [Org9]}\n"
    )
    with pytest.raises(TopologyError, match=r"channels\[0\]\.orgs: unknown org 'Org9'"):
        load_topology(bad)


def test_port_clash_is_rejected_and_nothing_is_left_running(
    fabric_home: FabricHome, tmp_path: Path
) -> None:
    topology = load_topology("dev")
    base = free_base_port(topology)
    network = FabricNetwork.create(tmp_path / "net", topology, fabric_home, base)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", base + 4))
        squatter.listen()
        with pytest.raises(PortClashError, match=f"port {base + 4} is already in use"):
            network.up()
    assert network.processes == {}
    assert not (tmp_path / "net" / "network.json").exists()


def test_up_refuses_a_folder_that_already_holds_a_network(dev_network: FabricNetwork) -> None:
    twin = FabricNetwork.create(
        dev_network.directory, dev_network.topology, dev_network.home, dev_network.ports.base_port
    )
    with pytest.raises(NetworkError, match="already holds a network"):
        twin.up()


def test_failed_up_stops_everything_and_shows_the_failing_node_log(
    fabric_home: FabricHome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    topology = load_topology("dev")
    network = FabricNetwork.create(
        tmp_path / "net", topology, fabric_home, free_base_port(topology)
    )
    write_configs = network._write_node_configs

    def sabotage() -> None:
        write_configs()
        orderer_yaml = network.directory / "nodes" / "orderer0.example.com" / "orderer.yaml"
        text = orderer_yaml.read_text().replace(str(network.layout.root), "/nonexistent/crypto")
        orderer_yaml.write_text(text)

    monkeypatch.setattr(network, "_write_node_configs", sabotage)
    with pytest.raises(NetworkError, match=r"orderer0\.example\.com exited during start-up") as err:
        network.up()
    assert "/nonexistent/crypto" in str(err.value)  # the log tail names the missing files
    assert network.processes == {}
    assert busy_ports(network.ports.all_ports()) == []
    assert not (tmp_path / "net" / "network.json").exists()
    assert (tmp_path / "net" / "logs" / "orderer0.example.com.log").exists()
