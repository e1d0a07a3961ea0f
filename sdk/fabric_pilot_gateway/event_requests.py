"""Signable requests that open event streams (supports offline signing)."""

from __future__ import annotations

from typing import Any

from ._context import GatewayContext
from ._protos import common_pb2, gateway_pb2
from .events import BlockEventsIterator, ChaincodeEventsIterator

__all__ = ["BlockEventsRequest", "ChaincodeEventsRequest"]


class ChaincodeEventsRequest:
    """A request for chaincode events.

    For offline signing, sign :meth:`digest` and call
    ``gateway.new_signed_chaincode_events_request``.
    """

    def __init__(self, context: GatewayContext, signed: Any) -> None:
        self._context = context
        self._signed = signed
        request = gateway_pb2.ChaincodeEventsRequest.FromString(signed.request)
        position = request.start_position
        self._resume_block: int | None = (
            int(position.specified.number) if position.HasField("specified") else None
        )
        self._after_transaction_id: str | None = request.after_transaction_id or None

    def digest(self) -> bytes:
        """Hash of the request that a signer must sign."""
        return self._context.hash_function(self._signed.request)

    def to_bytes(self) -> bytes:
        """Serialized ``gateway.SignedChaincodeEventsRequest`` (signature may be empty)."""
        result: bytes = self._signed.SerializeToString()
        return result

    def get_events(self) -> ChaincodeEventsIterator:
        """Open the event stream; close the iterator (or use ``with``) when done.

        Raises:
            SignatureRequiredError: If unsigned and the Gateway has no signer.
        """
        if not self._signed.signature:
            self._signed.signature = self._context.sign(
                self._signed.request, "chaincode_events_request"
            )
        stream = self._context.transport.chaincode_events(self._signed)
        return ChaincodeEventsIterator(
            stream,
            resume_block=self._resume_block,
            after_transaction_id=self._after_transaction_id,
        )


class BlockEventsRequest:
    """A request for (full or filtered) blocks from the peer's Deliver service.

    For offline signing, sign :meth:`digest` and call
    ``gateway.new_signed_block_events_request``.
    """

    def __init__(self, context: GatewayContext, envelope: Any, *, filtered: bool) -> None:
        self._context = context
        self._envelope = envelope
        self._filtered = filtered

    @property
    def filtered(self) -> bool:
        """True for filtered blocks, False for full blocks."""
        return self._filtered

    def digest(self) -> bytes:
        """Hash of the envelope payload that a signer must sign."""
        return self._context.hash_function(self._envelope.payload)

    def to_bytes(self) -> bytes:
        """Serialized ``common.Envelope`` (signature may be empty)."""
        result: bytes = self._envelope.SerializeToString()
        return result

    def get_events(self) -> BlockEventsIterator[Any]:
        """Open the block stream; close the iterator (or use ``with``) when done.

        Raises:
            SignatureRequiredError: If unsigned and the Gateway has no signer.
        """
        if not self._envelope.signature:
            self._envelope.signature = self._context.sign(
                self._envelope.payload, "block_events_request"
            )
        transport = self._context.transport
        if self._filtered:
            return BlockEventsIterator(transport.deliver_filtered(self._envelope), "filtered_block")
        return BlockEventsIterator(transport.deliver(self._envelope), "block")


def parse_block_events_request(data: bytes) -> Any:
    """Parse :meth:`BlockEventsRequest.to_bytes` output."""
    return common_pb2.Envelope.FromString(data)


def parse_chaincode_events_request(data: bytes) -> Any:
    """Parse :meth:`ChaincodeEventsRequest.to_bytes` output."""
    return gateway_pb2.SignedChaincodeEventsRequest.FromString(data)
