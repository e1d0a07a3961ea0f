"""Canonical JSON encoding used for everything written to the ledger."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["canonical_json", "canonical_loads"]


def _reject_floats(value: Any) -> None:
    """Raise TypeError when ``value`` contains a float or a non-JSON type."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            raise TypeError("floats are not allowed in canonical JSON")
        if isinstance(item, dict):
            for key, val in item.items():
                if not isinstance(key, str):
                    raise TypeError(f"JSON object keys must be str, got {type(key).__name__}")
                stack.append(val)
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif item is not None and not isinstance(item, str | int | bool):
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
