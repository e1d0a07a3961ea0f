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
from .event_requests import BlockEventsRequest, ChaincodeEventsRequest
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

    def new_chaincode_events_request(
        self,
        chaincode: str,
        *,
        start_block: int | None = None,
        checkpointer: Checkpointer | None = None,
    ) -> ChaincodeEventsRequest:
        """Build an (unsigned) chaincode events request; see :meth:`chaincode_events`."""
        request = build_chaincode_events_request(
            channel=self._name,
            chaincode=chaincode,
            creator=self._context.creator(),
            start_block=_start(start_block, checkpointer),
            after_transaction_id=checkpointer.transaction_id if checkpointer else None,
        )
        signed = gateway_pb2.SignedChaincodeEventsRequest(request=request)
        return ChaincodeEventsRequest(self._context, signed)

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
            start_block: First block to read; default: the next block to be committed.
            checkpointer: If it holds a position, resume from there (takes precedence
                over ``start_block``), skipping events up to and including its
                transaction. Call ``checkpointer.checkpoint_chaincode_event`` after
                processing each event.

        Raises:
            SignatureRequiredError: If the Gateway has no signer.
        """
        request = self.new_chaincode_events_request(
            chaincode, start_block=start_block, checkpointer=checkpointer
        )
        return request.get_events()

    def _block_request(
        self, start_block: int | None, checkpointer: Checkpointer | None, *, filtered: bool
    ) -> BlockEventsRequest:
        payload = build_seek_payload(
            channel=self._name,
            creator=self._context.creator(),
            start_block=_start(start_block, checkpointer),
            nonce=os.urandom(NONCE_LENGTH),
            timestamp=now(),
        )
        envelope = common_pb2.Envelope(payload=payload)
        return BlockEventsRequest(self._context, envelope, filtered=filtered)

    def new_block_events_request(
        self, *, start_block: int | None = None, checkpointer: Checkpointer | None = None
    ) -> BlockEventsRequest:
        """Build an (unsigned) full-block events request; see :meth:`block_events`."""
        return self._block_request(start_block, checkpointer, filtered=False)

    def new_filtered_block_events_request(
        self, *, start_block: int | None = None, checkpointer: Checkpointer | None = None
    ) -> BlockEventsRequest:
        """Build an (unsigned) filtered-block events request."""
        return self._block_request(start_block, checkpointer, filtered=True)

    def block_events(
        self, *, start_block: int | None = None, checkpointer: Checkpointer | None = None
    ) -> BlockEventsIterator[Any]:
        """Listen for full blocks (``common.Block``) from the peer's Deliver service.

        Starts at the checkpointer's block, else ``start_block``, else the newest
        block. Call ``checkpointer.checkpoint_block(block.header.number)`` after
        each block.

        Raises:
            SignatureRequiredError: If the Gateway has no signer.
        """
        return self.new_block_events_request(
            start_block=start_block, checkpointer=checkpointer
        ).get_events()

    def filtered_block_events(
        self, *, start_block: int | None = None, checkpointer: Checkpointer | None = None
    ) -> BlockEventsIterator[Any]:
        """Listen for filtered blocks (``peer.FilteredBlock``) from DeliverFiltered.

        Call ``checkpointer.checkpoint_block(block.number)`` after each block.

        Raises:
            SignatureRequiredError: If the Gateway has no signer.
        """
        return self.new_filtered_block_events_request(
            start_block=start_block, checkpointer=checkpointer
        ).get_events()
