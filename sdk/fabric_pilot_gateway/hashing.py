"""Hash functions used to compute the digests that signers sign."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

__all__ = ["HashFunction", "no_hash", "sha256", "sha384"]

HashFunction = Callable[[bytes], bytes]
"""Maps a message to its digest."""


def sha256(message: bytes) -> bytes:
    """Return the SHA-256 digest of ``message``."""
    return hashlib.sha256(message).digest()


def sha384(message: bytes) -> bytes:
    """Return the SHA-384 digest of ``message``."""
    return hashlib.sha384(message).digest()


def no_hash(message: bytes) -> bytes:
    """Return ``message`` unchanged, for signers that hash internally (e.g. Ed25519)."""
    return message
