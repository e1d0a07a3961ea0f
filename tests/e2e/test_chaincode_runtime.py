"""The Python chaincode runtime on a real network, driven by the official ``peer`` CLI
(a client nobody here wrote) and by the SDK for events."""

from __future__ import annotations

import base64
import json
import os
import signal
import time
from collections.abc import Iterator

import pytest

from fabric_pilot_chaincode import canonical_json
from fabric_pilot_gateway.profiles import open_gateway
from fabric_pilot_network.chaincode import deploy
from fabric_pilot_network.chaincode_definitions import load_definition
from fabric_pilot_network.commands import CommandError
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.processes import children, is_running
from fabric_pilot_network.pytest_plugin import NetworkFactory

pytestmark = pytest.mark.e2e

CHANNEL = "mychannel"
PEER1 = "peer0.org1.example.com"
PEER2 = "peer0.org2.example.com"


@pytest.fixture(scope="module")
def network(fabric_network_factory: NetworkFactory) -> Iterator[FabricNetwork]:
    network = fabric_network_factory("dev")
    definition = load_definition("sample_assets")
    deploy(network, definition)
    deploy(network, definition.replace(name="sample_assets_b"))
    yield network


def peer_cli(
    network: FabricNetwork,
    verb: str,
    chaincode: str,
    args: list[str],
    *,
    user: str = "User1",
    transient: dict[str, bytes] | None = None,
) -> str:
    """``peer chaincode invoke|query`` as ``user`` of Org1 (invoke endorsed by both orgs)."""
    admin = network.admin
    env = admin.peer_env(PEER1, user)
    argv = [network.home.tool("peer"), "chaincode", verb, "-C", CHANNEL, "-n", chaincode]
    argv += ["-c", json.dumps({"Args": args})]
    if verb == "invoke":
        argv += [*admin.orderer_address_args(), "--waitForEvent"]
        for peer in (PEER1, PEER2):
            ca = network.layout.node_dir(peer) / "tls" / "ca.crt"
            argv += ["--peerAddresses", network.ports.address(peer), "--tlsRootCertFiles", str(ca)]
    if transient:
        encoded = {key: base64.b64encode(value).decode() for key, value in transient.items()}
        argv += ["--transient", json.dumps(encoded)]
    from fabric_pilot_network.commands import Command

    result = network.run(Command(tuple(argv), env))
    return result.stdout.strip() or result.stderr.strip()


def query_json(network: FabricNetwork, chaincode: str, args: list[str]) -> object:
    return json.loads(peer_cli(network, "query", chaincode, args))


def test_invoke_and_query_with_the_official_peer_cli(network: FabricNetwork) -> None:
    peer_cli(network, "invoke", "sample_assets", ["create_asset", "a1", "blue", "5", "300"])
    asset = query_json(network, "sample_assets", ["read_asset", "a1"])
    assert isinstance(asset, dict)
    assert asset["color"] == "blue"
    assert asset["size"] == 5
    assert asset["owner_msp"] == "Org1MSP"
    assert asset["owner"].startswith("x509::CN=User1@org1.example.com")
    assert query_json(network, "sample_assets", ["get_endorsement_orgs", "a1"]) == ["Org1MSP"]


def test_contract_error_is_an_error_for_the_peer_cli(network: FabricNetwork) -> None:
    with pytest.raises(CommandError, match="NOT_FOUND: asset nope does not exist"):
        peer_cli(network, "query", "sample_assets", ["read_asset", "nope"])
    with pytest.raises(CommandError, match="BAD_ARGUMENT"):
        peer_cli(network, "query", "sample_assets", ["read_asset"])


def test_events_are_delivered_to_gateway_listeners(network: FabricNetwork) -> None:
    peer_cli(network, "invoke", "sample_assets", ["create_asset", "ev1", "red", "1", "10"])
    profile = network.directory / "profiles" / "Org1.json"
    with open_gateway(profile) as gateway:
        events = gateway.get_network(CHANNEL).chaincode_events("sample_assets", start_block=0)
        with events:
            for event in events:
                if event.event_name == "AssetCreated" and b'"ev1"' in event.payload:
                    break
    assert json.loads(event.payload)["asset_id"] == "ev1"


