"""Strict validation of JSON arguments and small integer arithmetic helpers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from fabric_pilot_contracts._common._errors import bad_argument

MAX_TEXT = 512
HEX64 = re.compile(r"[0-9a-f]{64}")


def round_half_up_div(numerator: int, denominator: int) -> int:
    """Divide integers rounding half away from zero (``round-half-up`` on magnitudes)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return magnitude if numerator >= 0 else -magnitude


def sha256_hex(data: bytes) -> str:
    """Return the lowercase hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def month_of(epoch_seconds: int) -> str:
    """Return the UTC calendar month ``YYYYMM`` containing ``epoch_seconds``."""
    return datetime.fromtimestamp(epoch_seconds, tz=UTC).strftime("%Y%m")


def check_page_size(page_size: int, maximum: int) -> None:
    """Raise ``BAD_ARGUMENT`` unless ``1 <= page_size <= maximum``."""
    if not 1 <= page_size <= maximum:
        raise bad_argument(f"page_size must be between 1 and {maximum}, got {page_size}")


class Fields:
    """Typed, strict access to one JSON object argument.

    Unknown keys, missing required keys and wrongly typed values are ``BAD_ARGUMENT`` errors
    naming the object and the field. Integers must be JSON integers (never strings, floats or
    booleans).
    """

    def __init__(
        self, data: Any, what: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> None:
        if not isinstance(data, dict):
            raise bad_argument(f"{what} must be a JSON object")
        required_set, optional_set = set(required), set(optional)
        unknown = sorted(set(data) - required_set - optional_set)
        if unknown:
            raise bad_argument(f"{what} has unknown fields {unknown}", fields=unknown)
        missing = sorted(required_set - set(data))
        if missing:
            raise bad_argument(f"{what} lacks fields {missing}", fields=missing)
        self._data: dict[str, Any] = data
        self._what = what

    def has(self, name: str) -> bool:
        """Return whether the optional field ``name`` is present and not null."""
        return self._data.get(name) is not None

    def integer(self, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
        """Return an integer field, checking its bounds."""
        value = self._data.get(name)
        if type(value) is not int:
            raise bad_argument(
                f"{self._what}.{name} must be an integer, got {type(value).__name__}", field=name
            )
        if minimum is not None and value < minimum:
            raise bad_argument(f"{self._what}.{name} must be >= {minimum}", field=name)
        if maximum is not None and value > maximum:
            raise bad_argument(f"{self._what}.{name} must be <= {maximum}", field=name)
        return value

    def text(
        self,
        name: str,
        pattern: re.Pattern[str] | None = None,
        choices: Iterable[str] | None = None,
        max_len: int = MAX_TEXT,
    ) -> str:
        """Return a non-empty string field matching ``pattern`` or one of ``choices``."""
        value = self._data.get(name)
        if not isinstance(value, str) or not value or len(value) > max_len:
            raise bad_argument(
                f"{self._what}.{name} must be a non-empty string of at most {max_len} chars",
                field=name,
            )
        if pattern is not None and not pattern.fullmatch(value):
            raise bad_argument(f"{self._what}.{name} is malformed", field=name)
        if choices is not None and value not in set(choices):
            raise bad_argument(
                f"{self._what}.{name} must be one of {sorted(set(choices))}", field=name
            )
        return value

    def optional_text(self, name: str, max_len: int = MAX_TEXT) -> str:
        """Return an optional string field, ``""`` when absent."""
        return self.text(name, max_len=max_len) if self.has(name) else ""

    def items(self, name: str, max_items: int) -> list[Any]:
        """Return a non-empty JSON array field of at most ``max_items`` entries."""
        value = self._data.get(name)
        if not isinstance(value, list) or not value or len(value) > max_items:
            raise bad_argument(
                f"{self._what}.{name} must be a non-empty array of at most {max_items}",
                field=name,
            )
        return value

    def mapping(self, name: str) -> dict[str, Any]:
        """Return a JSON object field."""
        value = self._data.get(name)
        if not isinstance(value, dict):
            raise bad_argument(f"{self._what}.{name} must be a JSON object", field=name)
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        """Return an optional boolean field."""
        value = self._data.get(name, default)
        if not isinstance(value, bool):
            raise bad_argument(f"{self._what}.{name} must be a boolean", field=name)
        return value
