"""ChaincodeStub implementation that talks to the peer over the shim stream."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from ._errors import ContractError, PeerError
from ._keys import (
    EMPTY_KEY_SUBSTITUTE,
    create_composite_key,
    partial_composite_range,
    split_composite_key,
    validate_simple_key,
    validate_write_key,
)
from ._proposal import ProposalInfo
from ._protos import chaincode_event_pb2, chaincode_pb2, kv_query_result_pb2, proposal_response_pb2
from ._protos import chaincode_shim_pb2 as shim
from ._types import ChaincodeResponse, KeyModification, KeyValue, QueryMetadata, TxTimestamp

__all__ = ["VALIDATION_PARAMETER", "PeerStub", "TxChannel"]

VALIDATION_PARAMETER = "VALIDATION_PARAMETER"
_T = TypeVar("_T")
_MSG = shim.ChaincodeMessage


class TxChannel(Protocol):
    """Request/reply access to the peer on behalf of one transaction."""

    def call(self, msg_type: int, payload: bytes) -> bytes:
        """Send a request and return the RESPONSE payload (raises PeerError on ERROR)."""
        ...

    def is_open(self) -> bool:
        """True while the transaction is still running."""
        ...


def _key_value(raw: bytes) -> KeyValue:
    kv = kv_query_result_pb2.KV.FromString(raw)
    return KeyValue(kv.key, bytes(kv.value))


def _key_modification(raw: bytes) -> KeyModification:
    mod = kv_query_result_pb2.KeyModification.FromString(raw)
    stamp = TxTimestamp(mod.timestamp.seconds, mod.timestamp.nanos)
    return KeyModification(mod.tx_id, bytes(mod.value), stamp, mod.is_delete)


def _require_collection(collection: str) -> None:
    if not collection:
        raise ContractError("BAD_KEY", "collection must not be an empty string")


class PeerStub:
    """The stub handed to contracts while the peer executes a transaction."""

    def __init__(
        self,
        channel: TxChannel,
        channel_id: str,
        tx_id: str,
        args: Sequence[bytes],
        proposal: ProposalInfo,
    ) -> None:
        self._channel = channel
        self._channel_id = channel_id
        self._tx_id = tx_id
        self._args = [bytes(a) for a in args]
        self._proposal = proposal
        self.event: Any = None  # peer.ChaincodeEvent once set_event was called

    # --- proposal -----------------------------------------------------------------
    def get_tx_id(self) -> str:
        return self._tx_id

    def get_channel_id(self) -> str:
        return self._channel_id

    def get_tx_timestamp(self) -> TxTimestamp:
        return self._proposal.timestamp

    def get_creator(self) -> bytes:
        return self._proposal.creator

    def get_signed_proposal(self) -> Any:
        return self._proposal.signed_proposal

    def get_binding(self) -> bytes:
        return self._proposal.binding

    def get_args(self) -> list[bytes]:
        return list(self._args)

    def get_function_and_parameters(self) -> tuple[str, list[str]]:
        texts = [a.decode("utf-8", errors="replace") for a in self._args]
        return (texts[0] if texts else ""), texts[1:]

    def get_transient(self) -> dict[str, bytes]:
        return dict(self._proposal.transient)

    # --- plumbing -----------------------------------------------------------------
    def _call(self, msg_type: int, message: Any) -> bytes:
        return self._channel.call(msg_type, message.SerializeToString())

    def _query(
        self, msg_type: int, message: Any, decode: Callable[[bytes], _T]
    ) -> tuple[Iterator[_T], Any]:
        response = shim.QueryResponse.FromString(self._call(msg_type, message))
        return self._results(response, decode), response.metadata

    def _results(self, response: Any, decode: Callable[[bytes], _T]) -> Iterator[_T]:
        finished = False
        try:
            while True:
                for result in response.results:
                    yield decode(result.resultBytes)
                if not response.has_more:
                    finished = True
                    return
                request = shim.QueryStateNext(id=response.id)
                raw = self._call(_MSG.QUERY_STATE_NEXT, request)
                response = shim.QueryResponse.FromString(raw)
        finally:
            if not finished and self._channel.is_open():
                self._call(_MSG.QUERY_STATE_CLOSE, shim.QueryStateClose(id=response.id))

    def _paged(
        self, request: Any, page_size: int, bookmark: str
    ) -> tuple[list[KeyValue], QueryMetadata]:
        query_metadata = shim.QueryMetadata(pageSize=page_size, bookmark=bookmark)
        request.metadata = query_metadata.SerializeToString()
        results, raw_metadata = self._query(_MSG.GET_STATE_BY_RANGE, request, _key_value)
        items = list(results)
        metadata = shim.QueryResponseMetadata.FromString(raw_metadata)
        return items, QueryMetadata(metadata.fetched_records_count, metadata.bookmark)

    # --- public state -------------------------------------------------------------
    def get_state(self, key: str) -> bytes:
        return self._call(_MSG.GET_STATE, shim.GetState(key=key))

    def get_multiple_states(self, *keys: str) -> list[bytes]:
        return [self.get_state(key) for key in keys]

    def put_state(self, key: str, value: bytes) -> None:
        validate_write_key(key)
        self._call(_MSG.PUT_STATE, shim.PutState(key=key, value=value))

    def del_state(self, key: str) -> None:
        validate_write_key(key)
        self._call(_MSG.DEL_STATE, shim.DelState(key=key))

    def get_state_by_range(self, start_key: str, end_key: str) -> Iterator[KeyValue]:
        validate_simple_key(start_key, end_key)
        request = shim.GetStateByRange(startKey=start_key or EMPTY_KEY_SUBSTITUTE, endKey=end_key)
        return self._query(_MSG.GET_STATE_BY_RANGE, request, _key_value)[0]

    def get_state_by_range_with_pagination(
        self, start_key: str, end_key: str, page_size: int, bookmark: str
    ) -> tuple[list[KeyValue], QueryMetadata]:
        validate_simple_key(start_key, end_key)
        request = shim.GetStateByRange(startKey=start_key or EMPTY_KEY_SUBSTITUTE, endKey=end_key)
        return self._paged(request, page_size, bookmark)

    def create_composite_key(self, object_type: str, attributes: Sequence[str]) -> str:
        return create_composite_key(object_type, attributes)

    def split_composite_key(self, key: str) -> tuple[str, list[str]]:
        return split_composite_key(key)

    def get_state_by_partial_composite_key(
        self, object_type: str, attributes: Sequence[str]
    ) -> Iterator[KeyValue]:
        start, end = partial_composite_range(object_type, attributes)
        request = shim.GetStateByRange(startKey=start, endKey=end)
        return self._query(_MSG.GET_STATE_BY_RANGE, request, _key_value)[0]

    def get_state_by_partial_composite_key_with_pagination(
        self, object_type: str, attributes: Sequence[str], page_size: int, bookmark: str
    ) -> tuple[list[KeyValue], QueryMetadata]:
        start, end = partial_composite_range(object_type, attributes)
        return self._paged(shim.GetStateByRange(startKey=start, endKey=end), page_size, bookmark)

    def get_history_for_key(self, key: str) -> Iterator[KeyModification]:
        request = shim.GetHistoryForKey(key=key)
        return self._query(_MSG.GET_HISTORY_FOR_KEY, request, _key_modification)[0]

    # --- private data -------------------------------------------------------------
    def get_private_data(self, collection: str, key: str) -> bytes:
        _require_collection(collection)
        return self._call(_MSG.GET_STATE, shim.GetState(key=key, collection=collection))

    def get_private_data_hash(self, collection: str, key: str) -> bytes:
        _require_collection(collection)
        request = shim.GetState(key=key, collection=collection)
        return self._call(_MSG.GET_PRIVATE_DATA_HASH, request)

    def put_private_data(self, collection: str, key: str, value: bytes) -> None:
        _require_collection(collection)
        validate_write_key(key)
        request = shim.PutState(key=key, value=value, collection=collection)
        self._call(_MSG.PUT_STATE, request)

    def del_private_data(self, collection: str, key: str) -> None:
        _require_collection(collection)
        validate_write_key(key)
        self._call(_MSG.DEL_STATE, shim.DelState(key=key, collection=collection))

    def purge_private_data(self, collection: str, key: str) -> None:
        _require_collection(collection)
        validate_write_key(key)
        request = shim.PurgePrivateState(key=key, collection=collection)
        self._call(_MSG.PURGE_PRIVATE_DATA, request)

    def get_private_data_by_range(
        self, collection: str, start_key: str, end_key: str
    ) -> Iterator[KeyValue]:
        _require_collection(collection)
        validate_simple_key(start_key, end_key)
        request = shim.GetStateByRange(
            startKey=start_key or EMPTY_KEY_SUBSTITUTE, endKey=end_key, collection=collection
        )
        return self._query(_MSG.GET_STATE_BY_RANGE, request, _key_value)[0]

    def get_private_data_by_partial_composite_key(
        self, collection: str, object_type: str, attributes: Sequence[str]
    ) -> Iterator[KeyValue]:
        _require_collection(collection)
        start, end = partial_composite_range(object_type, attributes)
        request = shim.GetStateByRange(startKey=start, endKey=end, collection=collection)
        return self._query(_MSG.GET_STATE_BY_RANGE, request, _key_value)[0]

    # --- events and key-level endorsement -------------------------------------------
    def set_event(self, name: str, payload: bytes) -> None:
        if not name:
            raise ContractError("BAD_EVENT", "event name must not be an empty string")
        self.event = chaincode_event_pb2.ChaincodeEvent(event_name=name, payload=payload)

    def _get_metadata(self, collection: str, key: str) -> bytes:
        request = shim.GetStateMetadata(key=key, collection=collection)
        raw = self._call(_MSG.GET_STATE_METADATA, request)
        for entry in shim.StateMetadataResult.FromString(raw).entries:
            if entry.metakey == VALIDATION_PARAMETER:
                return bytes(entry.value)
        return b""

    def _put_metadata(self, collection: str, key: str, ep: bytes) -> None:
        metadata = shim.StateMetadata(metakey=VALIDATION_PARAMETER, value=ep)
        request = shim.PutStateMetadata(key=key, collection=collection, metadata=metadata)
        self._call(_MSG.PUT_STATE_METADATA, request)

    def set_state_validation_parameter(self, key: str, ep: bytes) -> None:
        validate_write_key(key)
        self._put_metadata("", key, ep)

    def get_state_validation_parameter(self, key: str) -> bytes:
        return self._get_metadata("", key)

    def set_private_data_validation_parameter(self, collection: str, key: str, ep: bytes) -> None:
        _require_collection(collection)
        validate_write_key(key)
        self._put_metadata(collection, key, ep)

    def get_private_data_validation_parameter(self, collection: str, key: str) -> bytes:
        _require_collection(collection)
        return self._get_metadata(collection, key)

    # --- chaincode to chaincode -------------------------------------------------------
    def invoke_chaincode(
        self, chaincode_name: str, args: Sequence[bytes], channel: str = ""
    ) -> ChaincodeResponse:
        name = f"{chaincode_name}/{channel}" if channel else chaincode_name
        spec = chaincode_pb2.ChaincodeSpec(
            chaincode_id=chaincode_pb2.ChaincodeID(name=name),
            input=chaincode_pb2.ChaincodeInput(args=[bytes(a) for a in args]),
        )
        reply = _MSG.FromString(self._call(_MSG.INVOKE_CHAINCODE, spec))
        if reply.type == _MSG.COMPLETED:
            response = proposal_response_pb2.Response.FromString(reply.payload)
            return ChaincodeResponse(response.status, response.message, bytes(response.payload))
        if reply.type == _MSG.ERROR:
            return ChaincodeResponse(500, reply.payload.decode("utf-8", errors="replace"), b"")
        raise PeerError(f"unexpected chaincode-to-chaincode reply type {reply.type}")
