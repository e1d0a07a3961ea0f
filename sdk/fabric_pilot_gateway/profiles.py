"""Connection profiles (edge module): fabric-pilot profiles and plain Fabric ones.

A fabric-pilot profile is a Fabric common connection profile (JSON or YAML)
with an ``x-fabric-pilot`` block naming the MSP ID, Gateway peer, channels and
users (MSP folders). Plain profiles work too; then pass an identity and signer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ._transport import new_grpc_channel
from .ca_client import FabricCAClient
from .errors import ProfileError
from .gateway import DEFAULT_TIMEOUTS, Gateway, connect
from .identity import Identity
from .loaders import load_msp_folder
from .options import Timeouts
from .signing import Signer

__all__ = [
    "CertificateAuthorityEntry",
    "GatewayProfile",
    "ProfileError",
    "UserEntry",
    "open_gateway",
]

EXTENSION = "x-fabric-pilot"


@dataclass(frozen=True)
class UserEntry:
    """A user listed in the profile's extension block."""

    name: str
    msp_dir: Path
    role: str


@dataclass(frozen=True)
class CertificateAuthorityEntry:
    """A Fabric CA of the organization."""

    name: str
    url: str
    ca_name: str
    tls_ca_pem: bytes


def _read(path: Path) -> Mapping[str, Any]:
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text) if path.suffix in {".yaml", ".yml"} else json.loads(text)
    if not isinstance(data, Mapping):
        raise ProfileError(f"{path}: a connection profile must be a mapping")
    return data


def _pem(entry: Mapping[str, Any], base_dir: Path) -> bytes:
    tls = entry.get("tlsCACerts") or {}
    pem = tls.get("pem")
    if isinstance(pem, list):
        pem = "".join(item if item.endswith("\n") else item + "\n" for item in pem)
    if isinstance(pem, str) and pem:
        return pem.encode()
    if tls.get("path"):
        return (base_dir / str(tls["path"])).read_bytes()
    return b""


def _endpoint(url: str) -> tuple[str, bool]:
    """Return ``host:port`` and whether TLS is used."""
    if "://" not in url:
        return url, True
    parts = urlsplit(url)
    return parts.netloc, parts.scheme in {"grpcs", "https"}


