"""Roles on cryptogen networks: user certificates re-issued with ``pilot.role`` by the org CA."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fabric_pilot_chaincode import ClientIdentity
from fabric_pilot_chaincode._protos import identities_pb2
from fabric_pilot_network.crypto import CryptoLayout
from fabric_pilot_network.role_certificates import issue_role_certificates
from fabric_pilot_network.topology import TopologyError, load_topology

NOW = datetime.datetime.now(datetime.UTC)


def _name(common_name: str, unit: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "org")]
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    return x509.Name([*parts, x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _cert(
    subject: x509.Name, issuer: x509.Name, public: ec.EllipticCurvePublicKey,
    signer: ec.EllipticCurvePrivateKey, ca: bool,
) -> x509.Certificate:  # fmt: skip
    return (
        x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public)
        .serial_number(x509.random_serial_number()).not_valid_before(NOW)
        .not_valid_after(NOW + datetime.timedelta(days=10))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(signer, hashes.SHA256())
    )  # fmt: skip


def _cryptogen_tree(layout: CryptoLayout) -> dict[str, x509.Certificate]:
    """What cryptogen leaves: an org CA and a plain client certificate per user."""
    cas: dict[str, x509.Certificate] = {}
    for org in layout.topology.orgs:
        ca_dir = layout.org_dir(org.name) / "ca"
        ca_dir.mkdir(parents=True)
        key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = _cert(
            _name(f"ca.{org.domain}"), _name(f"ca.{org.domain}"), key.public_key(), key, True
        )
        (ca_dir / f"ca.{org.domain}-cert.pem").write_bytes(
            ca_cert.public_bytes(serialization.Encoding.PEM)
        )
        pkcs8 = serialization.PrivateFormat.PKCS8
        (ca_dir / "priv_sk").write_bytes(
            key.private_bytes(serialization.Encoding.PEM, pkcs8, serialization.NoEncryption())
        )
        for user in org.users:
            signcerts = layout.user_dir(org.name, user) / "msp" / "signcerts"
            signcerts.mkdir(parents=True)
            user_key = ec.generate_private_key(ec.SECP256R1())
            cert = _cert(_name(user, "client"), ca_cert.subject, user_key.public_key(), key, False)
            (signcerts / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        cas[org.name] = ca_cert
    return cas


def _creator(msp_id: str, pem: bytes) -> bytes:
    return identities_pb2.SerializedIdentity(mspid=msp_id, id_bytes=pem).SerializeToString()


def test_users_with_roles_get_a_ca_signed_certificate_carrying_pilot_role(tmp_path: Path) -> None:
    layout = CryptoLayout(tmp_path / "crypto", load_topology("pilot"))
    cas = _cryptogen_tree(layout)
    before = (layout.user_dir("TaxBureau", "Auditor1") / "msp/signcerts/cert.pem").read_bytes()

    issued = issue_role_certificates(layout)

    assert "TaxBureau/Auditor1" in issued and "Generator/Operator1" in issued
    pem = (layout.user_dir("TaxBureau", "Auditor1") / "msp/signcerts/cert.pem").read_bytes()
    old, new = x509.load_pem_x509_certificate(before), x509.load_pem_x509_certificate(pem)
    assert new.subject == old.subject and new.public_key() == old.public_key()
    new.verify_directly_issued_by(cas["TaxBureau"])
    identity = ClientIdentity(_creator("TaxBureauMSP", pem))
    assert identity.get_attribute("pilot.role") == "auditor"
    assert identity.role == "client"
    operator = (layout.user_dir("Generator", "Operator1") / "msp/signcerts/cert.pem").read_bytes()
    roles = ClientIdentity(_creator("GeneratorMSP", operator)).get_attribute("pilot.role")
    assert roles == "meter_operator generator"


def test_users_without_roles_keep_their_certificate(tmp_path: Path) -> None:
    layout = CryptoLayout(tmp_path / "crypto", load_topology("dev"))
    _cryptogen_tree(layout)
    before = (layout.user_dir("Org1", "User1") / "msp/signcerts/cert.pem").read_bytes()
    assert issue_role_certificates(layout) == []
    assert (layout.user_dir("Org1", "User1") / "msp/signcerts/cert.pem").read_bytes() == before


@pytest.mark.parametrize(
    ("roles", "message"),
    [
        ("{Nobody: [seller]}", "roles.Nobody: is not one of the org's users"),
        ("{User1: seller}", "roles.User1: must be a list of roles"),
        ("{User1: [Seller]}", "roles.User1: must be a list of roles"),
        ("[seller]", "roles: must be a mapping"),
    ],
)
def test_bad_roles_in_a_topology_name_the_key(tmp_path: Path, roles: str, message: str) -> None:
    source = tmp_path / "t.yaml"
    source.write_text(
        "name: t\norderer_org: {name: O, msp_id: OMSP, domain: o.example, orderers: 1}\n"
        f"orgs:\n  - {{name: A, msp_id: AMSP, domain: a.example, users: [User1], roles: {roles}}}\n"
        "channels: [{name: ch, orgs: [A]}]\n",
        encoding="utf-8",
    )
    with pytest.raises(TopologyError) as caught:
        load_topology(source)
    assert message in str(caught.value)
