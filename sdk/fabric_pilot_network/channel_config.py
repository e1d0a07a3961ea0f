"""Channel configuration updates of a running network, signed by one organisation's admin.

An update goes: fetch the channel's latest config block from the orderer (``peer channel fetch
config`` as the org admin) → decode its ``Config`` → the caller changes a copy → ``configtxlator
compute_update`` gives the ``ConfigUpdate`` → wrapped in an unsigned ``CONFIG_UPDATE`` envelope
→ ``peer channel update`` signs it as the org admin and sends it → wait until the orderer has cut
the new config block and every running peer of the channel has committed it.

A change to an organisation's own values (its MSP, anchor peers) needs only that org's
``Admins`` policy, so the org admin's signature is enough.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fabric_protos.common import common_pb2, configtx_pb2
from google.protobuf.message import DecodeError

from .commands import Command, CommandError
from .errors import ChannelConfigError
from .fabric_home import FabricHome

if TYPE_CHECKING:
    from .network import FabricNetwork

__all__ = [
    "ChannelConfigError",
    "ChannelUpdate",
    "ConfigBlock",
    "apply_config",
    "compute_update_command",
    "decode_config_block",
    "fetch_config",
    "update_envelope",
]

# protobuf's DecodeError is not a ValueError.
_UNDECODABLE: tuple[type[Exception], ...] = (IndexError, DecodeError)


@dataclass(frozen=True)
class ConfigBlock:
    """A config block's number and the channel ``Config`` it carries (a protobuf message)."""

    number: int
    config: Any


@dataclass(frozen=True)
class ChannelUpdate:
    """The outcome on one channel: the config block in force and whether this call made it."""

    channel: str
    config_block: int
    updated: bool

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"channel": self.channel, "config_block": self.config_block, "updated": self.updated}


def decode_config_block(data: bytes) -> ConfigBlock:
    """The number and ``Config`` of a serialised config block.

    Raises:
        ChannelConfigError: ``data`` is not a config block.
    """
    try:
        block = common_pb2.Block.FromString(data)
        envelope = common_pb2.Envelope.FromString(block.data.data[0])
        payload = common_pb2.Payload.FromString(envelope.payload)
        header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
        if header.type != common_pb2.CONFIG:
            raise ChannelConfigError(f"block {block.header.number} is not a config block")
        config_envelope = configtx_pb2.ConfigEnvelope.FromString(payload.data)
    except _UNDECODABLE as exc:
        raise ChannelConfigError(f"not a config block: {exc}") from exc
    return ConfigBlock(int(block.header.number), config_envelope.config)


def update_envelope(channel: str, config_update: bytes) -> bytes:
    """An unsigned ``CONFIG_UPDATE`` envelope of a serialised ``ConfigUpdate`` for ``channel``.

    ``peer channel update`` adds the admin's signature to the update and signs the envelope.
    """
    channel_header = common_pb2.ChannelHeader(type=common_pb2.CONFIG_UPDATE, channel_id=channel)
    update = configtx_pb2.ConfigUpdateEnvelope(config_update=config_update)
    payload = common_pb2.Payload(
        header=common_pb2.Header(channel_header=channel_header.SerializeToString()),
        data=update.SerializeToString(),
    )
    envelope: bytes = common_pb2.Envelope(payload=payload.SerializeToString()).SerializeToString()
    return envelope


def compute_update_command(
    home: FabricHome, channel: str, original: Path, updated: Path, output: Path
) -> Command:
    """``configtxlator compute_update``: the ``ConfigUpdate`` from one ``Config`` to another."""
    return Command(
        (
            home.tool("configtxlator"), "compute_update", "--channel_id", channel,
            "--original", str(original), "--updated", str(updated), "--output", str(output),
        )
    )  # fmt: skip


def _admin_peer(network: FabricNetwork, org: str) -> str:
    return network.topology.org(org).peer_names[0]


def fetch_config(network: FabricNetwork, org: str, channel: str) -> ConfigBlock:
    """The latest config block of ``channel``, fetched from the orderer as ``org``'s admin.

    Raises:
        ChannelConfigError: the fetch failed or returned something else.
    """
    with tempfile.TemporaryDirectory(prefix="config-block-") as scratch:
        block = Path(scratch) / f"{channel}.block"
        try:
            peer = _admin_peer(network, org)
            network.run_through_orderer(
                lambda orderer: network.admin.fetch_config(peer, channel, block, orderer)
            )
        except CommandError as exc:
            raise ChannelConfigError(f"{channel}: cannot fetch the config block: {exc}") from exc
        return decode_config_block(block.read_bytes())


def _wait_config_block(
    network: FabricNetwork, org: str, channel: str, after: int, deadline: float
) -> ConfigBlock:
    while True:
        current = fetch_config(network, org, channel)
        if current.number > after:
            return current
        if time.monotonic() > deadline:
            raise ChannelConfigError(
                f"{channel}: the orderer has not cut a config block after block {after}"
            )
        time.sleep(0.2)


def _wait_peers(network: FabricNetwork, channel: str, number: int, deadline: float) -> None:
    for peer in network.topology.channel_peers(channel):
        if not network.node_running(peer):
            continue
        while True:
            try:
                if network.channel_height(peer, channel) > number:
                    break
            except (CommandError, ValueError, KeyError):
                pass
            if time.monotonic() > deadline:
                raise ChannelConfigError(
                    f"{channel}: {peer} has not committed config block {number}"
                )
            time.sleep(0.2)


def apply_config(
    network: FabricNetwork, org: str, channel: str, current: ConfigBlock, updated: Any,
    *, timeout: float = 60.0,
) -> ConfigBlock:  # fmt: skip
    """Turn ``current`` into the ``updated`` config, signed by ``org``'s admin; wait until every
    running peer of the channel has the new config block, and return it.

    Raises:
        ChannelConfigError: computing, sending or waiting for the update failed.
    """
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="config-update-") as scratch:
        folder = Path(scratch)
        original, changed = folder / "original.pb", folder / "updated.pb"
        original.write_bytes(current.config.SerializeToString())
        changed.write_bytes(updated.SerializeToString())
        update, envelope = folder / "update.pb", folder / "update.envelope"
        try:
            network.run(compute_update_command(network.home, channel, original, changed, update))
            envelope.write_bytes(update_envelope(channel, update.read_bytes()))
            peer = _admin_peer(network, org)
            network.run_through_orderer(
                lambda orderer: network.admin.channel_update(peer, channel, envelope, orderer)
            )
        except CommandError as exc:
            raise ChannelConfigError(f"{channel}: config update refused: {exc}") from exc
    block = _wait_config_block(network, org, channel, current.number, deadline)
    _wait_peers(network, channel, block.number, deadline)
    return block
