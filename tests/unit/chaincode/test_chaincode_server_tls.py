"""TLS and mutual TLS for the chaincode server, with certificates made in the test."""

import datetime
import ipaddress
from collections.abc import Iterator

import grpc
import pytest
from chaincode_fake_peer import (
    FakePeer,
    FakeWorld,
    response_of,
    run_transaction,
    transaction_message,
)
from chaincode_probe_contract import CHAINCODE
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from fabric_pilot_chaincode import ChaincodeServer, TlsConfig

_START = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
_END = datetime.datetime(2090, 1, 1, tzinfo=datetime.UTC)


class Pki:
    def __init__(self, name: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_START)
            .not_valid_after(_END)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, name: str, usage: x509.ObjectIdentifier) -> tuple[bytes, bytes]:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_START)
            .not_valid_after(_END)
            .add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                critical=False,
            )
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cert.public_bytes(serialization.Encoding.PEM), key_pem


@pytest.fixture(scope="module")
def pki() -> tuple[Pki, Pki]:
    return Pki("server-ca"), Pki("client-ca")


def _serve(tls: TlsConfig) -> ChaincodeServer:
    server = ChaincodeServer(CHAINCODE, "127.0.0.1:0", "probe:tls", tls=tls)
    server.start()
    return server


def _noop_status(peer: FakePeer) -> int:
    peer.handshake()
    reply = run_transaction(peer, FakeWorld(), transaction_message("tls-tx", [b"noop"]))
    return int(response_of(reply).status)


@pytest.fixture
def tls_server(pki: tuple[Pki, Pki]) -> Iterator[ChaincodeServer]:
    server_ca, _ = pki
    cert, key = server_ca.issue("localhost", ExtendedKeyUsageOID.SERVER_AUTH)
    server = _serve(TlsConfig(cert_pem=cert, key_pem=key))
    yield server
    server.stop(grace=0.2)


@pytest.fixture
def mtls_server(pki: tuple[Pki, Pki]) -> Iterator[ChaincodeServer]:
    server_ca, client_ca = pki
    cert, key = server_ca.issue("localhost", ExtendedKeyUsageOID.SERVER_AUTH)
    server = _serve(TlsConfig(cert_pem=cert, key_pem=key, client_ca_pem=client_ca.pem))
    yield server
    server.stop(grace=0.2)


def test_tls_server_accepts_peer_trusting_its_ca(
    tls_server: ChaincodeServer, pki: tuple[Pki, Pki]
) -> None:
    credentials = grpc.ssl_channel_credentials(root_certificates=pki[0].pem)
    peer = FakePeer(f"127.0.0.1:{tls_server.port}", credentials)
    try:
        assert _noop_status(peer) == 200
    finally:
        peer.close()


def test_tls_server_is_not_plaintext(tls_server: ChaincodeServer) -> None:
    peer = FakePeer(f"127.0.0.1:{tls_server.port}")
    try:
        assert isinstance(peer.stream_end(), grpc.RpcError)
    finally:
        peer.close()


def test_mutual_tls_requires_a_client_certificate(
    mtls_server: ChaincodeServer, pki: tuple[Pki, Pki]
) -> None:
    server_ca, client_ca = pki
    anonymous = FakePeer(
        f"127.0.0.1:{mtls_server.port}",
        grpc.ssl_channel_credentials(root_certificates=server_ca.pem),
    )
    try:
        assert isinstance(anonymous.stream_end(), grpc.RpcError)
    finally:
        anonymous.close()
    cert, key = client_ca.issue("peer0", ExtendedKeyUsageOID.CLIENT_AUTH)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=server_ca.pem, private_key=key, certificate_chain=cert
    )
    peer = FakePeer(f"127.0.0.1:{mtls_server.port}", credentials)
    try:
        assert _noop_status(peer) == 200
    finally:
        peer.close()


def test_client_signed_by_another_ca_is_rejected(
    mtls_server: ChaincodeServer, pki: tuple[Pki, Pki]
) -> None:
    server_ca, _ = pki
    cert, key = Pki("rogue").issue("peer0", ExtendedKeyUsageOID.CLIENT_AUTH)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=server_ca.pem, private_key=key, certificate_chain=cert
    )
    peer = FakePeer(f"127.0.0.1:{mtls_server.port}", credentials)
    try:
        assert isinstance(peer.stream_end(), grpc.RpcError)
    finally:
        peer.close()
