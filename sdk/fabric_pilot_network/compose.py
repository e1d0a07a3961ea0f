"""The compose project of a Docker network: ``compose.yaml`` and ``.env`` in the network folder.

The compose file is the single description of the containers (``network up --runtime docker``
runs it with ``docker compose``); it is derived from the same topology, port plan and node
settings (:mod:`.nodeconfig`) as the native processes:

* one service per orderer and peer, named by its host name (also its container name, so the
  TLS certificates, whose SANs hold the host name and 127.0.0.1, fit both sides), with the
  ``CORE_*`` / ``ORDERER_*`` environment of the native node config and container paths;
* every node port published on 127.0.0.1 only, with the number of this network's own port plan
  (``--base-port``), so a native and a Docker network run side by side;
* crypto bind-mounted read-only from ``./crypto`` (paths relative to the project folder, so the
  project refers to nothing outside it), ledgers in named volumes of the project;
* a ``healthcheck`` on each node's operations ``/healthz`` (``wget``, present in the official
  Alpine-based images), peers ``depends_on`` the orderers with ``condition: service_healthy``,
  ``restart: unless-stopped``;
* one service per deployed chaincode: a CCaaS server built from the Dockerfile shipped in this
  package (:func:`write_chaincode_context`), reached by the peers at its container name, mutual
  TLS, not published on the host;
* images and the project name in ``.env`` (``FABRIC_PILOT_PEER_IMAGE`` and friends, defaults
  the official ``hyperledger/fabric-*`` images; a value set in the environment of ``network up``
  wins), so the same files run with the official images or with local stand-ins.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import importlib.util
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import yaml

from .chaincode_tls import ChaincodeTLS
from .configtx import configtx_document
from .crypto import CryptoLayout
from .nodeconfig import NodePlacement, environment, orderer_overrides, peer_overrides, set_path
from .ports import PortPlan
from .topology import Topology

if TYPE_CHECKING:
    from .network import FabricNetwork

__all__ = [
    "COMPOSE_FILE",
    "DEFAULT_IMAGES",
    "ENV_FILE",
    "chaincode_container",
    "compose_document",
    "docker_configtx",
    "image_settings",
    "project_name",
    "write_chaincode_context",
    "write_compose_project",
    "write_peer_config",
]

COMPOSE_FILE = "compose.yaml"
ENV_FILE = ".env"
DEFAULT_IMAGES = {
    "FABRIC_PILOT_PEER_IMAGE": "hyperledger/fabric-peer:2.5.16",
    "FABRIC_PILOT_ORDERER_IMAGE": "hyperledger/fabric-orderer:2.5.16",
    "FABRIC_PILOT_TOOLS_IMAGE": "hyperledger/fabric-tools:2.5.16",
    "FABRIC_PILOT_CA_IMAGE": "hyperledger/fabric-ca:1.5.21",
    "FABRIC_PILOT_PYTHON_IMAGE": "python:3.11-slim",
}
CONTAINER_CRYPTO = PurePosixPath("/etc/fabric-pilot/crypto")
CONTAINER_DATA = PurePosixPath("/var/hyperledger")
CONTAINER_CHAINCODE_TLS = PurePosixPath("/etc/fabric-pilot/chaincode-tls")
CONTAINER_PEER_CONFIG = PurePosixPath("/etc/fabric-pilot/peer")
CHAINCODE_CONTEXT = "chaincode/image"
PEER_CONFIG = "config/peer"
_CHAINCODE_PACKAGES = ("fabric_pilot_chaincode", "fabric_pilot_contracts")
_CHAINCODE_REQUIREMENTS = {"grpcio", "protobuf", "greenlet", "cryptography"}


def project_name(topology: Topology, base_port: int) -> str:
    """The compose project name: one per topology and base port."""
    return f"fabric-pilot-{topology.name}-{base_port}".lower()


def image_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Image references for ``.env``: the defaults, each overridable from the environment."""
    environ = os.environ if environ is None else environ
    return {name: environ.get(name) or default for name, default in DEFAULT_IMAGES.items()}


