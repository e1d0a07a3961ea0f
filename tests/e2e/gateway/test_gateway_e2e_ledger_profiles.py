"""Ledger queries (qscc, _lifecycle) and connecting as every user of every profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _gw_support import CHAINCODE, CHANNEL, transaction_ids, unique
from fabric_protos.peer import transaction_pb2

from fabric_pilot_gateway import Contract, Network
from fabric_pilot_gateway.ledger import (
    get_block,
    get_block_by_transaction_id,
    get_chain_info,
    get_transaction,
    query_committed_chaincodes,
)
from fabric_pilot_gateway.profiles import GatewayProfile, open_gateway
from fabric_pilot_network.network import FabricNetwork

pytestmark = pytest.mark.e2e

VALID = transaction_pb2.TxValidationCode.VALID


def test_chain_height_grows_and_blocks_are_found_by_number_and_transaction(
    contract: Contract, channel: Network
) -> None:
    before = get_chain_info(channel)
    status = contract.submit_async("put", [unique("ledger"), "v"]).status()
    after = get_chain_info(channel)
    assert after.height > before.height
    assert after.height > status.block_number
    block = get_block(channel, status.block_number)
    assert block.header.number == status.block_number
    assert status.transaction_id in transaction_ids(block)
    assert get_block_by_transaction_id(channel, status.transaction_id) == block
    latest = get_block(channel, after.height - 1)
    assert latest.header.previous_hash == after.previous_block_hash


def test_transaction_by_id_carries_its_validation_code(
    contract: Contract, channel: Network
) -> None:
    key = unique("txcode")
    submitted = contract.submit_async("put", [key, "v"])
    assert submitted.status().successful
    processed = get_transaction(channel, submitted.transaction_id)
    assert processed.validationCode == VALID
    assert processed.transactionEnvelope.signature


def test_committed_chaincodes_list_the_test_chaincode(
    channel: Network, gateway_network: FabricNetwork
) -> None:
    committed = {item.name: item for item in query_committed_chaincodes(channel)}
    assert CHAINCODE in committed
    entry = committed[CHAINCODE]
    assert entry.version == "1.0"
    assert entry.sequence == gateway_network.chaincodes[CHAINCODE]["sequence"]
    assert (entry.endorsement_plugin, entry.validation_plugin) == ("escc", "vscc")


def _profile_users(network: FabricNetwork) -> list[tuple[Path, str]]:
    pairs = []
    for path in sorted((network.directory / "profiles").glob("*.json")):
        users = json.loads(path.read_text())["x-fabric-pilot"]["users"]
        pairs += [(path, user) for user in sorted(users)]
    return pairs


def test_every_profile_user_can_open_a_gateway_and_is_seen_as_itself(
    gateway_network: FabricNetwork,
) -> None:
    pairs = _profile_users(gateway_network)
    expected_users = sum(len(org.users) + 1 for org in gateway_network.topology.orgs)
    assert len(pairs) == expected_users
    for path, user in pairs:
        profile = GatewayProfile.load(path)
        with open_gateway(path, user) as gateway:
            contract = gateway.get_network(CHANNEL).get_contract(CHAINCODE)
            seen = json.loads(contract.evaluate("whoami"))
        assert seen["mspId"] == profile.msp_id
        domain = profile.user(user).msp_dir.parent.name  # e.g. User1@org1.example.com
        assert f"CN={domain}" in seen["id"], (user, seen)
