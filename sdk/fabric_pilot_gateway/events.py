"""Chaincode and block event iterators."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, cast

from ._protos import common_pb2
from ._transport import CloseableIterator
from .errors import EventsError

__all__ = ["BlockEventsIterator", "ChaincodeEvent", "ChaincodeEventsIterator"]

T = TypeVar("T")


@dataclass(frozen=True)
class ChaincodeEvent:
    """An event emitted by a committed, valid transaction.

    Attributes:
        block_number: Block containing the transaction.
        transaction_id: Transaction that emitted the event.
        chaincode_name: Chaincode that emitted the event.
        event_name: Event name.
        payload: Event payload.
    """

    block_number: int
    transaction_id: str
    chaincode_name: str
    event_name: str
    payload: bytes


class _ClosableIterator(Generic[T]):
    """Iterator over a stream, usable as a context manager."""

    def __init__(self, stream: CloseableIterator[Any]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        raise NotImplementedError

    def close(self) -> None:
        """Stop listening and cancel the underlying stream."""
        self._stream.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class ChaincodeEventsIterator(_ClosableIterator[ChaincodeEvent]):
    """Chaincode events in ledger order.

    When resuming from a checkpoint, events in ``resume_block`` up to and
    including ``after_transaction_id`` are skipped (the Gateway usually does this
    already; filtering again is harmless because a transaction ID occurs once).
    """

    def __init__(
        self,
        stream: CloseableIterator[Any],
        *,
        resume_block: int | None = None,
        after_transaction_id: str | None = None,
    ) -> None:
        super().__init__(stream)
        self._pending: deque[ChaincodeEvent] = deque()
        self._resume_block = resume_block
        self._after_transaction_id = after_transaction_id

    def __next__(self) -> ChaincodeEvent:
        """Return the next event, blocking until one is available.

        Raises:
            EventsError: If the stream fails.
        """
        while not self._pending:
            self._pending.extend(self._events_of(next(self._stream)))
        return self._pending.popleft()

    def _events_of(self, response: Any) -> list[ChaincodeEvent]:
        block_number = int(response.block_number)
        events = [
            ChaincodeEvent(
                block_number=block_number,
                transaction_id=event.tx_id,
                chaincode_name=event.chaincode_id,
                event_name=event.event_name,
                payload=event.payload,
            )
            for event in response.events
        ]
        if self._after_transaction_id and block_number == self._resume_block:
            ids = [event.transaction_id for event in events]
            if self._after_transaction_id in ids:
                events = events[ids.index(self._after_transaction_id) + 1 :]
        return events


class BlockEventsIterator(_ClosableIterator[T]):
    """Blocks (``common.Block``) or filtered blocks (``peer.FilteredBlock``) in order."""

    def __init__(self, stream: CloseableIterator[Any], field: str) -> None:
        super().__init__(stream)
        self._field = field

    def __next__(self) -> T:
        """Return the next block, blocking until it is committed.

        Raises:
            EventsError: If the stream fails or the peer ends it with an error status.
        """
        while True:
            response = next(self._stream)
            kind = response.WhichOneof("Type")
            if kind == self._field:
                block: T = getattr(response, self._field)
                return block
            if kind == "status":
                self._end(int(response.status))

    def _end(self, status: int) -> None:
        self.close()
        if status == common_pb2.Status.SUCCESS:
            raise StopIteration
        known = status in common_pb2.Status.values()
        name = (
            common_pb2.Status.Name(cast("common_pb2.Status.ValueType", status))
            if known
            else "UNKNOWN"
        )
        raise EventsError(f"block delivery ended with status {status} ({name})", code=name)