def chaincode_container(topology: Topology, name: str) -> str:
    """The container (and host) name of chaincode ``name``'s server in ``topology``."""
    return f"{re.sub(r'[^a-z0-9-]', '-', name.lower())}.chaincode.{topology.name}"


@dataclass(frozen=True)
class _Project:
    topology: Topology
    ports: PortPlan
    directory: Path

    @property
    def layout(self) -> CryptoLayout:
        return CryptoLayout(self.directory / "crypto", self.topology)

    def relative(self, path: Path) -> str:
        return "./" + path.relative_to(self.directory).as_posix()

    def container_path(self, host_path: Path) -> PurePosixPath:
        return CONTAINER_CRYPTO / host_path.relative_to(self.layout.root).as_posix()

    def placement(self, host: str) -> NodePlacement:
        node_dir = Path(str(self.container_path(self.layout.node_dir(host))))
        return NodePlacement(node_dir, Path(str(CONTAINER_DATA)), "0.0.0.0", host)


def _volume_name(host: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "-", host.lower()) + "-data"


def _healthcheck(test: list[str]) -> dict[str, Any]:
    return {"test": test, "interval": "2s", "timeout": "5s", "retries": 30, "start_period": "2s"}


def _operations_probe(port: int) -> list[str]:
    url = f"https://127.0.0.1:{port}/healthz"
    return ["CMD", "wget", "-q", "-O", "/dev/null", "--no-check-certificate", url]


def _node_service(
    project: _Project, host: str, image: str, env: dict[str, str], command: list[str]
) -> dict[str, Any]:
    node_dir = project.layout.node_dir(host)
    return {
        "image": image,
        "container_name": host,
        "hostname": host,
        "command": command,
        "environment": {"FABRIC_LOGGING_SPEC": "INFO", **env},
        "ports": [f"127.0.0.1:{port}:{port}" for port in project.ports.nodes[host].values()],
        "volumes": [
            f"{project.relative(node_dir)}:{project.container_path(node_dir)}:ro",
            f"{_volume_name(host)}:{CONTAINER_DATA}",
        ],
        "networks": ["fabric"],
        "restart": "unless-stopped",
        "healthcheck": _healthcheck(_operations_probe(project.ports.port(host, "operations"))),
    }


def _orderer_service(project: _Project, host: str) -> dict[str, Any]:
    overrides = orderer_overrides(
        host=host,
        msp_id=project.topology.orderer_org.msp_id,
        ports=project.ports,
        placement=project.placement(host),
    )
    env = environment("ORDERER", overrides)
    return _node_service(project, host, "${FABRIC_PILOT_ORDERER_IMAGE}", env, ["orderer"])


def _peer_service(project: _Project, host: str, msp_id: str) -> dict[str, Any]:
    overrides = peer_overrides(
        host=host,
        msp_id=msp_id,
        network=f"fabric-pilot-{project.topology.name}",
        ports=project.ports,
        placement=project.placement(host),
        ccaas_builder_dir=None,
    )
    # The peer reads a one-item list from the environment as the bare value (no "[...]").
    env = {
        name: value[1:-1] if value.startswith("[") and "," not in value else value
        for name, value in environment("CORE", overrides).items()
    }
    env["FABRIC_CFG_PATH"] = str(CONTAINER_PEER_CONFIG)
    service = _node_service(
        project, host, "${FABRIC_PILOT_PEER_IMAGE}", env, ["peer", "node", "start"]
    )
    service["volumes"].append(f"./{PEER_CONFIG}:{CONTAINER_PEER_CONFIG}:ro")
    service["depends_on"] = {
        orderer: {"condition": "service_healthy"}
        for orderer in project.topology.orderer_org.orderer_names
    }
    return service


