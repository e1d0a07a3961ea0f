"""Input limits the sector contracts enforce, checked on the client before a round trip.

The contracts are the authority (``fabric_pilot_contracts``: ``MAX_PAGE_SIZE``,
``court_evidence._evidence.MAX_PERSONAL_BYTES`` and the RFC 3339 capture time); a unit test
pins these values to theirs, so clients (the CLI included) take them from here only.
This module imports nothing heavy, so command-line parsers can use it cheaply.
"""

from __future__ import annotations

import datetime
import re

__all__ = [
    "MAX_PAGE_SIZE",
    "MAX_PERSONAL_BYTES",
    "check_page_size",
    "check_personal_size",
    "check_rfc3339",
]

MAX_PAGE_SIZE = 100
"""Largest ``page_size`` every sector list transaction accepts."""

MAX_PERSONAL_BYTES = 4_096
"""Largest private personal-data document (canonical JSON bytes) a sector contract stores."""

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def check_page_size(page_size: int) -> int:
    """Return ``page_size`` if ``1 <= page_size <= MAX_PAGE_SIZE``.

    Raises:
        ValueError: Naming the allowed range.
    """
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
    return page_size


def check_personal_size(document: bytes) -> bytes:
    """Return ``document`` if it is at most :data:`MAX_PERSONAL_BYTES` long.

    Raises:
        ValueError: Naming its size and the limit.
    """
    if len(document) > MAX_PERSONAL_BYTES:
        raise ValueError(
            f"personal data holds {len(document)} bytes; at most {MAX_PERSONAL_BYTES} allowed"
        )
    return document


def check_rfc3339(value: str) -> str:
    """Return ``value`` if it is an RFC 3339 date-time such as ``2026-11-20T08:00:00Z``.

    Raises:
        ValueError: For anything else (``yesterday``, a date without time or zone, ...).
    """
    valid = _RFC3339.fullmatch(value) is not None
    if valid:
        try:
            datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        except ValueError:
            valid = False
    if not valid:
        raise ValueError(f"{value!r} is not an RFC 3339 date-time (e.g. 2026-11-20T08:00:00Z)")
    return value
