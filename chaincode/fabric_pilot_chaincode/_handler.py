"""One shim stream: registration, transaction dispatch and reply routing."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from typing import Any

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
    """Reply slot of one running transaction; implements the stub's TxChannel."""

    def __init__(self, handler: StreamHandler, channel_id: str, tx_id: str) -> None:
        self._handler = handler
        self.channel_id = channel_id
        self.tx_id = tx_id
        self.replies: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.open = True

    def is_open(self) -> bool:
        return self.open and not self._handler.closed

    def call(self, msg_type: int, payload: bytes) -> bytes:
        if not self.is_open():
            raise PeerError("the transaction is no longer active")
        message = _MSG(type=msg_type, payload=payload, txid=self.tx_id, channel_id=self.channel_id)
        self._handler.send(message)
        reply = self.replies.get()
        if reply is _CLOSED:
            raise PeerError("the connection to the peer was closed")
        if reply.type == _MSG.RESPONSE:
            return bytes(reply.payload)
        if reply.type == _MSG.ERROR:
            raise PeerError(reply.payload.decode("utf-8", errors="replace"))
        raise PeerError(f"unexpected reply type {_MSG.Type.Name(reply.type)}")


class StreamHandler:
    """Chaincode side of one ``Connect`` stream.

    Args:
        chaincode: The dispatcher that runs transactions.
        chaincode_id: The package ID sent in REGISTER.
        executor: Runs transactions concurrently.
    """

    def __init__(self, chaincode: ContractChaincode, chaincode_id: str, executor: Executor) -> None:
        self._chaincode = chaincode
        self._chaincode_id = chaincode_id
        self._executor = executor
        self._outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._transactions: dict[tuple[str, str], _Transaction] = {}
        self._state = "created"
        self._closed = threading.Event()

    @property
    def closed(self) -> bool:
        """True once the stream ended."""
        return self._closed.is_set()

    @property
    def state(self) -> str:
        """``created``, ``established`` (REGISTERED seen) or ``ready`` (READY seen)."""
        return self._state

    def send(self, message: Any) -> None:
        """Queue a message for the peer (dropped once the stream is closed)."""
        if not self.closed:
            self._outbox.put(message)

    def outgoing(self) -> Iterator[Any]:
        """Messages for the peer: REGISTER first, then replies and requests."""
        chaincode_id = chaincode_pb2.ChaincodeID(name=self._chaincode_id)
        yield _MSG(type=_MSG.REGISTER, payload=chaincode_id.SerializeToString())
        while True:
            message = self._outbox.get()
            if message is _CLOSED:
                return
            yield message

    def consume(self, incoming: Iterable[Any]) -> None:
        """Read peer messages until the stream ends, then close."""
        try:
            for message in incoming:
                self._handle(message)
        except Exception as exc:  # grpc.RpcError when the stream is cancelled
            _LOG.info("shim stream ended: %s", type(exc).__name__)
        finally:
            self.close()

    def close(self) -> None:
        """End the stream and fail every pending stub request with PeerError."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._outbox.put(_CLOSED)
        with self._lock:
            pending = list(self._transactions.values())
        for transaction in pending:
            transaction.replies.put(_CLOSED)

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
        with self._lock:
            transaction = self._transactions.get((message.channel_id, message.txid))
        if transaction is None:
            _LOG.warning("dropping a reply for an unknown transaction %s", message.txid[:16])
            return
        transaction.replies.put(message)

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
        with self._lock:
            if key in self._transactions:
                duplicate = True
            else:
                duplicate = False
                self._transactions[key] = _Transaction(self, *key)
        if duplicate:
            self._reply_error(message, f"transaction {message.txid} is already running")
            return
        self._executor.submit(self._run_transaction, message)

    def _run_transaction(self, message: Any) -> None:
        key = (message.channel_id, message.txid)
        transaction = self._transactions[key]
        try:
            reply = self._execute(message, transaction)
        except Exception as exc:
            _LOG.error("transaction %s could not run: %s", message.txid[:16], type(exc).__name__)
            reply = _MSG(type=_MSG.ERROR, payload=str(exc).encode())
        finally:
            transaction.open = False
            with self._lock:
                self._transactions.pop(key, None)
        reply.txid = message.txid
        reply.channel_id = message.channel_id
        self.send(reply)

    def _execute(self, message: Any, transaction: _Transaction) -> Any:
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
