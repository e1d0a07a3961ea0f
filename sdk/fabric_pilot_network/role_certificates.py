"""Roles in users' certificates on cryptogen networks.

cryptogen issues user certificates without attributes, so on its own it cannot tell an
org's tax officer from its auditor. After cryptogen ran, the manager re-issues the enrolment
certificate of every user the topology gives roles (``roles: {User: [role, ...]}``): same
subject, key, validity and extensions, signed by the same org CA key, plus the Fabric CA
attribute extension (OID 1.2.3.4.5.6.7.8.1) with ``pilot.role`` and the ``hf.*`` attributes a
Fabric CA would add. Peers validate it against the org's MSP like any other certificate, so the
role is as trustworthy as the org CA; the contracts read it exactly as on a Fabric CA network.
Users without roles keep cryptogen's certificate and get no role-gated right (default deny).
"""

from __future__ import annotations

import json
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ObjectIdentifier

from .crypto import CryptoLayout
from .topology import Organization

__all__ = [
    "FABRIC_CA_ATTRIBUTES_OID",
    "ROLE_ATTRIBUTE",
    "attribute_extension_value",
    "issue_role_certificates",
    "role_value",
]

FABRIC_CA_ATTRIBUTES_OID = ObjectIdentifier("1.2.3.4.5.6.7.8.1")
ROLE_ATTRIBUTE = "pilot.role"


def role_value(roles: tuple[str, ...]) -> str:
    """The ``pilot.role`` attribute value for ``roles``: space separated."""
    return " ".join(roles)


def attribute_extension_value(user: str, roles: tuple[str, ...]) -> bytes:
    """The JSON body of the attribute extension, as Fabric CA writes it."""
    attrs = {
        "hf.Affiliation": "",
        "hf.EnrollmentID": user,
        "hf.Type": "client",
        ROLE_ATTRIBUTE: role_value(roles),
    }
    return json.dumps({"attrs": attrs}, separators=(",", ":"), sort_keys=True).encode()


def _org_ca(
    layout: CryptoLayout, org: Organization
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_dir = layout.org_dir(org.name) / "ca"
    certificate = x509.load_pem_x509_certificate(next(ca_dir.glob("*-cert.pem")).read_bytes())
    key = serialization.load_pem_private_key((ca_dir / "priv_sk").read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{ca_dir / 'priv_sk'} is not an EC private key")
    return certificate, key


def _reissue(
    signcert: Path,
    ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
    user: str,
    roles: tuple[str, ...],
) -> None:
    old = x509.load_pem_x509_certificate(signcert.read_bytes())
    ca_cert, ca_key = ca
    builder = (
        x509.CertificateBuilder()
        .subject_name(old.subject)
        .issuer_name(ca_cert.subject)
        .public_key(old.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(old.not_valid_before_utc)
        .not_valid_after(old.not_valid_after_utc)
    )
    for extension in old.extensions:
        if extension.oid != FABRIC_CA_ATTRIBUTES_OID:
            builder = builder.add_extension(extension.value, extension.critical)
    builder = builder.add_extension(
        x509.UnrecognizedExtension(
            FABRIC_CA_ATTRIBUTES_OID, attribute_extension_value(user, roles)
        ),
        critical=False,
    )
    certificate = builder.sign(ca_key, hashes.SHA256())
    signcert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def issue_role_certificates(layout: CryptoLayout) -> list[str]:
    """Re-issue the enrolment certificate of every user with roles; return ``Org/User`` names."""
    issued: list[str] = []
    for org in layout.topology.orgs:
        users = [user for user in org.users if org.roles_of(user)]
        if not users:
            continue
        ca = _org_ca(layout, org)
        for user in users:
            signcerts = layout.user_dir(org.name, user) / "msp" / "signcerts"
            signcert = next(signcerts.glob("*.pem"))
            _reissue(signcert, ca, user, org.roles_of(user))
            issued.append(f"{org.name}/{user}")
    return issued
