"""Docker Compose files for a topology: the same nodes, ports, crypto and settings in containers.

``write_compose(network_or_plan, DIR)`` writes ``DIR/compose.yaml`` (and ``DIR/configtx.yaml``
for creating channels from the ``cli`` container). Services use the official images pinned to
the versions fabric-pilot runs natively. Node settings are the native ones: the environment
of each peer (``CORE_*``) and orderer (``ORDERER_*``) is derived from the override tables in
:mod:`.nodeconfig`, with container paths and host names in place of folder paths and loopback.

* Every port of the native plan is published on 127.0.0.1 only, with the same number.
* Each node's crypto folder is bind-mounted read-only at ``/etc/fabric-pilot/crypto/...``;
  its ledger lives in a named volume.
* Chaincode servers are containers built from ``docker/chaincode.Dockerfile`` in the project,
  running ``python -m fabric_pilot_chaincode serve MODULE:ATTR`` with mutual TLS; their
  material is ``DIR/chaincode/tls`` (server certificate for every ``<name>.chaincode``).
* Each chaincode has a CCaaS package ``DIR/chaincode/<label>.tar.gz`` pointing at
  ``<name>.chaincode:<port>``; its package ID is in ``DIR/.env`` as ``<NAME>_PACKAGE_ID``,
  which Compose reads for the chaincode container's ``CHAINCODE_ID``.

To deploy, after ``docker compose up`` and joining the channel, run from the ``cli`` container
(which sees ``DIR`` at ``/etc/fabric-pilot/config``), with an org admin's ``CORE_PEER_*``
settings, for one peer of each org::

    peer lifecycle chaincode install /etc/fabric-pilot/config/chaincode/<label>.tar.gz

then ``peer lifecycle chaincode approveformyorg --package-id <ID from DIR/.env>`` for each
org and ``peer lifecycle chaincode commit`` once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import yaml

from .chaincode_tls import ChaincodeTLS, ensure_chaincode_tls
from .configtx import configtx_document
from .crypto import CryptoLayout
from .fabric_ca import CaServer, server_config
from .nodeconfig import NodePlacement, environment, orderer_overrides, peer_overrides
from .packaging import ccaas_package, package_id, write_package
from .ports import PortPlan
from .topology import Topology

if TYPE_CHECKING:
    from .chaincode_definitions import ChaincodeDefinition
    from .network import FabricNetwork

__all__ = [
    "CA_IMAGE",
    "CONTAINER_CHAINCODE_TLS",
    "CONTAINER_CRYPTO",
    "ComposePlan",
    "ORDERER_IMAGE",
    "PEER_IMAGE",
    "TOOLS_IMAGE",
    "compose_document",
    "docker_configtx",
    "package_variable",
    "project_root",
    "write_compose",
]

PEER_IMAGE = "hyperledger/fabric-peer:2.5.16"
ORDERER_IMAGE = "hyperledger/fabric-orderer:2.5.16"
CA_IMAGE = "hyperledger/fabric-ca:1.5.21"
TOOLS_IMAGE = "hyperledger/fabric-tools:2.5.16"
CONTAINER_CRYPTO = PurePosixPath("/etc/fabric-pilot/crypto")
CONTAINER_CA = PurePosixPath("/etc/fabric-pilot/ca")
CONTAINER_CONFIG = PurePosixPath("/etc/fabric-pilot/config")
CONTAINER_DATA = PurePosixPath("/var/hyperledger")
CONTAINER_CHAINCODE_TLS = PurePosixPath("/etc/fabric-pilot/chaincode-tls")
CHAINCODE_DOCKERFILE = "docker/chaincode.Dockerfile"
BOOTSTRAP = "admin:adminpw"


@dataclass(frozen=True)
class ComposePlan:
    """What a compose file needs: topology, port plan, the network folder holding crypto.

    ``chaincode_ports`` keeps the ports of chaincodes already deployed natively; other
    chaincodes take the plan's chaincode slots in order.
    """

    topology: Topology
    ports: PortPlan
    directory: Path
    chaincode_ports: Mapping[str, int] = field(default_factory=dict)

    @property
    def layout(self) -> CryptoLayout:
        """The crypto tree on the host."""
        return CryptoLayout(self.directory / "crypto", self.topology)

    @classmethod
    def of(cls, network: FabricNetwork | ComposePlan) -> ComposePlan:
        """The plan of a native network (or the plan itself)."""
        if isinstance(network, ComposePlan):
            return network
        deployed = {name: int(entry["port"]) for name, entry in network.chaincodes.items()}
        return cls(network.topology, network.ports, network.directory, deployed)


def project_root() -> Path:
    """The fabric-pilot source tree (build context of the chaincode image)."""
    return Path(__file__).resolve().parents[2]


def _container_path(plan: ComposePlan, host_path: Path) -> PurePosixPath:
    return CONTAINER_CRYPTO / host_path.relative_to(plan.layout.root).as_posix()


def _container_layout(topology: Topology) -> CryptoLayout:
    return CryptoLayout(Path(str(CONTAINER_CRYPTO)), topology)


def _published(plan: ComposePlan, host: str) -> list[str]:
    return [f"127.0.0.1:{port}:{port}" for port in plan.ports.nodes[host].values()]


def _volume_name(host: str) -> str:
    return re.sub(r"[^a-z0-9_-]", "-", host.lower()) + "-data"


def _placement(plan: ComposePlan, host: str) -> NodePlacement:
    node_dir = Path(str(_container_path(plan, plan.layout.node_dir(host))))
    return NodePlacement(node_dir, Path(str(CONTAINER_DATA)), "0.0.0.0", host)


def _node_service(plan: ComposePlan, host: str, image: str, env: dict[str, str]) -> dict[str, Any]:
    node_dir = plan.layout.node_dir(host)
    return {
        "image": image,
        "container_name": host,
        "hostname": host,
        "environment": {"FABRIC_LOGGING_SPEC": "INFO", **env},
        "ports": _published(plan, host),
        "volumes": [
            f"{node_dir}:{_container_path(plan, node_dir)}:ro",
            f"{_volume_name(host)}:{CONTAINER_DATA}",
        ],
        "networks": ["fabric"],
    }


def peer_environment(plan: ComposePlan, host: str, msp_id: str) -> dict[str, str]:
    """``CORE_*`` of one peer container, from :func:`.nodeconfig.peer_overrides`."""
    overrides = peer_overrides(
        host=host,
        msp_id=msp_id,
        network=f"fabric-pilot-{plan.topology.name}",
        ports=plan.ports,
        placement=_placement(plan, host),
        ccaas_builder_dir=None,
    )
    return environment("CORE", overrides)


def orderer_environment(plan: ComposePlan, host: str) -> dict[str, str]:
    """``ORDERER_*`` of one orderer container, from :func:`.nodeconfig.orderer_overrides`."""
    msp_id = plan.topology.orderer_org.msp_id
    overrides = orderer_overrides(
        host=host, msp_id=msp_id, ports=plan.ports, placement=_placement(plan, host)
    )
    return environment("ORDERER", overrides)


def _flatten(prefix: str, document: Mapping[str, Any]) -> dict[str, str]:
    env: dict[str, str] = {}
    for key, value in document.items():
        name = f"{prefix}_{key.upper()}"
        if isinstance(value, Mapping):
            env.update(_flatten(name, value))
        elif isinstance(value, list):
            env[name] = ",".join(str(item) for item in value)
        elif isinstance(value, bool):
            env[name] = "true" if value else "false"
        elif value is not None:
            env[name] = str(value)
    return env


def _ca_services(plan: ComposePlan) -> dict[str, dict[str, Any]]:
    topology = plan.topology
    orgs = [(topology.orderer_org.name, topology.orderer_org.domain, topology.orderer_org.ca_name)]
    orgs += [(org.name, org.domain, org.ca_name) for org in topology.orgs]
    services = {}
    for name, domain, host in orgs:
        ca = CaServer(
            name,
            domain,
            host,
            plan.ports.port(host, "listen"),
            plan.ports.port(host, "operations"),
            Path(str(CONTAINER_CA / host)),
            plan.layout.org_dir(name),
        )
        env = _flatten("FABRIC_CA_SERVER", server_config({}, ca, bind_host="0.0.0.0"))
        services[host] = {
            "image": CA_IMAGE,
            "container_name": host,
            "hostname": host,
            "command": ["fabric-ca-server", "start", "-b", BOOTSTRAP, "-H", str(ca.server_dir)],
            "environment": {"FABRIC_CA_SERVER_HOME": str(ca.server_dir), **env},
            "ports": _published(plan, host),
            "volumes": [f"{plan.directory / 'ca' / host / 'server'}:{ca.server_dir}"],
            "networks": ["fabric"],
        }
    return services


def _chaincode_port(plan: ComposePlan, definition: ChaincodeDefinition, slot: int) -> int:
    return plan.chaincode_ports.get(definition.name, plan.ports.chaincode[slot])


def _chaincode_host(definition: ChaincodeDefinition) -> str:
    return f"{definition.name}.chaincode"


def package_variable(definition: ChaincodeDefinition) -> str:
    """The variable holding a chaincode's package ID in ``.env``: ``<NAME>_PACKAGE_ID``."""
    return re.sub(r"\W", "_", definition.name).upper() + "_PACKAGE_ID"


