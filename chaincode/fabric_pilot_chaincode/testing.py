"""Test helpers: real X.509 identities signed by per-MSP test CAs."""

from __future__ import annotations

import datetime
import json
import threading
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ._identity import FABRIC_CA_ATTRS_OID
from ._protos import identities_pb2

__all__ = ["TestCertificateAuthority", "make_test_identity", "test_ca"]

_LOCK = threading.Lock()
_CAS: dict[str, TestCertificateAuthority] = {}
_NOT_BEFORE = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
_NOT_AFTER = datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)


def _locality_name(*extra: x509.NameAttribute[str]) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "California"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, "San Francisco"),
            *extra,
        ]
    )


@dataclass(frozen=True)
class TestCertificateAuthority:
    """An in-process EC P-256 CA for one MSP."""

    __test__ = False  # not a pytest test class

    msp_id: str
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def issue(
        self, common_name: str, role: str, attributes: dict[str, str] | None
    ) -> x509.Certificate:
        """Issue an end-entity certificate for ``common_name`` with OU=role."""
        subject = _locality_name(
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, role),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        )
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_NOT_BEFORE)
            .not_valid_after(_NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )
        if attributes is not None:
            attrs = {
                "hf.Affiliation": "",
                "hf.EnrollmentID": common_name,
                "hf.Type": role,
                **attributes,
            }
            payload = json.dumps({"attrs": attrs}, separators=(",", ":")).encode()
            builder = builder.add_extension(
                x509.UnrecognizedExtension(FABRIC_CA_ATTRS_OID, payload), critical=False
            )
        return builder.sign(self.key, hashes.SHA256())


def _new_ca(msp_id: str) -> TestCertificateAuthority:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _locality_name(
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, msp_id),
        x509.NameAttribute(NameOID.COMMON_NAME, f"ca.{msp_id.lower()}"),
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_NOT_BEFORE)
        .not_valid_after(_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return TestCertificateAuthority(msp_id, key, certificate)


def test_ca(msp_id: str) -> TestCertificateAuthority:
    """Return the cached test CA for ``msp_id`` (created on first use)."""
    with _LOCK:
        if msp_id not in _CAS:
            _CAS[msp_id] = _new_ca(msp_id)
        return _CAS[msp_id]


test_ca.__test__ = False  # type: ignore[attr-defined]


def make_test_identity(
    msp_id: str,
    common_name: str,
    role: str = "client",
    attributes: dict[str, str] | None = None,
) -> bytes:
    """Return serialized ``msp.SerializedIdentity`` bytes with a real certificate.

    The certificate (EC P-256) is signed by a per-MSP test CA cached in-process,
    has subject ``CN=common_name,OU=role,L=San Francisco,ST=California,C=US`` and,
    when ``attributes`` is given, a Fabric CA attributes extension that also holds
    ``hf.EnrollmentID``, ``hf.Type`` and ``hf.Affiliation``.
    """
    certificate = test_ca(msp_id).issue(common_name, role, attributes)
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    identity = identities_pb2.SerializedIdentity(mspid=msp_id, id_bytes=pem)
    return bytes(identity.SerializeToString())
