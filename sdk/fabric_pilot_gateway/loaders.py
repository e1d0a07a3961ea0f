"""Load identities and signers from files (edge module: the core reads no files)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from .identity import X509Identity
from .signing import Signer, new_private_key_signer

__all__ = [
    "PrivateKey",
    "load_msp_folder",
    "load_pem_identity",
    "load_private_key",
    "write_msp_folder",
]

PrivateKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
StrPath = str | os.PathLike[str]


def load_private_key(pem: bytes) -> PrivateKey:
    """Parse an unencrypted PEM private key (PKCS#8 or SEC1).

    Raises:
        ValueError: If the PEM is invalid or the key is not EC or Ed25519.
    """
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError(f"unsupported private key type {type(key).__name__}")
    return key


def load_pem_identity(
    cert_path: StrPath, key_path: StrPath, msp_id: str
) -> tuple[X509Identity, Signer]:
    """Load an identity and signer from a PEM certificate and PEM private key file."""
    certificate_pem = Path(cert_path).read_bytes()
    key = load_private_key(Path(key_path).read_bytes())
    return X509Identity(msp_id, certificate_pem), new_private_key_signer(key)


def _public_bytes(key: object) -> bytes:
    public_key = key.public_key()  # type: ignore[attr-defined]
    result: bytes = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return result


def _matching_key(keystore: Path, certificate_pem: bytes) -> PrivateKey:
    certificate = x509.load_pem_x509_certificate(certificate_pem)
    wanted = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for candidate in sorted(p for p in keystore.iterdir() if p.is_file()):
        try:
            key = load_private_key(candidate.read_bytes())
        except ValueError:
            continue
        if _public_bytes(key) == wanted:
            return key
    raise ValueError(f"no private key in {keystore} matches the signing certificate")


def load_msp_folder(msp_dir: StrPath, msp_id: str) -> tuple[X509Identity, Signer]:
    """Load the identity and signer of a local MSP folder.

    Uses the single certificate in ``signcerts/`` and the key in ``keystore/``
    whose public key matches it.

    Raises:
        ValueError: If ``signcerts`` does not hold exactly one certificate or no key matches.
    """
    root = Path(msp_dir)
    certs = sorted(p for p in (root / "signcerts").glob("*.pem") if p.is_file())
    if len(certs) != 1:
        raise ValueError(f"expected one certificate in {root / 'signcerts'}, found {len(certs)}")
    certificate_pem = certs[0].read_bytes()
    key = _matching_key(root / "keystore", certificate_pem)
    return X509Identity(msp_id, certificate_pem), new_private_key_signer(key)


def write_msp_folder(
    msp_dir: StrPath, certificate_pem: bytes, private_key_pem: bytes, ca_chain_pem: bytes
) -> Path:
    """Write an MSP folder :func:`load_msp_folder` reads: ``signcerts/cert.pem``,
    ``keystore/priv_sk`` (created 0600: only its owner may read the key) and
    ``cacerts/ca.pem``. For an enrolment: ``write_msp_folder(dir, e.certificate_pem,
    e.private_key_pem(), e.ca_chain_pem)``.

    Returns:
        The MSP folder.
    """
    msp = Path(msp_dir)
    for folder in ("signcerts", "keystore", "cacerts"):
        (msp / folder).mkdir(parents=True, exist_ok=True)
    (msp / "signcerts" / "cert.pem").write_bytes(certificate_pem)
    key_file = msp / "keystore" / "priv_sk"
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_key_pem)
    key_file.chmod(0o600)  # an existing file keeps its mode through O_CREAT
    (msp / "cacerts" / "ca.pem").write_bytes(ca_chain_pem)
    return msp
