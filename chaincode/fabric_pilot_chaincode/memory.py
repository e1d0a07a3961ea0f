"""MemoryLedger: an in-memory channel for unit-testing contracts without a peer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ._dispatcher import ContractChaincode
from ._errors import PeerError
from ._memory_stub import MemoryStub, NamespaceWrites, TxContext
from ._sorted_store import SortedStore
from ._types import KeyModification, TxTimestamp

__all__ = ["START_TIMESTAMP", "InvokeResult", "MemoryLedger", "MemoryStub", "Namespace"]

START_TIMESTAMP = TxTimestamp(1_767_225_600, 0)  # 2026-01-01T00:00:00Z
SUCCESS = 200


@dataclass(frozen=True)
class InvokeResult:
    """Outcome of ``MemoryLedger.invoke``/``evaluate``."""

    status: int
    message: str
    payload: bytes
    event: tuple[str, bytes] | None
    tx_id: str

    @property
    def ok(self) -> bool:
        """True when the status is 200."""
        return self.status == SUCCESS


@dataclass
class Namespace:
    """Committed data of one chaincode."""

    state: SortedStore = field(default_factory=SortedStore)
    history: dict[str, list[KeyModification]] = field(default_factory=dict)
    collections: dict[str, SortedStore] = field(default_factory=dict)
    state_ep: dict[str, bytes] = field(default_factory=dict)
    private_ep: dict[tuple[str, str], bytes] = field(default_factory=dict)

    def collection(self, name: str) -> SortedStore:
        """Return (creating) private data collection ``name``."""
        return self.collections.setdefault(name, SortedStore())


class MemoryLedger:
    """An in-memory channel: world state, history, private data, events, chaincodes.

    Reads within a transaction see committed state only (like Fabric's simulator);
    writes are committed only when the invocation returns status 200.
    """

    def __init__(self, channel_id: str = "testchannel") -> None:
        self.channel_id = channel_id
        self.events: list[tuple[str, str, bytes]] = []
        self._chaincodes: dict[str, ContractChaincode] = {}
        self._namespaces: dict[str, Namespace] = {}
        self._clock = START_TIMESTAMP.seconds
        self._counter = 0

    def deploy(self, name: str, chaincode: ContractChaincode) -> None:
        """Install ``chaincode`` under ``name`` (its own state namespace)."""
        self._chaincodes[name] = chaincode
        self.namespace(name)

    def chaincode(self, name: str) -> ContractChaincode:
        """Return a deployed chaincode.

        Raises:
            PeerError: When no chaincode named ``name`` is deployed.
        """
        try:
            return self._chaincodes[name]
        except KeyError:
            raise PeerError(f"chaincode '{name}' is not deployed") from None

    def namespace(self, name: str) -> Namespace:
        """Return (creating) the committed data of chaincode ``name``."""
        return self._namespaces.setdefault(name, Namespace())

    def _default_namespace(self, chaincode: str | None) -> Namespace:
        if chaincode is None:
            chaincode = next(iter(self._chaincodes), "")
        return self.namespace(chaincode)

    def state(self, key: str, chaincode: str | None = None) -> bytes:
        """Committed value of ``key`` (b"" when absent); default: first deployed chaincode."""
        return self._default_namespace(chaincode).state.get(key)

    def private_data(self, collection: str, key: str, chaincode: str | None = None) -> bytes:
        """Committed private value of ``key`` in ``collection`` (b"" when absent)."""
        return self._default_namespace(chaincode).collection(collection).get(key)

    def keys(self, chaincode: str | None = None) -> list[str]:
        """All committed world-state keys in ledger order."""
        return self._default_namespace(chaincode).state.keys()

    def invoke(
        self,
        chaincode_name: str,
        function: str,
        *args: str | bytes,
        creator: bytes,
        timestamp: TxTimestamp | None = None,
        transient: dict[str, bytes] | None = None,
        tx_id: str | None = None,
    ) -> InvokeResult:
        """Submit a transaction; its writes commit only when the status is 200.

        Raises:
            PeerError: When ``chaincode_name`` is not deployed.
        """
        tx = self._new_tx(creator, timestamp, transient, tx_id)
        return self._run(chaincode_name, _raw_args(function, args), tx, commit=True)

    def evaluate(
        self,
        chaincode_name: str,
        function: str,
        *args: str | bytes,
        creator: bytes,
        timestamp: TxTimestamp | None = None,
        transient: dict[str, bytes] | None = None,
        tx_id: str | None = None,
    ) -> InvokeResult:
        """Evaluate a transaction; nothing is ever written.

        Raises:
            PeerError: When ``chaincode_name`` is not deployed.
        """
        tx = self._new_tx(creator, timestamp, transient, tx_id)
        return self._run(chaincode_name, _raw_args(function, args), tx, commit=False)

    def _new_tx(
        self,
        creator: bytes,
        timestamp: TxTimestamp | None,
        transient: dict[str, bytes] | None,
        tx_id: str | None,
    ) -> TxContext:
        self._counter += 1
        self._clock += 1
        if timestamp is None:
            timestamp = TxTimestamp(self._clock, 0)
        if tx_id is None:
            tx_id = hashlib.sha256(f"{self.channel_id}:{self._counter}".encode()).hexdigest()
        return TxContext(tx_id, self.channel_id, timestamp, creator, dict(transient or {}))

    def _run(
        self, chaincode_name: str, raw: list[bytes], tx: TxContext, *, commit: bool
    ) -> InvokeResult:
        chaincode = self.chaincode(chaincode_name)
        stub = MemoryStub(self, chaincode_name, raw, tx)
        response = chaincode.invoke(stub)
        event = stub.event if response.status == SUCCESS else None
        if commit and response.status == SUCCESS:
            for name, writes in tx.writes.items():
                self._commit(self.namespace(name), writes, tx)
            if event is not None:
                self.events.append((tx.tx_id, event[0], event[1]))
        return InvokeResult(response.status, response.message, response.payload, event, tx.tx_id)

    @staticmethod
    def _commit(namespace: Namespace, writes: NamespaceWrites, tx: TxContext) -> None:
        for key, value in writes.state.items():
            if value is None:
                namespace.state.delete(key)
            else:
                namespace.state.put(key, value)
            entry = KeyModification(tx.tx_id, value or b"", tx.timestamp, value is None)
            namespace.history.setdefault(key, []).append(entry)
        for (collection, key), value in writes.private.items():
            store = namespace.collection(collection)
            if value is None:
                store.delete(key)
            else:
                store.put(key, value)
        namespace.state_ep.update(writes.state_ep)
        namespace.private_ep.update(writes.private_ep)


def _raw_args(function: str, args: tuple[str | bytes, ...]) -> list[bytes]:
    return [function.encode()] + [a.encode() if isinstance(a, str) else a for a in args]
