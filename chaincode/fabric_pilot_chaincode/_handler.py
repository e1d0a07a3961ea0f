"""One shim stream: registration, cooperative transaction dispatch and reply routing.

Everything on a stream runs on the server's event-loop thread.  A running transaction
has a greenlet of its own: contract code stays synchronous, and a stub call sends its
request, then switches back to the loop until the peer's reply arrives.  Transactions
therefore interleave while they wait for the peer (as in the Node shim) without a thread
hand-off per message; contract code must not block on anything but the stub.  A finished
transaction's greenlet runs a later one (creating a greenlet costs more than running a
small transaction).
"""

from __future__ import annotations

import asyncio
import collections
import logging
from typing import Any, cast

import grpc
from greenlet import getcurrent, greenlet

from ._clock import DEFAULT_MAX_CLOCK_SKEW, clock_skew_error
from ._dispatcher import ContractChaincode
from ._errors import PeerError
from ._peer_stub import PeerStub
from ._proposal import parse_signed_proposal
from ._protos import chaincode_pb2, proposal_response_pb2
from ._protos import chaincode_shim_pb2 as shim

__all__ = ["StreamHandler"]

_LOG = logging.getLogger("fabric_pilot_chaincode.handler")
_MSG = shim.ChaincodeMessage
_CLOSED = object()
_WAITING = object()  # what a transaction hands the loop while it waits for the peer
_IDLE_WORKERS = 32  # idle greenlets kept per stream for later transactions


class _Transaction:
    """One running transaction: the stub's TxChannel while a worker greenlet runs it."""

    def __init__(self, handler: StreamHandler, message: Any, worker: _Worker) -> None:
        self._handler = handler
        self.message = message
        self.channel_id: str = message.channel_id
        self.tx_id: str = message.txid
        self.worker = worker
        self.open = True

    def is_open(self) -> bool:
        return self.open and not self._handler.closed

    def call(self, msg_type: int, payload: bytes) -> bytes:
        if getcurrent() is not self.worker.runner:
            raise PeerError("the stub was used outside its transaction (another thread?)")
        if not self.is_open():
            raise PeerError("the transaction is no longer active")
        kind = cast("_MSG.Type.ValueType", msg_type)
        message = _MSG(type=kind, payload=payload, txid=self.tx_id, channel_id=self.channel_id)
        self._handler.send(message)
        reply = self.worker.home.switch(_WAITING)  # StreamHandler resumes us with the reply
        if reply is _CLOSED:
            raise PeerError("the connection to the peer was closed")
        if reply.type == _MSG.RESPONSE:
            return bytes(reply.payload)
        if reply.type == _MSG.ERROR:
            raise PeerError(reply.payload.decode("utf-8", errors="replace"))
        raise PeerError(f"unexpected reply type {_MSG.Type.Name(reply.type)}")

    def run(self) -> Any:
        """Execute the transaction; return its COMPLETED or ERROR message (never raises)."""
        try:
            reply = self._handler.execute(self.message, self)
        except Exception as exc:
            _LOG.error("transaction %s could not run: %s", self.tx_id[:16], type(exc).__name__)
            reply = _MSG(type=_MSG.ERROR, payload=str(exc).encode())
        finally:
            self.open = False
        reply.txid = self.tx_id
        reply.channel_id = self.channel_id
        return reply


class _Worker:
    """A greenlet that runs transactions one after another, handing each reply home."""

    def __init__(self) -> None:
        self.home = getcurrent()  # the event loop's greenlet
        self.runner = greenlet(self._serve, parent=self.home)

    def _serve(self, transaction: _Transaction) -> None:
        while True:
            transaction = self.home.switch(transaction.run())


