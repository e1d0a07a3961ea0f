"""publish_revocation_list against a fake channel: fetch, compute, sign and send, wait."""

from __future__ import annotations

from pathlib import Path

import pytest
from channel_fakes import FakeChannel, channel_config, make_ca, planned_network, revocation_list
from cryptography import x509
from fabric_protos.common import common_pb2, configtx_pb2

from fabric_pilot_network import channel_config as channel_config_module
from fabric_pilot_network import network as network_module
from fabric_pilot_network.channel_config import ChannelConfigError, ChannelUpdate
from fabric_pilot_network.msp_revocation import publish_revocation_list
from fabric_pilot_network.network import FabricNetwork, NetworkError
from fabric_pilot_network.processes import ProcessRecord

ORG1_CA, ORG2_CA = make_ca("ca.org1.example.com"), make_ca("ca.org2.example.com")
NODES = ("orderer0.example.com", "peer0.org1.example.com", "peer0.org2.example.com")


@pytest.fixture
def channel() -> FakeChannel:
    return FakeChannel(channel_config({"Org1": ORG1_CA, "Org2": ORG2_CA}))


@pytest.fixture
def network(tmp_path: Path, channel: FakeChannel, monkeypatch: pytest.MonkeyPatch) -> FabricNetwork:
    network = planned_network(tmp_path / "net", channel)
    for node in NODES:
        network.processes[node] = ProcessRecord(node, 1, 1.0, ("x",), "log")
    running = lambda record: record.name in network.processes  # noqa: E731
    monkeypatch.setattr(network_module, "is_running", running)  # behind node_running
    return network


def test_the_crl_is_sent_once_signed_as_org_admin_and_awaited_on_every_peer(
    network: FabricNetwork, channel: FakeChannel
) -> None:
    messages: list[str] = []
    crl = ORG1_CA.crl(42)
    assert publish_revocation_list(network, "Org1", crl, messages.append) == [
        ChannelUpdate("mychannel", 5, updated=True)
    ]
    assert channel.names() == [
        "peer channel fetch config",
        "configtxlator compute_update",
        "peer channel update",
        "peer channel fetch config",
        "peer channel getinfo",
        "peer channel getinfo",
    ]
    update = next(c for c in channel.commands if c.name == "peer channel update")
    assert update.env["CORE_PEER_MSPCONFIGPATH"].endswith("Admin@org1.example.com/msp")
    (envelope,) = channel.envelopes
    payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(envelope).payload)
    update_envelope = configtx_pb2.ConfigUpdateEnvelope.FromString(payload.data)
    assert update_envelope.config_update == b"config-update"
    (published,) = revocation_list(channel.config, "Org1")
    assert [entry.serial_number for entry in x509.load_pem_x509_crl(published)] == [42]
    assert messages[-1] == "mychannel: config block 5 is on every running peer"

    again = publish_revocation_list(network, "Org1MSP", crl)
    assert again == [ChannelUpdate("mychannel", 5, updated=False)]
    assert channel.names()[6:] == ["peer channel fetch config"]


def test_nothing_is_sent_when_a_node_is_down_or_the_crl_does_not_fit(
    network: FabricNetwork, channel: FakeChannel
) -> None:
    orderer = network.processes.pop("orderer0.example.com")
    with pytest.raises(NetworkError, match=r"only 0 of 1 orderers are running, no Raft quorum"):
        publish_revocation_list(network, "Org1", ORG1_CA.crl(1))
    network.processes[orderer.name] = orderer
    with pytest.raises(ChannelConfigError, match=r"mychannel: .* not signed by a CA of Org1"):
        publish_revocation_list(network, "Org1", ORG2_CA.crl(1))
    assert "peer channel update" not in channel.names()


def test_a_peer_that_never_gets_the_block_times_out(
    network: FabricNetwork, channel: FakeChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network, "channel_height", lambda node, ch: 0)
    monkeypatch.setattr(channel_config_module.time, "sleep", lambda seconds: None)
    current = channel_config_module.fetch_config(network, "Org1", "mychannel")
    updated = configtx_pb2.Config()
    updated.CopyFrom(current.config)
    with pytest.raises(ChannelConfigError, match=r"peer0\.org1\.example\.com has not committed"):
        channel_config_module.apply_config(
            network, "Org1", "mychannel", current, updated, timeout=0.0
        )
