"""Endorsed transaction, ready to submit to the orderer."""

from __future__ import annotations

from ._context import GatewayContext
from ._proposals import transaction_result
from ._protos import common_pb2, gateway_pb2
from ._requests import build_commit_status_request
from .commit import SubmittedTransaction
from .options import DEFAULT, Timeout, resolve

__all__ = ["Transaction"]


def _channel_of(envelope: common_pb2.Envelope) -> str:
    payload = common_pb2.Payload.FromString(envelope.payload)
    header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    channel: str = header.channel_id
    return channel


class Transaction:
    """An endorsed transaction.

    For offline signing, sign :meth:`digest` and call ``gateway.new_signed_transaction``.
    """

    def __init__(self, context: GatewayContext, prepared: gateway_pb2.PreparedTransaction):
        self._context = context
        self._prepared = prepared
        self._channel = _channel_of(prepared.envelope)

    @property
    def transaction_id(self) -> str:
        """The transaction ID."""
        tx_id: str = self._prepared.transaction_id
        return tx_id

    @property
    def result(self) -> bytes:
        """Payload returned by the transaction function."""
        return transaction_result(self._prepared.envelope)

    def digest(self) -> bytes:
        """Hash of the envelope payload that a signer must sign."""
        return self._context.hash_function(self._prepared.envelope.payload)

    def to_bytes(self) -> bytes:
        """Serialized ``gateway.PreparedTransaction`` (signature may be empty)."""
        result: bytes = self._prepared.SerializeToString()
        return result

    def submit(self, *, timeout: Timeout = DEFAULT) -> SubmittedTransaction:
        """Send the transaction to the orderer; does not wait for commit.

        Raises:
            SubmitError: If the Submit call fails.
            SignatureRequiredError: If unsigned and the Gateway has no signer.
        """
        envelope = self._prepared.envelope
        if not envelope.signature:
            envelope.signature = self._context.sign(envelope.payload, "transaction")
        request = gateway_pb2.SubmitRequest(
            transaction_id=self.transaction_id,
            channel_id=self._channel,
            prepared_transaction=envelope,
        )
        self._context.transport.submit(request, resolve(timeout, self._context.timeouts.submit))
        commit_request = build_commit_status_request(
            self.transaction_id, self._channel, self._context.creator()
        )
        signed = gateway_pb2.SignedCommitStatusRequest(request=commit_request)
        return SubmittedTransaction(self._context, signed, self.result, request)
