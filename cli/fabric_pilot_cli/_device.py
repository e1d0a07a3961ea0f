"""Signing meter readings as a meter device would (for demos, tests and gateways that hold
device keys). The signature is ECDSA P-256 / SHA-256, DER, hex-encoded, over the canonical
JSON of the signed reading fields; ``flag`` defaults to ``normal`` and is signed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._errors import EXIT_USAGE, CliError

__all__ = ["SIGNED_FIELDS", "sign_reading", "signing_key_for"]

SIGNED_FIELDS = (
    "counter",
    "export_wh",
    "flag",
    "import_wh",
    "interval_end",
    "interval_start",
    "meter_id",
)


def signing_key_for(source: Path, meter_id: str) -> Path:
    """The device key of ``meter_id``: ``source`` itself, or ``source/<meter_id>.pem``."""
    return source / f"{meter_id}.pem" if source.is_dir() else source


def sign_reading(reading: dict[str, Any], key_file: Path) -> dict[str, Any]:
    """A copy of ``reading`` with ``flag`` defaulted and ``signature`` set.

    Raises:
        CliError: the key is unreadable or not ECDSA P-256, or a signed field is missing.
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(key_file.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot load device key {key_file}: {exc}", EXIT_USAGE) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise CliError(f"{key_file} is not an ECDSA P-256 private key", EXIT_USAGE)
    signed = {"flag": "normal", **reading}
    missing = [name for name in SIGNED_FIELDS if name not in signed]
    if missing:
        raise CliError(f"reading has no {missing[0]!r}", EXIT_USAGE)
    message = json.dumps(
        {name: signed[name] for name in SIGNED_FIELDS},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    ).encode()  # fmt: skip
    signed["signature"] = key.sign(message, ec.ECDSA(hashes.SHA256())).hex()
    return signed
