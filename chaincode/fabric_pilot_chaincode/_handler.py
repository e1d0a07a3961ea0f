"""One shim stream: registration, cooperative transaction dispatch and reply routing.

Everything on a stream runs on the server's event-loop thread.  Each transaction runs
in its own greenlet: contract code stays synchronous, and a stub call sends its request,
then switches back to the loop until the peer's reply arrives.  Transactions therefore
interleave while they wait for the peer (as in the Node shim) without a thread hand-off
per message; contract code must not block on anything but the stub.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import grpc
from greenlet import getcurrent, greenlet

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


class _Transaction:
    """One running transaction: its greenlet and reply slot; the stub's TxChannel."""

    def __init__(self, handler: StreamHandler, message: Any) -> None:
        self._handler = handler
        self.message = message
        self.channel_id: str = message.channel_id
        self.tx_id: str = message.txid
        self._loop_greenlet = getcurrent()  # the event loop's; replies resume us from there
        self.runner = greenlet(self._run, parent=self._loop_greenlet)
        self.open = True

    def is_open(self) -> bool:
        return self.open and not self._handler.closed

    def call(self, msg_type: int, payload: bytes) -> bytes:
        if getcurrent() is not self.runner:
            raise PeerError("the stub was used outside its transaction (another thread?)")
        if not self.is_open():
            raise PeerError("the transaction is no longer active")
        message = _MSG(type=msg_type, payload=payload, txid=self.tx_id, channel_id=self.channel_id)
        self._handler.send(message)
        reply = self._loop_greenlet.switch()  # StreamHandler resumes us with the reply
        if reply is _CLOSED:
            raise PeerError("the connection to the peer was closed")
        if reply.type == _MSG.RESPONSE:
            return bytes(reply.payload)
        if reply.type == _MSG.ERROR:
            raise PeerError(reply.payload.decode("utf-8", errors="replace"))
        raise PeerError(f"unexpected reply type {_MSG.Type.Name(reply.type)}")

    def _run(self) -> Any:
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


class StreamHandler:
    """Chaincode side of one ``Connect`` stream; all methods run on the event loop.

    Args:
        chaincode: The dispatcher that runs transactions.
        chaincode_id: The package ID sent in REGISTER.
    """

    def __init__(self, chaincode: ContractChaincode, chaincode_id: str) -> None:
        self._chaincode = chaincode
        self._chaincode_id = chaincode_id
        self._outbox: asyncio.Queue[Any] = asyncio.Queue()
        self._transactions: dict[tuple[str, str], _Transaction] = {}
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
            self._outbox.put_nowait(message)

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
        try:
            while True:
                message = await self._outbox.get()
                if message is _CLOSED:
                    return
                await context.write(message)
        except (grpc.RpcError, RuntimeError) as exc:  # the stream went away under us
            _LOG.info("shim stream write failed: %s", type(exc).__name__)
            self.close()

    def close(self) -> None:
        """End the stream and fail every pending stub request with PeerError."""
        if self._closed:
            return
        self._closed = True
        self._outbox.put_nowait(_CLOSED)
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
        transaction = _Transaction(self, message)
        self._transactions[key] = transaction
        self._resume(transaction)

    def _resume(self, transaction: _Transaction, *reply: Any) -> None:
        """Run ``transaction`` (with the peer's ``reply`` to its stub call) until it calls
        the stub again or ends; at its end, send its COMPLETED or ERROR message."""
        if transaction.runner.dead:
            return
        outcome = transaction.runner.switch(*reply)
        if transaction.runner.dead:
            del self._transactions[(transaction.channel_id, transaction.tx_id)]
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
