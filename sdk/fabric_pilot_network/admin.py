"""Admin calls of the ``peer`` and ``osnadmin`` tools, as Command values.

Each org admin acts through its own peer with TLS; orderer admin calls use the ordering org
admin's TLS client certificate against the channel participation API.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .commands import Command
from .crypto import CryptoLayout
from .fabric_home import FabricHome
from .ports import PortPlan
from .topology import Topology

__all__ = ["AdminTools"]


@dataclass(frozen=True)
class AdminTools:
    """Builds admin commands for one network."""

    home: FabricHome
    topology: Topology
    layout: CryptoLayout
    ports: PortPlan
    nodes_dir: Path

    def peer_env(self, host: str, user: str = "Admin") -> dict[str, str]:
        """Environment for running ``peer`` as ``user`` of the peer's org against ``host``."""
        org = next(org for org in self.topology.orgs if host in org.peer_names)
        node_dir = self.layout.node_dir(host)
        return {
            "FABRIC_CFG_PATH": str(self.nodes_dir / host),
            "CORE_PEER_LOCALMSPID": org.msp_id,
            "CORE_PEER_MSPCONFIGPATH": str(self.layout.user_dir(org.name, user) / "msp"),
            "CORE_PEER_ADDRESS": self.ports.address(host),
            "CORE_PEER_TLS_ENABLED": "true",
            "CORE_PEER_TLS_ROOTCERT_FILE": str(node_dir / "tls" / "ca.crt"),
            "FABRIC_LOGGING_SPEC": "WARNING",
        }

    def peer(self, host: str, *args: str) -> Command:
        """``peer ARGS`` as the org admin against ``host``."""
        return Command((self.home.tool("peer"), *args), self.peer_env(host))

    def orderer_tls_ca(self) -> str:
        """The ordering organisation's TLS CA file."""
        return str(self.layout.tls_ca_cert(self.topology.orderer_org.name))

    def osnadmin(self, orderer: str, *args: str) -> Command:
        """``osnadmin channel ...`` against an orderer's admin endpoint with mutual TLS."""
        admin_tls = self.layout.user_dir(self.topology.orderer_org.name, "Admin") / "tls"
        return Command(
            (
                self.home.tool("osnadmin"),
                *args,
                "-o",
                self.ports.address(orderer, "admin"),
                "--ca-file",
                self.orderer_tls_ca(),
                "--client-cert",
                str(admin_tls / "client.crt"),
                "--client-key",
                str(admin_tls / "client.key"),
            )
        )

    def orderer_join(self, orderer: str, channel: str, block: Path) -> Command:
        """Join an orderer to a channel with its genesis block."""
        return self.osnadmin(
            orderer, "channel", "join", "--channelID", channel, "--config-block", str(block)
        )

    def orderer_channel_info(self, orderer: str, channel: str) -> Command:
        """An orderer's view of one channel (JSON with height and status)."""
        return self.osnadmin(orderer, "channel", "list", "--channelID", channel)

    def peer_join(self, host: str, block: Path) -> Command:
        """Join a peer to a channel with its genesis block."""
        return self.peer(host, "channel", "join", "-b", str(block))

    def peer_channel_info(self, host: str, channel: str) -> Command:
        """A peer's channel height (``Blockchain info: {...}``)."""
        return self.peer(host, "channel", "getinfo", "-c", channel)

    def fetch_config(
        self, host: str, channel: str, block: Path, orderer: str | None = None
    ) -> Command:
        """Write the channel's latest config block, read from ``orderer``, to ``block``."""
        return self.peer(
            host, "channel", "fetch", "config", str(block), "-c", channel,
            *self.orderer_address_args(orderer),
        )  # fmt: skip

    def channel_update(
        self, host: str, channel: str, envelope: Path, orderer: str | None = None
    ) -> Command:
        """Sign a config update envelope as the org admin and send it to ``orderer``."""
        return self.peer(
            host, "channel", "update", "-f", str(envelope), "-c", channel,
            *self.orderer_address_args(orderer),
        )  # fmt: skip

    def discover_endorsers(self, host: str, channel: str, chaincode: str) -> Command:
        """``discover endorsers``: the endorsement plans ``host`` would give a Gateway."""
        org = next(org for org in self.topology.orgs if host in org.peer_names)
        msp = self.layout.user_dir(org.name, "Admin") / "msp"
        return Command(
            (
                self.home.tool("discover"),
                "--peerTLSCA",
                str(self.layout.node_dir(host) / "tls" / "ca.crt"),
                "--userKey",
                str(next((msp / "keystore").iterdir())),
                "--userCert",
                str(next((msp / "signcerts").glob("*.pem"))),
                "--MSP",
                org.msp_id,
                "endorsers",
                "--channel",
                channel,
                "--chaincode",
                chaincode,
                "--server",
                self.ports.address(host),
            )
        )

    def orderer_address_args(self, orderer: str | None = None) -> list[str]:
        """``-o ADDRESS --tls --cafile FILE`` for peer commands that reach ``orderer`` (default:
        the first one; ``FabricNetwork.run_through_orderer`` picks one that answers)."""
        name = orderer or self.topology.orderer_org.orderer_names[0]
        return ["-o", self.ports.address(name), "--tls", "--cafile", self.orderer_tls_ca()]
