"""``network up --runtime docker``: the compose file of :mod:`.compose`, run with the Docker SDK.

The Docker SDK for Python (``pip install 'fabric-pilot[docker]'``) has no compose support, so
the services of the generated compose document are created here one by one: network and
volumes, then CAs, orderers, peers, chaincode servers and the ``cli`` tools container. Crypto is
made with cryptogen in the tools image; channels are created with the same admin commands as
the native network (:mod:`.admin`), rewritten to run inside the ``cli`` container.

Without the package or a reachable Docker engine every entry point fails with a one-line
:class:`DockerRuntimeError` before touching anything.
"""

from __future__ import annotations

import gc
import importlib
import os
import time
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from .admin import AdminTools
from .commands import Command
from .compose import CONTAINER_CONFIG, CONTAINER_CRYPTO, TOOLS_IMAGE, ComposePlan, write_compose
from .configtx import channel_block_command
from .crypto import cryptogen_spec
from .errors import DockerRuntimeError
from .fabric_home import FabricHome
from .ports import plan_ports
from .topology import Topology

__all__ = [
    "DockerNetwork",
    "DockerRuntimeError",
    "container_command",
    "docker_client",
    "up_with_docker",
]

Progress = Callable[[str], None]
MISSING_PACKAGE = (
    "the docker runtime needs the Docker SDK for Python: pip install 'fabric-pilot[docker]'"
)
TOOLS_BIN = Path("/usr/local/bin")
_ATTEMPTS = 20


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def docker_client() -> Any:
    """A Docker SDK client that has answered a ping.

    Raises:
        DockerRuntimeError: the ``docker`` package is not installed or the engine does not answer.
    """
    try:
        docker = importlib.import_module("docker")
    except ImportError:
        raise DockerRuntimeError(MISSING_PACKAGE) from None
    if not hasattr(docker, "from_env"):
        # Run from the repository root, its docker/ folder imports as an empty namespace package.
        raise DockerRuntimeError(MISSING_PACKAGE)
    reason = ""
    with warnings.catch_warnings():
        # docker-py leaves its probe socket open when the engine does not answer
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            client = docker.from_env()
            client.ping()
        except docker.errors.DockerException as exc:
            reason = _one_line(str(exc))
        if reason:
            gc.collect()
    if reason:
        raise DockerRuntimeError(f"cannot reach the Docker engine: {reason}")
    return client


def container_command(
    command: Command, plan: ComposePlan, hosts_by_port: Mapping[int, str]
) -> tuple[list[str], dict[str, str]]:
    """A native admin command as argv and environment for the ``cli`` container.

    Host crypto paths become ``/etc/fabric-pilot/crypto/...``, paths in the network folder
    become ``/etc/fabric-pilot/config/...`` and ``127.0.0.1:PORT`` becomes ``HOST:PORT``.
    """
    crypto_root = str(plan.layout.root)
    docker_dir = str(plan.directory / "docker")

    def rewrite(text: str) -> str:
        text = text.replace(crypto_root, str(CONTAINER_CRYPTO))
        text = text.replace(docker_dir, str(CONTAINER_CONFIG))
        for port, host in hosts_by_port.items():
            text = text.replace(f"127.0.0.1:{port}", f"{host}:{port}")
        return text

    argv = [Path(command.argv[0]).name, *(rewrite(arg) for arg in command.argv[1:])]
    env = {key: rewrite(value) for key, value in command.env.items()}
    env["FABRIC_CFG_PATH"] = "/etc/hyperledger/fabric"
    return argv, env