def _chaincode_tls_dir(output_dir: Path) -> Path:
    return output_dir / "chaincode" / "tls"


def _chaincode_service(
    plan: ComposePlan,
    definition: ChaincodeDefinition,
    slot: int,
    output_dir: Path,
    run_as: str | None,
) -> Any:
    port = _chaincode_port(plan, definition, slot)
    host = _chaincode_host(definition)
    service = {
        "build": {"context": str(project_root()), "dockerfile": CHAINCODE_DOCKERFILE},
        "image": f"fabric-pilot-chaincode-{definition.name.lower()}:{definition.version}",
        "container_name": host,
        "hostname": host,
        "command": ["python", "-m", "fabric_pilot_chaincode", "serve", definition.server],
        "environment": {
            "CHAINCODE_SERVER_ADDRESS": f"0.0.0.0:{port}",
            "CHAINCODE_ID": f"${{{package_variable(definition)}:?install {definition.name} first}}",
            "CHAINCODE_TLS_CERT_FILE": str(CONTAINER_CHAINCODE_TLS / "server.crt"),
            "CHAINCODE_TLS_KEY_FILE": str(CONTAINER_CHAINCODE_TLS / "server.key"),
            "CHAINCODE_TLS_CLIENT_CACERT_FILE": str(CONTAINER_CHAINCODE_TLS / "ca.crt"),
        },
        "ports": [f"127.0.0.1:{port}:{port}"],
        "volumes": [f"{_chaincode_tls_dir(output_dir)}:{CONTAINER_CHAINCODE_TLS}:ro"],
        "networks": ["fabric"],
    }
    if run_as is not None:  # the owner of the bind-mounted key, which stays private (0600)
        service["user"] = run_as
    return service


