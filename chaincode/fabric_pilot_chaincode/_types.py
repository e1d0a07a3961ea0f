"""Plain value types shared by the stub implementations and contracts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["ChaincodeResponse", "KeyModification", "KeyValue", "QueryMetadata", "TxTimestamp"]

_NANOS_PER_SECOND = 1_000_000_000


@dataclass(frozen=True, slots=True)
class TxTimestamp:
    """Transaction timestamp as carried in the proposal's channel header."""

    seconds: int
    nanos: int = 0

    def iso(self) -> str:
        """Return an RFC 3339 UTC string, with a trimmed fraction only when nanos != 0."""
        base = datetime.fromtimestamp(self.seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
        if self.nanos:
            fraction = f"{self.nanos:09d}".rstrip("0")
            return f"{base}.{fraction}Z"
        return f"{base}Z"

    def epoch_millis(self) -> int:
        """Return milliseconds since the Unix epoch (nanos truncated)."""
        return self.seconds * 1000 + self.nanos // 1_000_000

    def epoch_nanos(self) -> int:
        """Return nanoseconds since the Unix epoch."""
        return self.seconds * _NANOS_PER_SECOND + self.nanos


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One result of a range or partial composite key query."""

    key: str
    value: bytes


@dataclass(frozen=True, slots=True)
class KeyModification:
    """One entry of a key's history."""

    tx_id: str
    value: bytes
    timestamp: TxTimestamp
    is_delete: bool


@dataclass(frozen=True, slots=True)
class QueryMetadata:
    """Pagination metadata returned with a page of results."""

    fetched_records_count: int
    bookmark: str


@dataclass(frozen=True, slots=True)
class ChaincodeResponse:
    """The outcome of a chaincode invocation (mirrors ``peer.Response``)."""

    status: int
    message: str
    payload: bytes

    @property
    def ok(self) -> bool:
        """True when the status is below 400 (Fabric's success range)."""
        return self.status < 400
