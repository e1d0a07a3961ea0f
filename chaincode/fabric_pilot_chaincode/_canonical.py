"""Canonical JSON encoding used for everything written to the ledger."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["canonical_json", "canonical_loads"]


_LEAVES = frozenset({str, int, bool, type(None)})


def _reject_floats(value: Any) -> None:
    """Raise TypeError when ``value`` contains a float or a non-JSON type.

    Exact-type checks first (this walk runs over every record written, and ``isinstance``
    against unions cost as much as the encoding itself); subclasses take the slow path."""
    stack = [value]
    pop, extend = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind in _LEAVES:
            continue
        if kind is dict:
            for key in item:
                if type(key) is not str:
                    _check_key(key)
            extend(item.values())
        elif kind is list or kind is tuple:
            extend(item)
        else:
            _check_other(item, stack)


def _check_key(key: Any) -> None:
    if not isinstance(key, str):
        raise TypeError(f"JSON object keys must be str, got {type(key).__name__}")


def _check_other(item: Any, stack: list[Any]) -> None:
    """Subclasses of the JSON types are walked like them; floats and the rest are refused."""
    if isinstance(item, float):
        raise TypeError("floats are not allowed in canonical JSON")
    if isinstance(item, dict):
        for key, val in item.items():
            _check_key(key)
            stack.append(val)
    elif isinstance(item, list | tuple):
        stack.extend(item)
    elif not isinstance(item, str | int | bool):
        raise TypeError(f"{type(item).__name__} is not JSON serializable")


def canonical_json(obj: Any) -> bytes:
    """Encode ``obj`` as canonical JSON (sorted keys, no spaces, UTF-8).

    Raises:
        TypeError: When ``obj`` contains a float or a value JSON cannot encode.
    """
    _reject_floats(obj)
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _no_float(text: str) -> Any:
    raise ValueError(f"floats are not allowed in canonical JSON: {text[:32]!r}")


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not allowed in canonical JSON")


def canonical_loads(data: bytes | str) -> Any:
    """Decode JSON, rejecting floats, NaN and Infinity.

    Raises:
        ValueError: When the data is not JSON, not UTF-8, or contains a float.
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return json.loads(text, parse_float=_no_float, parse_constant=_no_constant)
