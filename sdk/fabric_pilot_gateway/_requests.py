"""Pure builders for commit status, chaincode events and deliver requests (no I/O)."""

from __future__ import annotations

from ._proposals import transaction_id_for
from ._protos import ab_pb2, common_pb2, gateway_pb2, timestamp_pb2

__all__ = [
    "MAX_BLOCK_NUMBER",
    "build_chaincode_events_request",
    "build_commit_status_request",
    "build_seek_payload",
    "seek_position",
]

MAX_BLOCK_NUMBER = 2**64 - 1


def build_commit_status_request(transaction_id: str, channel: str, creator: bytes) -> bytes:
    """Return a serialized ``gateway.CommitStatusRequest``."""
    request = gateway_pb2.CommitStatusRequest(
        transaction_id=transaction_id, channel_id=channel, identity=creator
    )
    result: bytes = request.SerializeToString()
    return result


def seek_position(start_block: int | None, *, next_commit: bool = False) -> ab_pb2.SeekPosition:
    """Return a SeekPosition for ``start_block``.

    Without a start block: the next block to be committed if ``next_commit``,
    else the newest committed block.
    """
    if start_block is not None:
        return ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=start_block))
    if next_commit:
        return ab_pb2.SeekPosition(next_commit=ab_pb2.SeekNextCommit())
    return ab_pb2.SeekPosition(newest=ab_pb2.SeekNewest())


def build_chaincode_events_request(
    *,
    channel: str,
    chaincode: str,
    creator: bytes,
    start_block: int | None,
    after_transaction_id: str | None,
) -> bytes:
    """Return a serialized ``gateway.ChaincodeEventsRequest``.

    Without ``start_block`` the Gateway starts at the next committed block (it
    rejects a "newest" start position for chaincode events).
    """
    request = gateway_pb2.ChaincodeEventsRequest(
        channel_id=channel,
        chaincode_id=chaincode,
        identity=creator,
        start_position=seek_position(start_block, next_commit=True),
        after_transaction_id=after_transaction_id or "",
    )
    result: bytes = request.SerializeToString()
    return result


def build_seek_payload(
    *,
    channel: str,
    creator: bytes,
    start_block: int | None,
    nonce: bytes,
    timestamp: timestamp_pb2.Timestamp,
) -> bytes:
    """Return a serialized ``common.Payload`` asking the peer to deliver blocks.

    Delivery starts at ``start_block`` (or the newest block), never stops and
    waits for blocks not yet committed (``BLOCK_UNTIL_READY``).
    """
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.DELIVER_SEEK_INFO,
        channel_id=channel,
        tx_id=transaction_id_for(nonce, creator),
        timestamp=timestamp,
        epoch=0,
    )
    signature_header = common_pb2.SignatureHeader(creator=creator, nonce=nonce)
    seek_info = ab_pb2.SeekInfo(
        start=seek_position(start_block),
        stop=ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=MAX_BLOCK_NUMBER)),
        behavior=ab_pb2.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY,
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(
            channel_header=channel_header.SerializeToString(),
            signature_header=signature_header.SerializeToString(),
        ),
        data=seek_info.SerializeToString(),
    )
    result: bytes = payload.SerializeToString()
    return result
