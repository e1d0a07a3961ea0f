"""Node configuration: Fabric's sample core.yaml / orderer.yaml, copied and overridden.

Overrides go into the YAML itself rather than environment variables because Fabric ignores an
empty environment variable, and ``vm.endpoint`` must be blank so a peer never looks for Docker.
Every default path under /var/hyperledger and every default port is replaced.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .crypto import CryptoLayout
from .ports import PortPlan

__all__ = ["orderer_config", "peer_config", "set_path", "write_yaml"]


def set_path(document: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``a.b.c`` in a nested mapping, creating mappings on the way."""
    *parents, leaf = dotted.split(".")
    node = document
    for key in parents:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[leaf] = value


def _apply(document: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    for dotted, value in overrides.items():
        set_path(document, dotted, value)
    return document


def _tls(node_dir: Path) -> dict[str, str]:
    tls = node_dir / "tls"
    return {"cert": str(tls / "server.crt"), "key": str(tls / "server.key"), "ca": str(tls / "ca.crt")}


def peer_config(
    sample: dict[str, Any],
    *,
    host: str,
    msp_id: str,
    network: str,
    layout: CryptoLayout,
    ports: PortPlan,
    data_dir: Path,
    ccaas_builder_dir: Path,
) -> dict[str, Any]:
    """core.yaml for one peer, from the sample config."""
    node_dir = layout.node_dir(host)
    tls = _tls(node_dir)
    address = ports.address(host)
    overrides = {
        "peer.id": host,
        "peer.networkId": network,
        "peer.listenAddress": address,
        "peer.address": address,
        "peer.chaincodeListenAddress": ports.address(host, "chaincode"),
        "peer.chaincodeAddress": ports.address(host, "chaincode"),
        "peer.gossip.bootstrap": address,
        "peer.gossip.endpoint": address,
        "peer.gossip.externalEndpoint": address,
        "peer.gossip.useLeaderElection": True,
        "peer.gossip.orgLeader": False,
        "peer.tls.enabled": True,
        "peer.tls.cert.file": tls["cert"],
        "peer.tls.key.file": tls["key"],
        "peer.tls.rootcert.file": tls["ca"],
        "peer.tls.clientAuthRequired": False,
        "peer.mspConfigPath": str(node_dir / "msp"),
        "peer.localMspId": msp_id,
        "peer.fileSystemPath": str(data_dir / "production"),
        "peer.gateway.enabled": True,
        "peer.profile.enabled": False,
        "vm.endpoint": "",
        "chaincode.externalBuilders": [
            {"name": "ccaas_builder", "path": str(ccaas_builder_dir), "propagateEnvironment": []}
        ],
        "chaincode.installTimeout": "60s",
        "chaincode.startuptimeout": "60s",
        "ledger.state.stateDatabase": "goleveldb",
        "ledger.snapshots.rootDir": str(data_dir / "snapshots"),
        "operations.listenAddress": ports.address(host, "operations"),
        "operations.tls.enabled": True,
        "operations.tls.cert.file": tls["cert"],
        "operations.tls.key.file": tls["key"],
        "operations.tls.clientAuthRequired": False,
        "operations.tls.clientRootCAs.files": [tls["ca"]],
        "metrics.provider": "prometheus",
    }
    return _apply(sample, overrides)


def orderer_config(
    sample: dict[str, Any],
    *,
    host: str,
    msp_id: str,
    layout: CryptoLayout,
    ports: PortPlan,
    data_dir: Path,
) -> dict[str, Any]:
    """orderer.yaml for one Raft orderer, from the sample config (no system channel)."""
    node_dir = layout.node_dir(host)
    tls = _tls(node_dir)
    overrides = {
        "General.ListenAddress": "127.0.0.1",
        "General.ListenPort": ports.port(host, "listen"),
        "General.TLS.Enabled": True,
        "General.TLS.PrivateKey": tls["key"],
        "General.TLS.Certificate": tls["cert"],
        "General.TLS.RootCAs": [tls["ca"]],
        "General.TLS.ClientAuthRequired": False,
        "General.Cluster.ClientCertificate": tls["cert"],
        "General.Cluster.ClientPrivateKey": tls["key"],
        "General.Cluster.RootCAs": [tls["ca"]],
        "General.BootstrapMethod": "none",
        "General.LocalMSPDir": str(node_dir / "msp"),
        "General.LocalMSPID": msp_id,
        "General.Profile.Enabled": False,
        "FileLedger.Location": str(data_dir / "ledger"),
        "Consensus.WALDir": str(data_dir / "etcdraft" / "wal"),
        "Consensus.SnapDir": str(data_dir / "etcdraft" / "snapshot"),
        "Operations.ListenAddress": ports.address(host, "operations"),
        "Operations.TLS.Enabled": True,
        "Operations.TLS.PrivateKey": tls["key"],
        "Operations.TLS.Certificate": tls["cert"],
        "Operations.TLS.RootCAs": [tls["ca"]],
        "Operations.TLS.ClientAuthRequired": False,
        "Operations.TLS.ClientRootCAs": [tls["ca"]],
        "Metrics.Provider": "prometheus",
        "Admin.ListenAddress": ports.address(host, "admin"),
        "Admin.TLS.Enabled": True,
        "Admin.TLS.PrivateKey": tls["key"],
        "Admin.TLS.Certificate": tls["cert"],
        "Admin.TLS.RootCAs": [tls["ca"]],
        "Admin.TLS.ClientAuthRequired": True,
        "Admin.TLS.ClientRootCAs": [tls["ca"]],
        "ChannelParticipation.Enabled": True,
    }
    return _apply(sample, overrides)


def write_yaml(path: Path, document: Mapping[str, Any]) -> None:
    """Write a config document, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dict(document), sort_keys=False), encoding="utf-8")
