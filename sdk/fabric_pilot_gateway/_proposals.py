"""Pure builders and parsers for proposals and prepared transactions (no I/O)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from ._protos import (
    chaincode_pb2,
    common_pb2,
    proposal_pb2,
    proposal_response_pb2,
    timestamp_pb2,
    transaction_pb2,
)

__all__ = [
    "NONCE_LENGTH",
    "build_proposal",
    "qualified_name",
    "to_bytes_args",
    "transaction_id_for",
    "transaction_result",
]

NONCE_LENGTH = 24


def transaction_id_for(nonce: bytes, creator: bytes) -> str:
    """Return the Fabric transaction ID: hex(SHA-256(nonce + creator))."""
    return hashlib.sha256(nonce + creator).hexdigest()


def qualified_name(transaction_name: str, contract_name: str | None) -> str:
    """Prefix ``transaction_name`` with ``contract_name:`` when a contract name is set."""
    return f"{contract_name}:{transaction_name}" if contract_name else transaction_name


def to_bytes_args(args: Sequence[str | bytes]) -> list[bytes]:
    """Encode string arguments as UTF-8; pass bytes through."""
    return [arg.encode() if isinstance(arg, str) else bytes(arg) for arg in args]


def build_proposal(
    *,
    channel: str,
    chaincode: str,
    function: str,
    args: Sequence[bytes],
    transient: Mapping[str, bytes],
    creator: bytes,
    nonce: bytes,
    timestamp: timestamp_pb2.Timestamp,
) -> tuple[str, proposal_pb2.Proposal]:
    """Build an endorser transaction proposal.

    Args:
        channel: Channel name.
        chaincode: Chaincode name.
        function: Transaction name (already qualified with the contract name).
        args: Transaction arguments.
        transient: Private data passed to the chaincode, not recorded on the ledger.
        creator: Serialized ``msp.SerializedIdentity`` of the client.
        nonce: Random nonce (24 bytes).
        timestamp: Proposal creation time.

    Returns:
        The transaction ID and the unsigned Proposal message.
    """
    tx_id = transaction_id_for(nonce, creator)
    extension = proposal_pb2.ChaincodeHeaderExtension(
        chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode)
    )
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.ENDORSER_TRANSACTION,
        channel_id=channel,
        tx_id=tx_id,
        timestamp=timestamp,
        epoch=0,
        extension=extension.SerializeToString(),
    )
    signature_header = common_pb2.SignatureHeader(creator=creator, nonce=nonce)
    header = common_pb2.Header(
        channel_header=channel_header.SerializeToString(),
        signature_header=signature_header.SerializeToString(),
    )
    spec = chaincode_pb2.ChaincodeSpec(
        chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode),
        input=chaincode_pb2.ChaincodeInput(args=[function.encode(), *args]),
    )
    payload = proposal_pb2.ChaincodeProposalPayload(
        input=chaincode_pb2.ChaincodeInvocationSpec(chaincode_spec=spec).SerializeToString(),
        TransientMap=dict(transient),
    )
    proposal = proposal_pb2.Proposal(
        header=header.SerializeToString(), payload=payload.SerializeToString()
    )
    return tx_id, proposal


def transaction_result(envelope: common_pb2.Envelope) -> bytes:
    """Extract the chaincode response payload from a prepared transaction envelope.

    Raises:
        ValueError: If the envelope holds no transaction action.
    """
    payload = common_pb2.Payload.FromString(envelope.payload)
    transaction = transaction_pb2.Transaction.FromString(payload.data)
    if not transaction.actions:
        raise ValueError("prepared transaction has no actions")
    action_payload = transaction_pb2.ChaincodeActionPayload.FromString(
        transaction.actions[0].payload
    )
    response_payload = proposal_response_pb2.ProposalResponsePayload.FromString(
        action_payload.action.proposal_response_payload
    )
    chaincode_action = proposal_pb2.ChaincodeAction.FromString(response_payload.extension)
    result: bytes = chaincode_action.response.payload
    return result
