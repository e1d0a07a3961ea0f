"""Signing meter readings as a meter device does (for gateways, demos and tests that hold
device keys).

The energy contract verifies an ECDSA P-256 / SHA-256 signature (DER, hex) over the canonical
JSON of the reading's signed fields; ``flag`` defaults to ``normal`` and is signed too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from ._codec import canonical_json

__all__ = ["SIGNED_READING_FIELDS", "reading_message", "sign_reading"]

SIGNED_READING_FIELDS = (
    "counter",
    "export_wh",
    "flag",
    "import_wh",
    "interval_end",
    "interval_start",
    "meter_id",
)
"""The reading fields a meter signs (the contract's own list)."""


def reading_message(reading: Mapping[str, Any]) -> bytes:
    """The bytes a meter signs: the signed fields (``flag`` defaulted) as canonical JSON.

    Raises:
        ValueError: A signed field is missing.
        TypeError: A field holds a float or a value JSON cannot carry.
    """
    signed = {"flag": "normal", **reading}
    missing = [name for name in SIGNED_READING_FIELDS if name not in signed]
    if missing:
        raise ValueError(f"reading has no {missing[0]!r}")
    return canonical_json({name: signed[name] for name in SIGNED_READING_FIELDS})


def sign_reading(reading: Mapping[str, Any], key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    """A copy of ``reading`` with ``flag`` defaulted and ``signature`` set by ``key``.

    The signature is deterministic (RFC 6979): signing the same reading again gives the same
    bytes, so a resubmitted reading is recognised as already recorded, not as a conflict.

    Raises:
        ValueError: A signed field is missing, or ``key`` is not ECDSA P-256.
    """
    if key.curve.name != "secp256r1":
        raise ValueError("a meter device key must be ECDSA P-256")
    algorithm = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
    signature = key.sign(reading_message(reading), algorithm)
    return {"flag": "normal", **reading, "signature": signature.hex()}
