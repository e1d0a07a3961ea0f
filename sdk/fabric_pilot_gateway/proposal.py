"""Transaction proposal, to evaluate or endorse."""

from __future__ import annotations

from ._context import GatewayContext
from ._protos import common_pb2, gateway_pb2, proposal_pb2
from .options import DEFAULT, Timeout, resolve
from .transaction import Transaction

__all__ = ["Proposal"]


def _channel_of(proposal_bytes: bytes) -> str:
    proposal = proposal_pb2.Proposal.FromString(proposal_bytes)
    header = common_pb2.Header.FromString(proposal.header)
    channel: str = common_pb2.ChannelHeader.FromString(header.channel_header).channel_id
    return channel


class Proposal:
    """A transaction proposal.

    For offline signing, sign :meth:`digest` and call ``gateway.new_signed_proposal``.
    """

    def __init__(self, context: GatewayContext, proposed: gateway_pb2.ProposedTransaction):
        self._context = context
        self._proposed = proposed
        self._channel = _channel_of(proposed.proposal.proposal_bytes)

    @property
    def transaction_id(self) -> str:
        """The transaction ID."""
        tx_id: str = self._proposed.transaction_id
        return tx_id

    @property
    def endorsing_organizations(self) -> list[str]:
        """Organizations (MSP IDs) asked to endorse; empty means chosen by the Gateway."""
        return list(self._proposed.endorsing_organizations)

    def digest(self) -> bytes:
        """Hash of the proposal bytes that a signer must sign."""
        return self._context.hash_function(self._proposed.proposal.proposal_bytes)

    def to_bytes(self) -> bytes:
        """Serialized ``gateway.ProposedTransaction`` (signature may be empty)."""
        result: bytes = self._proposed.SerializeToString()
        return result

    def _signed_proposal(self) -> proposal_pb2.SignedProposal:
        signed = self._proposed.proposal
        if not signed.signature:
            signed.signature = self._context.sign(signed.proposal_bytes, "proposal")
        return signed

    def evaluate(self, *, timeout: Timeout = DEFAULT) -> bytes:
        """Run the transaction function without ordering; return its result.

        Raises:
            EvaluateError: If the Evaluate call fails.
            SignatureRequiredError: If unsigned and the Gateway has no signer.
        """
        request = gateway_pb2.EvaluateRequest(
            transaction_id=self.transaction_id,
            channel_id=self._channel,
            proposed_transaction=self._signed_proposal(),
            target_organizations=self._proposed.endorsing_organizations,
        )
        response = self._context.transport.evaluate(
            request, resolve(timeout, self._context.timeouts.evaluate)
        )
        result: bytes = response.result.payload
        return result

    def endorse(self, *, timeout: Timeout = DEFAULT) -> Transaction:
        """Collect endorsements; return the transaction ready to submit.

        Raises:
            EndorsementMismatchError: If the endorsers returned different results (e.g. one
                peer a block behind); a new proposal may succeed.
            EndorseError: If the Endorse call fails otherwise.
            SignatureRequiredError: If unsigned and the Gateway has no signer.
        """
        request = gateway_pb2.EndorseRequest(
            transaction_id=self.transaction_id,
            channel_id=self._channel,
            proposed_transaction=self._signed_proposal(),
            endorsing_organizations=self._proposed.endorsing_organizations,
        )
        response = self._context.transport.endorse(
            request, resolve(timeout, self._context.timeouts.endorse)
        )
        prepared = gateway_pb2.PreparedTransaction(
            transaction_id=self.transaction_id, envelope=response.prepared_transaction
        )
        return Transaction(self._context, prepared)