def _chaincode_service(
    project: _Project, name: str, entry: Mapping[str, Any], image: str
) -> dict[str, Any]:
    port = int(entry["port"])
    tls = ChaincodeTLS(project.directory / "chaincode" / "tls")
    container = chaincode_container(project.topology, name)
    key = tls.server_key.stat()
    probe = f"import socket; socket.create_connection(('127.0.0.1', {port}), 2).close()"
    return {
        "build": {
            "context": f"./{CHAINCODE_CONTEXT}",
            "args": {"PYTHON_IMAGE": "${FABRIC_PILOT_PYTHON_IMAGE}"},
        },
        "image": image,
        "container_name": container,
        "hostname": container,
        # the owner of the bind-mounted server key, which stays readable by its owner only
        "user": f"{key.st_uid}:{key.st_gid}",
        "command": ["python", "-m", "fabric_pilot_chaincode", "serve", str(entry["server"])],
        "environment": {
            "CHAINCODE_SERVER_ADDRESS": f"0.0.0.0:{port}",
            "CHAINCODE_ID": str(entry["package_id"]),
            "CHAINCODE_TLS_CERT_FILE": str(CONTAINER_CHAINCODE_TLS / "server.crt"),
            "CHAINCODE_TLS_KEY_FILE": str(CONTAINER_CHAINCODE_TLS / "server.key"),
            "CHAINCODE_TLS_CLIENT_CACERT_FILE": str(CONTAINER_CHAINCODE_TLS / "ca.crt"),
            "PYTHONUNBUFFERED": "1",
        },
        "volumes": [f"./chaincode/tls:{CONTAINER_CHAINCODE_TLS}:ro"],
        "networks": ["fabric"],
        "restart": "unless-stopped",
        "healthcheck": _healthcheck(["CMD", "python", "-c", probe]),
    }


def _tools_service(project: _Project) -> dict[str, Any]:
    """Fabric's CLI tools on the project network, started on demand only (profile ``tools``):
    ``docker compose run --rm tools peer ...``, with the crypto and channel blocks mounted."""
    return {
        "image": "${FABRIC_PILOT_TOOLS_IMAGE}",
        "profiles": ["tools"],
        "command": ["sh"],
        "working_dir": "/etc/fabric-pilot",
        "volumes": [
            f"./crypto:{CONTAINER_CRYPTO}:ro",
            "./channels:/etc/fabric-pilot/channels:ro",
        ],
        "networks": ["fabric"],
    }


def compose_document(
    topology: Topology,
    ports: PortPlan,
    directory: Path,
    chaincodes: Mapping[str, Mapping[str, Any]] | None = None,
    chaincode_image: str = "",
) -> dict[str, Any]:
    """The compose document of a Docker network in ``directory`` (its crypto already there).

    ``chaincodes`` are the deployed chaincode entries (port, package ID, server) by name;
    ``chaincode_image`` is the tag of the chaincode image they run.
    """
    project = _Project(topology, ports, directory.absolute())
    services: dict[str, Any] = {}
    for host in topology.orderer_org.orderer_names:
        services[host] = _orderer_service(project, host)
    for org in topology.orgs:
        for host in org.peer_names:
            services[host] = _peer_service(project, host, org.msp_id)
    for name, entry in sorted((chaincodes or {}).items()):
        services[chaincode_container(topology, name)] = _chaincode_service(
            project, name, entry, chaincode_image
        )
    peers = [host for org in topology.orgs for host in org.peer_names]
    node_hosts = [*topology.orderer_org.orderer_names, *peers]
    services["tools"] = _tools_service(project)
    return {
        "services": services,
        "volumes": {_volume_name(host): {} for host in node_hosts},
        "networks": {"fabric": {}},
    }


def write_compose_project(network: FabricNetwork, chaincode_image: str = "") -> Path:
    """Write ``compose.yaml`` and ``.env`` into the network folder; return the compose file.

    ``.env`` holds the project name and the image references (see :func:`image_settings`);
    an existing ``.env`` keeps its image choices, so a later deploy uses the images of ``up``.
    """
    directory = network.directory
    env_file = directory / ENV_FILE
    settings = image_settings()
    if env_file.exists():
        settings.update(_read_env(env_file))
    settings["COMPOSE_PROJECT_NAME"] = project_name(network.topology, network.ports.base_port)
    env_file.write_text("".join(f"{k}={v}\n" for k, v in sorted(settings.items())), "utf-8")
    document = compose_document(
        network.topology, network.ports, directory, network.chaincodes, chaincode_image
    )
    target = directory / COMPOSE_FILE
    target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return target


