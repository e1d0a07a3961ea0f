"""Signers: callables that sign a digest."""

from __future__ import annotations

from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed,
    decode_dss_signature,
    encode_dss_signature,
)

__all__ = ["Signer", "new_private_key_signer"]

Signer = Callable[[bytes], bytes]
"""Signs a DIGEST (already hashed message) and returns the signature."""

_CURVE_ORDERS = {
    "secp256r1": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "secp384r1": int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
}


def _prehashed_algorithm(digest: bytes) -> hashes.HashAlgorithm:
    if len(digest) == 32:
        return hashes.SHA256()
    if len(digest) == 48:
        return hashes.SHA384()
    raise ValueError(f"unsupported digest length {len(digest)}; expected 32 or 48 bytes")


def _ecdsa_signer(key: ec.EllipticCurvePrivateKey) -> Signer:
    order = _CURVE_ORDERS.get(key.curve.name)
    if order is None:
        raise ValueError(f"unsupported elliptic curve {key.curve.name}")

    def sign(digest: bytes) -> bytes:
        algorithm = Prehashed(_prehashed_algorithm(digest))
        r, s = decode_dss_signature(key.sign(digest, ec.ECDSA(algorithm)))
        if s > order // 2:
            s = order - s
        return encode_dss_signature(r, s)

    return sign


def _ed25519_signer(key: ed25519.Ed25519PrivateKey) -> Signer:
    def sign(digest: bytes) -> bytes:
        return key.sign(digest)

    return sign


def new_private_key_signer(
    private_key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey,
) -> Signer:
    """Create a signer from a private key.

    ECDSA (P-256, P-384) signatures are DER encoded and low-S normalised, as
    Fabric requires. Ed25519 signs the digest bytes as the message.

    Args:
        private_key: An EC or Ed25519 private key from ``cryptography``.

    Returns:
        A callable signing a digest.

    Raises:
        ValueError: If the key type or curve is not supported.
    """
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return _ecdsa_signer(private_key)
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return _ed25519_signer(private_key)
    raise ValueError(f"unsupported private key type {type(private_key).__name__}")
