"""Extraction of creator, timestamp, transient data and binding from a SignedProposal."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from typing import Any

from ._protos import common_pb2, proposal_pb2
from ._types import TxTimestamp

__all__ = ["ProposalInfo", "parse_signed_proposal"]

_ZERO_TIME = TxTimestamp(0, 0)
_ALLOWED_HEADER_TYPES = (
    common_pb2.HeaderType.Value("ENDORSER_TRANSACTION"),
    common_pb2.HeaderType.Value("CONFIG"),
)


@dataclass(frozen=True)
class ProposalInfo:
    """The parts of a proposal a stub exposes."""

    signed_proposal: Any = None
    creator: bytes = b""
    timestamp: TxTimestamp = _ZERO_TIME
    transient: dict[str, bytes] = field(default_factory=dict)
    binding: bytes = b""


def parse_signed_proposal(signed_proposal: Any) -> ProposalInfo:
    """Parse a ``peer.SignedProposal`` (None yields an empty ProposalInfo).

    Raises:
        ValueError: When the proposal is malformed or of an unexpected header type.
    """
    if signed_proposal is None or not signed_proposal.proposal_bytes:
        return ProposalInfo(signed_proposal=signed_proposal)
    try:
        proposal = proposal_pb2.Proposal.FromString(signed_proposal.proposal_bytes)
        header = common_pb2.Header.FromString(proposal.header)
        channel_header = common_pb2.ChannelHeader.FromString(header.channel_header)
        signature_header = common_pb2.SignatureHeader.FromString(header.signature_header)
        payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
    except Exception as exc:  # protobuf DecodeError
        raise ValueError(f"malformed signed proposal ({type(exc).__name__})") from None
    if channel_header.type not in _ALLOWED_HEADER_TYPES:
        raise ValueError(f"invalid proposal header type {channel_header.type}")
    epoch = struct.pack("<Q", channel_header.epoch)
    binding = hashlib.sha256(signature_header.nonce + signature_header.creator + epoch).digest()
    stamp = channel_header.timestamp
    return ProposalInfo(
        signed_proposal=signed_proposal,
        creator=bytes(signature_header.creator),
        timestamp=TxTimestamp(stamp.seconds, stamp.nanos),
        transient={key: bytes(value) for key, value in payload.TransientMap.items()},
        binding=binding,
    )
