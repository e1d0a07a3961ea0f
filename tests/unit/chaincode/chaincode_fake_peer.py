"""A fake Fabric peer for protocol tests: drives a real ChaincodeServer over gRPC."""

from __future__ import annotations

import hashlib
import itertools
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc

from fabric_pilot_chaincode._protos import (
    chaincode_pb2,
    chaincode_shim_pb2,
    chaincode_shim_pb2_grpc,
    common_pb2,
    kv_query_result_pb2,
    proposal_pb2,
    proposal_response_pb2,
)

MSG = chaincode_shim_pb2.ChaincodeMessage
shim = chaincode_shim_pb2
BATCH = 2  # results per QueryResponse, to force QUERY_STATE_NEXT round trips


def make_signed_proposal(
    creator: bytes,
    *,
    channel_id: str = "ch1",
    tx_id: str = "tx",
    seconds: int = 1_795_463_584,
    nanos: int = 0,
    nonce: bytes = b"nonce",
    epoch: int = 0,
    transient: dict[str, bytes] | None = None,
    header_type: str = "ENDORSER_TRANSACTION",
) -> Any:
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.Value(header_type),
        channel_id=channel_id,
        tx_id=tx_id,
        epoch=epoch,
    )
    channel_header.timestamp.seconds = seconds
    channel_header.timestamp.nanos = nanos
    signature_header = common_pb2.SignatureHeader(creator=creator, nonce=nonce)
    header = common_pb2.Header(
        channel_header=channel_header.SerializeToString(),
        signature_header=signature_header.SerializeToString(),
    )
    payload = proposal_pb2.ChaincodeProposalPayload(TransientMap=transient or {})
    proposal = proposal_pb2.Proposal(
        header=header.SerializeToString(), payload=payload.SerializeToString()
    )
    return proposal_pb2.SignedProposal(proposal_bytes=proposal.SerializeToString(), signature=b"s")


def transaction_message(
    tx_id: str,
    args: list[bytes],
    *,
    channel_id: str = "ch1",
    proposal: Any = None,
    init: bool = False,
) -> Any:
    message = MSG(
        type=MSG.INIT if init else MSG.TRANSACTION,
        txid=tx_id,
        channel_id=channel_id,
        payload=chaincode_pb2.ChaincodeInput(args=args).SerializeToString(),
    )
    if proposal is not None:
        message.proposal.CopyFrom(proposal)
    return message


def response_of(message: Any) -> Any:
    assert message.type == MSG.COMPLETED, MSG.Type.Name(message.type)
    return proposal_response_pb2.Response.FromString(message.payload)


class FakePeer:
    """The peer end of one Connect stream."""

    def __init__(self, target: str, credentials: grpc.ChannelCredentials | None = None) -> None:
        if credentials is None:
            self.channel = grpc.insecure_channel(target)
        else:
            self.channel = grpc.secure_channel(
                target, credentials, options=[("grpc.ssl_target_name_override", "localhost")]
            )
        self._outbox: queue.Queue[Any] = queue.Queue()
        self.inbox: queue.Queue[Any] = queue.Queue()
        service = chaincode_shim_pb2_grpc.ChaincodeStub(self.channel)
        self._call = service.Connect(self._requests())
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _requests(self) -> Iterator[Any]:
        while True:
            message = self._outbox.get()
            if message is None:
                return
            yield message

    def _read(self) -> None:
        try:
            for message in self._call:
                self.inbox.put(message)
        except grpc.RpcError as exc:
            self.inbox.put(exc)
        self.inbox.put(None)

    def send(self, message: Any) -> None:
        self._outbox.put(message)

    def recv(self, timeout: float = 10.0) -> Any:
        item = self.inbox.get(timeout=timeout)
        if item is None or isinstance(item, grpc.RpcError):
            raise ConnectionError(f"stream ended: {item!r}")
        return item

    def stream_end(self, timeout: float = 10.0) -> Any:
        """Wait for the end of the stream; return the RpcError or None."""
        while True:
            item = self.inbox.get(timeout=timeout)
            if item is None or isinstance(item, grpc.RpcError):
                return item

    def handshake(self) -> str:
        register = self.recv()
        assert register.type == MSG.REGISTER
        self.send(MSG(type=MSG.REGISTERED))
        self.send(MSG(type=MSG.READY))
        return str(chaincode_pb2.ChaincodeID.FromString(register.payload).name)

    def close(self) -> None:
        self._outbox.put(None)
        self._call.cancel()
        self.channel.close()


