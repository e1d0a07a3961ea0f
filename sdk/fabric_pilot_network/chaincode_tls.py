"""TLS material between peers and chaincode servers: one CA per network, a server certificate
for the chaincode servers (SANs 127.0.0.1, localhost and any extra host names) and a client
certificate for peers."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["ChaincodeTLS", "ensure_chaincode_tls"]

_VALIDITY = datetime.timedelta(days=3650)


@dataclass(frozen=True)
class ChaincodeTLS:
    """Files of the chaincode TLS material."""

    folder: Path

    @property
    def ca_cert(self) -> Path:
        """The CA certificate both sides trust."""
        return self.folder / "ca.crt"

    @property
    def server_cert(self) -> Path:
        """The chaincode servers' certificate."""
        return self.folder / "server.crt"

    @property
    def server_key(self) -> Path:
        """The chaincode servers' private key."""
        return self.folder / "server.key"

    @property
    def client_cert(self) -> Path:
        """The certificate peers present to chaincode servers."""
        return self.folder / "client.crt"

    @property
    def client_key(self) -> Path:
        """The private key peers use towards chaincode servers."""
        return self.folder / "client.key"


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fabric-pilot"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _builder(
    subject: str, issuer: str, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + _VALIDITY)
    )


def _sans(dns_names: Iterable[str]) -> x509.SubjectAlternativeName:
    names = ["localhost", *sorted(set(dns_names) - {"localhost"})]
    return x509.SubjectAlternativeName(
        [*(x509.DNSName(name) for name in names), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    )


def _server_dns_names(tls: ChaincodeTLS) -> set[str]:
    cert = x509.load_pem_x509_certificate(tls.server_cert.read_bytes())
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return set(sans.get_values_for_type(x509.DNSName))


def _is_complete(tls: ChaincodeTLS, dns_names: Iterable[str]) -> bool:
    if not tls.client_key.exists():
        return False
    needed = set(dns_names)
    return not needed or needed <= _server_dns_names(tls)


def _write_ca(tls: ChaincodeTLS) -> ec.EllipticCurvePrivateKey:
    ca_key = _key()
    ca_cert = (
        _builder("chaincode-tls-ca", "chaincode-tls-ca", ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    tls.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    return ca_key


def _write_leaf(
    tls: ChaincodeTLS,
    role: str,
    usage: x509.ObjectIdentifier,
    sans: x509.SubjectAlternativeName,
    ca_key: ec.EllipticCurvePrivateKey,
) -> None:
    key = _key()
    cert = (
        _builder(f"chaincode-{role}", "chaincode-tls-ca", key.public_key())
        .add_extension(sans, critical=False)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    (tls.folder / f"{role}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file = tls.folder / f"{role}.key"
    key_file.write_bytes(_pem_key(key))
    key_file.chmod(0o600)


def ensure_chaincode_tls(folder: Path, dns_names: Iterable[str] = ()) -> ChaincodeTLS:
    """Create the chaincode TLS material in ``folder`` unless it is already there.

    ``dns_names`` are extra host names of the server certificate (besides ``localhost`` and
    ``127.0.0.1``). Existing material lacking one of them is regenerated as a whole (new CA
    too), so packages built from the old material must be rebuilt.
    """
    tls = ChaincodeTLS(folder)
    dns_names = tuple(dns_names)
    if _is_complete(tls, dns_names):
        return tls
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = _write_ca(tls)
    _write_leaf(tls, "server", ExtendedKeyUsageOID.SERVER_AUTH, _sans(dns_names), ca_key)
    _write_leaf(tls, "client", ExtendedKeyUsageOID.CLIENT_AUTH, _sans(()), ca_key)
    return tls
