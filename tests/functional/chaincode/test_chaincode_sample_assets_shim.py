"""The sample asset contract served by the real ChaincodeServer to a fake peer over gRPC."""

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fabric_pilot_chaincode import ChaincodeServer, canonical_json, canonical_loads
from fabric_pilot_chaincode.testing import make_test_identity
from fabric_pilot_contracts.sample_assets import CHAINCODE, policy_msps

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "unit" / "chaincode"))

from chaincode_fake_peer import (
    FakePeer,
    FakeWorld,
    make_signed_proposal,
    response_of,
    run_transaction,
    transaction_message,
)

ALICE = make_test_identity("Org1MSP", "alice")


@pytest.fixture
def connected() -> Iterator[tuple[FakePeer, FakeWorld]]:
    # fixed proposal timestamps: the endorser clock window is not what these tests are about
    server = ChaincodeServer(CHAINCODE, "127.0.0.1:0", "sample_assets:1", max_clock_skew=0)
    server.start()
    peer = FakePeer(f"127.0.0.1:{server.port}")
    try:
        peer.handshake()
        yield peer, FakeWorld()
    finally:
        peer.close()
        server.stop(grace=0.2)


_counter = iter(range(1_000_000))


def call(
    connected: tuple[FakePeer, FakeWorld], *args: str, transient: dict[str, bytes] | None = None
) -> Any:
    peer, world = connected
    tx_id = f"tx{next(_counter)}"
    proposal = make_signed_proposal(ALICE, tx_id=tx_id, transient=transient)
    message = transaction_message(tx_id, [a.encode() for a in args], proposal=proposal)
    reply = run_transaction(peer, world, message)
    return reply, response_of(reply)


def test_create_query_transfer_over_the_shim(connected: tuple[FakePeer, FakeWorld]) -> None:
    _, world = connected
    for index in range(3):
        reply, response = call(connected, "create_asset", f"a{index}", "blue", "3", "10")
        assert response.status == 200, response.message
        assert reply.chaincode_event.event_name == "AssetCreated"
    assert policy_msps(world.metadata[("", "a0")]) == ["Org1MSP"]
    _, first = call(connected, "query_assets_by_color", "blue", "2", "")
    page = canonical_loads(first.payload)
    assert [r["asset_id"] for r in page["records"]] == ["a0", "a1"]
    _, second = call(connected, "query_assets_by_color", "blue", "2", page["bookmark"])
    assert [r["asset_id"] for r in canonical_loads(second.payload)["records"]] == ["a2"]
    _, moved = call(connected, "transfer_asset", "a1", "x509::CN=bob", "Org2MSP")
    assert moved.status == 200, moved.message
    assert policy_msps(world.metadata[("", "a1")]) == ["Org2MSP"]
    _, denied = call(connected, "update_asset", "a1", "red", "1", "1")
    assert denied.status == 500
    assert denied.message == "FORBIDDEN: only the owner may change asset a1"


def test_private_properties_over_the_shim(connected: tuple[FakePeer, FakeWorld]) -> None:
    _, world = connected
    call(connected, "create_asset", "p1", "red", "1", "1")
    properties = canonical_json({"appraiser": "acme"})
    _, stored = call(
        connected, "set_private_properties", "pdc", "p1", transient={"asset_properties": properties}
    )
    assert stored.status == 200, stored.message
    assert world.private[("pdc", "p1")] == properties
    _, verified = call(
        connected,
        "verify_private_properties",
        "pdc",
        "p1",
        transient={"asset_properties": properties},
    )
    assert verified.payload == b"true"
