"""Meter device keys for ``meter read --sign-with`` and ``meter import --sign-with``: found,
loaded and checked here; the SDK (``fabric_pilot_gateway.sectors.sign_reading``) signs."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ._errors import EXIT_USAGE, CliError

__all__ = [
    "check_signing_keys",
    "generate_device_key",
    "load_signing_key",
    "sign_reading",
    "signing_key_for",
]


def signing_key_for(source: Path, meter_id: str) -> Path:
    """The device key of ``meter_id``: ``source`` itself, or ``source/<meter_id>.pem``."""
    return source / f"{meter_id}.pem" if source.is_dir() else source


def generate_device_key(key_file: Path) -> str:
    """Write a new ECDSA P-256 device key to ``key_file`` (PEM, PKCS #8, mode 0600).

    Returns:
        The public key as PEM (SubjectPublicKeyInfo), as ``register_meter`` expects it.

    Raises:
        CliError: (exit 2) ``key_file`` exists (a key is never overwritten) or cannot be
            created.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CliError(f"{key_file} exists; keygen never overwrites a key", EXIT_USAGE) from None
    except OSError as exc:
        raise CliError(f"cannot create {key_file}: {exc.strerror}", EXIT_USAGE) from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public.decode("ascii")


def load_signing_key(key_file: Path) -> Any:
    """The ECDSA P-256 private key in ``key_file`` (PEM, unencrypted), loaded once per
    process (a bulk import signs thousands of readings with a handful of keys).

    Raises:
        CliError: (exit 2) the file is unreadable or holds no ECDSA P-256 private key.
    """
    return _load_signing_key(str(key_file))


@functools.lru_cache(maxsize=256)
def _load_signing_key(key_path: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key_file = Path(key_path)
    try:
        key = load_pem_private_key(key_file.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a PEM private key"
        raise CliError(f"cannot load device key {key_file}: {reason}", EXIT_USAGE) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise CliError(f"{key_file} is not an ECDSA P-256 private key", EXIT_USAGE)
    return key


def check_signing_keys(source: Path, meter_ids: Iterable[str]) -> None:
    """Load the device key of every meter once, before anything is submitted.

    Raises:
        CliError: (exit 2) for the first key that is missing or not an ECDSA P-256 key.
    """
    for meter_id in sorted(set(meter_ids)):
        load_signing_key(signing_key_for(source, meter_id))


def sign_reading(reading: dict[str, Any], key_file: Path) -> dict[str, Any]:
    """A copy of ``reading`` signed by the device key in ``key_file`` (the SDK signs).

    The signature is deterministic (RFC 6979): signing the same reading again gives the same
    bytes, so a re-run of an interrupted import resubmits identical rows, which the contract
    recognises as already recorded rather than as a conflicting reading.

    Raises:
        CliError: the key is unreadable or not ECDSA P-256, or a signed field is missing.
    """
    from fabric_pilot_gateway.sectors import sign_reading as sign

    key = load_signing_key(key_file)
    try:
        return sign(reading, key)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
