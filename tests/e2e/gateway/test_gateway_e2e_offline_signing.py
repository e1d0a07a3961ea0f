"""Offline signing: a Gateway without a signer, every digest signed here with the user's key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _gw_support import CHAINCODE, CHANNEL, msp_private_key, sign_digest, take_until, unique

from fabric_pilot_gateway import (
    Contract,
    EndorseError,
    Gateway,
    SignatureRequiredError,
    X509Identity,
    connect,
)
from fabric_pilot_gateway.profiles import GatewayProfile

pytestmark = pytest.mark.e2e

Sign = Callable[[bytes], bytes]


@pytest.fixture(scope="module")
def offline(org1_profile: Path) -> Iterator[tuple[Gateway, Sign]]:
    """A signer-less Gateway for Org1's User1, and a function signing digests as User1."""
    profile = GatewayProfile.load(org1_profile)
    msp_dir = profile.user("User1").msp_dir
    (certificate,) = (msp_dir / "signcerts").glob("*.pem")
    identity = X509Identity(profile.msp_id, certificate.read_bytes())
    key = msp_private_key(msp_dir)
    channel = profile.new_channel()
    try:
        yield connect(client=channel, identity=identity, signer=None), lambda d: sign_digest(key, d)
    finally:
        channel.close()


def _contract(gateway: Gateway) -> Contract:
    return gateway.get_network(CHANNEL).get_contract(CHAINCODE)


def test_unsigned_steps_are_refused_without_a_signer(offline: tuple[Gateway, Sign]) -> None:
    gateway, _ = offline
    with pytest.raises(SignatureRequiredError):
        _contract(gateway).evaluate("get", ["anything"])
    with pytest.raises(SignatureRequiredError):
        _contract(gateway).new_proposal("put", ["k", "v"]).endorse()


def test_offline_signed_submit_round_trip_commits(
    offline: tuple[Gateway, Sign], contract: Contract
) -> None:
    gateway, sign = offline
    key, value = unique("offline"), unique("value")
    unsigned = _contract(gateway).new_proposal("put", [key, value])
    proposal = gateway.new_signed_proposal(unsigned.to_bytes(), sign(unsigned.digest()))
    assert proposal.transaction_id == unsigned.transaction_id

    unsigned_transaction = proposal.endorse()
    transaction = gateway.new_signed_transaction(
        unsigned_transaction.to_bytes(), sign(unsigned_transaction.digest())
    )
    assert transaction.result == value.encode()

    unsigned_commit = transaction.submit()
    with pytest.raises(SignatureRequiredError):
        unsigned_commit.status()
    commit = gateway.new_signed_commit(unsigned_commit.to_bytes(), sign(unsigned_commit.digest()))
    status = commit.status()
    assert (status.successful, status.transaction_id) == (True, proposal.transaction_id)
    assert contract.evaluate("get", [key]) == value.encode()


def test_offline_signed_evaluate_and_events(
    offline: tuple[Gateway, Sign], contract: Contract
) -> None:
    gateway, sign = offline
    key = unique("offline-read")
    status = contract.submit_async("put", [key, "seen"]).status()
    unsigned = _contract(gateway).new_proposal("get", [key])
    signed = gateway.new_signed_proposal(unsigned.to_bytes(), sign(unsigned.digest()))
    assert signed.evaluate() == b"seen"

    network = gateway.get_network(CHANNEL)
    request = network.new_chaincode_events_request(CHAINCODE, start_block=status.block_number)
    signed_request = gateway.new_signed_chaincode_events_request(
        request.to_bytes(), sign(request.digest())
    )
    with signed_request.get_events() as events:
        (event,) = take_until(events, lambda got: len(got) == 1)
    assert (event.block_number, event.payload) == (status.block_number, f"{key}=seen".encode())


def test_a_signature_by_another_key_is_rejected(
    offline: tuple[Gateway, Sign], org2_profile: Path
) -> None:
    gateway, _ = offline
    other_key = msp_private_key(GatewayProfile.load(org2_profile).user("User1").msp_dir)
    unsigned = _contract(gateway).new_proposal("put", [unique("forged"), "x"])
    forged = gateway.new_signed_proposal(
        unsigned.to_bytes(), sign_digest(other_key, unsigned.digest())
    )
    with pytest.raises(EndorseError):
        forged.endorse()


@pytest.mark.parametrize("filtered", [False, True], ids=["blocks", "filtered-blocks"])
def test_offline_signed_block_events_start_at_the_genesis_block(
    offline: tuple[Gateway, Sign], filtered: bool
) -> None:
    gateway, sign = offline
    network = gateway.get_network(CHANNEL)
    if filtered:
        request = network.new_filtered_block_events_request(start_block=0)
    else:
        request = network.new_block_events_request(start_block=0)
    signed = gateway.new_signed_block_events_request(
        request.to_bytes(), sign(request.digest()), filtered=filtered
    )
    with signed.get_events() as blocks:
        first, second = take_until(blocks, lambda got: len(got) == 2)
    numbers = (
        [first.number, second.number]
        if filtered
        else [
            first.header.number,
            second.header.number,
        ]
    )
    assert numbers == [0, 1]
