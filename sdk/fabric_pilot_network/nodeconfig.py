"""Node configuration: Fabric's sample core.yaml / orderer.yaml, copied and overridden.

Overrides go into the YAML itself rather than environment variables because Fabric ignores an
empty environment variable, and ``vm.endpoint`` must be blank so a peer never looks for Docker.
Every default path under /var/hyperledger and every default port is replaced.

The overrides are plain tables (:func:`peer_overrides`, :func:`orderer_overrides`) for a
:class:`NodePlacement`, so the container runtime (:mod:`.compose`) derives its ``CORE_*`` and
``ORDERER_*`` environment (:func:`environment`) from the very same settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .crypto import CryptoLayout
from .ports import PortPlan

__all__ = [
    "NodePlacement",
    "environment",
    "native_placement",
    "orderer_config",
    "orderer_overrides",
    "peer_config",
    "peer_overrides",
    "set_path",
    "write_yaml",
]


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
    return {
        "cert": str(tls / "server.crt"),
        "key": str(tls / "server.key"),
        "ca": str(tls / "ca.crt"),
    }


@dataclass(frozen=True)
class NodePlacement:
    """Where a node reads its crypto and keeps its data, and the hosts it binds and announces.

    Natively both hosts are 127.0.0.1 and paths are in the network folder; in a container the
    node binds 0.0.0.0, announces its host name and sees the folders where they are mounted.
    """

    node_dir: Path
    data_dir: Path
    bind_host: str = "127.0.0.1"
    announce_host: str = "127.0.0.1"


def native_placement(layout: CryptoLayout, host: str, data_dir: Path) -> NodePlacement:
    """The placement of a native node: its crypto folder in ``layout``, loopback addresses."""
    return NodePlacement(layout.node_dir(host), data_dir)


# Gossip tuned for peers on one machine: membership, leader election and the chaincode
# information that discovery (and so the Gateway's endorsement plans) needs spread in seconds.
_LOCAL_GOSSIP: dict[str, Any] = {
    "peer.gossip.aliveTimeInterval": "1s",
    "peer.gossip.aliveExpirationTimeout": "5s",
    "peer.gossip.reconnectInterval": "2s",
    "peer.gossip.pullInterval": "1s",
    "peer.gossip.requestStateInfoInterval": "1s",
    "peer.gossip.publishStateInfoInterval": "500ms",
    "peer.gossip.publishCertPeriod": "2s",
    "peer.gossip.membershipTrackerInterval": "1s",
    "peer.gossip.election.startupGracePeriod": "2s",
    "peer.gossip.election.membershipSampleInterval": "500ms",
}


def peer_overrides(
    *,
    host: str,
    msp_id: str,
    network: str,
    ports: PortPlan,
    placement: NodePlacement,
    ccaas_builder_dir: Path | None,
) -> dict[str, Any]:
    """The core.yaml settings (dotted keys) of one peer.

    ``ccaas_builder_dir=None`` leaves ``chaincode.externalBuilders`` to the config at hand
    (Fabric's peer image already points it at its own CCaaS builder).
    """
    tls = _tls(placement.node_dir)
    bind = f"{placement.bind_host}:{ports.port(host, 'listen')}"
    address = f"{placement.announce_host}:{ports.port(host, 'listen')}"
    chaincode = ports.port(host, "chaincode")
    data_dir = placement.data_dir
    overrides: dict[str, Any] = {
        "peer.id": host,
        "peer.networkId": network,
        "peer.listenAddress": bind,
        "peer.address": address,
        "peer.chaincodeListenAddress": f"{placement.bind_host}:{chaincode}",
        "peer.chaincodeAddress": f"{placement.announce_host}:{chaincode}",
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
        "peer.mspConfigPath": str(placement.node_dir / "msp"),
        "peer.localMspId": msp_id,
        "peer.fileSystemPath": str(data_dir / "production"),
        "peer.gateway.enabled": True,
        "peer.profile.enabled": False,
        "vm.endpoint": "",
        "chaincode.installTimeout": "60s",
        "chaincode.startuptimeout": "60s",
        "ledger.state.stateDatabase": "goleveldb",
        "ledger.snapshots.rootDir": str(data_dir / "snapshots"),
        "operations.listenAddress": f"{placement.bind_host}:{ports.port(host, 'operations')}",
        "operations.tls.enabled": True,
        "operations.tls.cert.file": tls["cert"],
        "operations.tls.key.file": tls["key"],
        "operations.tls.clientAuthRequired": False,
        "operations.tls.clientRootCAs.files": [tls["ca"]],
        "metrics.provider": "prometheus",
        **_LOCAL_GOSSIP,
    }
    if ccaas_builder_dir is not None:
        overrides["chaincode.externalBuilders"] = [
            {"name": "ccaas_builder", "path": str(ccaas_builder_dir), "propagateEnvironment": []}
        ]
    return overrides


def orderer_overrides(
    *, host: str, msp_id: str, ports: PortPlan, placement: NodePlacement
) -> dict[str, Any]:
    """The orderer.yaml settings (dotted keys) of one Raft orderer without system channel."""
    tls = _tls(placement.node_dir)
    data_dir = placement.data_dir
    return {
        "General.ListenAddress": placement.bind_host,
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
        "General.LocalMSPDir": str(placement.node_dir / "msp"),
        "General.LocalMSPID": msp_id,
        "General.Profile.Enabled": False,
        "FileLedger.Location": str(data_dir / "ledger"),
        "Consensus.WALDir": str(data_dir / "etcdraft" / "wal"),
        "Consensus.SnapDir": str(data_dir / "etcdraft" / "snapshot"),
        "Operations.ListenAddress": f"{placement.bind_host}:{ports.port(host, 'operations')}",
        "Operations.TLS.Enabled": True,
        "Operations.TLS.PrivateKey": tls["key"],
        "Operations.TLS.Certificate": tls["cert"],
        "Operations.TLS.RootCAs": [tls["ca"]],
        "Operations.TLS.ClientAuthRequired": False,
        "Operations.TLS.ClientRootCAs": [tls["ca"]],
        "Metrics.Provider": "prometheus",
        "Admin.ListenAddress": f"{placement.bind_host}:{ports.port(host, 'admin')}",
        "Admin.TLS.Enabled": True,
        "Admin.TLS.PrivateKey": tls["key"],
        "Admin.TLS.Certificate": tls["cert"],
        "Admin.TLS.RootCAs": [tls["ca"]],
        "Admin.TLS.ClientAuthRequired": True,
        "Admin.TLS.ClientRootCAs": [tls["ca"]],
        "ChannelParticipation.Enabled": True,
    }


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
    """core.yaml for one native peer, from the sample config."""
    overrides = peer_overrides(
        host=host,
        msp_id=msp_id,
        network=network,
        ports=ports,
        placement=native_placement(layout, host, data_dir),
        ccaas_builder_dir=ccaas_builder_dir,
    )
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
    """orderer.yaml for one native Raft orderer, from the sample config (no system channel)."""
    placement = native_placement(layout, host, data_dir)
    overrides = orderer_overrides(host=host, msp_id=msp_id, ports=ports, placement=placement)
    return _apply(sample, overrides)


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ",".join(str(item) for item in value) + "]"
    return str(value)


def environment(prefix: str, overrides: Mapping[str, Any]) -> dict[str, str]:
    """Overrides as Fabric environment variables: ``CORE_PEER_TLS_ENABLED=true``, ...

    ``prefix`` is ``CORE`` for peers and ``ORDERER`` for orderers. Lists become ``[a,b]``
    (Fabric's format for string lists); settings an environment variable cannot express
    (lists of mappings, empty strings, which Fabric ignores) are left out.
    """
    env = {}
    for dotted, value in overrides.items():
        if value == "" or (isinstance(value, list) and any(isinstance(v, dict) for v in value)):
            continue
        env[f"{prefix}_{dotted.replace('.', '_').upper()}"] = _env_value(value)
    return env


def write_yaml(path: Path, document: Mapping[str, Any]) -> None:
    """Write a config document, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dict(document), sort_keys=False), encoding="utf-8")
