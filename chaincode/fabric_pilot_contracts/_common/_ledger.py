"""Transaction-scoped record access: canonical JSON records, indexes, events, paging, history.

Fabric's simulator does not let a transaction read its own writes; :class:`TxLedger` keeps the
transaction's writes so that multi-record operations (batches, aggregates) see them. It also
remembers what it read (the peer holds the state still while a transaction simulates, so a
second read of a key would return the same bytes) and, inside :meth:`TxLedger.deferred_writes`,
sends each key's last write once: a batch that updates a meter or a seller's totals per row
costs one PutState, not one per row. Records
are JSON objects stored as canonical JSON; index entries are composite keys whose value is the
primary key of the indexed record (index entries are derived data: they are the only keys ever
removed, when a record leaves a status index).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fabric_pilot_chaincode import Context, ContractError, canonical_json
from fabric_pilot_contracts._common._errors import not_found
from fabric_pilot_contracts._common._values import check_page_size, sha256_hex

MAX_PAGE_SIZE = 100
MAX_HISTORY = 1000


def _decode(raw: bytes) -> dict[str, Any]:
    value = json.loads(raw.decode("utf-8"))
    if not isinstance(value, dict):
        raise ContractError("CORRUPT_STATE", "ledger value is not a JSON object")
    return value


class TxLedger:
    """World-state access for one transaction, with read-your-writes."""

    def __init__(self, ctx: Context) -> None:
        self.stub = ctx.stub
        self._writes: dict[str, bytes | None] = {}
        self._reads: dict[str, bytes] = {}
        self._deferred: dict[str, bytes | None] | None = None
        self._held: dict[str, dict[str, Any]] = {}  # records put while writes are deferred
        timestamp = self.stub.get_tx_timestamp()
        self.now_seconds: int = timestamp.seconds
        self.now_iso: str = timestamp.iso()
        self.tx_id: str = self.stub.get_tx_id()

    def key(self, object_type: str, *parts: str) -> str:
        """Build a composite key (``BAD_KEY`` on illegal characters)."""
        return self.stub.create_composite_key(object_type, list(parts))

    def raw(self, key: str) -> bytes:
        """Return the bytes at ``key`` as this transaction sees them (``b""`` when absent)."""
        if key in self._held:
            return canonical_json(self._held[key])
        if key in self._writes:
            return self._writes[key] or b""
        if key not in self._reads:
            self._reads[key] = self.stub.get_state(key)
        return self._reads[key]

    def get(self, key: str) -> dict[str, Any] | None:
        """Return the record at ``key`` or ``None``.

        Inside :meth:`deferred_writes`, a record this transaction put is returned as the same
        object (not re-decoded): put it again after changing it."""
        if key in self._held:
            return self._held[key]
        raw = self.raw(key)
        return _decode(raw) if raw else None

    def require(self, key: str, kind: str, label: str) -> dict[str, Any]:
        """Return the record at ``key``; ``NOT_FOUND`` naming ``kind`` and ``label`` if absent."""
        record = self.get(key)
        if record is None:
            raise not_found(kind, label)
        return record

    def put(self, key: str, record: dict[str, Any]) -> None:
        """Write ``record`` as canonical JSON (when deferred: as it is when the block ends)."""
        if self._deferred is not None:
            self._held[key] = record
            self._deferred.pop(key, None)
            return
        self._write(key, canonical_json(record))

    def _write(self, key: str, data: bytes | None) -> None:
        self._held.pop(key, None)
        self._writes[key] = data
        if self._deferred is not None:
            self._deferred[key] = data
        elif data is None:
            self.stub.del_state(key)
        else:
            self.stub.put_state(key, data)

    @contextmanager
    def deferred_writes(self) -> Iterator[None]:
        """Hold state writes until the block ends, then send each key's last value once.

        Records put meanwhile are kept as objects and encoded once at the end (a batch that
        updates a meter per reading encodes and decodes it once, not per reading). On an
        exception nothing is sent (the transaction fails anyway)."""
        self._deferred = {}
        try:
            yield
            pending, held = self._deferred, self._held
        finally:
            self._deferred, self._held = None, {}
        for key, data in pending.items():
            self._write(key, data)
        for key, record in held.items():
            self._write(key, canonical_json(record))

    def put_index(self, object_type: str, parts: list[str], target: str) -> None:
        """Write an index entry pointing at the primary key ``target``."""
        self._write(self.key(object_type, *parts), target.encode("utf-8"))

    def drop_index(self, object_type: str, parts: list[str]) -> None:
        """Remove an index entry (derived data only; records are never deleted)."""
        self._write(self.key(object_type, *parts), None)

    def create_once(
        self, key: str, request: Any, record: dict[str, Any], kind: str, duplicate_code: str
    ) -> tuple[dict[str, Any], bool]:
        """Create ``record`` at ``key`` unless it exists.

        The record stores the SHA-256 of the canonical request; a byte-identical resubmission
        returns the stored record (``created`` False), any other payload raises.

        Raises:
            ContractError: ``duplicate_code`` when the key holds a different request.
        """
        digest = sha256_hex(canonical_json(request))
        existing = self.get(key)
        if existing is not None:
            if existing.get("request_digest") == digest:
                return existing, False
            raise ContractError(
                duplicate_code, f"{kind} already exists with a different payload", record=kind
            )
        record["request_digest"] = digest
        self.put(key, record)
        return record, True

    def emit(self, name: str, payload: dict[str, Any]) -> None:
        """Set the transaction's single chaincode event (canonical JSON payload)."""
        self.stub.set_event(name, canonical_json(payload))


def page_of(
    ledger: TxLedger,
    object_type: str,
    attributes: list[str],
    page_size: int,
    bookmark: str,
    *,
    resolve: bool,
) -> dict[str, Any]:
    """Return one page of records under a partial composite key.

    Args:
        resolve: True when the entries are index entries whose values are primary keys.

    Returns:
        ``{"records": [...], "bookmark": str, "fetched": int}``; an empty bookmark ends paging.
    """
    check_page_size(page_size, MAX_PAGE_SIZE)
    entries, meta = ledger.stub.get_state_by_partial_composite_key_with_pagination(
        object_type, attributes, page_size, bookmark
    )
    records: list[dict[str, Any]] = []
    for entry in entries:
        if resolve:
            target = ledger.get(entry.value.decode("utf-8"))
            if target is not None:
                records.append(target)
        else:
            records.append(_decode(entry.value))
    next_bookmark = meta.bookmark if len(entries) == page_size else ""
    return {"bookmark": next_bookmark, "fetched": meta.fetched_records_count, "records": records}


def history_of(ledger: TxLedger, key: str) -> list[dict[str, Any]]:
    """Return the committed versions of ``key`` (at most ``MAX_HISTORY``), oldest first.

    Fabric 2.x peers (and the in-memory ledger) yield history newest first; the versions are
    sorted stably by transaction timestamp so the order never depends on the stub.
    """
    entries: list[tuple[tuple[int, int], int, dict[str, Any]]] = []
    for mod in ledger.stub.get_history_for_key(key):
        version = {
            "is_delete": mod.is_delete,
            "timestamp": mod.timestamp.iso(),
            "tx_id": mod.tx_id,
            "value": _decode(mod.value) if mod.value else None,
        }
        when = (mod.timestamp.seconds, mod.timestamp.nanos)
        entries.append((when, -len(entries), version))
        if len(entries) >= MAX_HISTORY:
            break
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return [version for _when, _order, version in entries]
