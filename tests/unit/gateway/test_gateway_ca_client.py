"""Fabric CA client against a local HTTPS test server that checks request shape and tokens."""

from __future__ import annotations

import base64
import datetime
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from gateway_fakes import Credentials, make_credentials

from fabric_pilot_gateway import new_private_key_signer
from fabric_pilot_gateway.ca_client import (
    Attribute,
    AttributeRequest,
    FabricCAClient,
    FabricCAError,
    authorization_token,
    crl_of,
)


@dataclass
class CAState:
    ca: Credentials
    requests: list[dict[str, Any]] = field(default_factory=list)
    revoked: list[int] = field(default_factory=list)


def _issue(state: CAState, csr_pem: str) -> bytes:
    csr = x509.load_pem_x509_csr(csr_pem.encode())
    assert csr.is_signature_valid
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ca-org1")]))
        .public_key(csr.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(state.ca.key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def _crl(state: CAState) -> str:
    """The fake CA's CRL of every serial it revoked, PEM then base64 as Fabric CA sends it."""
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ca-org1")]))
        .last_update(now)
        .next_update(now + datetime.timedelta(days=1))
    )
    for serial in state.revoked:
        entry = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now)
        builder = builder.add_revoked_certificate(entry.build())
    pem = builder.sign(state.ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)
    return base64.b64encode(pem).decode()


def _verify_token(token: str, method: str, uri: str, body: bytes) -> bool:
    """Independent check of the Fabric CA token format."""
    b64_cert, b64_sig = token.split(".")
    cert = x509.load_pem_x509_certificate(base64.b64decode(b64_cert))
    payload = ".".join(
        [method, base64.b64encode(uri.encode()).decode(), base64.b64encode(body).decode(), b64_cert]
    ).encode()
    public_key = cert.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    try:
        public_key.verify(base64.b64decode(b64_sig), payload, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _ok(result: Any) -> tuple[int, dict[str, Any]]:
    return 201, {"success": True, "result": result, "errors": [], "messages": []}


def _fail(status: int, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"success": False, "result": None, "errors": [{"code": 1, "message": message}]}


def _route(state: CAState, method: str, path: str, headers: Any, body: bytes) -> tuple[int, Any]:
    auth = headers.get("Authorization", "")
    document = json.loads(body) if body else {}
    chain = base64.b64encode(state.ca.certificate_pem).decode()
    if path == "/api/v1/enroll":
        if auth != "Basic " + base64.b64encode(b"admin:adminpw").decode():
            return _fail(401, "Authentication failure")
        cert = base64.b64encode(_issue(state, document["certificate_request"])).decode()
        return _ok({"Cert": cert, "ServerInfo": {"CAName": "ca-org1", "CAChain": chain}})
    if not _verify_token(auth, method, path, body):
        return _fail(401, "Invalid token in authorization header")
    if path == "/api/v1/reenroll":
        cert = base64.b64encode(_issue(state, document["certificate_request"])).decode()
        return _ok({"Cert": cert, "ServerInfo": {"CAName": "ca-org1", "CAChain": chain}})
    if path == "/api/v1/register":
        return _ok({"secret": document.get("secret") or "generated-secret"})
    if path == "/api/v1/revoke":
        state.revoked.append(1)
        crl = _crl(state) if document.get("gencrl") else ""
        return _ok({"RevokedCerts": [{"Serial": "01", "AKI": "aa"}], "CRL": crl})
    if path == "/api/v1/gencrl":
        return _ok({"CRL": _crl(state)})
    if path == "/api/v1/identities?ca=ca-org1":
        identity = {
            "id": "user1",
            "type": "client",
            "affiliation": "org1",
            "max_enrollments": -1,
            "attrs": [{"name": "role", "value": "auditor"}],
        }
        return _ok({"identities": [identity], "caname": "ca-org1"})
    return _fail(404, "not found")


def _handler(state: CAState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": json.loads(body) if body else None,
                }
            )
            status, document = _route(state, self.command, self.path, self.headers, body)
            data = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _serve  # noqa: N815
        do_POST = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def ca_server(tmp_path: Path) -> Iterator[tuple[str, bytes, CAState]]:
    tls_ca = make_credentials("tls-ca", is_ca=True)
    server_creds = make_credentials(
        "ca.org1.example.com",
        issuer_key=tls_ca.key,
        issuer_name="tls-ca",
        sans=[x509.IPAddress(IPv4Address("127.0.0.1"))],
    )
    (tmp_path / "server.pem").write_bytes(server_creds.certificate_pem)
    (tmp_path / "server.key").write_bytes(server_creds.key_pem)
    state = CAState(ca=make_credentials("ca-org1", is_ca=True))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}", tls_ca.certificate_pem, state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_enroll_returns_certificate_for_generated_key(
    ca_server: tuple[str, bytes, CAState],
) -> None:
    url, tls_pem, state = ca_server
    client = FabricCAClient(url, "ca-org1", tls_pem)
    enrollment = client.enroll(
        "admin",
        "adminpw",
        csr_hosts=["127.0.0.1", "peer0.example.com"],
        attributes=[AttributeRequest("hf.Registrar.Roles", optional=True)],
    )
    cert = x509.load_pem_x509_certificate(enrollment.certificate_pem)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "admin"
    assert cert.public_key() == enrollment.private_key.public_key()
    assert enrollment.ca_chain_pem == state.ca.certificate_pem
    assert enrollment.identity("Org1MSP").msp_id == "Org1MSP"
    body = state.requests[0]["body"]
    assert body["caname"] == "ca-org1"
    assert body["hosts"] == ["127.0.0.1", "peer0.example.com"]
    assert body["attr_reqs"] == [{"name": "hf.Registrar.Roles", "optional": True}]
    csr = x509.load_pem_x509_csr(body["certificate_request"].encode())
    sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["peer0.example.com"]
    assert b"PRIVATE KEY" in enrollment.private_key_pem()


