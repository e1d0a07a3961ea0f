"""In-memory implementation of ChaincodeStub used by MemoryLedger."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from ._errors import ContractError, PeerError
from ._keys import (
    EMPTY_KEY_SUBSTITUTE,
    create_composite_key,
    partial_composite_range,
    split_composite_key,
    validate_simple_key,
    validate_write_key,
)
from ._sorted_store import SortedStore
from ._types import ChaincodeResponse, KeyModification, KeyValue, QueryMetadata, TxTimestamp

if TYPE_CHECKING:
    from .memory import MemoryLedger

__all__ = ["MemoryStub", "NamespaceWrites", "TxContext"]


@dataclass
class NamespaceWrites:
    """Pending writes of one chaincode namespace within a transaction."""

    state: dict[str, bytes | None] = field(default_factory=dict)
    private: dict[tuple[str, str], bytes | None] = field(default_factory=dict)
    purged: set[tuple[str, str]] = field(default_factory=set)
    state_ep: dict[str, bytes] = field(default_factory=dict)
    private_ep: dict[tuple[str, str], bytes] = field(default_factory=dict)


@dataclass
class TxContext:
    """Transaction-wide data shared by a stub and the stubs of chaincodes it calls."""

    tx_id: str
    channel_id: str
    timestamp: TxTimestamp
    creator: bytes
    transient: dict[str, bytes]
    writes: dict[str, NamespaceWrites] = field(default_factory=dict)

    def namespace(self, name: str) -> NamespaceWrites:
        """Return (creating) the pending writes of namespace ``name``."""
        return self.writes.setdefault(name, NamespaceWrites())


def _page(
    items: Iterator[tuple[str, bytes]], page_size: int
) -> tuple[list[KeyValue], QueryMetadata]:
    if page_size <= 0:
        raise PeerError("page size must be greater than zero")
    page = [KeyValue(k, v) for k, v in islice(items, page_size)]
    following = next(items, None)
    bookmark = following[0] if following is not None else ""
    return page, QueryMetadata(len(page), bookmark)


class MemoryStub:
    """A ChaincodeStub over a MemoryLedger; reads see committed state only."""

    def __init__(
        self, ledger: MemoryLedger, namespace: str, args: Sequence[bytes], tx: TxContext
    ) -> None:
        self._ledger = ledger
        self._namespace = namespace
        self._args = list(args)
        self._tx = tx
        self._writes = tx.namespace(namespace)
        self.event: tuple[str, bytes] | None = None

    # --- proposal -----------------------------------------------------------------
    def get_tx_id(self) -> str:
        return self._tx.tx_id

    def get_channel_id(self) -> str:
        return self._tx.channel_id

    def get_tx_timestamp(self) -> TxTimestamp:
        return self._tx.timestamp

    def get_creator(self) -> bytes:
        return self._tx.creator

    def get_signed_proposal(self) -> Any:
        return None

    def get_binding(self) -> bytes:
        return hashlib.sha256(self._tx.tx_id.encode()).digest()

    def get_args(self) -> list[bytes]:
        return list(self._args)

    def get_function_and_parameters(self) -> tuple[str, list[str]]:
        texts = [a.decode("utf-8", errors="replace") for a in self._args]
        return (texts[0] if texts else ""), texts[1:]

    def get_transient(self) -> dict[str, bytes]:
        return dict(self._tx.transient)

    # --- public state -------------------------------------------------------------
    def _store(self) -> SortedStore:
        return self._ledger.namespace(self._namespace).state

    def get_state(self, key: str) -> bytes:
        return self._store().get(key)

    def get_multiple_states(self, *keys: str) -> list[bytes]:
        return [self.get_state(key) for key in keys]

    def put_state(self, key: str, value: bytes) -> None:
        validate_write_key(key)
        self._writes.state[key] = bytes(value) or None

    def del_state(self, key: str) -> None:
        validate_write_key(key)
        self._writes.state[key] = None

    def get_state_by_range(self, start_key: str, end_key: str) -> Iterator[KeyValue]:
        validate_simple_key(start_key, end_key)
        items = list(self._store().range(start_key or EMPTY_KEY_SUBSTITUTE, end_key))
        return iter([KeyValue(k, v) for k, v in items])

    def get_state_by_range_with_pagination(
        self, start_key: str, end_key: str, page_size: int, bookmark: str
    ) -> tuple[list[KeyValue], QueryMetadata]:
        validate_simple_key(start_key, end_key)
        start = bookmark or start_key or EMPTY_KEY_SUBSTITUTE
        return _page(self._store().range(start, end_key), page_size)

    def create_composite_key(self, object_type: str, attributes: Sequence[str]) -> str:
        return create_composite_key(object_type, attributes)

    def split_composite_key(self, key: str) -> tuple[str, list[str]]:
        return split_composite_key(key)

    def get_state_by_partial_composite_key(
        self, object_type: str, attributes: Sequence[str]
    ) -> Iterator[KeyValue]:
        start, end = partial_composite_range(object_type, attributes)
        return iter([KeyValue(k, v) for k, v in self._store().range(start, end)])

    def get_state_by_partial_composite_key_with_pagination(
        self, object_type: str, attributes: Sequence[str], page_size: int, bookmark: str
    ) -> tuple[list[KeyValue], QueryMetadata]:
        start, end = partial_composite_range(object_type, attributes)
        return _page(self._store().range(bookmark or start, end), page_size)

    def get_history_for_key(self, key: str) -> Iterator[KeyModification]:
        history = self._ledger.namespace(self._namespace).history.get(key, [])
        # Fabric 2.x returns a key's history newest first; so does the in-memory ledger.
        return iter(list(reversed(history)))

    # --- private data -------------------------------------------------------------
    def _collection(self, collection: str) -> SortedStore:
        if not collection:
            raise ContractError("BAD_KEY", "collection must not be an empty string")
        return self._ledger.namespace(self._namespace).collection(collection)

    def get_private_data(self, collection: str, key: str) -> bytes:
        return self._collection(collection).get(key)

    def get_private_data_hash(self, collection: str, key: str) -> bytes:
        value = self._collection(collection).get(key)
        return hashlib.sha256(value).digest() if value else b""

    def put_private_data(self, collection: str, key: str, value: bytes) -> None:
        self._collection(collection)
        validate_write_key(key)
        self._writes.private[(collection, key)] = bytes(value) or None

    def del_private_data(self, collection: str, key: str) -> None:
        self._collection(collection)
        validate_write_key(key)
        self._writes.private[(collection, key)] = None

    def purge_private_data(self, collection: str, key: str) -> None:
        self._collection(collection)
        validate_write_key(key)
        self._writes.private[(collection, key)] = None
        self._writes.purged.add((collection, key))

    def get_private_data_by_range(
        self, collection: str, start_key: str, end_key: str
    ) -> Iterator[KeyValue]:
        validate_simple_key(start_key, end_key)
        store = self._collection(collection)
        items = store.range(start_key or EMPTY_KEY_SUBSTITUTE, end_key)
        return iter([KeyValue(k, v) for k, v in items])

    def get_private_data_by_partial_composite_key(
        self, collection: str, object_type: str, attributes: Sequence[str]
    ) -> Iterator[KeyValue]:
        start, end = partial_composite_range(object_type, attributes)
        return iter([KeyValue(k, v) for k, v in self._collection(collection).range(start, end)])

    # --- events, endorsement policies, chaincode calls ------------------------------
    def set_event(self, name: str, payload: bytes) -> None:
        if not name:
            raise ContractError("BAD_EVENT", "event name must not be an empty string")
        self.event = (name, bytes(payload))

    def set_state_validation_parameter(self, key: str, ep: bytes) -> None:
        validate_write_key(key)
        self._writes.state_ep[key] = bytes(ep)

    def get_state_validation_parameter(self, key: str) -> bytes:
        return self._ledger.namespace(self._namespace).state_ep.get(key, b"")

    def set_private_data_validation_parameter(self, collection: str, key: str, ep: bytes) -> None:
        self._collection(collection)
        validate_write_key(key)
        self._writes.private_ep[(collection, key)] = bytes(ep)

    def get_private_data_validation_parameter(self, collection: str, key: str) -> bytes:
        self._collection(collection)
        return self._ledger.namespace(self._namespace).private_ep.get((collection, key), b"")

    def invoke_chaincode(
        self, chaincode_name: str, args: Sequence[bytes], channel: str = ""
    ) -> ChaincodeResponse:
        if channel not in ("", self._tx.channel_id):
            raise PeerError(f"channel '{channel}' is not available in the memory ledger")
        chaincode = self._ledger.chaincode(chaincode_name)
        callee = MemoryStub(self._ledger, chaincode_name, [bytes(a) for a in args], self._tx)
        return chaincode.invoke(callee)
