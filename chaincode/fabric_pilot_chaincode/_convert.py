"""Conversion of peer arguments (bytes) to Python values and of results to bytes."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from typing import Any

from ._canonical import canonical_json, canonical_loads

__all__ = ["ArgumentConversionError", "Converter", "converter_for", "encode_result", "schema_for"]

Converter = Callable[[bytes], Any]
_INT_PATTERN = re.compile(rb"-?[0-9]+")
_SHOWN_CHARS = 40


class ArgumentConversionError(ValueError):
    """An argument could not be converted; the text completes 'must be ...'."""


def _shown(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    if len(text) > _SHOWN_CHARS:
        text = text[:_SHOWN_CHARS] + "..."
    return repr(text)


def _to_str(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ArgumentConversionError("valid UTF-8") from None


def _to_int(raw: bytes) -> int:
    if _INT_PATTERN.fullmatch(raw) is None:
        raise ArgumentConversionError(f"an integer, got {_shown(raw)}")
    return int(raw)


def _to_bool(raw: bytes) -> bool:
    if raw == b"true":
        return True
    if raw == b"false":
        return False
    raise ArgumentConversionError(f"a boolean ('true' or 'false'), got {_shown(raw)}")


def _to_bytes(raw: bytes) -> bytes:
    return raw


def _json_converter(expected: type | None, label: str) -> Converter:
    def convert(raw: bytes) -> Any:
        try:
            value = canonical_loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ArgumentConversionError(
                f"{label} (JSON without floats), got {_shown(raw)}"
            ) from None
        if expected is not None and not isinstance(value, expected):
            raise ArgumentConversionError(f"{label}, got {_shown(raw)}")
        return value

    return convert


_SIMPLE: dict[Any, tuple[Converter, dict[str, Any]]] = {
    str: (_to_str, {"type": "string"}),
    int: (_to_int, {"type": "integer", "format": "int64"}),
    bool: (_to_bool, {"type": "boolean"}),
    bytes: (_to_bytes, {"type": "string", "format": "byte"}),
}


def _base(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(members) == 1:
            return _base(members[0])
        return Any
    return origin or annotation


def converter_for(annotation: Any) -> Converter:
    """Return the converter for a parameter annotation.

    Raises:
        TypeError: For annotations the runtime cannot convert.
    """
    base = _base(annotation)
    if base in _SIMPLE:
        return _SIMPLE[base][0]
    if base is dict:
        return _json_converter(dict, "a JSON object")
    if base is list:
        return _json_converter(list, "a JSON array")
    if base is Any:
        return _json_converter(None, "JSON")
    raise TypeError(f"unsupported transaction parameter type: {annotation!r}")


def schema_for(annotation: Any) -> dict[str, Any]:
    """Return the JSON schema fragment for an annotation (for GetMetadata)."""
    base = _base(annotation)
    if base in _SIMPLE:
        return dict(_SIMPLE[base][1])
    if base is dict:
        return {"type": "object"}
    if base is list:
        return {"type": "array"}
    return {}


def encode_result(result: Any) -> bytes:
    """Encode a transaction's return value as the response payload.

    Raises:
        TypeError: For values that cannot be encoded (e.g. floats).
    """
    if result is None:
        return b""
    if isinstance(result, bytes):
        return result
    if isinstance(result, str):
        return result.encode("utf-8")
    return canonical_json(result)
