"""Block and transaction summaries decoded from real protobuf messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_fakes import write_profiles
from fabric_protos.common import common_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2, transaction_pb2

from fabric_pilot_cli._errors import CliError
from fabric_pilot_cli._profiles import resolve_identity
from fabric_pilot_cli._sdk import deployed_channel
from fabric_pilot_cli._settings import Settings
from fabric_pilot_gateway.summaries import block_summary, transaction_summary


def _envelope(tx_id: str, function: bytes, header_type: int = 3) -> bytes:
    spec = chaincode_pb2.ChaincodeSpec(
        chaincode_id=chaincode_pb2.ChaincodeID(name="tax_invoice"),
        input=chaincode_pb2.ChaincodeInput(args=[function, b"arg"]),
    )
    invocation = chaincode_pb2.ChaincodeInvocationSpec(chaincode_spec=spec)
    proposal_payload = proposal_pb2.ChaincodeProposalPayload(input=invocation.SerializeToString())
    action_payload = transaction_pb2.ChaincodeActionPayload(
        chaincode_proposal_payload=proposal_payload.SerializeToString(),
        action=transaction_pb2.ChaincodeEndorsedAction(
            endorsements=[_endorsement(), _endorsement()]
        ),
    )
    transaction = transaction_pb2.Transaction(
        actions=[transaction_pb2.TransactionAction(payload=action_payload.SerializeToString())]
    )
    channel_header = common_pb2.ChannelHeader(type=header_type, tx_id=tx_id, channel_id="tax")
    channel_header.timestamp.FromJsonString("2026-11-23T10:00:00Z")
    creator = identities_pb2.SerializedIdentity(mspid="EnterpriseAMSP", id_bytes=b"cert")
    signature_header = common_pb2.SignatureHeader(creator=creator.SerializeToString())
    payload = common_pb2.Payload(
        header=common_pb2.Header(
            channel_header=channel_header.SerializeToString(),
            signature_header=signature_header.SerializeToString(),
        ),
        data=transaction.SerializeToString(),
    )
    return common_pb2.Envelope(payload=payload.SerializeToString()).SerializeToString()


def _endorsement():
    from fabric_protos.peer import proposal_response_pb2

    return proposal_response_pb2.Endorsement(endorser=b"peer", signature=b"sig")


def test_block_summary_lists_transactions_with_validation_codes() -> None:
    block = common_pb2.Block(
        header=common_pb2.BlockHeader(number=7, previous_hash=b"\x01", data_hash=b"\x02"),
        data=common_pb2.BlockData(data=[_envelope("t1", b"issue_invoice"),
                                        _envelope("t2", b"lock_reimbursement")]),
    )  # fmt: skip
    block.metadata.metadata.extend([b"", b"", bytes([0, 11]), b"", b""])
    summary = block_summary(block)
    assert (summary["number"], summary["previous_hash"], summary["transaction_count"]) == (
        7, "01", 2,
    )  # fmt: skip
    first, second = summary["transactions"]
    assert first == {
        "transaction_id": "t1", "type": "ENDORSER_TRANSACTION",
        "timestamp": "2026-11-23T10:00:00Z", "creator_msp": "EnterpriseAMSP",
        "chaincode": "tax_invoice", "function": "issue_invoice", "endorsements": 2,
        "validation": "VALID",
    }  # fmt: skip
    assert second["validation"] == "MVCC_READ_CONFLICT"
    assert second["function"] == "lock_reimbursement"


def test_config_transactions_have_no_invocation() -> None:
    block = common_pb2.Block(data=common_pb2.BlockData(data=[_envelope("c", b"", 1)]))
    (entry,) = block_summary(block)["transactions"]
    assert entry["type"] == "CONFIG"
    assert "function" not in entry


def test_transaction_summary() -> None:
    processed = transaction_pb2.ProcessedTransaction(
        transactionEnvelope=common_pb2.Envelope.FromString(_envelope("t9", b"set_quota")),
        validationCode=10,
    )
    summary = transaction_summary(processed, 12)
    assert summary["block_number"] == 12
    assert summary["validation"] == "ENDORSEMENT_POLICY_FAILURE"
    assert summary["function"] == "set_quota"


def test_chaincode_channel_is_the_default_for_sector_calls(tmp_path: Path) -> None:
    net = tmp_path / "net"
    write_profiles(net)
    (net / "network.json").write_text(
        json.dumps({"chaincodes": {"tax_invoice": {"channel": "tax"}}})
    )
    assert deployed_channel(net, "tax_invoice") == "tax"
    assert deployed_channel(net, "other") is None
    settings = Settings(directory=net)
    assert resolve_identity(settings, "tax").channel == "tax"
    assert resolve_identity(settings, None).channel == "mychannel"
    org2 = Settings(directory=net, org="Org2")
    assert resolve_identity(org2, None).channel == "mychannel"
    with pytest.raises(CliError) as caught:  # not "No metadata was found" from mychannel
        resolve_identity(org2, "tax")
    assert (str(caught.value), caught.value.exit_code) == (
        "org Org2 is not a member of channel tax", 2,
    )  # fmt: skip
    with pytest.raises(CliError, match="org Org2 is not a member of channel tax"):
        resolve_identity(Settings(directory=net, org="Org2", channel="tax"), None)
    explicit = Settings(directory=net, channel="tax")
    assert resolve_identity(explicit, None).channel == "tax"


def test_default_org_follows_topology_order_and_channel(tmp_path: Path) -> None:
    net = tmp_path / "net"
    write_profiles(net)
    (net / "topology.yaml").write_text("orgs:\n  - name: Org2\n  - name: Org1\n")
    assert resolve_identity(Settings(directory=net), None).org == "Org2"
    assert resolve_identity(Settings(directory=net), "tax").org == "Org1"
    assert resolve_identity(Settings(directory=net, channel="tax"), None).org == "Org1"