def _cli_service(plan: ComposePlan, output_dir: Path) -> dict[str, Any]:
    return {
        "image": TOOLS_IMAGE,
        "container_name": f"cli.{plan.topology.name}",
        "command": ["sleep", "infinity"],
        "environment": {"FABRIC_LOGGING_SPEC": "WARNING"},
        "working_dir": str(CONTAINER_CONFIG),
        "volumes": [
            f"{plan.layout.root}:{CONTAINER_CRYPTO}:ro",
            f"{output_dir}:{CONTAINER_CONFIG}",
        ],
        "networks": ["fabric"],
    }


def compose_document(
    network_or_plan: FabricNetwork | ComposePlan,
    output_dir: Path,
    chaincodes: Sequence[ChaincodeDefinition] = (),
    run_as: str | None = None,
) -> dict[str, Any]:
    """The compose document (a dict) for the network's topology; chaincode containers run
    as ``run_as`` (``uid:gid``) when given, else as the image's user."""
    plan = ComposePlan.of(network_or_plan)
    topology = plan.topology
    services: dict[str, Any] = {}
    if topology.crypto == "fabric-ca":
        services.update(_ca_services(plan))
    for host in topology.orderer_org.orderer_names:
        env = orderer_environment(plan, host)
        services[host] = {**_node_service(plan, host, ORDERER_IMAGE, env), "command": ["orderer"]}
    for org in topology.orgs:
        for host in org.peer_names:
            env = peer_environment(plan, host, org.msp_id)
            service = _node_service(plan, host, PEER_IMAGE, env)
            services[host] = {**service, "command": ["peer", "node", "start"]}
    for slot, definition in enumerate(chaincodes):
        services[_chaincode_host(definition)] = _chaincode_service(
            plan, definition, slot, output_dir, run_as
        )
    services["cli"] = _cli_service(plan, output_dir)
    node_hosts = [
        *topology.orderer_org.orderer_names,
        *(h for o in topology.orgs for h in o.peer_names),
    ]
    return {
        "name": f"fabric-pilot-{topology.name}",
        "services": services,
        "volumes": {_volume_name(host): {} for host in node_hosts},
        "networks": {"fabric": {"name": f"fabric-pilot-{topology.name}"}},
    }


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


