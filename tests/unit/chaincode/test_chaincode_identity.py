import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from fabric_pilot_chaincode import ClientIdentity, ContractError
from fabric_pilot_chaincode._protos import identities_pb2
from fabric_pilot_chaincode.testing import make_test_identity


def _serialized(subject: x509.Name, issuer: x509.Name, msp_id: str = "Org9MSP") -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    return bytes(identities_pb2.SerializedIdentity(mspid=msp_id, id_bytes=pem).SerializeToString())


def _attr(oid: x509.ObjectIdentifier, value: str) -> x509.NameAttribute[str]:
    return x509.NameAttribute(oid, value)


def test_id_matches_go_cid_format_for_cryptogen_user() -> None:
    subject = x509.Name(
        [
            _attr(NameOID.COUNTRY_NAME, "US"),
            _attr(NameOID.STATE_OR_PROVINCE_NAME, "California"),
            _attr(NameOID.LOCALITY_NAME, "San Francisco"),
            _attr(NameOID.ORGANIZATIONAL_UNIT_NAME, "client"),
            _attr(NameOID.COMMON_NAME, "User1@org1.example.com"),
        ]
    )
    issuer = x509.Name(
        [
            _attr(NameOID.COUNTRY_NAME, "US"),
            _attr(NameOID.STATE_OR_PROVINCE_NAME, "California"),
            _attr(NameOID.LOCALITY_NAME, "San Francisco"),
            _attr(NameOID.ORGANIZATION_NAME, "org1.example.com"),
            _attr(NameOID.COMMON_NAME, "ca.org1.example.com"),
        ]
    )
    identity = ClientIdentity(_serialized(subject, issuer))
    assert identity.id == (
        "x509::CN=User1@org1.example.com,OU=client,L=San Francisco,ST=California,C=US"
        "::CN=ca.org1.example.com,O=org1.example.com,L=San Francisco,ST=California,C=US"
    )
    assert identity.msp_id == "Org9MSP"
    assert identity.role == "client"
    assert identity.attributes == {}
    assert not identity.has_ca_attributes


def test_id_orders_like_go_groups_ous_and_escapes() -> None:
    # Certificate order is deliberately unusual: Go re-orders by attribute type.
    subject = x509.Name(
        [
            _attr(NameOID.COMMON_NAME, " Smith, John+#1 "),
            _attr(NameOID.ORGANIZATIONAL_UNIT_NAME, "admin"),
            _attr(NameOID.COUNTRY_NAME, "KR"),
            _attr(NameOID.ORGANIZATIONAL_UNIT_NAME, "org1"),
            _attr(NameOID.EMAIL_ADDRESS, "dropped@example.com"),
        ]
    )
    issuer = x509.Name([_attr(NameOID.COMMON_NAME, "#ca;<x>")])
    identity = ClientIdentity(_serialized(subject, issuer))
    assert identity.id == (
        "x509::CN=\\ Smith\\, John\\+#1\\ ,OU=admin+OU=org1,C=KR::CN=\\#ca\\;\\<x\\>"
    )
    assert identity.role == "admin"


def test_test_identity_has_attributes_and_role() -> None:
    creator = make_test_identity("Org1MSP", "auditor1", role="peer", attributes={"dept": "tax"})
    identity = ClientIdentity(creator)
    assert identity.role == "peer"
    assert identity.get_attribute("dept") == "tax"
    assert identity.get_attribute("hf.EnrollmentID") == "auditor1"
    assert identity.get_attribute("missing") is None
    assert identity.has_ca_attributes
    identity.assert_attribute_value("dept", "tax")
    with pytest.raises(ContractError) as info:
        identity.assert_attribute_value("dept", "energy")
    assert info.value.code == "FORBIDDEN"
    with pytest.raises(ContractError):
        identity.assert_attribute_value("nope", "x")


def test_same_msp_shares_a_ca_and_different_msps_do_not() -> None:
    one = ClientIdentity(make_test_identity("OrgAMSP", "a"))
    two = ClientIdentity(make_test_identity("OrgAMSP", "b"))
    other = ClientIdentity(make_test_identity("OrgBMSP", "a"))
    assert one.certificate.issuer == two.certificate.issuer
    assert one.certificate.issuer != other.certificate.issuer
    assert one.id.startswith("x509::CN=a,OU=client,L=San Francisco,ST=California,C=US::")


@pytest.mark.parametrize("creator", [b"\xff\xff", b""])
def test_bad_creator_raises_bad_identity(creator: bytes) -> None:
    with pytest.raises(ContractError) as info:
        ClientIdentity(creator)
    assert info.value.code == "BAD_IDENTITY"