def write_peer_config(sample: Path, directory: Path) -> Path:
    """The peers' core.yaml in ``directory/config/peer``: Fabric's sample with ``vm.endpoint``
    blank (no Docker daemon for chaincode: a peer would report it unhealthy) and the image's
    CCaaS builder; every node-specific setting comes from the compose environment."""
    document = yaml.safe_load(sample.read_text(encoding="utf-8"))
    set_path(document, "vm.endpoint", "")
    set_path(
        document,
        "chaincode.externalBuilders",
        [{"name": "ccaas_builder", "path": "/opt/hyperledger/ccaas_builder"}],
    )
    target = directory / PEER_CONFIG / "core.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return target


def _read_env(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip() in DEFAULT_IMAGES:
            values[name.strip()] = value.strip()
    return values


def _rewrite_addresses(value: Any, hosts_by_port: Mapping[int, str]) -> Any:
    if isinstance(value, dict):
        if value.get("Host") == "127.0.0.1" and value.get("Port") in hosts_by_port:
            value = {**value, "Host": hosts_by_port[value["Port"]]}
        return {key: _rewrite_addresses(item, hosts_by_port) for key, item in value.items()}
    if isinstance(value, list):
        return [_rewrite_addresses(item, hosts_by_port) for item in value]
    if isinstance(value, str) and value.startswith("127.0.0.1:"):
        port = int(value.rsplit(":", 1)[1])
        return f"{hosts_by_port.get(port, '127.0.0.1')}:{port}"
    return value


def docker_configtx(topology: Topology, layout: CryptoLayout, ports: PortPlan) -> str:
    """configtx.yaml for nodes in containers: orderer endpoints, Raft consenters and anchor
    peers at their host names (container names) instead of 127.0.0.1; crypto paths on the
    host, where configtxgen runs."""
    document = yaml.safe_load(configtx_document(topology, layout, ports))
    hosts_by_port = {
        purposes["listen"]: host for host, purposes in ports.nodes.items() if "listen" in purposes
    }
    return yaml.safe_dump(_rewrite_addresses(document, hosts_by_port), sort_keys=False)


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {package} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _requirements() -> str:
    try:
        requires = importlib.metadata.requires("fabric-pilot") or []
    except importlib.metadata.PackageNotFoundError:
        requires = []
    keep = [
        line.split(";")[0].strip()
        for line in requires
        if "extra ==" not in line
        and (
            re.split(r"[<>=!~ \[]", line, maxsplit=1)[0] in _CHAINCODE_REQUIREMENTS
            or line.startswith("hyperledger-fabric-protos")
        )
    ]
    return "".join(f"{line}\n" for line in keep)


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def write_chaincode_context(directory: Path) -> tuple[Path, str]:
    """Write the chaincode image's build context into ``directory/chaincode/image``.

    The context holds the Dockerfile shipped in this package, the chaincode runtime and
    contract sources, and their requirements; nothing in it points elsewhere. Returns the
    context folder and the image tag, ``fabric-pilot-chaincode:<digest of the context>``.
    """
    context = directory / CHAINCODE_CONTEXT
    if context.exists():
        shutil.rmtree(context)
    (context / "src").mkdir(parents=True)
    dockerfile = importlib.resources.files("fabric_pilot_network") / "container"
    (context / "Dockerfile").write_bytes((dockerfile / "chaincode.Dockerfile").read_bytes())
    (context / ".dockerignore").write_text("**/__pycache__\n**/*.pyc\n", encoding="utf-8")
    (context / "requirements.txt").write_text(_requirements(), encoding="utf-8")
    for package in _CHAINCODE_PACKAGES:
        shutil.copytree(
            _package_dir(package),
            context / "src" / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    return context, f"fabric-pilot-chaincode:{_tree_digest(context)}"