def docker_configtx(network_or_plan: FabricNetwork | ComposePlan) -> str:
    """configtx.yaml for containers: container crypto paths, host names instead of loopback."""
    plan = ComposePlan.of(network_or_plan)
    document = yaml.safe_load(
        configtx_document(plan.topology, _container_layout(plan.topology), plan.ports)
    )
    hosts_by_port = {
        purposes["listen"]: host
        for host, purposes in plan.ports.nodes.items()
        if "listen" in purposes
    }
    return yaml.safe_dump(_rewrite_addresses(document, hosts_by_port), sort_keys=False)


def _write_chaincode_packages(
    plan: ComposePlan, output_dir: Path, chaincodes: Sequence[ChaincodeDefinition]
) -> dict[str, str]:
    """Write TLS material and one CCaaS package per chaincode; return ``.env`` variables."""
    hosts = [_chaincode_host(definition) for definition in chaincodes]
    tls: ChaincodeTLS = ensure_chaincode_tls(_chaincode_tls_dir(output_dir), hosts)
    variables = {}
    for slot, definition in enumerate(chaincodes):
        address = f"{_chaincode_host(definition)}:{_chaincode_port(plan, definition, slot)}"
        package = ccaas_package(definition.label, address, tls)
        write_package(output_dir / "chaincode" / f"{definition.label}.tar.gz", package)
        variables[package_variable(definition)] = package_id(definition.label, package)
    return variables


def write_compose(
    network_or_plan: FabricNetwork | ComposePlan,
    output_dir: Path,
    chaincodes: Sequence[ChaincodeDefinition] = (),
) -> Path:
    """Write the compose project into ``output_dir``; return the compose file.

    Besides ``compose.yaml`` and ``configtx.yaml``: with chaincodes, their TLS material in
    ``chaincode/tls`` (kept when present, regenerated when a chaincode host name is missing
    from its server certificate), one CCaaS package ``chaincode/<label>.tar.gz`` each (seen
    as ``/etc/fabric-pilot/config/chaincode/<label>.tar.gz`` in the ``cli`` container) and
    ``.env`` with their package IDs. Chaincode containers then run as the owner of that
    material, so the server key stays readable by its owner only.
    """
    output_dir = output_dir.absolute()
    output_dir.mkdir(parents=True, exist_ok=True)
    run_as = None
    if chaincodes:
        plan = ComposePlan.of(network_or_plan)
        variables = _write_chaincode_packages(plan, output_dir, chaincodes)
        lines = "".join(f"{name}={value}\n" for name, value in variables.items())
        (output_dir / ".env").write_text(lines, encoding="utf-8")
        key = ChaincodeTLS(_chaincode_tls_dir(output_dir)).server_key.stat()
        run_as = f"{key.st_uid}:{key.st_gid}"
    document = compose_document(network_or_plan, output_dir, chaincodes, run_as)
    target = output_dir / "compose.yaml"
    target.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    (output_dir / "configtx.yaml").write_text(docker_configtx(network_or_plan), encoding="utf-8")
    return target
