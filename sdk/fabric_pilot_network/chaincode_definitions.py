"""Chaincode definitions as data: network-config/chaincode/<name>.yaml.

A definition names the chaincode, its channel, version, the Python object that serves it
(``module:attribute``), its endorsement policy and private data collections. Sequence numbers
are not data: deploy reads the committed definition and bumps it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .config_paths import network_config_dir
from .errors import ChaincodeDefinitionError, UnknownChaincodeError

__all__ = [
    "ChaincodeDefinition",
    "ChaincodeDefinitionError",
    "Collection",
    "chaincode_directory",
    "available_definitions",
    "load_definition",
]

_NAME = re.compile(r"^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$")
_SERVER = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")
_KEYS = {
    "name",
    "channel",
    "version",
    "server",
    "endorsement_policy",
    "collections",
    "max_clock_skew",
}
_COLLECTION_KEYS = {
    "name",
    "policy",
    "required_peer_count",
    "max_peer_count",
    "block_to_live",
    "member_only_read",
    "member_only_write",
    "endorsement_policy",
}


@dataclass(frozen=True)
class Collection:
    """A private data collection."""

    name: str
    policy: str
    required_peer_count: int = 0
    max_peer_count: int = 1
    block_to_live: int = 0
    member_only_read: bool = True
    member_only_write: bool = True
    endorsement_policy: str | None = None

    def to_fabric(self) -> dict[str, Any]:
        """The entry of Fabric's collections-config JSON."""
        entry: dict[str, Any] = {
            "name": self.name,
            "policy": self.policy,
            "requiredPeerCount": self.required_peer_count,
            "maxPeerCount": self.max_peer_count,
            "blockToLive": self.block_to_live,
            "memberOnlyRead": self.member_only_read,
            "memberOnlyWrite": self.member_only_write,
        }
        if self.endorsement_policy:
            entry["endorsementPolicy"] = {"signaturePolicy": self.endorsement_policy}
        return entry


@dataclass(frozen=True)
class ChaincodeDefinition:
    """What to deploy and how the channel should govern it."""

    name: str
    channel: str
    version: str
    server: str
    endorsement_policy: str | None = None
    collections: tuple[Collection, ...] = ()
    max_clock_skew: float | None = None  # seconds; None: the runtime's default (300), 0: off

    @property
    def label(self) -> str:
        """The package label, ``name_version``."""
        return f"{self.name}_{self.version}"

    def collections_json(self) -> str | None:
        """Fabric's collections-config JSON, or None without collections."""
        if not self.collections:
            return None
        return json.dumps([collection.to_fabric() for collection in self.collections], indent=2)

    def replace(self, **changes: Any) -> ChaincodeDefinition:
        """A copy with some fields changed (e.g. ``version``, ``channel``)."""
        values = {field: getattr(self, field) for field in self.__dataclass_fields__}
        values.update({key: value for key, value in changes.items() if value is not None})
        return ChaincodeDefinition(**values)


def chaincode_directory() -> Path:
    """The network-config/chaincode folder shipped with fabric-pilot."""
    return network_config_dir() / "chaincode"


def available_definitions() -> list[ChaincodeDefinition]:
    """Every definition in network-config/chaincode, by name."""
    return [load_definition(path) for path in sorted(chaincode_directory().glob("*.yaml"))]


def _fail(source: str, key: str, reason: str) -> ChaincodeDefinitionError:
    return ChaincodeDefinitionError(f"{source}: {key}: {reason}")


def _collection(raw: Any, source: str, key: str) -> Collection:
    if not isinstance(raw, Mapping):
        raise _fail(source, key, "must be a mapping")
    unknown = sorted(set(raw) - _COLLECTION_KEYS)
    if unknown:
        raise _fail(source, f"{key}.{unknown[0]}", "unknown key")
    for required in ("name", "policy"):
        if not isinstance(raw.get(required), str) or not raw[required]:
            raise _fail(source, f"{key}.{required}", "required text is missing")
    return Collection(**dict(raw))


def _clock_window(value: Any, source: str) -> float | None:
    """``max_clock_skew``: seconds between a proposal's timestamp and the endorser's clock."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 10**9:
        raise _fail(source, "max_clock_skew", "must be a number of seconds >= 0 (0: no check)")
    return float(value)


def _definition_path(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix:
        return path
    path = chaincode_directory() / f"{name_or_path}.yaml"
    if not path.exists():
        known = ", ".join(d.name for d in available_definitions()) or "none"
        raise UnknownChaincodeError(f"unknown chaincode {name_or_path!r} (known: {known})")
    return path


def _check_keys(source: str, raw: Any) -> None:
    """The definition's keys: a mapping of known keys, the required ones valid text."""
    if not isinstance(raw, Mapping):
        raise _fail(source, "(top)", "must be a mapping")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise _fail(source, unknown[0], "unknown key")
    for key in ("name", "channel", "version", "server"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise _fail(source, key, "required text is missing")
    if not _NAME.match(raw["name"]):
        raise _fail(source, "name", f"{raw['name']!r} is not a valid chaincode name")
    if not _SERVER.match(raw["server"]):
        raise _fail(source, "server", "must look like package.module:ATTRIBUTE")


def load_definition(name_or_path: str | Path) -> ChaincodeDefinition:
    """Load a definition by chaincode name or file path.

    Raises:
        ChaincodeDefinitionError: missing file, unknown or missing key, or a bad value.
    """
    path = _definition_path(name_or_path)
    source = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ChaincodeDefinitionError(f"{source}: cannot read: {exc}") from exc
    _check_keys(source, raw)
    collections = raw.get("collections") or []
    if not isinstance(collections, list):
        raise _fail(source, "collections", "must be a list")
    return ChaincodeDefinition(
        name=raw["name"],
        channel=raw["channel"],
        version=str(raw["version"]),
        server=raw["server"],
        endorsement_policy=raw.get("endorsement_policy"),
        max_clock_skew=_clock_window(raw.get("max_clock_skew"), source),
        collections=tuple(
            _collection(item, source, f"collections[{index}]")
            for index, item in enumerate(collections)
        ),
    )
