"""Submit, evaluate, transient data, endorsing organisations and typed errors on a real network."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from _gw_support import CHAINCODE, CHANNEL, ORG1_MSP, ORG2_MSP, endorser_msp_ids, unique
from fabric_protos.peer import transaction_pb2

from fabric_pilot_gateway import CommitError, Contract, EndorseError, EvaluateError, Network
from fabric_pilot_gateway.ledger import get_block_by_transaction_id, get_transaction
from fabric_pilot_gateway.profiles import open_gateway
from fabric_pilot_network.network import FabricNetwork

pytestmark = pytest.mark.e2e

MVCC_READ_CONFLICT = transaction_pb2.TxValidationCode.MVCC_READ_CONFLICT


def _peer_addresses(network: FabricNetwork) -> dict[str, str]:
    """MSP ID -> address of that organisation's peer."""
    return {org.msp_id: network.ports.address(org.peer_names[0]) for org in network.topology.orgs}


def test_submit_returns_the_result_and_evaluate_reads_it_from_both_orgs(
    contract: Contract, org2_profile: Path
) -> None:
    key, value = unique("plain"), unique("value")
    assert contract.submit("put", [key, value]) == value.encode()
    assert contract.evaluate("get", [key]) == value.encode()
    with open_gateway(org2_profile) as org2:
        seen = org2.get_network(CHANNEL).get_contract(CHAINCODE).evaluate("get", [key])
    assert seen == value.encode()


def test_submit_async_gives_the_result_then_a_valid_status(contract: Contract) -> None:
    key = unique("async")
    contract.submit("put", [key, "41"])
    submitted = contract.submit_async("increment", [key])
    assert submitted.result == b"42"
    status = submitted.status()
    assert status.transaction_id == submitted.transaction_id
    assert (status.successful, status.code, status.code_name) == (True, 0, "VALID")
    assert status.block_number >= 1
    assert contract.evaluate("get", [key]) == b"42"


def test_transient_data_reaches_the_contract_but_not_the_block(
    contract: Contract, channel: Network
) -> None:
    key, secret = unique("secret"), unique("transient-secret")
    expected = hashlib.sha256(secret.encode()).hexdigest().encode()
    proposal = contract.new_proposal("put_secret", [key], transient={"secret": secret})
    transaction = proposal.endorse()
    assert transaction.result == expected
    assert transaction.submit().status().successful
    assert contract.evaluate("get", [key]) == expected
    block = get_block_by_transaction_id(channel, proposal.transaction_id)
    assert secret.encode() not in block.SerializeToString()
    keys = contract.evaluate("transient_keys", transient={"b": b"\x00\x01", "a": "x"})
    assert keys == b'["a","b"]'


def test_missing_transient_data_is_the_contracts_endorsement_error(contract: Contract) -> None:
    with pytest.raises(EndorseError, match="NO_TRANSIENT"):
        contract.submit("put_secret", [unique("secret")])


@pytest.mark.parametrize(
    "organizations", [[ORG1_MSP], [ORG2_MSP], [ORG1_MSP, ORG2_MSP]], ids=["org1", "org2", "both"]
)
def test_endorsing_organizations_are_the_ones_whose_endorsements_commit(
    contract: Contract, channel: Network, organizations: list[str]
) -> None:
    key = unique("endorsers")
    submitted = contract.submit_async("put", [key, "x"], endorsing_organizations=organizations)
    assert submitted.status().successful
    assert endorser_msp_ids(get_transaction(channel, submitted.transaction_id)) == organizations


def test_two_endorsements_of_the_same_read_commit_one_valid_one_mvcc_conflict(
    contract: Contract, channel: Network
) -> None:
    key = unique("mvcc")
    contract.submit("put", [key, "10"])
    first = contract.new_proposal("increment", [key]).endorse()
    second = contract.new_proposal("increment", [key]).endorse()
    assert first.result == second.result == b"11"
    submitted = [first.submit(), second.submit()]
    statuses = [item.status() for item in submitted]
    assert sorted(status.code_name for status in statuses) == ["MVCC_READ_CONFLICT", "VALID"]
    (loser,) = [status for status in statuses if not status.successful]
    assert get_transaction(channel, loser.transaction_id).validationCode == MVCC_READ_CONFLICT
    assert contract.evaluate("get", [key]) == b"11"


def test_concurrent_submits_of_the_same_read_raise_commit_error_for_the_loser(
    contract: Contract,
) -> None:
    key, tag = unique("race"), unique("tag")
    contract.submit("put", [key, "0"])

    def submit() -> bytes | CommitError:
        try:
            return contract.submit("increment_together", [key, "2", tag])
        except CommitError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda _: submit(), range(2)))
    errors = [item for item in outcomes if isinstance(item, CommitError)]
    results = [item for item in outcomes if isinstance(item, bytes)]
    assert results == [b"1"]
    assert [error.code_name for error in errors] == ["MVCC_READ_CONFLICT"]
    assert errors[0].code == MVCC_READ_CONFLICT
    assert errors[0].transaction_id
    assert contract.evaluate("get", [key]) == b"1"


def test_a_failing_contract_is_an_endorse_error_with_the_peers_details(
    contract: Contract, gateway_network: FabricNetwork
) -> None:
    code = unique("E_TEST").upper().replace("-", "_")
    proposal = contract.new_proposal("fail", [code])
    with pytest.raises(EndorseError) as caught:
        proposal.endorse()
    error = caught.value
    assert error.code == "ABORTED"
    assert error.transaction_id == proposal.transaction_id
    assert error.details, str(error)
    addresses = _peer_addresses(gateway_network)
    for detail in error.details:
        assert detail.address == addresses[detail.msp_id]
        assert code in detail.message
    assert code in str(error)


@pytest.mark.parametrize("target", [None, ORG1_MSP, ORG2_MSP], ids=["default", "org1", "org2"])
def test_a_failing_evaluate_is_an_evaluate_error_from_the_targeted_peer(
    contract: Contract, gateway_network: FabricNetwork, target: str | None
) -> None:
    key = unique("missing")
    with pytest.raises(EvaluateError) as caught:
        contract.evaluate("get", [key], endorsing_organizations=[target] if target else None)
    error = caught.value
    assert error.code == "UNKNOWN"  # what Fabric 2.5 answers when the chaincode returns 500
    assert error.transaction_id
    expected_msp = target or ORG1_MSP  # by default the Gateway evaluates on its own peer
    assert [(d.address, d.msp_id) for d in error.details] == [
        (_peer_addresses(gateway_network)[expected_msp], expected_msp)
    ]
    assert "NOT_FOUND" in error.details[0].message
    assert key in error.details[0].message
