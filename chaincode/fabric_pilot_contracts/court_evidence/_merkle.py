"""Merkle tree over an ordered evidence batch (RFC 6962 shape, SHA-256, domain separated).

Leaf ``i`` is ``SHA-256(0x00 || canonical_json({"content_hash", "evidence_id", "hash_alg"}))``
of the ``i``-th batch item, in submission order. An inner node is
``SHA-256(0x01 || left || right)``. A tree of ``n > 1`` leaves splits at ``k``, the largest
power of two below ``n``: root = node(tree(leaves[:k]), tree(leaves[k:])). A proof lists the
sibling hashes from the leaf upwards as ``{"side": "left" | "right", "hash": hex}``; ``side``
says where the sibling sits. Verify by folding: ``h = node(h, s)`` for a right sibling,
``h = node(s, h)`` for a left one, and compare with the root.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fabric_pilot_chaincode import canonical_json

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def leaf_hash(evidence_id: str, hash_alg: str, content_hash: str) -> bytes:
    """Hash of one batch item."""
    item = {"content_hash": content_hash, "evidence_id": evidence_id, "hash_alg": hash_alg}
    return hashlib.sha256(LEAF_PREFIX + canonical_json(item)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an inner node."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(count: int) -> int:
    k = 1
    while k * 2 < count:
        k *= 2
    return k


def merkle_root(leaves: list[bytes]) -> bytes:
    """Root of a non-empty ordered list of leaf hashes."""
    if not leaves:
        raise ValueError("a Merkle tree needs at least one leaf")
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


def audit_path(index: int, leaves: list[bytes]) -> list[dict[str, str]]:
    """Proof for leaf ``index``: sibling hashes from the leaf level up."""
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if index < k:
        sibling = {"hash": merkle_root(leaves[k:]).hex(), "side": "right"}
        return [*audit_path(index, leaves[:k]), sibling]
    sibling = {"hash": merkle_root(leaves[:k]).hex(), "side": "left"}
    return [*audit_path(index - k, leaves[k:]), sibling]


def verify_proof(leaf: bytes, proof: list[dict[str, Any]], root_hex: str) -> bool:
    """Return whether ``proof`` links ``leaf`` to the root ``root_hex``."""
    current = leaf
    for step in proof:
        sibling = bytes.fromhex(str(step["hash"]))
        if step["side"] == "right":
            current = node_hash(current, sibling)
        elif step["side"] == "left":
            current = node_hash(sibling, current)
        else:
            return False
    return current.hex() == root_hex
