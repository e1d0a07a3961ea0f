"""The endorser's clock guards the client's: proposals stamped too far from it are refused.

Contracts take time from the transaction timestamp, which the client sets. A client clock far
off (by accident or on purpose) could settle a still-open month, record a reading after a
meter's calibration expired, or backdate an invoice into a closed period. The chaincode server
runs beside each endorsing peer, so it compares the proposal's timestamp with its own clock and
refuses the proposal (``CLOCK_SKEW``, status 500, before any contract code runs) when they are
further apart than the window: ``CHAINCODE_MAX_CLOCK_SKEW`` seconds (default 300, ``0`` turns the
check off), set per chaincode in its definition (``max_clock_skew``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from ._types import TxTimestamp

__all__ = [
    "CLOCK_SKEW_CODE",
    "DEFAULT_MAX_CLOCK_SKEW",
    "MAX_CLOCK_SKEW_ENV",
    "clock_skew_error",
    "max_clock_skew_from",
]

DEFAULT_MAX_CLOCK_SKEW = 300.0
MAX_CLOCK_SKEW_ENV = "CHAINCODE_MAX_CLOCK_SKEW"
CLOCK_SKEW_CODE = "CLOCK_SKEW"


def max_clock_skew_from(environ: Mapping[str, str]) -> float:
    """The window in seconds from ``CHAINCODE_MAX_CLOCK_SKEW`` (0 disables the check).

    Raises:
        ValueError: the value is not a non-negative number of seconds.
    """
    raw = environ.get(MAX_CLOCK_SKEW_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_CLOCK_SKEW
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{MAX_CLOCK_SKEW_ENV} must be a number of seconds >= 0, not {raw!r}")
    return value


def _describe(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.1f} s"


def clock_skew_error(
    stamp: TxTimestamp, window: float, now: Callable[[], float] = time.time
) -> str | None:
    """The refusal message when ``stamp`` is more than ``window`` seconds from ``now()``."""
    if window <= 0:
        return None
    offset = stamp.seconds + stamp.nanos / 1e9 - now()
    if abs(offset) <= window:
        return None
    side = "ahead of" if offset > 0 else "behind"
    return (
        f"{CLOCK_SKEW_CODE}: the proposal timestamp {stamp.iso()} is {_describe(abs(offset))} "
        f"{side} the endorser's clock (allowed: {window:g} s)"
    )