def test_paged_range_and_index_queries(network: FabricNetwork) -> None:
    for index in range(5):
        peer_cli(
            network, "invoke", "sample_assets", ["create_asset", f"p{index}", "green", "1", "1"]
        )
    page = query_json(network, "sample_assets", ["query_assets_by_color", "green", "2", ""])
    assert isinstance(page, dict)
    assert len(page["records"]) == 2
    assert page["fetched_records_count"] == 2
    rest = query_json(
        network, "sample_assets", ["query_assets_by_color", "green", "10", page["bookmark"]]
    )
    assert isinstance(rest, dict)
    ids = [asset["asset_id"] for asset in page["records"] + rest["records"]]
    assert ids == [f"p{index}" for index in range(5)]
    assert rest["fetched_records_count"] == 3


def test_private_data_round_trip_through_transient_data(network: FabricNetwork) -> None:
    peer_cli(network, "invoke", "sample_assets", ["create_asset", "pd1", "black", "2", "20"])
    secret = {"appraiser": "Acme", "price": 12345}
    transient = {"asset_properties": canonical_json(secret)}
    peer_cli(
        network, "invoke", "sample_assets", ["set_private_properties", "assetCollection", "pd1"],
        transient=transient,
    )  # fmt: skip
    stored = query_json(
        network, "sample_assets", ["read_private_properties", "assetCollection", "pd1"]
    )
    assert stored == secret
    verified = peer_cli(
        network, "query", "sample_assets", ["verify_private_properties", "assetCollection", "pd1"],
        transient=transient,
    )  # fmt: skip
    assert verified == "true"
    tampered = {"asset_properties": canonical_json({**secret, "price": 1})}
    forged = peer_cli(
        network, "query", "sample_assets", ["verify_private_properties", "assetCollection", "pd1"],
        transient=tampered,
    )  # fmt: skip
    assert forged == "false"


def test_chaincode_to_chaincode_call(network: FabricNetwork) -> None:
    peer_cli(network, "invoke", "sample_assets_b", ["create_asset", "remote1", "white", "3", "30"])
    remote = query_json(
        network, "sample_assets", ["read_remote_asset", "sample_assets_b", "remote1"]
    )
    assert isinstance(remote, dict)
    assert remote["asset_id"] == "remote1"
    with pytest.raises(CommandError, match="REMOTE_ERROR"):
        peer_cli(
            network, "query", "sample_assets", ["read_remote_asset", "sample_assets_b", "nope"]
        )


def test_history_lists_every_change(network: FabricNetwork) -> None:
    peer_cli(network, "invoke", "sample_assets", ["create_asset", "h1", "blue", "1", "1"])
    peer_cli(network, "invoke", "sample_assets", ["update_asset", "h1", "red", "2", "3"])
    history = query_json(network, "sample_assets", ["get_asset_history", "h1"])
    assert isinstance(history, list)
    assert [entry["asset"]["color"] for entry in history] == ["red", "blue"]  # newest first
    assert all(len(entry["tx_id"]) == 64 and not entry["is_delete"] for entry in history)


def test_upgrade_to_sequence_2_keeps_state(network: FabricNetwork) -> None:
    peer_cli(network, "invoke", "sample_assets", ["create_asset", "up1", "gold", "9", "90"])
    result = deploy(network, load_definition("sample_assets").replace(version="2.0"))
    assert result.sequence == 2
    asset = query_json(network, "sample_assets", ["read_asset", "up1"])
    assert isinstance(asset, dict)
    assert asset["color"] == "gold"


def test_killed_chaincode_server_is_restarted_and_next_invoke_succeeds(
    network: FabricNetwork,
) -> None:
    keeper = network.processes["chaincode-sample_assets"]
    assert is_running(keeper)
    (server,) = children(keeper.pid)
    os.kill(server, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and children(keeper.pid) in ([], [server]):
        time.sleep(0.1)
    assert children(keeper.pid) not in ([], [server])
    deadline = time.monotonic() + 30
    while True:
        try:
            peer_cli(
                network, "invoke", "sample_assets", ["create_asset", "after-kill", "teal", "1", "1"]
            )
            break
        except CommandError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    asset = query_json(network, "sample_assets", ["read_asset", "after-kill"])
    assert isinstance(asset, dict)
    assert asset["color"] == "teal"
