"""Fabric CA REST client (stdlib ``http.client`` + ``ssl`` + ``cryptography``).

Authenticated calls carry the Fabric CA token
``base64(cert_pem) "." base64(signature)`` where the signature is over
SHA-256 of ``method "." b64(uri) "." b64(body) "." b64(cert_pem)``.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import ipaddress
import json
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .errors import FabricCAError
from .identity import X509Identity
from .signing import Signer, new_private_key_signer

__all__ = [
    "Attribute",
    "AttributeRequest",
    "Enrollment",
    "FabricCAClient",
    "FabricCAError",
    "IdentityInfo",
    "Registrar",
    "authorization_token",
    "crl_of",
]

Registrar = tuple[X509Identity, Signer]
"""Identity and signer of a CA user allowed to call the operation (as from load_msp_folder)."""


@dataclass(frozen=True)
class Attribute:
    """An attribute assigned to an identity at registration."""

    name: str
    value: str
    ecert: bool = False


@dataclass(frozen=True)
class AttributeRequest:
    """An attribute to include in an enrollment certificate."""

    name: str
    optional: bool = False


@dataclass(frozen=True)
class IdentityInfo:
    """An identity registered with the CA."""

    id: str
    type: str
    affiliation: str
    max_enrollments: int
    attributes: tuple[Attribute, ...]


@dataclass(frozen=True)
class Enrollment:
    """Result of enroll/reenroll: a certificate and the new private key."""

    certificate_pem: bytes
    private_key: ec.EllipticCurvePrivateKey
    ca_chain_pem: bytes = b""

    def identity(self, msp_id: str) -> X509Identity:
        """The enrolled identity in ``msp_id``."""
        return X509Identity(msp_id, self.certificate_pem)

    def signer(self) -> Signer:
        """A signer for the enrolled private key."""
        return new_private_key_signer(self.private_key)

    def private_key_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM."""
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def authorization_token(
    certificate_pem: bytes, signer: Signer, method: str, uri: str, body: bytes
) -> str:
    """Build the Fabric CA authorization token for one request."""
    b64 = base64.b64encode
    payload = b".".join([method.encode(), b64(uri.encode()), b64(body), b64(certificate_pem)])
    signature = signer(hashlib.sha256(payload).digest())
    return f"{b64(certificate_pem).decode()}.{b64(signature).decode()}"


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def _new_csr(common_name: str, hosts: Sequence[str]) -> tuple[ec.EllipticCurvePrivateKey, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    )
    if hosts:
        names = [_general_name(host) for host in hosts]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    csr = builder.sign(key, hashes.SHA256())
    return key, csr.public_bytes(serialization.Encoding.PEM).decode()


def _common_name(certificate_pem: bytes) -> str:
    certificate = x509.load_pem_x509_certificate(certificate_pem)
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


