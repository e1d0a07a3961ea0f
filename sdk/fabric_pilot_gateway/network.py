"""A channel, as seen through the Gateway."""

from __future__ import annotations

import os
from typing import Any

from ._context import GatewayContext, now
from ._proposals import NONCE_LENGTH
from ._protos import common_pb2, gateway_pb2
from ._requests import build_chaincode_events_request, build_seek_payload
from .checkpointers import Checkpointer
from .contract import Contract
from .events import BlockEventsIterator, ChaincodeEventsIterator

__all__ = ["Network"]


def _start(start_block: int | None, checkpointer: Checkpointer | None) -> int | None:
    if checkpointer is not None and checkpointer.block_number is not None:
        return checkpointer.block_number
    return start_block


class Network:
    """Access to one channel: contracts and events."""

    def __init__(self, context: GatewayContext, name: str) -> None:
        self._context = context
        self._name = name

    @property
    def name(self) -> str:
        """Channel name."""
        return self._name

    def get_contract(self, chaincode: str, contract_name: str | None = None) -> Contract:
        """Return a client for ``chaincode`` (and a named contract within it)."""
        return Contract(self._context, self._name, chaincode, contract_name)

    def chaincode_events(
        self,
        chaincode: str,
        *,
        start_block: int | None = None,
        checkpointer: Checkpointer | None = None,
    ) -> ChaincodeEventsIterator:
        """Listen for chaincode events from valid transactions.

        Args:
            chaincode: Chaincode name.
            start_block: First block to read; default: the next committed block.
            checkpointer: If it holds a position, resume from there (takes precedence
                over ``start_block``). Call ``checkpointer.checkpoint_chaincode_event``
                after processing each event.

        Raises:
            SignatureRequiredError: If the Gateway has no signer.
        """
        start = _start(start_block, checkpointer)
        after = checkpointer.transaction_id if checkpointer is not None else None
        request = build_chaincode_events_request(
            channel=self._name,
            chaincode=chaincode,
            creator=self._context.creator(),
            start_block=start,
            after_transaction_id=after,
        )
        signed = gateway_pb2.SignedChaincodeEventsRequest(
            request=request, signature=self._context.sign(request, "chaincode_events_request")
        )
        stream = self._context.transport.chaincode_events(signed)
        return ChaincodeEventsIterator(stream, resume_block=start, after_transaction_id=after)

    def _seek_envelope(self, start: int | None) -> Any:
        payload = build_seek_payload(
            channel=self._name,
            creator=self._context.creator(),
            start_block=start,
            nonce=os.urandom(NONCE_LENGTH),
            timestamp=now(),
        )
        return common_pb2.Envelope(
            payload=payload, signature=self._context.sign(payload, "deliver_request")
        )

    def block_events(
        self, *, start_block: int | None = None, checkpointer: Checkpointer | None = None
    ) -> BlockEventsIterator[Any]:
        """Listen for full blocks (``common.Block``) from the peer's Deliver service.

        Call ``checkpointer.checkpoint_block(block.header.number)`` after each block.
        """
        envelope = self._seek_envelope(_start(start_block, checkpointer))
        return BlockEventsIterator(self._context.transport.deliver(envelope), "block")

    def filtered_block_events(
        self, *, start_block: int | None = None, checkpointer: Checkpointer | None = None
    ) -> BlockEventsIterator[Any]:
        """Listen for filtered blocks (``peer.FilteredBlock``) from DeliverFiltered.

        Call ``checkpointer.checkpoint_block(block.number)`` after each block.
        """
        envelope = self._seek_envelope(_start(start_block, checkpointer))
        stream = self._context.transport.deliver_filtered(envelope)
        return BlockEventsIterator(stream, "filtered_block")
