"""Blocks and transactions (protobuf messages) summarised as plain dicts for display."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["block_summary", "envelope_summary", "transaction_summary"]

_ENDORSER_TRANSACTION = 3


def _proto(name: str) -> Any:
    """A fabric_protos module, typed as Any (the generated modules have no stubs)."""
    return importlib.import_module(f"fabric_protos.{name}")


def _validation_name(code: int) -> str:

    try:
        name: str = _proto("peer.transaction_pb2").TxValidationCode.Name(code)
    except ValueError:
        return f"UNKNOWN_{code}"
    return name


def _header_type_name(kind: int) -> str:

    try:
        name: str = _proto("common.common_pb2").HeaderType.Name(kind)
    except ValueError:
        return f"TYPE_{kind}"
    return name


def _invocation(payload_data: bytes) -> dict[str, Any]:

    tx_pb2 = _proto("peer.transaction_pb2")
    transaction = tx_pb2.Transaction.FromString(payload_data)
    if not transaction.actions:
        return {}
    action = tx_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
    proposal_pb2 = _proto("peer.proposal_pb2")
    proposal = proposal_pb2.ChaincodeProposalPayload.FromString(action.chaincode_proposal_payload)
    invocation = _proto("peer.chaincode_pb2").ChaincodeInvocationSpec.FromString(proposal.input)
    spec = invocation.chaincode_spec
    args = list(spec.input.args)
    return {
        "chaincode": spec.chaincode_id.name,
        "function": args[0].decode("utf-8", "replace") if args else "",
        "endorsements": len(action.action.endorsements),
    }


def envelope_summary(envelope_bytes: bytes) -> dict[str, Any]:
    """Transaction ID, type, time, creator and invoked function of one envelope."""
    common = _proto("common.common_pb2")
    envelope = common.Envelope.FromString(envelope_bytes)
    payload = common.Payload.FromString(envelope.payload)
    channel_header = common.ChannelHeader.FromString(payload.header.channel_header)
    signature_header = common.SignatureHeader.FromString(payload.header.signature_header)
    creator = _proto("msp.identities_pb2").SerializedIdentity.FromString(signature_header.creator)
    summary: dict[str, Any] = {
        "transaction_id": channel_header.tx_id,
        "type": _header_type_name(channel_header.type),
        "timestamp": channel_header.timestamp.ToJsonString()
        if channel_header.HasField("timestamp")
        else None,
        "creator_msp": creator.mspid,
    }
    if channel_header.type == _ENDORSER_TRANSACTION:
        summary.update(_invocation(payload.data))
    return summary


def block_summary(block: Any) -> dict[str, Any]:
    """Number, hashes and every transaction (with its validation code) of a ``common.Block``."""

    index = _proto("common.common_pb2").BlockMetadataIndex.TRANSACTIONS_FILTER
    metadata = block.metadata.metadata
    codes = bytes(metadata[index]) if len(metadata) > index else b""
    transactions = []
    for position, data in enumerate(block.data.data):
        entry = envelope_summary(data)
        if position < len(codes):
            entry["validation"] = _validation_name(codes[position])
        transactions.append(entry)
    return {
        "number": int(block.header.number),
        "previous_hash": block.header.previous_hash.hex(),
        "data_hash": block.header.data_hash.hex(),
        "transaction_count": len(transactions),
        "transactions": transactions,
    }


def transaction_summary(processed: Any, block_number: int) -> dict[str, Any]:
    """A ``peer.ProcessedTransaction`` with its validation code and block number."""
    summary = envelope_summary(processed.transactionEnvelope.SerializeToString())
    summary["validation"] = _validation_name(int(processed.validationCode))
    summary["block_number"] = block_number
    return summary
