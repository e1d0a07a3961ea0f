"""Crypto material: the folder layout every node and user reads, and cryptogen generation.

Both cryptogen and the Fabric CA path (``fabric_ca.py``) produce the same tree, the one
cryptogen writes, so nothing downstream cares which made it::

    crypto/peerOrganizations/<domain>/{msp,ca,tlsca,peers/<host>/{msp,tls},users/<user>@<domain>/{msp,tls}}
    crypto/ordererOrganizations/<domain>/{msp,orderers/<host>/{msp,tls},users/Admin@<domain>/...}

cryptogen only names users ``User1..UserN``; the topology's user names map to them in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .commands import Command
from .fabric_home import FabricHome
from .topology import Organization, Topology

__all__ = ["CryptoLayout", "cryptogen_command", "cryptogen_spec", "LOOPBACK_SANS"]

LOOPBACK_SANS = ("localhost", "127.0.0.1")


@dataclass(frozen=True)
class CryptoLayout:
    """Paths into the crypto tree of one network."""

    root: Path
    topology: Topology

    def org_dir(self, org_name: str) -> Path:
        """The folder of a peer organisation, or of the ordering organisation."""
        orderer = self.topology.orderer_org
        if org_name in (orderer.name, orderer.msp_id):
            return self.root / "ordererOrganizations" / orderer.domain
        return self.root / "peerOrganizations" / self.topology.org(org_name).domain

    def org_msp(self, org_name: str) -> Path:
        """The organisation's verifying MSP (as it goes into channel configuration)."""
        return self.org_dir(org_name) / "msp"

    def node_dir(self, host: str) -> Path:
        """The folder of a peer or orderer by host name."""
        orderer = self.topology.orderer_org
        if host in orderer.orderer_names:
            return self.org_dir(orderer.name) / "orderers" / host
        for org in self.topology.orgs:
            if host in org.peer_names:
                return self.org_dir(org.name) / "peers" / host
        raise KeyError(host)

    def tls_ca_cert(self, org_name: str) -> Path:
        """The organisation's TLS CA certificate."""
        return next((self.org_msp(org_name) / "tlscacerts").glob("*.pem"))

    def user_folder_name(self, org_name: str, user: str) -> str:
        """The user's folder name, e.g. ``User1@org1.example.com``."""
        domain = self.org_dir(org_name).name
        if user == "Admin" or self.topology.crypto == "fabric-ca":
            return f"{user}@{domain}"
        org = self.topology.org(org_name)
        return f"User{org.users.index(user) + 1}@{domain}"

    def user_dir(self, org_name: str, user: str) -> Path:
        """The folder holding a user's ``msp`` and ``tls``."""
        return self.org_dir(org_name) / "users" / self.user_folder_name(org_name, user)


def _node_specs(hosts: tuple[str, ...], domain: str) -> list[dict[str, object]]:
    return [
        {"Hostname": host.removesuffix(f".{domain}"), "SANS": list(LOOPBACK_SANS)} for host in hosts
    ]


def _peer_org_spec(org: Organization) -> dict[str, object]:
    return {
        "Name": org.name,
        "Domain": org.domain,
        "EnableNodeOUs": True,
        "Specs": _node_specs(org.peer_names, org.domain),
        "Users": {"Count": len(org.users)},
    }


def cryptogen_spec(topology: Topology) -> str:
    """The cryptogen input for ``topology`` (loopback SANs on every node certificate)."""
    orderer = topology.orderer_org
    spec = {
        "OrdererOrgs": [
            {
                "Name": orderer.name,
                "Domain": orderer.domain,
                "EnableNodeOUs": True,
                "Specs": _node_specs(orderer.orderer_names, orderer.domain),
            }
        ],
        "PeerOrgs": [_peer_org_spec(org) for org in topology.orgs],
    }
    return yaml.safe_dump(spec, sort_keys=False)


def cryptogen_command(home: FabricHome, spec_file: Path, output: Path) -> Command:
    """``cryptogen generate`` for a spec file into ``output``."""
    return Command(
        (home.tool("cryptogen"), "generate", f"--config={spec_file}", f"--output={output}")
    )
