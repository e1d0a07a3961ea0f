"""Gateway connection entry point."""

from __future__ import annotations

from typing import Any

from ._context import GatewayContext
from ._protos import gateway_pb2
from ._transport import GrpcTransport, Transport
from .commit import Commit
from .event_requests import (
    BlockEventsRequest,
    ChaincodeEventsRequest,
    parse_block_events_request,
    parse_chaincode_events_request,
)
from .hashing import HashFunction, sha256
from .identity import Identity
from .network import Network
from .options import Timeouts
from .proposal import Proposal
from .signing import Signer
from .transaction import Transaction

__all__ = ["DEFAULT_TIMEOUTS", "Gateway", "connect"]

DEFAULT_TIMEOUTS = Timeouts()


class Gateway:
    """A connection to a Fabric Gateway peer for one client identity.

    The gRPC channel belongs to the caller; the Gateway never closes it.
    """

    def __init__(self, context: GatewayContext) -> None:
        self._context = context

    @property
    def identity(self) -> Identity:
        """The client identity."""
        return self._context.identity

    @property
    def timeouts(self) -> Timeouts:
        """Default call timeouts."""
        return self._context.timeouts

    def get_network(self, channel: str) -> Network:
        """Return the network for ``channel``."""
        return Network(self._context, channel)

    def new_signed_proposal(self, proposal_bytes: bytes, signature: bytes) -> Proposal:
        """Rebuild a proposal from ``Proposal.to_bytes()`` with an external signature."""
        proposed = gateway_pb2.ProposedTransaction.FromString(proposal_bytes)
        proposed.proposal.signature = signature
        return Proposal(self._context, proposed)

    def new_signed_transaction(self, transaction_bytes: bytes, signature: bytes) -> Transaction:
        """Rebuild a transaction from ``Transaction.to_bytes()`` with an external signature."""
        prepared = gateway_pb2.PreparedTransaction.FromString(transaction_bytes)
        prepared.envelope.signature = signature
        return Transaction(self._context, prepared)

    def new_signed_commit(self, commit_bytes: bytes, signature: bytes) -> Commit:
        """Rebuild a commit from ``Commit.to_bytes()`` with an external signature."""
        signed = gateway_pb2.SignedCommitStatusRequest.FromString(commit_bytes)
        signed.signature = signature
        return Commit(self._context, signed)

    def new_signed_chaincode_events_request(
        self, request_bytes: bytes, signature: bytes
    ) -> ChaincodeEventsRequest:
        """Rebuild a chaincode events request from ``to_bytes()`` with an external signature."""
        signed = parse_chaincode_events_request(request_bytes)
        signed.signature = signature
        return ChaincodeEventsRequest(self._context, signed)

    def new_signed_block_events_request(
        self, request_bytes: bytes, signature: bytes, *, filtered: bool = False
    ) -> BlockEventsRequest:
        """Rebuild a (filtered) block events request from ``to_bytes()`` with a signature."""
        envelope = parse_block_events_request(request_bytes)
        envelope.signature = signature
        return BlockEventsRequest(self._context, envelope, filtered=filtered)


def connect(
    *,
    client: Any,
    identity: Identity,
    signer: Signer | None = None,
    hash_function: HashFunction = sha256,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
    endorsement_attempts: int = 3,
) -> Gateway:
    """Connect to a Gateway peer.

    Args:
        client: A ``grpc.Channel`` owned by the caller, or a :class:`Transport`
            (e.g. a test fake).
        identity: Client identity (transaction creator).
        signer: Signs digests; if None every step must be signed offline.
        hash_function: Produces the digests given to the signer.
        timeouts: Default call deadlines.
        endorsement_attempts: Proposals ``submit`` endorses, each with a new transaction
            ID, while the endorsers return different results (one peer a block behind)
            before it raises ``EndorsementMismatchError``; at least 1.

    Raises:
        ValueError: If ``endorsement_attempts`` is less than 1.
    """
    if endorsement_attempts < 1:
        raise ValueError(f"endorsement_attempts must be at least 1, not {endorsement_attempts}")
    transport: Transport = client if _is_transport(client) else GrpcTransport(client)
    context = GatewayContext(
        transport=transport,
        identity=identity,
        signer=signer,
        hash_function=hash_function,
        timeouts=timeouts,
        endorsement_attempts=endorsement_attempts,
    )
    return Gateway(context)


def _is_transport(client: Any) -> bool:
    return all(
        callable(getattr(client, name, None))
        for name in ("evaluate", "endorse", "submit", "commit_status")
    )
