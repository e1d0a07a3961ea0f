"""Blocks and transactions summarised as plain, JSON-ready dicts (for display and logs).

``block_summary`` takes a ``common.Block`` (from :func:`~fabric_pilot_gateway.ledger.get_block`
or block events), ``transaction_summary`` a ``peer.ProcessedTransaction`` (from
:func:`~fabric_pilot_gateway.ledger.get_transaction`). Validation codes are named by
:func:`~fabric_pilot_gateway.commit.validation_code_name`, the SDK's one table of them.
"""

from __future__ import annotations

from typing import Any, cast

from ._protos import chaincode_pb2, common_pb2, identities_pb2, proposal_pb2, transaction_pb2
from .commit import validation_code_name

__all__ = ["block_summary", "envelope_summary", "transaction_summary"]


def _header_type_name(kind: int) -> str:
    try:
        return common_pb2.HeaderType.Name(cast("common_pb2.HeaderType.ValueType", kind))
    except ValueError:
        return f"TYPE_{kind}"


def _invocation(payload_data: bytes) -> dict[str, Any]:
    transaction = transaction_pb2.Transaction.FromString(payload_data)
    if not transaction.actions:
        return {}
    action = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
    proposal = proposal_pb2.ChaincodeProposalPayload.FromString(action.chaincode_proposal_payload)
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(proposal.input).chaincode_spec
    args = list(spec.input.args)
    return {
        "chaincode": spec.chaincode_id.name,
        "function": args[0].decode("utf-8", "replace") if args else "",
        "endorsements": len(action.action.endorsements),
    }


def envelope_summary(envelope_bytes: bytes) -> dict[str, Any]:
    """Transaction ID, type, time, creator and invoked function of one envelope."""
    envelope = common_pb2.Envelope.FromString(envelope_bytes)
    payload = common_pb2.Payload.FromString(envelope.payload)
    channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    signature_header = common_pb2.SignatureHeader.FromString(payload.header.signature_header)
    creator = identities_pb2.SerializedIdentity.FromString(signature_header.creator)
    has_time = channel_header.HasField("timestamp")
    summary: dict[str, Any] = {
        "transaction_id": channel_header.tx_id,
        "type": _header_type_name(channel_header.type),
        "timestamp": channel_header.timestamp.ToJsonString() if has_time else None,
        "creator_msp": creator.mspid,
    }
    if channel_header.type == common_pb2.HeaderType.ENDORSER_TRANSACTION:
        summary.update(_invocation(payload.data))
    return summary


def block_summary(block: common_pb2.Block) -> dict[str, Any]:
    """Number, hashes and every transaction (with its validation code) of a block."""
    index = common_pb2.BlockMetadataIndex.TRANSACTIONS_FILTER
    metadata = block.metadata.metadata
    codes = bytes(metadata[index]) if len(metadata) > index else b""
    transactions = []
    for position, data in enumerate(block.data.data):
        entry = envelope_summary(data)
        if position < len(codes):
            entry["validation"] = validation_code_name(codes[position])
        transactions.append(entry)
    return {
        "number": int(block.header.number),
        "previous_hash": block.header.previous_hash.hex(),
        "data_hash": block.header.data_hash.hex(),
        "transaction_count": len(transactions),
        "transactions": transactions,
    }


def transaction_summary(
    processed: transaction_pb2.ProcessedTransaction, block_number: int
) -> dict[str, Any]:
    """A processed transaction with its validation code and block number."""
    summary = envelope_summary(processed.transactionEnvelope.SerializeToString())
    summary["validation"] = validation_code_name(int(processed.validationCode))
    summary["block_number"] = block_number
    return summary
