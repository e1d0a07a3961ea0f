"""Reading user input: JSON documents from FILE, ``-`` (stdin) or inline text; transient maps."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._errors import EXIT_USAGE, CliError

__all__ = ["json_text", "read_document", "sha256_file", "transient_map"]


def read_document(source: str) -> Any:
    """A JSON document from a file path, ``-`` (stdin) or inline JSON text.

    Raises:
        CliError: unreadable file or invalid JSON (exit 2).
    """
    if source == "-":
        text = sys.stdin.read()
    elif source.lstrip().startswith(("{", "[")):
        text = source
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot read {source}: {exc.strerror}", EXIT_USAGE) from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CliError(f"{source}: not valid JSON: {exc}", EXIT_USAGE) from exc


def json_text(value: Any) -> str:
    """A chaincode argument as text: strings as-is, anything else as the SDK's canonical JSON
    (floats refused: ``EncodingError``, exit 2)."""
    if isinstance(value, str):
        return value
    from fabric_pilot_gateway.sectors import canonical_json

    return canonical_json(value).decode()


def _transient_value(value: Any) -> bytes:
    """The SDK's encoding of a transaction argument (canonical JSON, floats refused)."""
    from fabric_pilot_gateway.sectors import encode_arg

    encoded = encode_arg(value)
    return encoded.encode() if isinstance(encoded, str) else encoded


def _file_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}", EXIT_USAGE) from exc


def transient_map(items: Sequence[str]) -> dict[str, bytes]:
    """``KEY=VALUE`` (``VALUE`` may be ``@file``) or ``@file.json`` (a JSON object) → bytes map.

    Raises:
        CliError: malformed item (exit 2).
    """
    result: dict[str, bytes] = {}
    for item in items:
        if item.startswith("@"):
            document = read_document(item[1:])
            if not isinstance(document, dict):
                raise CliError(f"{item}: transient file must hold a JSON object", EXIT_USAGE)
            result.update({key: _transient_value(value) for key, value in document.items()})
            continue
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliError(f"--transient expects KEY=VALUE or @FILE, not {item!r}", EXIT_USAGE)
        result[key] = _file_bytes(value[1:]) if value.startswith("@") else value.encode()
    return result


def sha256_file(path: Path) -> tuple[str, int]:
    """SHA-256 hex digest and size of a file, read in chunks (the content stays local)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
