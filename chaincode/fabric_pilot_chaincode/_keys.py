"""Composite key encoding and key validation, identical to Fabric's Go shim."""

from __future__ import annotations

from collections.abc import Sequence

from ._errors import ContractError

__all__ = [
    "COMPOSITE_KEY_NAMESPACE",
    "EMPTY_KEY_SUBSTITUTE",
    "MAX_UNICODE_RUNE",
    "create_composite_key",
    "partial_composite_range",
    "split_composite_key",
    "validate_simple_key",
    "validate_write_key",
]

COMPOSITE_KEY_NAMESPACE = "\x00"
MAX_UNICODE_RUNE = "\U0010ffff"
EMPTY_KEY_SUBSTITUTE = "\x01"


def _validate_part(part: str, what: str) -> None:
    if not isinstance(part, str):
        raise ContractError("BAD_KEY", f"composite key {what} must be a string")
    try:
        part.encode("utf-8")
    except UnicodeEncodeError:
        raise ContractError("BAD_KEY", f"composite key {what} is not valid UTF-8") from None
    if COMPOSITE_KEY_NAMESPACE in part or MAX_UNICODE_RUNE in part:
        raise ContractError("BAD_KEY", f"composite key {what} must not contain U+0000 or U+10FFFF")


def create_composite_key(object_type: str, attributes: Sequence[str]) -> str:
    """Build ``"\\x00" + type + "\\x00" + attr + "\\x00" ...``.

    Raises:
        ContractError: ``BAD_KEY`` when a part is not valid UTF-8 or contains
            U+0000 or U+10FFFF.
    """
    _validate_part(object_type, "object type")
    parts = [COMPOSITE_KEY_NAMESPACE, object_type, COMPOSITE_KEY_NAMESPACE]
    for attribute in attributes:
        _validate_part(attribute, "attribute")
        parts.append(attribute)
        parts.append(COMPOSITE_KEY_NAMESPACE)
    return "".join(parts)


def split_composite_key(key: str) -> tuple[str, list[str]]:
    """Split a composite key into its object type and attributes.

    Like Fabric's Go shim, text after the last separator is ignored; a key
    without separators yields ``("", [])``.
    """
    components = key[1:].split(COMPOSITE_KEY_NAMESPACE)[:-1]
    if not components:
        return "", []
    return components[0], components[1:]


def partial_composite_range(object_type: str, attributes: Sequence[str]) -> tuple[str, str]:
    """Return the ``[start, end)`` range covering a partial composite key."""
    start = create_composite_key(object_type, attributes)
    return start, start + MAX_UNICODE_RUNE


def validate_simple_key(*keys: str) -> None:
    """Reject keys that fall in the composite key namespace.

    Raises:
        ContractError: ``BAD_KEY`` for a key starting with U+0000.
    """
    for key in keys:
        if key.startswith(COMPOSITE_KEY_NAMESPACE):
            raise ContractError(
                "BAD_KEY", "range query keys must not start with U+0000 (composite key namespace)"
            )


def validate_write_key(key: str) -> None:
    """Reject an empty key or one that is not valid UTF-8.

    Raises:
        ContractError: ``BAD_KEY`` for an invalid key.
    """
    if not key:
        raise ContractError("BAD_KEY", "key must not be an empty string")
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        raise ContractError("BAD_KEY", "key is not valid UTF-8") from None
