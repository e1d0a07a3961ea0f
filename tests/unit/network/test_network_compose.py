"""compose.py and docker_runtime.py: generated files, consistency with native configs, errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from fabric_pilot_network.chaincode_definitions import ChaincodeDefinition
from fabric_pilot_network.commands import Command
from fabric_pilot_network.compose import (
    CA_IMAGE,
    ORDERER_IMAGE,
    PEER_IMAGE,
    TOOLS_IMAGE,
    ComposePlan,
    project_root,
    write_compose,
)
from fabric_pilot_network.docker_runtime import (
    MISSING_PACKAGE,
    DockerNetwork,
    DockerRuntimeError,
    container_command,
    docker_client,
)
from fabric_pilot_network.fabric_home import FabricHome
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.nodeconfig import environment, orderer_config, peer_config
from fabric_pilot_network.ports import plan_ports
from fabric_pilot_network.topology import load_topology

CHAINCODE = ChaincodeDefinition(
    "taxinvoice", "mychannel", "1.0", "fabric_pilot_contracts.tax_invoice:chaincode"
)


def _plan(tmp_path: Path, name: str = "raft3", crypto: str = "cryptogen") -> ComposePlan:
    topology = load_topology(name).with_crypto(crypto)
    ports = plan_ports(topology, 23000, with_ca=crypto == "fabric-ca")
    return ComposePlan(topology, ports, tmp_path / "net")


def _compose(plan: ComposePlan, out: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(write_compose(plan, out, [CHAINCODE]).read_text())
    return document


def _nodes(plan: ComposePlan) -> list[str]:
    peers = [host for org in plan.topology.orgs for host in org.peer_names]
    return [*plan.topology.orderer_org.orderer_names, *peers]


def _flat(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _native_view(value: str, plan: ComposePlan, host: str) -> str:
    """A container setting translated back to what the native node uses."""
    value = value.replace("/etc/fabric-pilot/crypto", str(plan.layout.root))
    value = value.replace("/var/hyperledger", str(plan.directory / "data" / host))
    return value.replace("0.0.0.0", "127.0.0.1").replace(f"{host}:", "127.0.0.1:")


def test_every_node_and_ca_is_a_service_with_a_pinned_image(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "pilot", "fabric-ca")
    services = _compose(plan, tmp_path / "out")["services"]
    orderer_org = plan.topology.orderer_org
    cas = [orderer_org.ca_name, *(org.ca_name for org in plan.topology.orgs)]
    expected = {*_nodes(plan), *cas, "taxinvoice.chaincode", "cli"}
    assert set(services) == expected
    images = {name: service["image"] for name, service in services.items()}
    assert {images[host] for host in orderer_org.orderer_names} == {ORDERER_IMAGE}
    assert {images[host] for org in plan.topology.orgs for host in org.peer_names} == {PEER_IMAGE}
    assert {images[ca] for ca in cas} == {CA_IMAGE}
    assert images["cli"] == TOOLS_IMAGE
    assert ORDERER_IMAGE.endswith(":2.5.16") and CA_IMAGE.endswith(":1.5.21")


def test_cryptogen_topology_has_no_ca_service(tmp_path: Path) -> None:
    services = _compose(_plan(tmp_path, "dev"), tmp_path / "out")["services"]
    assert not [name for name in services if name.startswith("ca.")]


def test_every_planned_port_is_published_on_loopback_only(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "raft3", "fabric-ca")
    services = _compose(plan, tmp_path / "out")["services"]
    for host, purposes in plan.ports.nodes.items():
        published = sorted(services[host]["ports"])
        assert published == sorted(f"127.0.0.1:{p}:{p}" for p in purposes.values())
    every = [mapping for service in services.values() for mapping in service.get("ports", [])]
    assert all(mapping.startswith("127.0.0.1:") for mapping in every)
    assert services["taxinvoice.chaincode"]["ports"] == [
        f"127.0.0.1:{plan.ports.chaincode[0]}:{plan.ports.chaincode[0]}"
    ]


def test_node_crypto_is_mounted_read_only_and_data_in_declared_volumes(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    document = _compose(plan, tmp_path / "out")
    for host in _nodes(plan):
        crypto, data = document["services"][host]["volumes"]
        source, target, mode = crypto.split(":")
        assert Path(source) == plan.layout.node_dir(host)
        relative = plan.layout.node_dir(host).relative_to(plan.layout.root)
        assert target == f"/etc/fabric-pilot/crypto/{relative}"
        assert mode == "ro"
        volume, mount = data.split(":")
        assert volume in document["volumes"] and mount == "/var/hyperledger"


def test_peer_environment_matches_the_native_core_yaml(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    services = _compose(plan, tmp_path / "out")["services"]
    for org in plan.topology.orgs:
        for host in org.peer_names:
            native = _flat(
                peer_config(
                    {},
                    host=host,
                    msp_id=org.msp_id,
                    network=f"fabric-pilot-{plan.topology.name}",
                    layout=plan.layout,
                    ports=plan.ports,
                    data_dir=plan.directory / "data" / host,
                    ccaas_builder_dir=Path("/builders/ccaas"),
                )
            )
            expected = environment("CORE", native)
            expected.pop("CORE_CHAINCODE_EXTERNALBUILDERS", None)
            env = services[host]["environment"]
            container = {k: _native_view(v, plan, host) for k, v in env.items() if k[:5] == "CORE_"}
            assert container == expected
            assert "CORE_PEER_TLS_ENABLED" in env and "CORE_VM_ENDPOINT" not in env


def test_orderer_environment_matches_the_native_orderer_yaml(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    services = _compose(plan, tmp_path / "out")["services"]
    for host in plan.topology.orderer_org.orderer_names:
        native = orderer_config(
            {},
            host=host,
            msp_id=plan.topology.orderer_org.msp_id,
            layout=plan.layout,
            ports=plan.ports,
            data_dir=plan.directory / "data" / host,
        )
        env = services[host]["environment"]
        container = {k: _native_view(v, plan, host) for k, v in env.items() if k[:8] == "ORDERER_"}
        assert container == environment("ORDERER", _flat(native))
        assert env["ORDERER_GENERAL_LISTENADDRESS"] == "0.0.0.0"


def test_environment_formats_values_as_fabric_reads_them() -> None:
    env = environment(
        "CORE",
        {"peer.tls.enabled": True, "a.list": ["/x", "/y"], "vm.endpoint": "", "b": [{"k": 1}]},
    )
    assert env == {"CORE_PEER_TLS_ENABLED": "true", "CORE_A_LIST": "[/x,/y]"}


def test_ca_service_uses_the_native_server_settings_in_the_container(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "dev", "fabric-ca")
    service = _compose(plan, tmp_path / "out")["services"]["ca.org1.example.com"]
    env = service["environment"]
    assert env["FABRIC_CA_SERVER_PORT"] == str(plan.ports.port("ca.org1.example.com", "listen"))
    assert env["FABRIC_CA_SERVER_TLS_ENABLED"] == "true"
    assert env["FABRIC_CA_SERVER_CSR_HOSTS"] == "ca.org1.example.com,localhost,127.0.0.1"
    operations = plan.ports.port("ca.org1.example.com", "operations")
    assert env["FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS"] == f"0.0.0.0:{operations}"
    assert env["FABRIC_CA_SERVER_DB_DATASOURCE"].startswith(env["FABRIC_CA_SERVER_HOME"])
    (volume,) = service["volumes"]
    assert (
        volume == f"{plan.directory}/ca/ca.org1.example.com/server:{env['FABRIC_CA_SERVER_HOME']}"
    )


def test_chaincode_service_builds_the_project_dockerfile(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "dev")
    service = _compose(plan, tmp_path / "out")["services"]["taxinvoice.chaincode"]
    dockerfile = Path(service["build"]["context"]) / service["build"]["dockerfile"]
    assert dockerfile == project_root() / "docker" / "chaincode.Dockerfile"
    text = dockerfile.read_text()
    assert text.splitlines()[[ln.startswith("FROM") for ln in text.splitlines()].index(True)] == (
        "FROM python:3.11-slim"
    )
    assert "pip install ." in text
    assert service["command"] == [
        "python", "-m", "fabric_pilot_chaincode", "serve", CHAINCODE.server,
    ]  # fmt: skip
    env = service["environment"]
    assert env["CHAINCODE_SERVER_ADDRESS"] == f"0.0.0.0:{plan.ports.chaincode[0]}"
    assert env["CHAINCODE_ID"].startswith("${TAXINVOICE_PACKAGE_ID:?")


def test_docker_configtx_uses_host_names_and_container_paths(tmp_path: Path) -> None:
    plan = _plan(tmp_path)
    out = tmp_path / "out"
    _compose(plan, out)
    text = (out / "configtx.yaml").read_text()
    assert "127.0.0.1" not in text
    assert str(tmp_path) not in text
    profile = next(iter(yaml.safe_load(text)["Profiles"].values()))
    consenters = profile["Orderer"]["EtcdRaft"]["Consenters"]
    assert [c["Host"] for c in consenters] == list(plan.topology.orderer_org.orderer_names)
    anchors = [org["AnchorPeers"][0]["Host"] for org in profile["Application"]["Organizations"]]
    assert anchors == [
        plan.topology.org(name).peer_names[0] for name in plan.topology.channels[0].orgs
    ]


def test_missing_docker_package_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docker", None)
    with pytest.raises(DockerRuntimeError) as caught:
        docker_client()
    assert str(caught.value) == MISSING_PACKAGE


def test_unreachable_engine_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    with pytest.raises(DockerRuntimeError) as caught:
        docker_client()
    assert str(caught.value).startswith("cannot reach the Docker engine: ")
    assert "\n" not in str(caught.value)


def test_admin_commands_are_rewritten_for_the_cli_container(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "dev")
    peer = "peer0.org1.example.com"
    port = plan.ports.port(peer, "listen")
    crypto = plan.layout.node_dir(peer) / "tls" / "ca.crt"
    command = Command(
        ("/opt/fabric/bin/peer", "channel", "join", "-b", str(plan.directory / "docker/x.block")),
        {"CORE_PEER_ADDRESS": f"127.0.0.1:{port}", "CORE_PEER_TLS_ROOTCERT_FILE": str(crypto)},
    )
    argv, env = container_command(command, plan, {port: peer})
    assert argv == ["peer", "channel", "join", "-b", "/etc/fabric-pilot/config/x.block"]
    assert env["CORE_PEER_ADDRESS"] == f"{peer}:{port}"
    assert env["CORE_PEER_TLS_ROOTCERT_FILE"].startswith("/etc/fabric-pilot/crypto/peerOrg")
    assert env["FABRIC_CFG_PATH"] == "/etc/hyperledger/fabric"


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> None:
            self.calls.append((name, args, kwargs))

        return record


class _FakeClient:
    def __init__(self) -> None:
        self.networks = _Recorder()
        self.volumes = _Recorder()
        self.containers = _Recorder()
        self.images = _Recorder()


def test_docker_network_up_creates_every_service_with_loopback_ports(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "dev")
    client = _FakeClient()
    DockerNetwork(write_compose(plan, tmp_path / "out", [CHAINCODE]), client).up()
    assert [c[1] for c in client.networks.calls] == [("fabric-pilot-dev",)]
    runs = {kwargs["name"]: kwargs for _, _, kwargs in client.containers.calls}
    assert set(runs) == {*_nodes(plan), "taxinvoice.chaincode", "cli.dev"}
    peer = "peer0.org1.example.com"
    assert runs[peer]["ports"] == {
        f"{port}/tcp": ("127.0.0.1", port) for port in plan.ports.nodes[peer].values()
    }
    assert all(kwargs["network"] == "fabric-pilot-dev" for kwargs in runs.values())
    assert [c[2]["dockerfile"] for c in client.images.calls] == ["docker/chaincode.Dockerfile"]


def test_a_native_network_keeps_its_deployed_chaincode_port(tmp_path: Path) -> None:
    topology = load_topology("dev")
    home = FabricHome(Path("/f/bin"), Path("/f/config"), Path("/f/ccaas"))
    network = FabricNetwork.create(tmp_path / "net", topology, home, 23000)
    network.chaincodes = {"taxinvoice": {"port": network.ports.chaincode[5]}}
    services = yaml.safe_load(write_compose(network, tmp_path / "out", [CHAINCODE]).read_text())
    port = network.ports.chaincode[5]
    assert services["services"]["taxinvoice.chaincode"]["ports"] == [f"127.0.0.1:{port}:{port}"]
    peer = services["services"]["peer0.org1.example.com"]
    assert peer["volumes"][0].startswith(f"{network.layout.node_dir('peer0.org1.example.com')}:")


def test_docker_folder_shadowing_the_sdk_is_reported_as_missing_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import types

    monkeypatch.setitem(sys.modules, "docker", types.ModuleType("docker"))
    with pytest.raises(DockerRuntimeError) as caught:
        docker_client()
    assert str(caught.value) == MISSING_PACKAGE
