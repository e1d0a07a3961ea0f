"""Identity, hashing and private-key signers."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature
from fabric_protos.gateway import gateway_pb2
from fabric_protos.msp import identities_pb2
from gateway_fakes import FakeTransport

from fabric_pilot_gateway import (
    X509Identity,
    connect,
    new_private_key_signer,
    no_hash,
    sha256,
    sha384,
)

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def test_identity_serializes_msp_id_and_certificate() -> None:
    identity = X509Identity("Org1MSP", b"-----BEGIN CERTIFICATE-----\nabc\n")
    decoded = identities_pb2.SerializedIdentity.FromString(identity.serialize())
    assert decoded.mspid == "Org1MSP"
    assert decoded.id_bytes == b"-----BEGIN CERTIFICATE-----\nabc\n"


def test_hash_functions_match_hashlib() -> None:
    assert sha256(b"abc") == hashlib.sha256(b"abc").digest()
    assert sha384(b"abc") == hashlib.sha384(b"abc").digest()


def test_p256_signatures_verify_and_are_low_s() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    signer = new_private_key_signer(key)
    for index in range(40):
        digest = sha256(f"message {index}".encode())
        signature = signer(digest)
        key.public_key().verify(signature, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        _, s = decode_dss_signature(signature)
        assert s <= P256_ORDER // 2


def test_p256_signature_is_over_the_digest_not_the_message() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    digest = sha256(b"payload")
    signature = new_private_key_signer(key)(digest)
    with pytest.raises(InvalidSignature):
        key.public_key().verify(signature, digest, ec.ECDSA(hashes.SHA256()))


def test_p384_signer_accepts_sha384_digest() -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    digest = sha384(b"payload")
    signature = new_private_key_signer(key)(digest)
    key.public_key().verify(signature, digest, ec.ECDSA(Prehashed(hashes.SHA384())))


def test_ecdsa_signer_rejects_odd_digest_length() -> None:
    signer = new_private_key_signer(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(ValueError, match="digest length"):
        signer(b"short")


def test_ed25519_signer_signs_digest_bytes() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    digest = sha256(b"payload")
    key.public_key().verify(new_private_key_signer(key)(digest), digest)


def test_unsupported_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match="unsupported private key"):
        new_private_key_signer(rsa.generate_private_key(65537, 2048))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="curve"):
        new_private_key_signer(ec.generate_private_key(ec.SECP521R1()))


def test_ed25519_gateway_with_no_hash_signs_the_full_message() -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    transport = FakeTransport()
    gateway = connect(
        client=transport,
        identity=X509Identity("Org1MSP", b"cert"),
        signer=new_private_key_signer(key),
        hash_function=no_hash,
    )
    proposal = gateway.get_network("ch").get_contract("cc").new_proposal("Q")
    assert proposal.digest() == gateway_proposal_bytes(proposal.to_bytes())
    proposal.evaluate()
    sent = transport.requests("evaluate")[0].proposed_transaction
    key.public_key().verify(sent.signature, sent.proposal_bytes)


def gateway_proposal_bytes(proposed: bytes) -> bytes:
    return bytes(gateway_pb2.ProposedTransaction.FromString(proposed).proposal.proposal_bytes)
