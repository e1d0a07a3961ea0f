"""Connection profiles that ``network up`` writes: DIR/profiles/<Org>.json.

A standard Fabric common connection profile plus an ``x-fabric-pilot`` block naming the
gateway peer, channels and users (with their MSP folders), read by the SDK's profile adapter.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .network import FabricNetwork

__all__ = ["profile_document", "write_profiles"]


def profile_document(network: FabricNetwork, org_name: str) -> dict[str, Any]:
    """The connection profile of one organisation."""
    topology = network.topology
    org = topology.org(org_name)
    layout = network.layout
    channels = topology.channels_of_org(org.name)
    peers = {
        host: {
            "url": f"grpcs://{network.ports.address(host)}",
            "tlsCACerts": {"pem": (layout.node_dir(host) / "tls" / "ca.crt").read_text()},
            "grpcOptions": {"ssl-target-name-override": host, "hostnameOverride": host},
        }
        for host in org.peer_names
    }
    users = {"Admin": "admin", **{user: "client" for user in org.users}}
    document: dict[str, Any] = {
        "name": f"fabric-pilot-{topology.name}-{org.name}",
        "version": "1.0.0",
        "client": {
            "organization": org.name,
            "connection": {"timeout": {"peer": {"endorser": "30"}}},
        },
        "organizations": {
            org.name: {"mspid": org.msp_id, "peers": list(org.peer_names)},
        },
        "peers": peers,
        "channels": {ch: {"peers": {host: {} for host in org.peer_names}} for ch in channels},
        "x-fabric-pilot": {
            "network": topology.name,
            "org": org.name,
            "mspId": org.msp_id,
            "gatewayPeer": org.peer_names[0],
            "channels": channels,
            "defaultUser": org.users[0] if org.users else "Admin",
            "users": {
                user: {"mspDir": str(layout.user_dir(org.name, user) / "msp"), "role": role}
                for user, role in users.items()
            },
        },
    }
    if topology.crypto == "fabric-ca":
        ca_host = org.ca_name
        document["organizations"][org.name]["certificateAuthorities"] = [ca_host]
        document["certificateAuthorities"] = {
            ca_host: {
                "url": f"https://{network.ports.address(ca_host)}",
                "caName": ca_host,
                "tlsCACerts": {"pem": [(layout.org_dir(org.name) / "ca-tls.pem").read_text()]},
                "httpOptions": {"verify": True},
            }
        }
    return document


def write_profiles(network: FabricNetwork) -> None:
    """Write one profile per organisation into DIR/profiles/."""
    folder = network.directory / "profiles"
    folder.mkdir(exist_ok=True)
    for org in network.topology.orgs:
        document = profile_document(network, org.name)
        (folder / f"{org.name}.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