class FabricCAClient:
    """Client for one CA of a Fabric CA server."""

    def __init__(
        self,
        url: str,
        ca_name: str = "",
        tls_ca_pem: bytes | None = None,
        *,
        timeout: float = 30.0,
        verify_hostname: bool = True,
    ) -> None:
        """Create a client.

        Args:
            url: ``https://host:port`` of the CA (``http://`` for CAs without TLS).
            ca_name: CA name within the server (``caName`` in profiles); may be empty.
            tls_ca_pem: PEM certificate(s) the CA's TLS certificate must chain to;
                None uses the system trust store.
            timeout: Socket timeout in seconds.
            verify_hostname: Check the TLS certificate matches the URL's host.
        """
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"invalid Fabric CA URL {url!r}")
        self._parts = parts
        self._ca_name = ca_name
        self._timeout = timeout
        self._ssl: ssl.SSLContext | None = None
        if parts.scheme == "https":
            cadata = tls_ca_pem.decode() if tls_ca_pem else None
            self._ssl = ssl.create_default_context(cadata=cadata)
            self._ssl.check_hostname = verify_hostname

    @property
    def ca_name(self) -> str:
        """CA name sent with each request."""
        return self._ca_name

    def _connection(self) -> http.client.HTTPConnection:
        host, port = self._parts.hostname or "", self._parts.port
        if self._ssl is None:
            return http.client.HTTPConnection(host, port, timeout=self._timeout)
        return http.client.HTTPSConnection(host, port, timeout=self._timeout, context=self._ssl)

    def _request(
        self,
        method: str,
        endpoint: str,
        body: dict[str, Any] | None,
        headers: dict[str, str],
        auth: Registrar | None = None,
    ) -> Any:
        uri = f"{self._parts.path.rstrip('/')}/api/v1/{endpoint}"
        data = json.dumps(body).encode() if body is not None else b""
        all_headers = {"Content-Type": "application/json", **headers}
        if auth is not None:
            identity, signer = auth
            token = authorization_token(identity.certificate_pem, signer, method, uri, data)
            all_headers["Authorization"] = token
        connection = self._connection()
        try:
            connection.request(method, uri, body=data or None, headers=all_headers)
            response = connection.getresponse()
            status, raw = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise FabricCAError.for_status(f"{method} {uri}: {exc}") from exc
        finally:
            connection.close()
        return _result(method, uri, status, raw)

    def enroll(
        self,
        enrollment_id: str,
        secret: str,
        csr_hosts: Sequence[str] = (),
        attributes: Sequence[AttributeRequest] = (),
        *,
        profile: str = "",
    ) -> Enrollment:
        """Enroll with an enrollment ID and secret; a new P-256 key is generated.

        Raises:
            FabricCAError: If the CA rejects the request.
        """
        key, csr = _new_csr(enrollment_id, csr_hosts)
        basic = base64.b64encode(f"{enrollment_id}:{secret}".encode()).decode()
        body = self._enroll_body(csr, csr_hosts, attributes, profile)
        result = self._request("POST", "enroll", body, {"Authorization": f"Basic {basic}"})
        return _enrollment(result, key)

    def reenroll(
        self, identity: X509Identity, signer: Signer, csr_hosts: Sequence[str] = ()
    ) -> Enrollment:
        """Renew ``identity``'s certificate with a new key (token-authenticated).

        Raises:
            FabricCAError: If the CA rejects the request.
        """
        key, csr = _new_csr(_common_name(identity.certificate_pem), csr_hosts)
        body = self._enroll_body(csr, csr_hosts, (), "")
        result = self._request("POST", "reenroll", body, {}, auth=(identity, signer))
        return _enrollment(result, key)

    def _enroll_body(
        self,
        csr: str,
        hosts: Sequence[str],
        attributes: Sequence[AttributeRequest],
        profile: str,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"certificate_request": csr, "caname": self._ca_name}
        if hosts:
            body["hosts"] = list(hosts)
        if attributes:
            body["attr_reqs"] = [{"name": a.name, "optional": a.optional} for a in attributes]
        if profile:
            body["profile"] = profile
        return body

    def register(
        self,
        registrar: Registrar,
        enrollment_id: str,
        *,
        affiliation: str = "",
        type: str = "client",
        attributes: Sequence[Attribute] = (),
        secret: str | None = None,
        max_enrollments: int | None = None,
    ) -> str:
        """Register a new identity and return its enrollment secret.

        Raises:
            FabricCAError: If the CA rejects the request.
        """
        body: dict[str, Any] = {
            "id": enrollment_id,
            "type": type,
            "affiliation": affiliation,
            "attrs": [{"name": a.name, "value": a.value, "ecert": a.ecert} for a in attributes],
            "caname": self._ca_name,
        }
        if secret is not None:
            body["secret"] = secret
        if max_enrollments is not None:
            body["max_enrollments"] = max_enrollments
        result = self._request("POST", "register", body, {}, auth=registrar)
        return str(result["secret"])

    def revoke(
        self,
        registrar: Registrar,
        enrollment_id: str = "",
        *,
        aki: str = "",
        serial: str = "",
        reason: str = "",
        gen_crl: bool = False,
    ) -> dict[str, Any]:
        """Revoke an identity (all its certificates) or one certificate (aki + serial).

        Returns:
            The CA's result: ``RevokedCerts`` and, with ``gen_crl``, ``CRL`` (see :func:`crl_of`;
            the CA makes one only when this call revoked a certificate).

        Raises:
            FabricCAError: If the CA rejects the request.
        """
        body = {
            "id": enrollment_id,
            "aki": aki,
            "serial": serial,
            "reason": reason,
            "caname": self._ca_name,
            "gencrl": gen_crl,
        }
        result: dict[str, Any] = self._request("POST", "revoke", body, {}, auth=registrar)
        return result

    def generate_crl(self, registrar: Registrar) -> bytes:
        """The CA's current CRL (PEM) of every certificate it revoked.

        The registrar needs the ``hf.GenCRL`` attribute.

        Raises:
            FabricCAError: If the CA rejects the request.
        """
        result = self._request("POST", "gencrl", {"caname": self._ca_name}, {}, auth=registrar)
        return crl_of(result)

    def list_identities(self, registrar: Registrar) -> list[IdentityInfo]:
        """List identities the registrar may see.

        Raises:
            FabricCAError: If the CA rejects the request.
        """
        endpoint = f"identities?ca={quote(self._ca_name)}" if self._ca_name else "identities"
        result = self._request("GET", endpoint, None, {}, auth=registrar)
        return [_identity_info(entry) for entry in result.get("identities") or []]


def crl_of(result: dict[str, Any]) -> bytes:
    """The CRL (PEM) in a ``revoke``/``gencrl`` result; ``b""`` when the CA sent none."""
    encoded = result.get("CRL") or ""
    return base64.b64decode(encoded) if encoded else b""


def _result(method: str, uri: str, status: int, raw: bytes) -> Any:
    try:
        document = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise FabricCAError.for_status(
            f"{method} {uri}: HTTP {status}, not JSON", status=status
        ) from exc
    if not isinstance(document, dict):
        raise FabricCAError.for_status(
            f"{method} {uri}: HTTP {status}, unexpected response", status=status
        )
    errors = document.get("errors") or []
    if not (200 <= status < 300) or not document.get("success", False):
        messages = "; ".join(str(error.get("message", error)) for error in errors)
        raise FabricCAError.for_status(
            f"{method} {uri}: HTTP {status}: {messages or 'request failed'}",
            status=status,
            errors=errors,
        )
    return document.get("result")


def _enrollment(result: dict[str, Any], key: ec.EllipticCurvePrivateKey) -> Enrollment:
    certificate = base64.b64decode(result["Cert"])
    chain = base64.b64decode((result.get("ServerInfo") or {}).get("CAChain", ""))
    return Enrollment(certificate, key, chain)


def _identity_info(entry: dict[str, Any]) -> IdentityInfo:
    attributes = tuple(
        Attribute(str(a.get("name")), str(a.get("value")), bool(a.get("ecert", False)))
        for a in entry.get("attrs") or []
    )
    return IdentityInfo(
        id=str(entry.get("id", "")),
        type=str(entry.get("type", "")),
        affiliation=str(entry.get("affiliation", "")),
        max_enrollments=int(entry.get("max_enrollments", 0)),
        attributes=attributes,
    )