class DockerNetwork:
    """The containers of one compose document, driven through a Docker SDK client."""

    def __init__(self, compose_file: Path, client: Any) -> None:
        self.compose_file = compose_file
        self.document: dict[str, Any] = yaml.safe_load(compose_file.read_text(encoding="utf-8"))
        self.client = client

    @property
    def network_name(self) -> str:
        """The Docker network all services join."""
        return str(self.document["networks"]["fabric"]["name"])

    def _image(self, name: str, service: Mapping[str, Any]) -> str:
        image = str(service["image"])
        build = service.get("build")
        if build:
            self.client.images.build(
                path=build["context"], dockerfile=build["dockerfile"], tag=image, rm=True
            )
        return image

    def _run_service(self, name: str, service: Mapping[str, Any]) -> None:
        ports = {}
        for mapping in service.get("ports", []):
            address, host_port, container_port = mapping.rsplit(":", 2)
            ports[f"{container_port}/tcp"] = (address, int(host_port))
        self.client.containers.run(
            self._image(name, service),
            service.get("command"),
            name=service.get("container_name", name),
            hostname=service.get("hostname"),
            environment=service.get("environment", {}),
            ports=ports,
            volumes=list(service.get("volumes", [])),
            network=self.network_name,
            working_dir=service.get("working_dir"),
            user=service.get("user"),
            detach=True,
        )

    def up(self, progress: Progress = lambda _message: None) -> None:
        """Create the network, the volumes and every service's container."""
        self.client.networks.create(self.network_name, driver="bridge")
        for volume in self.document.get("volumes", {}):
            self.client.volumes.create(name=volume)
        for name, service in self.document["services"].items():
            progress(f"starting container {name}")
            self._run_service(name, service)

    def down(self, progress: Progress = lambda _message: None) -> None:
        """Remove every container, then the volumes and the network."""
        docker = importlib.import_module("docker")
        for name, service in reversed(list(self.document["services"].items())):
            try:
                container = self.client.containers.get(service.get("container_name", name))
            except docker.errors.NotFound:
                continue
            progress(f"removing container {name}")
            container.remove(force=True)
        for volume in self.document.get("volumes", {}):
            try:
                self.client.volumes.get(volume).remove(force=True)
            except docker.errors.NotFound:
                continue
        for network in self.client.networks.list(names=[self.network_name]):
            network.remove()

    def exec_cli(self, argv: list[str], env: Mapping[str, str]) -> str:
        """Run ``argv`` in the ``cli`` container.

        Raises:
            DockerRuntimeError: the command exited non-zero (with its last output line).
        """
        container = self.client.containers.get(self.document["services"]["cli"]["container_name"])
        code, output = container.exec_run(argv, environment=dict(env))
        text = output.decode(errors="replace") if isinstance(output, bytes) else str(output)
        if code != 0:
            lines = [line for line in text.splitlines() if line.strip()]
            raise DockerRuntimeError(f"{' '.join(argv[:3])} failed: {lines[-1] if lines else code}")
        return text


def _make_crypto(client: Any, directory: Path, topology: Topology) -> None:
    spec = directory / "config" / "crypto-config.yaml"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(cryptogen_spec(topology), encoding="utf-8")
    client.containers.run(
        TOOLS_IMAGE,
        [
            "cryptogen",
            "generate",
            "--config=/work/config/crypto-config.yaml",
            "--output=/work/crypto",
        ],
        volumes=[f"{directory}:/work"],
        user=f"{os.getuid()}:{os.getgid()}",
        remove=True,
    )


def _exec_with_retries(runtime: DockerNetwork, argv: list[str], env: dict[str, str]) -> None:
    """Nodes take a moment to listen after their container starts."""
    for attempt in range(_ATTEMPTS):
        try:
            runtime.exec_cli(argv, env)
            return
        except DockerRuntimeError:
            if attempt == _ATTEMPTS - 1:
                raise
            time.sleep(0.5)


def _create_channels(runtime: DockerNetwork, plan: ComposePlan, progress: Progress) -> None:
    home = FabricHome(TOOLS_BIN, Path("/etc/hyperledger/fabric"), Path("/opt/hyperledger"))
    admin = AdminTools(home, plan.topology, plan.layout, plan.ports, plan.directory / "nodes")
    hosts_by_port = {
        port: host for host, purposes in plan.ports.nodes.items() for port in purposes.values()
    }
    docker_dir = plan.directory / "docker"
    for channel in plan.topology.channels:
        progress(f"creating channel {channel.name}")
        block = docker_dir / f"{channel.name}.block"
        commands = [channel_block_command(home, docker_dir, channel.name, block)]
        commands += [
            admin.orderer_join(orderer, channel.name, block)
            for orderer in plan.topology.orderer_org.orderer_names
        ]
        commands += [
            admin.peer_join(peer, block)
            for org in channel.orgs
            for peer in plan.topology.org(org).peer_names
        ]
        for command in commands:
            _exec_with_retries(runtime, *container_command(command, plan, hosts_by_port))


def up_with_docker(
    directory: Path,
    topology: Topology,
    base_port: int,
    progress: Progress = lambda _message: None,
    client: Any = None,
) -> DockerNetwork:
    """Bring ``topology`` up as containers from a compose file in ``directory/docker``.

    Raises:
        DockerRuntimeError: no Docker SDK or engine, Fabric CA crypto was asked for (native
            only for now), or a container command failed.
    """
    client = client if client is not None else docker_client()
    if topology.crypto != "cryptogen":
        raise DockerRuntimeError("the docker runtime makes crypto with cryptogen only (drop --ca)")
    directory = directory.absolute()
    plan = ComposePlan(topology, plan_ports(topology, base_port, with_ca=False), directory)
    progress("generating crypto material with cryptogen (fabric-tools image)")
    _make_crypto(client, directory, topology)
    runtime = DockerNetwork(write_compose(plan, directory / "docker"), client)
    runtime.up(progress)
    _create_channels(runtime, plan, progress)
    return runtime
