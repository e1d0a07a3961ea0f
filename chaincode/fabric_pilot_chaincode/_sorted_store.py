"""A key/value map kept in LevelDB byte order (UTF-8 order == code point order)."""

from __future__ import annotations

import bisect
from collections.abc import Iterator

__all__ = ["SortedStore"]


class SortedStore:
    """Dict of str to bytes that can iterate ``[start, end)`` in key order."""

    def __init__(self) -> None:
        self._values: dict[str, bytes] = {}
        self._keys: list[str] = []

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def get(self, key: str) -> bytes:
        """Return the value or b"" when absent."""
        return self._values.get(key, b"")

    def put(self, key: str, value: bytes) -> None:
        """Insert or replace ``key``."""
        if key not in self._values:
            bisect.insort(self._keys, key)
        self._values[key] = value

    def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        if self._values.pop(key, None) is not None:
            del self._keys[bisect.bisect_left(self._keys, key)]

    def range(self, start: str, end: str) -> Iterator[tuple[str, bytes]]:
        """Yield items with ``start <= key < end`` (an empty ``end`` is unbounded)."""
        index = bisect.bisect_left(self._keys, start)
        stop = len(self._keys) if end == "" else bisect.bisect_left(self._keys, end)
        for key in self._keys[index:stop]:
            yield key, self._values[key]

    def keys(self) -> list[str]:
        """All keys in order."""
        return list(self._keys)
