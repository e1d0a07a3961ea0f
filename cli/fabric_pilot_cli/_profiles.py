"""Who acts, where: the org, user, channel and MSP folder from DIR/profiles/<Org>.json.

Reading profiles needs no network; ``whoami`` and the SDK adapter both start here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._errors import EXIT_NOT_FOUND, EXIT_UNAVAILABLE, EXIT_USAGE, CliError
from ._settings import Settings

__all__ = ["IdentityInfo", "certificate_subject", "resolve_identity", "wallet_dir"]


@dataclass(frozen=True)
class IdentityInfo:
    """A resolved identity and the gateway it talks to."""

    network: str
    directory: Path
    org: str
    msp_id: str
    user: str
    role: str
    msp_dir: Path
    channel: str
    channels: tuple[str, ...]
    gateway_peer: str
    endpoint: str
    tls_ca_pem: str
    profile: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The fields ``whoami`` shows."""
        return {
            "network": self.network,
            "directory": str(self.directory),
            "org": self.org,
            "msp_id": self.msp_id,
            "user": self.user,
            "role": self.role,
            "subject": certificate_subject(self.msp_dir),
            "channel": self.channel,
            "channels": list(self.channels),
            "gateway_peer": self.gateway_peer,
            "endpoint": self.endpoint,
        }


def wallet_dir(directory: Path, org: str, user: str) -> Path:
    """Where ``identity enroll`` stores an enrolled user's MSP folder."""
    return directory.resolve() / "wallet" / org / user / "msp"


def certificate_subject(msp_dir: Path) -> str:
    """The subject of the MSP folder's signing certificate (RFC 4514), or '' if unreadable."""
    from cryptography import x509

    certs = sorted((msp_dir / "signcerts").glob("*.pem"))
    if not certs:
        return ""
    try:
        certificate = x509.load_pem_x509_certificate(certs[0].read_bytes())
    except (OSError, ValueError):
        return ""
    return certificate.subject.rfc4514_string()


def _profiles(directory: Path) -> dict[str, Path]:
    folder = directory / "profiles"
    found = {path.stem: path for path in sorted(folder.glob("*.json"))}
    if not found:
        raise CliError(
            f"no network in {directory} (no profiles; run 'fabric-pilot network up' or pass --dir)",
            EXIT_UNAVAILABLE,
        )
    return found


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def _topology_order(directory: Path, names: list[str]) -> list[str]:
    """Profile names in the order of the network's topology (DIR/topology.yaml), if known."""
    import yaml

    try:
        document = yaml.safe_load((directory / "topology.yaml").read_text(encoding="utf-8"))
        order = [str(org["name"]) for org in document["orgs"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return names
    return sorted(names, key=lambda name: order.index(name) if name in order else len(order))


def _default_profile(
    directory: Path, profiles: dict[str, Path], channel: str | None
) -> dict[str, Any]:
    """The first org in topology order, preferring one that is on ``channel``."""
    documents = [_load(profiles[name]) for name in _topology_order(directory, list(profiles))]
    for document in documents:
        if channel and channel in document["x-fabric-pilot"].get("channels", []):
            return document
    return documents[0]


def _check_channel(profiles: dict[str, Path], channel: str | None) -> None:
    """An unknown channel is a usage error that names the channels the network has."""
    if not channel:
        return
    known: list[str] = []
    for path in profiles.values():
        for name in _load(path)["x-fabric-pilot"].get("channels", []):
            if name not in known:
                known.append(str(name))
    if channel not in known:
        names = ", ".join(known) or "none"
        raise CliError(f"no channel {channel!r} in this network (channels: {names})", EXIT_USAGE)


def _pick_profile(
    directory: Path, org: str | None, channel: str | None, *, wanted_channel: str | None = None
) -> dict[str, Any]:
    profiles = _profiles(directory)
    _check_channel(profiles, wanted_channel)
    if org is None:
        return _default_profile(directory, profiles, channel)
    for stem, path in profiles.items():
        document = _load(path)
        names = {stem.lower(), str(document["x-fabric-pilot"]["mspId"]).lower()}
        if org.lower() in names:
            return document
    known = ", ".join(profiles)
    raise CliError(f"no organisation {org!r} in this network (known: {known})", EXIT_NOT_FOUND)


def _user_msp(directory: Path, ext: dict[str, Any], user: str) -> tuple[Path, str]:
    users = ext.get("users", {})
    if user in users:
        return Path(users[user]["mspDir"]), str(users[user].get("role", "client"))
    enrolled = wallet_dir(directory, ext["org"], user)
    if enrolled.exists():
        return enrolled, "client"
    known = ", ".join(users) or "none"
    raise CliError(f"no user {user!r} in {ext['org']} (known: {known})", EXIT_NOT_FOUND)


def _require_member(
    directory: Path, ext: dict[str, Any], channels: tuple[str, ...], wanted: str | None
) -> None:
    """Refuse a channel of the network that the org has not joined (exit 2).

    A channel no org has joined is left to the caller to report as unknown.
    """
    if not wanted or wanted in channels:
        return
    for path in _profiles(directory).values():
        if wanted in _load(path)["x-fabric-pilot"].get("channels", []):
            raise CliError(f"org {ext['org']} is not a member of channel {wanted}", EXIT_USAGE)


def _channel(wanted: str | None, preferred: str | None, channels: tuple[str, ...]) -> str:
    """The channel asked for, else ``preferred`` when the org is on it, else its first."""
    if wanted:
        return wanted
    if preferred and preferred in channels:
        return preferred
    return channels[0] if channels else ""


def resolve_identity(settings: Settings, preferred_channel: str | None = None) -> IdentityInfo:
    """Resolve org, user, channel and gateway peer for ``settings``.

    Org: ``settings.org``, else the first org (topology order) on the wanted channel.
    Channel: ``settings.channel``, else ``preferred_channel`` when the org is on it, else the
    first channel of the org's profile.

    Raises:
        CliError: no network (exit 6), unknown org or user (exit 3), a ``--channel`` the
            network does not have (exit 2, naming the channels it has), an org that has not
            joined the wanted channel (exit 2, "org X is not a member of channel Y").
    """
    directory = settings.directory
    document = _pick_profile(
        directory,
        settings.org,
        settings.channel or preferred_channel,
        wanted_channel=settings.channel,
    )
    ext = document["x-fabric-pilot"]
    user = settings.user or ext.get("defaultUser") or "Admin"
    msp_dir, role = _user_msp(directory, ext, user)
    channels = tuple(ext.get("channels", []))
    _require_member(directory, ext, channels, settings.channel or preferred_channel)
    channel = _channel(settings.channel, preferred_channel, channels)
    peer_name = ext["gatewayPeer"]
    peer = document["peers"][peer_name]
    return IdentityInfo(
        network=str(ext.get("network", "")),
        directory=directory.resolve(),
        org=str(ext["org"]),
        msp_id=str(ext["mspId"]),
        user=user,
        role=role,
        msp_dir=msp_dir,
        channel=channel,
        channels=channels,
        gateway_peer=peer_name,
        endpoint=str(peer["url"]).split("://", 1)[-1],
        tls_ca_pem=str(peer["tlsCACerts"]["pem"]),
        profile=document,
    )
