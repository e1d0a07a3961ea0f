"""Network topology as data: YAML files in network-config/ loaded into validated dataclasses.

A topology names the organisations, their peers and users, the ordering service (Raft),
the channels and their member organisations, block cutting and how crypto material is made.
Every problem is reported as a :class:`TopologyError` naming the file, the key and the reason,
before anything is generated or started.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .config_paths import network_config_dir
from .errors import TopologyError, UnknownTopologyError

__all__ = [
    "BatchSettings",
    "Channel",
    "OrdererOrg",
    "Organization",
    "Topology",
    "TopologyError",
    "load_topology",
    "named_topologies",
    "topology_directory",
]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,31}$")
_CHANNEL = re.compile(r"^[a-z][a-z0-9.-]{0,248}$")
_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
_DURATION = re.compile(r"^(\d+)(ms|s)$")
_SIZE = re.compile(r"^(\d+)\s*(KB|MB)$")
_ROLE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CRYPTO_MODES = ("cryptogen", "fabric-ca")


@dataclass(frozen=True)
class Organization:
    """A peer organisation (a pilot entity)."""

    name: str
    msp_id: str
    domain: str
    peer_count: int
    users: tuple[str, ...]
    user_roles: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def roles_of(self, user: str) -> tuple[str, ...]:
        """The ``pilot.role`` values the network issues to ``user`` (none: no role-gated right)."""
        return dict(self.user_roles).get(user, ())

    @property
    def peer_names(self) -> tuple[str, ...]:
        """Host names of the organisation's peers, e.g. ``peer0.org1.example.com``."""
        return tuple(f"peer{index}.{self.domain}" for index in range(self.peer_count))

    @property
    def ca_name(self) -> str:
        """Host name of the organisation's Fabric CA."""
        return f"ca.{self.domain}"


@dataclass(frozen=True)
class OrdererOrg:
    """The ordering service organisation and its Raft consenters."""

    name: str
    msp_id: str
    domain: str
    orderer_count: int

    @property
    def orderer_names(self) -> tuple[str, ...]:
        """Host names of the orderers, e.g. ``orderer0.example.com``."""
        return tuple(f"orderer{index}.{self.domain}" for index in range(self.orderer_count))

    @property
    def ca_name(self) -> str:
        """Host name of the ordering organisation's Fabric CA."""
        return f"ca.{self.domain}"


@dataclass(frozen=True)
class Channel:
    """An application channel and its member organisations (by name)."""

    name: str
    orgs: tuple[str, ...]


@dataclass(frozen=True)
class BatchSettings:
    """Block cutting parameters of the ordering service."""

    timeout: str = "500ms"
    max_message_count: int = 100
    absolute_max_bytes: str = "99 MB"
    preferred_max_bytes: str = "2 MB"


@dataclass(frozen=True)
class Topology:
    """A whole network: organisations, ordering service, channels, batch settings, crypto."""

    name: str
    orderer_org: OrdererOrg
    orgs: tuple[Organization, ...]
    channels: tuple[Channel, ...]
    batch: BatchSettings
    crypto: str = "cryptogen"

    def org(self, name: str) -> Organization:
        """Return the peer organisation called ``name``.

        Raises:
            KeyError: there is no such organisation.
        """
        for org in self.orgs:
            if name in (org.name, org.msp_id):
                return org
        raise KeyError(name)

    def channel(self, name: str) -> Channel:
        """Return the channel called ``name``.

        Raises:
            KeyError: there is no such channel.
        """
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(name)

    def channels_of_org(self, name: str) -> list[str]:
        """Names of the channels organisation ``name`` (name or MSP ID) is on.

        Raises:
            KeyError: there is no such organisation.
        """
        org = self.org(name)
        return [channel.name for channel in self.channels if org.name in channel.orgs]

    def channel_peers(self, name: str) -> list[str]:
        """Peers of every organisation on channel ``name``.

        Raises:
            KeyError: there is no such channel.
        """
        return [peer for org in self.channel(name).orgs for peer in self.org(org).peer_names]

    def with_crypto(self, crypto: str) -> Topology:
        """Return a copy that makes its crypto material with ``crypto``."""
        if crypto not in CRYPTO_MODES:
            raise TopologyError(f"crypto must be one of {', '.join(CRYPTO_MODES)}, not {crypto!r}")
        return Topology(self.name, self.orderer_org, self.orgs, self.channels, self.batch, crypto)


