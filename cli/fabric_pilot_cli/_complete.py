"""Shell completion of names: topologies, chaincodes, identities, nodes and channels.

Completion never fails: whatever cannot be read (no network yet, a broken file) completes
nothing. The network folder is the one the command line, environment or config names.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from ._settings import resolve_settings

__all__ = ["channels", "chaincodes", "identities", "nodes", "topologies"]

Completer = Callable[[click.Context, click.Parameter, str], list[CompletionItem]]


def _directory(ctx: click.Context) -> Path:
    """The network folder of the command line being completed."""
    for context in (ctx, *_parents(ctx)):
        given = context.params.get("directory")
        if given:
            return Path(str(given)).expanduser()
    return resolve_settings({}, os.environ).directory


def _parents(ctx: click.Context) -> Iterable[click.Context]:
    parent = ctx.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def _items(names: Iterable[str], incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(name) for name in sorted(set(names)) if name.startswith(incomplete)]


def _profiles(directory: Path) -> list[dict[str, object]]:
    documents = []
    for path in sorted((directory / "profiles").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        extension = document.get("x-fabric-pilot", {})
        documents.append(extension if isinstance(extension, dict) else {})
    return documents


def _safe(function: Callable[[click.Context], Iterable[str]]) -> Completer:
    def complete(
        ctx: click.Context, _param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        try:
            return _items(function(ctx), incomplete)
        except Exception:  # completion must never break the shell
            return []

    return complete


def _topologies(_ctx: click.Context) -> Iterable[str]:
    from fabric_pilot_network.topology import named_topologies

    return named_topologies()


def _chaincodes(_ctx: click.Context) -> Iterable[str]:
    from fabric_pilot_network.chaincode_definitions import available_definitions

    return [definition.name for definition in available_definitions()]


def _identities(ctx: click.Context) -> Iterable[str]:
    names: list[str] = []
    for extension in _profiles(_directory(ctx)):
        org = str(extension.get("org", ""))
        users = extension.get("users", {})
        names.append(org)
        names += [f"{org}/{user}" for user in (users if isinstance(users, dict) else {})]
    return names


def _channels(ctx: click.Context) -> Iterable[str]:
    names: list[str] = []
    for extension in _profiles(_directory(ctx)):
        channels = extension.get("channels", [])
        names += [str(channel) for channel in (channels if isinstance(channels, list) else [])]
    return names


def _nodes(ctx: click.Context) -> Iterable[str]:
    from fabric_pilot_network.network import FabricNetwork

    return FabricNetwork.load(_directory(ctx)).processes


topologies = _safe(_topologies)
"""Completes ``--topology`` with the shipped topology names."""
chaincodes = _safe(_chaincodes)
"""Completes a chaincode name with the shipped chaincode definitions."""
identities = _safe(_identities)
"""Completes ``--as`` with ORG and ORG/USER from the network's profiles."""
channels = _safe(_channels)
"""Completes ``--channel`` with the channels of the network's profiles."""
nodes = _safe(_nodes)
"""Completes a node name with the network's nodes and chaincode servers."""