def test_enroll_with_wrong_secret_raises(ca_server: tuple[str, bytes, CAState]) -> None:
    url, tls_pem, _ = ca_server
    with pytest.raises(FabricCAError, match="Authentication failure") as info:
        FabricCAClient(url, "ca-org1", tls_pem).enroll("admin", "wrong")
    assert info.value.status == 401
    assert info.value.errors[0]["code"] == 1


def test_token_authenticated_operations(ca_server: tuple[str, bytes, CAState]) -> None:
    url, tls_pem, state = ca_server
    client = FabricCAClient(url, "ca-org1", tls_pem)
    admin = client.enroll("admin", "adminpw")
    registrar = (admin.identity("Org1MSP"), admin.signer())

    secret = client.register(
        registrar,
        "user1",
        affiliation="org1.department1",
        attributes=[Attribute("role", "auditor", ecert=True)],
        max_enrollments=3,
    )
    assert secret == "generated-secret"
    register_body = state.requests[-1]["body"]
    assert register_body == {
        "id": "user1",
        "type": "client",
        "affiliation": "org1.department1",
        "attrs": [{"name": "role", "value": "auditor", "ecert": True}],
        "caname": "ca-org1",
        "max_enrollments": 3,
    }
    assert client.register(registrar, "user2", secret="chosen") == "chosen"

    renewed = client.reenroll(*registrar)
    assert renewed.private_key.public_key() != admin.private_key.public_key()
    assert x509.load_pem_x509_certificate(renewed.certificate_pem).subject == (
        x509.load_pem_x509_certificate(admin.certificate_pem).subject
    )

    revoked = client.revoke(registrar, "user1", reason="keycompromise")
    assert revoked["RevokedCerts"][0]["Serial"] == "01"
    assert state.requests[-1]["body"]["reason"] == "keycompromise"
    assert crl_of(revoked) == b""

    (info,) = client.list_identities(registrar)
    assert (info.id, info.max_enrollments, info.attributes) == (
        "user1",
        -1,
        (Attribute("role", "auditor"),),
    )
    assert state.requests[-1]["method"] == "GET"


def test_revoke_with_gen_crl_and_gencrl_return_the_cas_crl_as_pem(
    ca_server: tuple[str, bytes, CAState],
) -> None:
    url, tls_pem, state = ca_server
    client = FabricCAClient(url, "ca-org1", tls_pem)
    admin = client.enroll("admin", "adminpw")
    registrar = (admin.identity("Org1MSP"), admin.signer())

    revoked = client.revoke(registrar, "user1", gen_crl=True)
    assert state.requests[-1]["body"]["gencrl"] is True
    crl = x509.load_pem_x509_crl(crl_of(revoked))
    assert crl.is_signature_valid(state.ca.key.public_key())
    assert [entry.serial_number for entry in crl] == [1]

    current = x509.load_pem_x509_crl(client.generate_crl(registrar))
    assert [entry.serial_number for entry in current] == [1]
    assert (state.requests[-1]["path"], state.requests[-1]["body"]) == (
        "/api/v1/gencrl",
        {"caname": "ca-org1"},
    )


def test_token_signed_by_another_key_is_rejected(ca_server: tuple[str, bytes, CAState]) -> None:
    url, tls_pem, _ = ca_server
    client = FabricCAClient(url, "ca-org1", tls_pem)
    admin = client.enroll("admin", "adminpw")
    impostor = make_credentials("x")
    with pytest.raises(FabricCAError, match="Invalid token") as info:
        client.register((admin.identity("M"), new_private_key_signer(impostor.key)), "user3")
    assert info.value.status == 401


def test_untrusted_tls_certificate_is_refused(ca_server: tuple[str, bytes, CAState]) -> None:
    url, _, _ = ca_server
    other_ca = make_credentials("other-ca", is_ca=True).certificate_pem
    with pytest.raises(FabricCAError, match="CERTIFICATE_VERIFY_FAILED"):
        FabricCAClient(url, "ca-org1", other_ca).enroll("admin", "adminpw")


def test_authorization_token_format() -> None:
    credentials = make_credentials()
    token = authorization_token(
        credentials.certificate_pem,
        new_private_key_signer(credentials.key),
        "POST",
        "/api/v1/register",
        b'{"id":"x"}',
    )
    assert token.split(".")[0] == base64.b64encode(credentials.certificate_pem).decode()
    assert _verify_token(token, "POST", "/api/v1/register", b'{"id":"x"}')
    assert not _verify_token(token, "POST", "/api/v1/revoke", b'{"id":"x"}')


def test_invalid_url_is_rejected() -> None:
    with pytest.raises(ValueError, match="invalid Fabric CA URL"):
        FabricCAClient("ftp://host")