def topology_directory() -> Path:
    """The network-config/topologies folder shipped with fabric-pilot."""
    return network_config_dir() / "topologies"


def named_topologies() -> list[str]:
    """Names of the topologies shipped in network-config/topologies."""
    return sorted(path.stem for path in topology_directory().glob("*.yaml"))


def load_topology(name_or_path: str | Path) -> Topology:
    """Load and validate a topology by name (``dev``, ``raft3``, ``pilot``) or file path.

    Raises:
        TopologyError: the file is missing or unreadable, or a key is missing, unknown or
            invalid; the message names the file, the key and the reason.
    """
    path = Path(name_or_path)
    if not path.suffix:
        path = topology_directory() / f"{name_or_path}.yaml"
        if not path.exists():
            known = ", ".join(named_topologies())
            raise UnknownTopologyError(f"unknown topology {name_or_path!r} (known: {known})")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TopologyError(f"{path}: cannot read: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise TopologyError(f"{path}: not valid YAML: {exc}") from exc
    return _Parser(path.name).topology(document)


class _Parser:
    """Turns a YAML document into a Topology, naming the key of every error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, reason: str) -> TopologyError:
        return TopologyError(f"{self.source}: {key}: {reason}")

    def mapping(
        self, value: Any, key: str, allowed: set[str], required: set[str]
    ) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a mapping")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}" if key else unknown[0], "unknown key")
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(f"{key}.{missing[0]}" if key else missing[0], "required key is missing")
        return dict(value)

    def text(self, value: Any, key: str, pattern: re.Pattern[str], what: str) -> str:
        if not isinstance(value, str) or not pattern.match(value):
            raise self.fail(key, f"must be {what}, got {value!r}")
        return value

    def count(self, value: Any, key: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"must be an integer from {low} to {high}, got {value!r}")
        return value

    def topology(self, document: Any) -> Topology:
        top = self.mapping(
            document,
            "",
            {"name", "orderer_org", "orgs", "channels", "batch", "crypto"},
            {"name", "orderer_org", "orgs", "channels"},
        )
        name = self.text(top["name"], "name", _CHANNEL, "a lower-case name")
        orderer_org = self.orderer_org(top["orderer_org"])
        orgs = self.orgs(top["orgs"])
        channels = self.channels(top["channels"], {org.name for org in orgs})
        batch = self.batch(top.get("batch", {}))
        crypto = top.get("crypto", "cryptogen")
        if crypto not in CRYPTO_MODES:
            raise self.fail("crypto", f"must be one of {', '.join(CRYPTO_MODES)}, got {crypto!r}")
        self.check_unique(orderer_org, orgs)
        return Topology(name, orderer_org, orgs, channels, batch, crypto)

    def orderer_org(self, value: Any) -> OrdererOrg:
        key = "orderer_org"
        raw = self.mapping(value, key, {"name", "msp_id", "domain", "orderers"}, {"orderers"})
        count = self.count(raw["orderers"], f"{key}.orderers", 1, 9)
        return OrdererOrg(
            name=self.text(raw.get("name", "OrdererOrg"), f"{key}.name", _NAME, "an org name"),
            msp_id=self.text(raw.get("msp_id", "OrdererMSP"), f"{key}.msp_id", _NAME, "an MSP ID"),
            domain=self.text(
                raw.get("domain", "example.com"), f"{key}.domain", _DOMAIN, "a domain"
            ),
            orderer_count=count,
        )

    def orgs(self, value: Any) -> tuple[Organization, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("orgs", "must be a non-empty list")
        return tuple(self.org(item, f"orgs[{index}]") for index, item in enumerate(value))

    def org(self, value: Any, key: str) -> Organization:
        raw = self.mapping(
            value,
            key,
            {"name", "msp_id", "domain", "peers", "users", "roles"},
            {"name", "msp_id", "domain"},
        )
        users = raw.get("users", ["User1"])
        if not isinstance(users, list) or not all(
            isinstance(user, str) and _NAME.match(user) for user in users
        ):
            raise self.fail(f"{key}.users", "must be a list of user names (letters and digits)")
        if "Admin" in users:
            raise self.fail(f"{key}.users", "'Admin' is made for every org; do not list it")
        return Organization(
            name=self.text(raw["name"], f"{key}.name", _NAME, "an org name (letters and digits)"),
            msp_id=self.text(raw["msp_id"], f"{key}.msp_id", _NAME, "an MSP ID"),
            domain=self.text(raw["domain"], f"{key}.domain", _DOMAIN, "a lower-case domain"),
            peer_count=self.count(raw.get("peers", 1), f"{key}.peers", 1, 8),
            users=tuple(users),
            user_roles=self.roles(raw.get("roles", {}), f"{key}.roles", users),
        )

    def roles(
        self, value: Any, key: str, users: list[str]
    ) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """``roles: {User: [role, ...]}``: the ``pilot.role`` values of each user."""
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a mapping of user name to a list of roles")
        result: list[tuple[str, tuple[str, ...]]] = []
        for user, roles in value.items():
            if user not in users:
                raise self.fail(f"{key}.{user}", "is not one of the org's users")
            if not isinstance(roles, list) or not all(
                isinstance(role, str) and _ROLE.match(role) for role in roles
            ):
                raise self.fail(
                    f"{key}.{user}", "must be a list of roles (lower case, digits, '_')"
                )
            result.append((str(user), tuple(roles)))
        return tuple(result)

    def channel_orgs(self, members: Any, key: str, org_names: set[str]) -> tuple[str, ...]:
        if not isinstance(members, list) or not members:
            raise self.fail(key, "must be a non-empty list of org names")
        for member in members:
            if member not in org_names:
                raise self.fail(key, f"unknown org {member!r}")
        if len(set(members)) != len(members):
            raise self.fail(key, "lists an org twice")
        return tuple(members)

    def channels(self, value: Any, org_names: set[str]) -> tuple[Channel, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail("channels", "must be a non-empty list")
        channels = []
        for index, item in enumerate(value):
            key = f"channels[{index}]"
            raw = self.mapping(item, key, {"name", "orgs"}, {"name", "orgs"})
            name = self.text(raw["name"], f"{key}.name", _CHANNEL, "a lower-case channel name")
            channels.append(Channel(name, self.channel_orgs(raw["orgs"], f"{key}.orgs", org_names)))
        names = [channel.name for channel in channels]
        if len(set(names)) != len(names):
            raise self.fail("channels", "two channels share a name")
        return tuple(channels)

    def batch(self, value: Any) -> BatchSettings:
        fields = {"timeout", "max_message_count", "absolute_max_bytes", "preferred_max_bytes"}
        raw = self.mapping(value, "batch", fields, set())
        defaults = BatchSettings()
        timeout = str(raw.get("timeout", defaults.timeout))
        if not _DURATION.match(timeout):
            raise self.fail("batch.timeout", f"must look like 500ms or 2s, got {timeout!r}")
        sizes = {}
        for field in ("absolute_max_bytes", "preferred_max_bytes"):
            size = str(raw.get(field, getattr(defaults, field)))
            if not _SIZE.match(size):
                raise self.fail(f"batch.{field}", f"must look like 512 KB or 10 MB, got {size!r}")
            sizes[field] = size
        count = self.count(
            raw.get("max_message_count", defaults.max_message_count),
            "batch.max_message_count",
            1,
            10000,
        )
        return BatchSettings(
            timeout, count, sizes["absolute_max_bytes"], sizes["preferred_max_bytes"]
        )

    def check_unique(self, orderer_org: OrdererOrg, orgs: tuple[Organization, ...]) -> None:
        seen: dict[str, str] = {}
        for kind, values in (
            ("name", [orderer_org.name, *(org.name for org in orgs)]),
            ("msp_id", [orderer_org.msp_id, *(org.msp_id for org in orgs)]),
            ("domain", [orderer_org.domain, *(org.domain for org in orgs)]),
        ):
            seen.clear()
            for value in values:
                if value in seen:
                    raise self.fail("orgs", f"two organisations share the {kind} {value!r}")
                seen[value] = kind
