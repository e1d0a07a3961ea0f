"""compose.py and docker_runtime.py: the generated compose project, its validity, errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from fabric_pilot_network import docker_runtime
from fabric_pilot_network.chaincode_tls import ensure_chaincode_tls
from fabric_pilot_network.compose import (
    DEFAULT_IMAGES,
    chaincode_container,
    compose_document,
    docker_configtx,
    write_chaincode_context,
    write_compose_project,
)
from fabric_pilot_network.crypto import CryptoLayout
from fabric_pilot_network.docker_runtime import (
    MISSING_COMPOSE,
    MISSING_PACKAGE,
    DockerNetwork,
    DockerRuntimeError,
    compose_command,
    docker_client,
)
from fabric_pilot_network.fabric_home import FabricHome
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.nodeconfig import NodePlacement, environment, peer_overrides
from fabric_pilot_network.ports import plan_ports
from fabric_pilot_network.topology import load_topology

SCHEMA = Path(__file__).parent / "data" / "compose-spec.json"
HOME = FabricHome(Path("/opt/fabric/bin"), Path("/opt/fabric/config"), Path("/opt/ccaas"))


def _network(tmp_path: Path, topology: str = "pilot", base_port: int = 23000) -> DockerNetwork:
    directory = tmp_path / f"net-{base_port}"
    directory.mkdir(parents=True, exist_ok=True)
    return DockerNetwork.create(directory, load_topology(topology), HOME, base_port)


def _with_chaincode(network: DockerNetwork, name: str = "tax_invoice") -> dict[str, Any]:
    ensure_chaincode_tls(network.directory / "chaincode" / "tls", [name])
    entry = {"port": network.ports.chaincode[0], "package_id": f"{name}_1.0:ab", "server": "m:cc"}
    network.chaincodes[name] = entry
    return entry


def _document(network: DockerNetwork) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(write_compose_project(network, "cc:1").read_text())
    return document


def _nodes(network: FabricNetwork) -> list[str]:
    return network.node_names()


def test_every_node_is_a_service_with_healthcheck_restart_and_image_from_env(
    tmp_path: Path,
) -> None:
    network = _network(tmp_path)
    services = _document(network)["services"]
    assert set(services) == {*_nodes(network), "tools"}
    for host in _nodes(network):
        service = services[host]
        assert service["container_name"] == host
        assert service["restart"] == "unless-stopped"
        assert service["healthcheck"]["test"][:2] == ["CMD", "wget"]
        port = network.ports.port(host, "operations")
        assert service["healthcheck"]["test"][-1] == f"https://127.0.0.1:{port}/healthz"
        assert service["image"] in {"${FABRIC_PILOT_PEER_IMAGE}", "${FABRIC_PILOT_ORDERER_IMAGE}"}
    assert services["tools"]["profiles"] == ["tools"]


def test_peers_wait_for_healthy_orderers(tmp_path: Path) -> None:
    network = _network(tmp_path, "raft3")
    services = _document(network)["services"]
    orderers = network.topology.orderer_org.orderer_names
    for org in network.topology.orgs:
        for peer in org.peer_names:
            assert services[peer]["depends_on"] == {
                orderer: {"condition": "service_healthy"} for orderer in orderers
            }


def test_ports_are_loopback_only_and_from_the_networks_own_base_port(tmp_path: Path) -> None:
    first, second = _network(tmp_path, "dev", 23000), _network(tmp_path, "dev", 24000)

    def published(network: DockerNetwork) -> set[int]:
        ports = set()
        for service in _document(network)["services"].values():
            for mapping in service.get("ports", []):
                address, host_port, container_port = mapping.split(":")
                assert address == "127.0.0.1"
                assert host_port == container_port
                ports.add(int(host_port))
        return ports

    assert published(first) == {p for ports in first.ports.nodes.values() for p in ports.values()}
    assert not published(first) & published(second)


def test_project_refers_to_nothing_outside_its_folder(tmp_path: Path) -> None:
    network = _network(tmp_path)
    _with_chaincode(network)
    text = write_compose_project(network, "cc:1").read_text()
    assert str(tmp_path) not in text
    for service in yaml.safe_load(text)["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith("./") or not source.startswith("/"), volume


def test_env_file_holds_images_and_project_name(tmp_path: Path, monkeypatch) -> None:
    network = _network(tmp_path, "dev", 23000)
    monkeypatch.setenv("FABRIC_PILOT_PEER_IMAGE", "example/peer:1")
    write_compose_project(network)
    lines = (network.directory / ".env").read_text().splitlines()
    values = dict(line.split("=", 1) for line in lines)
    assert values["FABRIC_PILOT_PEER_IMAGE"] == "example/peer:1"
    assert values["FABRIC_PILOT_ORDERER_IMAGE"] == DEFAULT_IMAGES["FABRIC_PILOT_ORDERER_IMAGE"]
    assert values["COMPOSE_PROJECT_NAME"] == "fabric-pilot-dev-23000"
    monkeypatch.delenv("FABRIC_PILOT_PEER_IMAGE")
    write_compose_project(network)  # a later write (a deploy) keeps the images of 'up'
    assert "FABRIC_PILOT_PEER_IMAGE=example/peer:1" in (network.directory / ".env").read_text()


def test_chaincode_service_is_reached_at_its_container_name_with_tls(tmp_path: Path) -> None:
    network = _network(tmp_path)
    entry = _with_chaincode(network)
    name = chaincode_container(network.topology, "tax_invoice")
    assert name == "tax-invoice.chaincode.pilot"
    assert network.chaincode_address("tax_invoice", 7100) == f"{name}:7100"
    service = _document(network)["services"][name]
    assert service["build"]["context"] == "./chaincode/image"
    assert service["image"] == "cc:1"
    assert "ports" not in service
    env = service["environment"]
    assert env["CHAINCODE_SERVER_ADDRESS"] == f"0.0.0.0:{entry['port']}"
    assert env["CHAINCODE_ID"] == entry["package_id"]
    assert env["CHAINCODE_TLS_KEY_FILE"].endswith("/server.key")
    assert service["command"][-1] == "m:cc"


def test_peer_environment_is_the_native_override_table(tmp_path: Path) -> None:
    network = _network(tmp_path, "dev")
    peer = network.topology.orgs[0].peer_names[0]
    env = _document(network)["services"][peer]["environment"]
    node_dir = (
        "/etc/fabric-pilot/crypto/"
        + network.layout.node_dir(peer).relative_to(network.layout.root).as_posix()
    )
    placement = NodePlacement(Path(node_dir), Path("/var/hyperledger"), "0.0.0.0", peer)
    overrides = peer_overrides(
        host=peer, msp_id=network.topology.orgs[0].msp_id, network="fabric-pilot-dev",
        ports=network.ports, placement=placement, ccaas_builder_dir=None,
    )  # fmt: skip
    for name, value in environment("CORE", overrides).items():
        assert env[name] == value.strip("[]"), name
    listen = network.ports.port(peer, "listen")
    assert env["CORE_PEER_GOSSIP_EXTERNALENDPOINT"] == f"{peer}:{listen}"


def test_configtx_uses_container_names_for_orderers_and_anchor_peers(tmp_path: Path) -> None:
    topology = load_topology("raft3")
    ports = plan_ports(topology, 23000, with_ca=False)
    text = docker_configtx(topology, CryptoLayout(tmp_path / "crypto", topology), ports)
    assert "127.0.0.1" not in text
    for orderer in topology.orderer_org.orderer_names:
        assert f"{orderer}:{ports.port(orderer, 'listen')}" in text
    assert str(tmp_path / "crypto") in text  # configtxgen runs on the host


def test_generated_project_matches_the_compose_schema(tmp_path: Path) -> None:
    network = _network(tmp_path)
    _with_chaincode(network)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(_document(network), schema)
    broken = _document(network)
    broken["services"]["tools"]["restart"] = ["no"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def _compose_clis() -> list[list[str]]:
    found = []
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            found.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        found.append(["docker-compose"])
    return found


@pytest.mark.parametrize("cli", _compose_clis() or [None], ids=lambda cli: " ".join(cli or ["-"]))
def test_docker_compose_config_accepts_the_project(tmp_path: Path, cli: list[str] | None) -> None:
    if cli is None:
        pytest.skip("no docker compose / docker-compose here (the schema test still ran)")
    network = _network(tmp_path)
    _with_chaincode(network)
    write_compose_project(network, write_chaincode_context(network.directory)[1])
    result = subprocess.run(
        [*cli, "config", "--quiet"], cwd=network.directory, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_chaincode_context_ships_the_dockerfile_and_sources(tmp_path: Path) -> None:
    context, tag = write_chaincode_context(tmp_path)
    assert context == tmp_path / "chaincode" / "image"
    assert "ARG PYTHON_IMAGE" in (context / "Dockerfile").read_text()
    assert (context / "src" / "fabric_pilot_chaincode" / "__main__.py").exists()
    assert (context / "src" / "fabric_pilot_contracts" / "__init__.py").exists()
    assert "grpcio" in (context / "requirements.txt").read_text()
    assert not list(context.rglob("__pycache__"))
    assert write_chaincode_context(tmp_path)[1] == tag  # same content, same image
    assert tag.startswith("fabric-pilot-chaincode:")


def test_load_returns_the_runtime_the_network_was_made_with(tmp_path: Path) -> None:
    network = _network(tmp_path, "dev")
    shutil.copyfile(
        Path(__file__).parents[3] / "network-config" / "topologies" / "dev.yaml",
        network.directory / "topology.yaml",
    )
    network.save()
    loaded = FabricNetwork.load(network.directory)
    assert isinstance(loaded, DockerNetwork)
    assert loaded.project == "fabric-pilot-dev-23000"


def test_missing_docker_package_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docker", None)
    with pytest.raises(DockerRuntimeError) as caught:
        docker_client()
    assert str(caught.value) == MISSING_PACKAGE


def test_docker_folder_shadowing_the_sdk_reads_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docker", types.ModuleType("docker"))
    with pytest.raises(DockerRuntimeError, match="pip install"):
        docker_client()


def test_unreachable_engine_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no.sock")
    with pytest.raises(DockerRuntimeError) as caught:
        docker_client()
    assert str(caught.value).startswith("cannot reach the Docker engine: ")
    assert "\n" not in str(caught.value)


def test_missing_compose_names_both_ways_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docker_runtime.shutil, "which", lambda _name: None)
    with pytest.raises(DockerRuntimeError) as caught:
        compose_command()
    assert str(caught.value) == MISSING_COMPOSE
    assert "docker compose" in MISSING_COMPOSE and "docker-compose v1" in MISSING_COMPOSE


class _Container:
    def __init__(self, name: str, status: str = "running") -> None:
        self.name = name
        self.status = status
        self.labels = {docker_runtime.SERVICE_LABEL: name}
        self.attrs = {"State": {"Pid": 42, "Health": {"Status": "healthy"}}}
        self.calls: list[str] = []

    def stop(self, timeout: int) -> None:
        self.calls.append("stop")
        self.status = "exited"

    def logs(self, tail: int) -> bytes:
        return b"one\ntwo\n"


class _Containers:
    def __init__(self, items: list[_Container]) -> None:
        self.items = items

    def list(self, all: bool, filters: dict[str, str]) -> list[_Container]:
        return self.items


def _fake(network: DockerNetwork, names: list[str]) -> list[_Container]:
    containers = [_Container(name) for name in names]
    network._client = types.SimpleNamespace(containers=_Containers(containers))
    return containers


def test_stop_stops_chaincode_then_peers_then_orderers(tmp_path: Path) -> None:
    network = _network(tmp_path, "dev")
    _with_chaincode(network, "sample_assets")
    names = [*network.node_names(), chaincode_container(network.topology, "sample_assets")]
    _fake(network, names)
    stopped = network.stop()
    assert stopped[0] == "sample-assets.chaincode.dev"
    assert stopped[-1] == "orderer0.example.com"
    assert sorted(stopped) == sorted(names)
    assert network.stop() == []


def test_logs_and_health_of_containers(tmp_path: Path) -> None:
    network = _network(tmp_path, "dev")
    containers = _fake(network, network.node_names())
    assert network.log_tail("orderer0.example.com") == "one\ntwo"
    containers[0].attrs["State"]["Health"]["Status"] = "unhealthy"
    assert network.health() == {
        "orderer0.example.com": False,
        "peer0.org1.example.com": True,
        "peer0.org2.example.com": True,
    }
    with pytest.raises(docker_runtime.UnknownProcessError, match="no process called 'nope'"):
        network.log_tail("nope")


def test_compose_document_without_chaincode_has_no_chaincode_service(tmp_path: Path) -> None:
    topology = load_topology("dev")
    ports = plan_ports(topology, 23000, with_ca=False)
    document = compose_document(topology, ports, tmp_path)
    assert not [name for name in document["services"] if ".chaincode." in name]
    assert set(document["volumes"]) == {
        "orderer0-example-com-data", "peer0-org1-example-com-data", "peer0-org2-example-com-data",
    }  # fmt: skip