@dataclass
class FakeWorld:
    """Peer-side ledger that answers stub requests like a Fabric peer would."""

    state: dict[str, bytes] = field(default_factory=dict)
    private: dict[tuple[str, str], bytes] = field(default_factory=dict)
    metadata: dict[tuple[str, str], bytes] = field(default_factory=dict)
    history: dict[str, list[tuple[str, bytes, int, bool]]] = field(default_factory=dict)
    chaincodes: dict[str, Any] = field(default_factory=dict)
    requests: list[Any] = field(default_factory=list)
    closed_queries: list[str] = field(default_factory=list)
    _queries: dict[str, list[bytes]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=itertools.count)

    def _store(self, collection: str) -> dict[str, bytes]:
        if not collection:
            return self.state
        return {k: v for (c, k), v in self.private.items() if c == collection}

    def _query_response(self, results: list[bytes], metadata: bytes = b"") -> Any:
        query_id = f"q{next(self._ids)}"
        self._queries[query_id] = results
        return self._next_batch(query_id, metadata)

    def _next_batch(self, query_id: str, metadata: bytes = b"") -> Any:
        pending = self._queries[query_id]
        batch, rest = pending[:BATCH], pending[BATCH:]
        self._queries[query_id] = rest
        return shim.QueryResponse(
            results=[shim.QueryResultBytes(resultBytes=r) for r in batch],
            has_more=bool(rest),
            id=query_id,
            metadata=metadata,
        )

    def _range(self, request: Any) -> Any:
        store = self._store(request.collection)
        keys = sorted(
            k for k in store if k >= request.startKey and (not request.endKey or k < request.endKey)
        )
        metadata = b""
        if request.metadata:
            paging = shim.QueryMetadata.FromString(request.metadata)
            if paging.bookmark:
                keys = [k for k in keys if k >= paging.bookmark]
            following = keys[paging.pageSize] if len(keys) > paging.pageSize else ""
            keys = keys[: paging.pageSize]
            metadata = shim.QueryResponseMetadata(
                fetched_records_count=len(keys), bookmark=following
            ).SerializeToString()
        results = [
            kv_query_result_pb2.KV(namespace="cc", key=k, value=store[k]).SerializeToString()
            for k in keys
        ]
        return self._query_response(results, metadata)

    def _history(self, request: Any) -> Any:
        results = []
        for tx_id, value, seconds, is_delete in self.history.get(request.key, []):
            mod = kv_query_result_pb2.KeyModification(tx_id=tx_id, value=value, is_delete=is_delete)
            mod.timestamp.seconds = seconds
            results.append(mod.SerializeToString())
        return self._query_response(results)

    def _get_metadata(self, request: Any) -> Any:
        value = self.metadata.get((request.collection, request.key))
        entries = (
            []
            if value is None
            else [shim.StateMetadata(metakey="VALIDATION_PARAMETER", value=value)]
        )
        return shim.StateMetadataResult(entries=entries)

    def _invoke(self, request: Any) -> Any:
        name = request.chaincode_id.name
        if name not in self.chaincodes:
            raise LookupError(f"chaincode {name} not found")
        status, message, payload = self.chaincodes[name](list(request.input.args))
        if status is None:
            return MSG(type=MSG.ERROR, payload=message.encode())
        response = proposal_response_pb2.Response(status=status, message=message, payload=payload)
        return MSG(type=MSG.COMPLETED, payload=response.SerializeToString())

    def _put(self, request: Any) -> bytes:
        if request.collection:
            self.private[(request.collection, request.key)] = request.value
        else:
            self.state[request.key] = request.value
        return b""

    def _delete(self, request: Any) -> bytes:
        if request.collection:
            self.private.pop((request.collection, request.key), None)
        else:
            self.state.pop(request.key, None)
        return b""

    def _handle(self, message: Any) -> bytes:
        kind = message.type
        if kind == MSG.GET_STATE:
            request = shim.GetState.FromString(message.payload)
            return self._store(request.collection).get(request.key, b"")
        if kind == MSG.GET_PRIVATE_DATA_HASH:
            request = shim.GetState.FromString(message.payload)
            value = self._store(request.collection).get(request.key, b"")
            return hashlib.sha256(value).digest() if value else b""
        if kind == MSG.PUT_STATE:
            return self._put(shim.PutState.FromString(message.payload))
        if kind == MSG.DEL_STATE:
            return self._delete(shim.DelState.FromString(message.payload))
        if kind == MSG.PURGE_PRIVATE_DATA:
            return self._delete(shim.PurgePrivateState.FromString(message.payload))
        return self._handle_structured(message).SerializeToString()

    def _handle_structured(self, message: Any) -> Any:
        kind = message.type
        if kind == MSG.GET_STATE_BY_RANGE:
            return self._range(shim.GetStateByRange.FromString(message.payload))
        if kind == MSG.QUERY_STATE_NEXT:
            return self._next_batch(shim.QueryStateNext.FromString(message.payload).id)
        if kind == MSG.QUERY_STATE_CLOSE:
            query_id = shim.QueryStateClose.FromString(message.payload).id
            self.closed_queries.append(query_id)
            self._queries.pop(query_id, None)
            return shim.QueryResponse(id=query_id)
        if kind == MSG.GET_HISTORY_FOR_KEY:
            return self._history(shim.GetHistoryForKey.FromString(message.payload))
        if kind == MSG.GET_STATE_METADATA:
            return self._get_metadata(shim.GetStateMetadata.FromString(message.payload))
        if kind == MSG.PUT_STATE_METADATA:
            request = shim.PutStateMetadata.FromString(message.payload)
            self.metadata[(request.collection, request.key)] = request.metadata.value
            return shim.QueryResponse()
        if kind == MSG.INVOKE_CHAINCODE:
            return self._invoke(chaincode_pb2.ChaincodeSpec.FromString(message.payload))
        raise NotImplementedError(MSG.Type.Name(kind))

    def answer(self, message: Any) -> Any:
        """Return the RESPONSE (or ERROR) reply to a chaincode request."""
        self.requests.append(message)
        try:
            payload = self._handle(message)
        except (LookupError, NotImplementedError) as exc:
            return MSG(
                type=MSG.ERROR,
                payload=str(exc).encode(),
                txid=message.txid,
                channel_id=message.channel_id,
            )
        return MSG(
            type=MSG.RESPONSE, payload=payload, txid=message.txid, channel_id=message.channel_id
        )


def run_transaction(peer: FakePeer, world: FakeWorld, message: Any) -> Any:
    """Send a TRANSACTION/INIT and answer its requests until COMPLETED or ERROR."""
    peer.send(message)
    while True:
        reply = peer.recv()
        if reply.type in (MSG.COMPLETED, MSG.ERROR):
            assert reply.txid == message.txid
            return reply
        assert (reply.txid, reply.channel_id) == (message.txid, message.channel_id)
        peer.send(world.answer(reply))
