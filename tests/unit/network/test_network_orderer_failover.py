"""Admin calls that reach an orderer go through any orderer that answers (raft3, orderer0 down)."""

from __future__ import annotations

from pathlib import Path

import pytest
from channel_fakes import HOME, FakeChannel, channel_config, make_ca

from fabric_pilot_network import network as network_module
from fabric_pilot_network.channel_config import fetch_config
from fabric_pilot_network.commands import Command, CommandError, CommandResult
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.processes import ProcessRecord
from fabric_pilot_network.topology import load_topology

REFUSED = (
    "Error: failed to create deliver client for orderer: orderer client failed to connect to "
    '127.0.0.1:{port}: failed to create new connection: connection error: desc = "transport: '
    'error while dialing: dial tcp 127.0.0.1:{port}: connect: connection refused"\n'
)


class Orderers:
    """A fake runner whose orderer0 is down: calls naming its address are refused."""

    def __init__(self, channel: FakeChannel, down: str) -> None:
        self.channel = channel
        self.down = down
        self.orderers_asked: list[str] = []

    def __call__(self, command: Command) -> CommandResult:
        address = command.argv[command.argv.index("-o") + 1]
        self.orderers_asked.append(address)
        if address == self.down:
            port = address.rsplit(":", 1)[1]
            raise CommandError(command, CommandResult(1, "", REFUSED.format(port=port)))
        return self.channel(command)


@pytest.fixture
def raft3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[FabricNetwork, Orderers]:
    channel = FakeChannel(channel_config({"Org1": make_ca("ca1"), "Org2": make_ca("ca2")}))
    network = FabricNetwork.create(tmp_path / "net", load_topology("raft3"), HOME, 23000)
    runner = Orderers(channel, network.ports.address("orderer0.example.com"))
    network.runner = runner
    tls_cas = network.layout.org_msp(network.topology.orderer_org.name) / "tlscacerts"
    tls_cas.mkdir(parents=True)
    (tls_cas / "tlsca.example.com-cert.pem").write_bytes(b"tls ca")
    for name in network.node_names():
        network.processes[name] = ProcessRecord(name, 1, 1, ("x",), "log")
    monkeypatch.setattr(network_module, "is_running", lambda record: True)
    return network, runner


def test_a_refused_orderer_is_skipped_for_the_next_one(raft3) -> None:
    network, runner = raft3
    block = fetch_config(network, "Org1", "mychannel")
    assert block.number == 0
    assert runner.orderers_asked == [
        network.ports.address("orderer0.example.com"),
        network.ports.address("orderer1.example.com"),
    ]


def test_a_stopped_orderer_is_not_asked_first(raft3) -> None:
    network, runner = raft3
    del network.processes["orderer0.example.com"]
    assert network.orderers_by_preference()[-1] == "orderer0.example.com"
    fetch_config(network, "Org1", "mychannel")
    assert runner.orderers_asked == [network.ports.address("orderer1.example.com")]


def test_other_failures_are_not_retried(raft3) -> None:
    network, _ = raft3

    def refuse(command: Command) -> CommandResult:
        raise CommandError(command, CommandResult(1, "", "Error: access denied for [update]\n"))

    calls: list[Command] = []
    network.runner = lambda command: calls.append(command) or refuse(command)
    with pytest.raises(CommandError, match="access denied"):
        network.run_through_orderer(
            lambda orderer: network.admin.fetch_config("peer0.org1.example.com", "c", Path("b"))
        )
    assert len(calls) == 1


def test_when_no_orderer_answers_the_last_refusal_is_raised(raft3, monkeypatch) -> None:
    network, runner = raft3
    runner.down = ""  # every address differs from ""; make all refuse instead
    monkeypatch.setattr(network_module.time, "sleep", lambda seconds: None)

    def all_down(command: Command) -> CommandResult:
        raise CommandError(command, CommandResult(1, "", REFUSED.format(port="1")))

    network.runner = all_down
    with pytest.raises(CommandError, match="connection refused"):
        network.run_through_orderer(
            lambda orderer: network.admin.fetch_config(
                "peer0.org1.example.com", "c", Path("b"), orderer
            ),
            wait=0.0,
        )


def test_an_orderer_that_is_down_is_not_a_leader_and_does_not_stop_the_search(
    raft3, monkeypatch
) -> None:
    import urllib.error

    network, _ = raft3

    def metric(orderer: str, name: str, channel: str) -> float:
        if orderer == "orderer0.example.com":
            raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))
        return 1.0 if orderer == "orderer2.example.com" else 0.0

    monkeypatch.setattr(network, "orderer_metric", metric)
    assert network.raft_leaders("mychannel") == ["orderer2.example.com"]
    assert network.wait_for_leader("mychannel", timeout=1.0) == "orderer2.example.com"
