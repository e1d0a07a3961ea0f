"""configtx.yaml for a topology: one profile per application channel, Raft ordering, no system
channel (channels are created through the orderers' channel participation API)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .commands import Command
from .crypto import CryptoLayout
from .fabric_home import FabricHome
from .ports import PortPlan
from .topology import Channel, Topology

__all__ = ["channel_block_command", "configtx_document", "profile_name"]


def _signature(rule: str) -> dict[str, str]:
    return {"Type": "Signature", "Rule": rule}


def _implicit(rule: str) -> dict[str, str]:
    return {"Type": "ImplicitMeta", "Rule": rule}


def _peer_org_policies(msp_id: str) -> dict[str, Any]:
    return {
        "Readers": _signature(f"OR('{msp_id}.admin', '{msp_id}.peer', '{msp_id}.client')"),
        "Writers": _signature(f"OR('{msp_id}.admin', '{msp_id}.client')"),
        "Admins": _signature(f"OR('{msp_id}.admin')"),
        "Endorsement": _signature(f"OR('{msp_id}.peer')"),
    }


def _orderer_org_policies(msp_id: str) -> dict[str, Any]:
    # Orderers sign blocks; BlockValidation ("ANY Writers") needs them among the Writers.
    return {
        "Readers": _signature(f"OR('{msp_id}.member')"),
        "Writers": _signature(f"OR('{msp_id}.member')"),
        "Admins": _signature(f"OR('{msp_id}.admin')"),
    }


def profile_name(channel: str) -> str:
    """The configtx profile for ``channel``."""
    return "Channel" + "".join(part.capitalize() for part in re.split(r"[.-]", channel))


class _Builder:
    def __init__(self, topology: Topology, layout: CryptoLayout, ports: PortPlan) -> None:
        self.topology = topology
        self.layout = layout
        self.ports = ports

    def orderer_org(self) -> dict[str, Any]:
        org = self.topology.orderer_org
        return {
            "Name": org.name,
            "ID": org.msp_id,
            "MSPDir": str(self.layout.org_msp(org.name)),
            "Policies": _orderer_org_policies(org.msp_id),
            "OrdererEndpoints": [self.ports.address(host) for host in org.orderer_names],
        }

    def peer_org(self, name: str) -> dict[str, Any]:
        org = self.topology.org(name)
        anchor = org.peer_names[0]
        return {
            "Name": org.name,
            "ID": org.msp_id,
            "MSPDir": str(self.layout.org_msp(org.name)),
            "Policies": _peer_org_policies(org.msp_id),
            "AnchorPeers": [{"Host": "127.0.0.1", "Port": self.ports.port(anchor, "listen")}],
        }

    def consenters(self) -> list[dict[str, Any]]:
        consenters = []
        for host in self.topology.orderer_org.orderer_names:
            tls = self.layout.node_dir(host) / "tls" / "server.crt"
            consenters.append(
                {
                    "Host": "127.0.0.1",
                    "Port": self.ports.port(host, "listen"),
                    "ClientTLSCert": str(tls),
                    "ServerTLSCert": str(tls),
                }
            )
        return consenters

    def orderer(self) -> dict[str, Any]:
        batch = self.topology.batch
        return {
            "OrdererType": "etcdraft",
            "BatchTimeout": batch.timeout,
            "BatchSize": {
                "MaxMessageCount": batch.max_message_count,
                "AbsoluteMaxBytes": batch.absolute_max_bytes,
                "PreferredMaxBytes": batch.preferred_max_bytes,
            },
            "EtcdRaft": {
                "Consenters": self.consenters(),
                "Options": {
                    "TickInterval": "250ms",
                    "ElectionTick": 10,
                    "HeartbeatTick": 1,
                    "MaxInflightBlocks": 5,
                    "SnapshotIntervalSize": "16 MB",
                },
            },
            "Organizations": [self.orderer_org()],
            "Policies": {
                "Readers": _implicit("ANY Readers"),
                "Writers": _implicit("ANY Writers"),
                "Admins": _implicit("MAJORITY Admins"),
                "BlockValidation": _implicit("ANY Writers"),
            },
            "Capabilities": {"V2_0": True},
        }

    def application(self, channel: Channel) -> dict[str, Any]:
        return {
            "Organizations": [self.peer_org(name) for name in channel.orgs],
            "Policies": {
                "Readers": _implicit("ANY Readers"),
                "Writers": _implicit("ANY Writers"),
                "Admins": _implicit("MAJORITY Admins"),
                "LifecycleEndorsement": _implicit("MAJORITY Endorsement"),
                "Endorsement": _implicit("MAJORITY Endorsement"),
            },
            "Capabilities": {"V2_5": True},
        }

    def profile(self, channel: Channel) -> dict[str, Any]:
        return {
            "Policies": {
                "Readers": _implicit("ANY Readers"),
                "Writers": _implicit("ANY Writers"),
                "Admins": _implicit("MAJORITY Admins"),
            },
            "Capabilities": {"V2_0": True},
            "Orderer": self.orderer(),
            "Application": self.application(channel),
        }


def configtx_document(topology: Topology, layout: CryptoLayout, ports: PortPlan) -> str:
    """configtx.yaml text with one profile per channel of ``topology``."""
    builder = _Builder(topology, layout, ports)
    profiles = {profile_name(ch.name): builder.profile(ch) for ch in topology.channels}
    return yaml.safe_dump({"Profiles": profiles}, sort_keys=False)


def channel_block_command(home: FabricHome, config_dir: Path, channel: str, block: Path) -> Command:
    """``configtxgen`` writing the genesis block of an application channel."""
    return Command(
        (
            home.tool("configtxgen"),
            "-configPath",
            str(config_dir),
            "-profile",
            profile_name(channel),
            "-channelID",
            channel,
            "-outputBlock",
            str(block),
        )
    )
