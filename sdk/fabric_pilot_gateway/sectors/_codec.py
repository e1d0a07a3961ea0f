"""Argument encoding and result decoding shared by the typed sector clients.

The sector contracts read object and array arguments as canonical JSON (sorted keys,
compact separators, UTF-8, no floats), integers as decimal text and booleans as
``true``/``false``; they return canonical JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import EncodingError

__all__ = ["canonical_json", "decode_result", "encode_arg", "encode_args"]


def _check_json(value: Any) -> None:
    """Raise TypeError when ``value`` holds a float or a type JSON cannot carry."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            raise EncodingError("floats are not allowed in canonical JSON (use integer units)")
        if isinstance(item, Mapping):
            for key, member in item.items():
                if not isinstance(key, str):
                    raise EncodingError(f"JSON object keys must be str, got {type(key).__name__}")
                stack.append(member)
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif item is not None and not isinstance(item, str | int | bool):
            raise EncodingError(f"{type(item).__name__} is not JSON serializable")


def _plain(value: Any) -> Any:
    """Turn mappings and tuples into the dicts and lists ``json`` encodes."""
    if isinstance(value, Mapping):
        return {key: _plain(member) for key, member in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(member) for member in value]
    return value


def canonical_json(value: Any) -> bytes:
    """Encode ``value`` as canonical JSON bytes.

    Raises:
        EncodingError: (a TypeError) If ``value`` contains a float or a value JSON cannot
            encode.
    """
    _check_json(value)
    text = json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def encode_arg(value: Any) -> str | bytes:
    """Encode one transaction argument the way the sector contracts parse it.

    Mappings and sequences (other than ``str``/``bytes``) become canonical JSON; ``bool``
    becomes ``true``/``false``; ``int`` decimal text; ``str`` and ``bytes`` pass through.

    Raises:
        EncodingError: (a TypeError) For floats and other values the contracts cannot read.
    """
    if isinstance(value, str | bytes):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Mapping | Sequence):
        return canonical_json(value)
    raise EncodingError(f"cannot encode a {type(value).__name__} transaction argument")


def encode_args(*values: Any) -> list[str | bytes]:
    """Encode several transaction arguments with :func:`encode_arg`."""
    return [encode_arg(value) for value in values]


def decode_result(payload: bytes) -> Any:
    """Decode a contract's JSON result; an empty payload decodes to ``None``.

    Raises:
        ValueError: If the payload is not JSON.
    """
    if not payload:
        return None
    return json.loads(payload)
