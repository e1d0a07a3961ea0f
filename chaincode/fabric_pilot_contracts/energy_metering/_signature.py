"""Meter device keys (ECDSA P-256) and reading signatures."""

from __future__ import annotations

import functools
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from fabric_pilot_chaincode import ContractError, canonical_json
from fabric_pilot_contracts._common import bad_argument

SIGNED_FIELDS = (
    "counter",
    "export_wh",
    "flag",
    "import_wh",
    "interval_end",
    "interval_start",
    "meter_id",
)


def load_device_key(pem: str) -> ec.EllipticCurvePublicKey:
    """Parse a PEM SubjectPublicKeyInfo and require an ECDSA P-256 key.

    Parsed keys are cached per process (a key object is immutable and parsing costs more
    than verifying a signature), so a batch of one meter's readings parses its key once.

    Raises:
        ContractError: ``BAD_ARGUMENT`` for anything else.
    """
    return _parsed_device_key(pem)


@functools.lru_cache(maxsize=1024)
def _parsed_device_key(pem: str) -> ec.EllipticCurvePublicKey:
    try:
        key = load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise bad_argument("public_key_pem is not a PEM public key") from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise bad_argument("the meter device key must be ECDSA P-256")
    return key


def signed_message(reading: dict[str, Any]) -> bytes:
    """The canonical bytes a meter signs: the reading's ``SIGNED_FIELDS`` as canonical JSON."""
    return canonical_json({name: reading[name] for name in SIGNED_FIELDS})


def verify_reading(pem: str, reading: dict[str, Any], signature_hex: str) -> None:
    """Verify a DER ECDSA-SHA256 signature (hex) over :func:`signed_message`.

    Raises:
        ContractError: ``BAD_SIGNATURE`` when it does not verify.
    """
    try:
        signature = bytes.fromhex(signature_hex)
        load_device_key(pem).verify(signature, signed_message(reading), ec.ECDSA(hashes.SHA256()))
    except (ValueError, InvalidSignature) as exc:
        raise ContractError(
            "BAD_SIGNATURE",
            f"reading {reading['meter_id']}@{reading['interval_start']} is not signed by the "
            "registered device key",
        ) from exc