def _require(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    value = mapping.get(key)
    if value in (None, "", [], {}):
        raise ProfileError(f"connection profile: missing {where}.{key}")
    return value


def _organization(data: Mapping[str, Any], extension: Mapping[str, Any]) -> str:
    org = extension.get("org") or (data.get("client") or {}).get("organization")
    organizations = data.get("organizations") or {}
    if not org and len(organizations) == 1:
        org = next(iter(organizations))
    if not org:
        raise ProfileError("connection profile: cannot tell which organization is the client")
    return str(org)


def _users(extension: Mapping[str, Any], base_dir: Path) -> dict[str, UserEntry]:
    return {
        name: UserEntry(name, base_dir / str(entry["mspDir"]), str(entry.get("role", "client")))
        for name, entry in (extension.get("users") or {}).items()
    }


def _cas(data: Mapping[str, Any], names: list[str], base_dir: Path) -> dict[str, Any]:
    cas = data.get("certificateAuthorities") or {}
    return {
        name: CertificateAuthorityEntry(
            name, str(cas[name]["url"]), str(cas[name].get("caName", "")), _pem(cas[name], base_dir)
        )
        for name in names
        if name in cas
    }


def _name_override(peer: Mapping[str, Any]) -> str | None:
    """The host name the peer's TLS certificate names, when the profile overrides it."""
    options = peer.get("grpcOptions") or {}
    override = options.get("ssl-target-name-override") or options.get("hostnameOverride")
    return str(override) if override else None


@dataclass(frozen=True)
class GatewayProfile:
    """What a client needs to reach its organization's Gateway peer."""

    name: str
    organization: str
    msp_id: str
    gateway_peer: str
    gateway_endpoint: str
    use_tls: bool
    tls_root_certificates: bytes
    server_name_override: str | None
    channels: tuple[str, ...]
    users: dict[str, UserEntry] = field(default_factory=dict)
    default_user: str | None = None
    certificate_authorities: dict[str, CertificateAuthorityEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> GatewayProfile:
        """Read a profile from a JSON or YAML file.

        Raises:
            ProfileError: If required entries are missing.
            OSError: If the file cannot be read.
        """
        profile_path = Path(path)
        return cls.from_dict(_read(profile_path), base_dir=profile_path.parent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base_dir: Path = Path()) -> GatewayProfile:
        """Build a profile from parsed profile data; relative paths resolve to ``base_dir``."""
        extension = data.get(EXTENSION) or {}
        org = _organization(data, extension)
        org_entry = _require(data.get("organizations") or {}, org, "organizations")
        msp_id = str(extension.get("mspId") or _require(org_entry, "mspid", org))
        peer_name = str(extension.get("gatewayPeer") or _require(org_entry, "peers", org)[0])
        peer = _require(data.get("peers") or {}, peer_name, "peers")
        endpoint, use_tls = _endpoint(str(_require(peer, "url", peer_name)))
        override = _name_override(peer)
        channels = extension.get("channels") or list((data.get("channels") or {}).keys())
        ca_names = list(org_entry.get("certificateAuthorities") or [])
        return cls(
            name=str(data.get("name", "")),
            organization=org,
            msp_id=msp_id,
            gateway_peer=peer_name,
            gateway_endpoint=endpoint,
            use_tls=use_tls,
            tls_root_certificates=_pem(peer, base_dir),
            server_name_override=override,
            channels=tuple(str(channel) for channel in channels),
            users=_users(extension, base_dir),
            default_user=extension.get("defaultUser"),
            certificate_authorities=_cas(data, ca_names, base_dir),
        )

    def user(self, name: str | None = None) -> UserEntry:
        """Return the named user, or the default user.

        Raises:
            ProfileError: If the user is unknown or no default is set.
        """
        chosen = name or self.default_user
        if not chosen:
            raise ProfileError("no user given and the profile has no default user")
        if chosen not in self.users:
            raise ProfileError(f"unknown user {chosen!r}; known: {sorted(self.users)}")
        return self.users[chosen]

    def load_user(self, name: str | None = None) -> tuple[Identity, Signer]:
        """Load the identity and signer of a profile user from its MSP folder."""
        return load_msp_folder(self.user(name).msp_dir, self.msp_id)

    def ca_client(self, name: str | None = None, *, verify_hostname: bool = True) -> FabricCAClient:
        """Return a Fabric CA client for the named (or only/first) CA of the organization.

        Raises:
            ProfileError: If the profile lists no such CA.
        """
        if not self.certificate_authorities:
            raise ProfileError("the connection profile lists no certificate authority")
        chosen = name or next(iter(self.certificate_authorities))
        if chosen not in self.certificate_authorities:
            raise ProfileError(f"unknown certificate authority {chosen!r}")
        entry = self.certificate_authorities[chosen]
        return FabricCAClient(
            entry.url, entry.ca_name, entry.tls_ca_pem or None, verify_hostname=verify_hostname
        )

    def new_channel(self) -> Any:
        """Open a gRPC channel to the Gateway peer (caller closes it)."""
        roots = self.tls_root_certificates if self.use_tls else None
        return new_grpc_channel(self.gateway_endpoint, roots, self.server_name_override)

    def connect(
        self,
        user: str | None = None,
        *,
        identity: Identity | None = None,
        signer: Signer | None = None,
        timeouts: Timeouts = DEFAULT_TIMEOUTS,
    ) -> tuple[Gateway, Callable[[], None]]:
        """Connect as ``user`` (or an explicit identity/signer).

        Returns:
            The Gateway and a function that closes its gRPC channel.
        """
        if identity is None:
            identity, signer = self.load_user(user)
        channel = self.new_channel()
        gateway = connect(client=channel, identity=identity, signer=signer, timeouts=timeouts)
        return gateway, channel.close


@contextmanager
def open_gateway(
    profile_path: str | os.PathLike[str],
    user: str | None = None,
    *,
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
) -> Iterator[Gateway]:
    """Connect using a profile file; the channel is closed on exit."""
    gateway, close = GatewayProfile.load(profile_path).connect(user, timeouts=timeouts)
    try:
        yield gateway
    finally:
        close()