class StreamHandler:
    """Chaincode side of one ``Connect`` stream; all methods run on the event loop.

    Args:
        chaincode: The dispatcher that runs transactions.
        chaincode_id: The package ID sent in REGISTER.
    """

    def __init__(
        self,
        chaincode: ContractChaincode,
        chaincode_id: str,
        max_clock_skew: float = DEFAULT_MAX_CLOCK_SKEW,
    ) -> None:
        self._chaincode = chaincode
        self._chaincode_id = chaincode_id
        self._max_clock_skew = max_clock_skew
        self._outbox: collections.deque[Any] = collections.deque()
        self._outbox_ready: asyncio.Future[None] | None = None
        self._transactions: dict[tuple[str, str], _Transaction] = {}
        self._idle: list[_Worker] = []
        self._state = "created"
        self._closed = False

    @property
    def closed(self) -> bool:
        """True once the stream ended."""
        return self._closed

    @property
    def state(self) -> str:
        """``created``, ``established`` (REGISTERED seen) or ``ready`` (READY seen)."""
        return self._state

    def send(self, message: Any) -> None:
        """Queue a message for the peer (dropped once the stream is closed)."""
        if not self._closed:
            self._outbox.append(message)
            self._wake_writer()

    def _wake_writer(self) -> None:
        waiter = self._outbox_ready
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def serve(self, context: Any) -> None:
        """Send REGISTER, then handle peer messages until the stream ends."""
        chaincode_id = chaincode_pb2.ChaincodeID(name=self._chaincode_id)
        self.send(_MSG(type=_MSG.REGISTER, payload=chaincode_id.SerializeToString()))
        writer = asyncio.ensure_future(self._write_all(context))
        try:
            while not self._closed:
                message = await context.read()
                if message is grpc.aio.EOF:
                    break
                self._handle(message)
        except grpc.RpcError as exc:
            _LOG.info("shim stream failed: %s", type(exc).__name__)
        finally:
            _LOG.info("shim stream ended")
            self.close()
            writer.cancel()

    async def _write_all(self, context: Any) -> None:
        outbox = self._outbox
        loop = asyncio.get_running_loop()
        try:
            while not self._closed:
                if not outbox:
                    self._outbox_ready = loop.create_future()
                    await self._outbox_ready
                    continue
                await context.write(outbox.popleft())
        except (grpc.RpcError, RuntimeError) as exc:  # the stream went away under us
            _LOG.info("shim stream write failed: %s", type(exc).__name__)
            self.close()

    def close(self) -> None:
        """End the stream and fail every pending stub request with PeerError."""
        if self._closed:
            return
        self._closed = True
        self._wake_writer()
        for transaction in list(self._transactions.values()):
            self._resume(transaction, _CLOSED)

    def _handle(self, message: Any) -> None:
        kind = message.type
        if kind in (_MSG.RESPONSE, _MSG.ERROR):
            self._route_reply(message)
        elif kind in (_MSG.TRANSACTION, _MSG.INIT):
            self._start_transaction(message)
        elif kind == _MSG.KEEPALIVE:
            self.send(message)
        elif kind == _MSG.REGISTERED:
            self._state = "established"
            _LOG.info("registered with the peer")
        elif kind == _MSG.READY:
            self._state = "ready"
            _LOG.info("chaincode is ready")
        else:
            _LOG.warning("ignoring unexpected %s message", _MSG.Type.Name(kind))

    def _route_reply(self, message: Any) -> None:
        transaction = self._transactions.get((message.channel_id, message.txid))
        if transaction is None:
            _LOG.warning("dropping a reply for an unknown transaction %s", message.txid[:16])
            return
        self._resume(transaction, message)

    def _reply_error(self, message: Any, text: str) -> None:
        self.send(
            _MSG(
                type=_MSG.ERROR,
                payload=text.encode(),
                txid=message.txid,
                channel_id=message.channel_id,
            )
        )

    def _start_transaction(self, message: Any) -> None:
        if self._state != "ready":
            self._reply_error(message, f"chaincode is not ready (state {self._state})")
            return
        key = (message.channel_id, message.txid)
        if key in self._transactions:
            self._reply_error(message, f"transaction {message.txid} is already running")
            return
        worker = self._idle.pop() if self._idle else _Worker()
        transaction = _Transaction(self, message, worker)
        self._transactions[key] = transaction
        self._resume(transaction, transaction)

    def _resume(self, transaction: _Transaction, value: Any) -> None:
        """Switch to ``transaction``'s worker (with the transaction to start, or the peer's
        reply to its stub call) until it calls the stub again or ends; at its end, send its
        COMPLETED or ERROR message and keep the worker for a later transaction."""
        outcome = transaction.worker.runner.switch(value)
        if outcome is _WAITING:
            return
        del self._transactions[(transaction.channel_id, transaction.tx_id)]
        if len(self._idle) < _IDLE_WORKERS:
            self._idle.append(transaction.worker)
        self.send(outcome)

    def execute(self, message: Any, transaction: _Transaction) -> Any:
        """Run one TRANSACTION/INIT message through the chaincode; return the reply."""
        chaincode_input = chaincode_pb2.ChaincodeInput.FromString(message.payload)
        proposal = message.proposal if message.HasField("proposal") else None
        stub = PeerStub(
            transaction,
            message.channel_id,
            message.txid,
            list(chaincode_input.args),
            parse_signed_proposal(proposal),
        )
        skew = clock_skew_error(stub.get_tx_timestamp(), self._max_clock_skew) if proposal else None
        if skew is not None:
            _LOG.warning("refused transaction %s: %s", message.txid, skew)
            result = proposal_response_pb2.Response(status=500, message=skew)
            return _MSG(type=_MSG.COMPLETED, payload=result.SerializeToString())
        if message.type == _MSG.INIT:
            response = self._chaincode.init(stub)
        else:
            response = self._chaincode.invoke(stub)
        result = proposal_response_pb2.Response(
            status=response.status, message=response.message, payload=response.payload
        )
        reply = _MSG(type=_MSG.COMPLETED, payload=result.SerializeToString())
        if stub.event is not None:
            reply.chaincode_event.CopyFrom(stub.event)
        return reply
