"""The Docker runtime: the same network, its nodes and chaincode servers in containers.

:class:`DockerNetwork` is a :class:`.network.FabricNetwork` whose runtime part (start, stop,
health, logs, endpoints) acts on containers instead of native processes; everything above it
(crypto, channel configuration, channel creation and joining, chaincode lifecycle, profiles) is
the shared code, run from the host against the ports the containers publish on 127.0.0.1.

* ``up`` writes the compose project into the network folder (:mod:`.compose`), runs
  ``docker compose up`` (Compose v2+, or ``docker-compose`` v1 where that is all there is),
  waits until every container's healthcheck passes, then creates the channels.
* ``status``, ``logs``, ``stop`` and ``start`` use the Docker SDK for Python on the containers
  labelled with this project; ``down`` runs ``docker compose down --volumes`` and then checks,
  through the SDK, that no container, volume or network of the project is left.

Without the ``docker`` package (``pip install 'fabric-pilot[docker]'``), an engine or Compose,
every entry point fails with a one-line :class:`DockerRuntimeError` before changing anything.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import shutil
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .chaincode_tls import ensure_chaincode_tls
from .commands import Runner, run_command
from .compose import (
    chaincode_container,
    docker_configtx,
    project_name,
    write_chaincode_context,
    write_compose_project,
    write_peer_config,
)
from .errors import DockerRuntimeError, UnknownProcessError
from .fabric_home import FabricHome
from .network import FabricNetwork, NodeStatus, Progress
from .ports import PortPlan
from .topology import Topology

__all__ = [
    "DockerNetwork",
    "DockerRuntimeError",
    "compose_command",
    "docker_client",
]

MISSING_PACKAGE = (
    "the docker runtime needs the Docker SDK for Python: pip install 'fabric-pilot[docker]'"
)
MISSING_COMPOSE = (
    "the docker runtime needs Docker Compose: the 'docker compose' plugin (v2 or later,"
    " https://docs.docker.com/compose/install/) or docker-compose v1"
)
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
_HEALTH_TIMEOUT = 120.0


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _quiet(_message: str) -> None:
    pass


def docker_client() -> Any:
    """A Docker SDK client that has answered a ping.

    Raises:
        DockerRuntimeError: the ``docker`` package is not installed or the engine does not answer.
    """
    try:
        docker = importlib.import_module("docker")
    except ImportError:
        raise DockerRuntimeError(MISSING_PACKAGE) from None
    if not hasattr(docker, "from_env"):  # a folder named docker/ shadowing the package
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


def compose_command() -> list[str]:
    """``["docker", "compose"]`` when the v2+ plugin answers, else ``["docker-compose"]`` (v1).

    Raises:
        DockerRuntimeError: neither is installed.
    """
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version", "--short"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise DockerRuntimeError(MISSING_COMPOSE)


class DockerNetwork(FabricNetwork):
    """A network folder whose nodes and chaincode servers run as containers of one project."""

    runtime = "docker"

    def __init__(
        self,
        directory: Path,
        topology: Topology,
        home: FabricHome,
        ports: PortPlan,
        runner: Runner = run_command,
    ) -> None:
        super().__init__(directory, topology, home, ports, runner)
        self._client: Any = None

    # ----------------------------------------------------------------- docker plumbing

    @property
    def project(self) -> str:
        """The compose project name (label of every container, volume and network)."""
        return project_name(self.topology, self.ports.base_port)

    @property
    def client(self) -> Any:
        """The Docker SDK client (connected on first use)."""
        if self._client is None:
            self._client = docker_client()
        return self._client

    def compose(self, *args: str) -> str:
        """Run ``docker compose ARGS`` in the project folder; return its output.

        Raises:
            DockerRuntimeError: compose failed (its last error line).
        """
        argv = [*compose_command(), *args]
        result = subprocess.run(
            argv, cwd=self.directory, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            raise DockerRuntimeError(
                f"{' '.join(argv[:3])} failed: {lines[-1] if lines else result.returncode}"
            )
        return result.stdout

    def containers(self) -> dict[str, Any]:
        """This project's containers by service name (running or not)."""
        found = self.client.containers.list(
            all=True, filters={"label": f"{PROJECT_LABEL}={self.project}"}
        )
        return {item.labels.get(SERVICE_LABEL, item.name): item for item in found}

    def container_name(self, name: str) -> str:
        """The service/container of a node or of a chaincode (``chaincode-NAME`` also works)."""
        if name.startswith("chaincode-") and name[len("chaincode-") :] in self.chaincodes:
            return chaincode_container(self.topology, name[len("chaincode-") :])
        if name in self.chaincodes:
            return chaincode_container(self.topology, name)
        return name

    def _service_names(self) -> list[str]:
        chaincodes = [chaincode_container(self.topology, name) for name in self.chaincodes]
        return [*self.node_names(), *chaincodes]

    # ----------------------------------------------------------------- up

    def _check_free_names(self) -> None:
        docker = importlib.import_module("docker")
        for name in self._service_names():
            with contextlib.suppress(docker.errors.NotFound):
                container = self.client.containers.get(name)
                owner = container.labels.get(PROJECT_LABEL, "no compose project")
                raise DockerRuntimeError(
                    f"a container named {name} already exists ({owner}); run 'fabric-pilot"
                    f" network down' in that network's folder or 'docker rm -f {name}'"
                )

    def up(self, progress: Progress = _quiet, source_topology: Path | None = None) -> None:
        """Write the compose project, start it, wait on healthchecks, create the channels.

        Raises:
            DockerRuntimeError: no Docker SDK, engine or Compose, a container name is taken,
                or compose failed. NetworkError: a node or channel step failed.
        """
        compose_command()
        self._check_free_names()
        super().up(progress, source_topology)

    def _configtx_document(self) -> str:
        return docker_configtx(self.topology, self.layout, self.ports)

    def _write_node_configs(self) -> None:
        # Chaincode servers are reached at their container names: their certificate covers
        # every chaincode definition shipped with fabric-pilot.
        from .chaincode_definitions import available_definitions

        hosts = [chaincode_container(self.topology, d.name) for d in available_definitions()]
        ensure_chaincode_tls(self.directory / "chaincode" / "tls", hosts)
        write_peer_config(self.home.config_dir / "core.yaml", self.directory)
        write_compose_project(self)
        # nodes/<host>/ keeps the host-side view of each node (loopback, host paths): the
        # admin commands run from the host (peer, osnadmin) read their client settings there.
        super()._write_node_configs()

    def _start_nodes(self) -> None:
        self.compose("up", "--detach", "--no-build", *self.node_names())
        self.wait_healthy(self.node_names())

    def wait_healthy(self, services: Sequence[str], timeout: float = _HEALTH_TIMEOUT) -> None:
        """Wait until each service's container reports ``healthy`` (and its gRPC port, if
        published, accepts connections on 127.0.0.1).

        Raises:
            DockerRuntimeError: a container exited, or did not turn healthy in time.
        """
        deadline = time.monotonic() + timeout
        for service in services:
            self._wait_one(service, deadline)
            if service in self.ports.nodes:
                _wait_port(self.ports.port(service, "listen"), deadline, service)

    def _wait_one(self, service: str, deadline: float) -> None:
        while True:
            container = self.containers().get(service)
            state = container.attrs["State"] if container is not None else {}
            health = state.get("Health", {}).get("Status", "")
            if health == "healthy":
                return
            if health == "unhealthy":
                probe = state["Health"].get("Log") or [{}]
                raise DockerRuntimeError(
                    f"{service} is unhealthy: {_one_line(probe[-1].get('Output', ''))[:300]}"
                    f" (logs: {self._last_lines(container, 2)})"
                )
            crashed = state.get("Status") in ("exited", "dead") or state.get("Restarting")
            if container is not None and (crashed or container.attrs.get("RestartCount", 0)):
                raise DockerRuntimeError(
                    f"{service} exited during start-up: {self._last_lines(container, 3)}"
                )
            if time.monotonic() > deadline:
                detail = self._last_lines(container, 3) if container is not None else "no container"
                raise DockerRuntimeError(f"{service} not healthy in time ({health}): {detail}")
            time.sleep(0.5)

    @staticmethod
    def _last_lines(container: Any, lines: int) -> str:
        text = container.logs(tail=lines).decode(errors="replace")
        return _one_line(text) or "(no output)"

    # ----------------------------------------------------------------- chaincode servers

    def chaincode_address(self, name: str, port: int) -> str:
        """Peers reach a chaincode server at its container name."""
        return f"{chaincode_container(self.topology, name)}:{port}"

    def chaincode_tls_names(self, name: str) -> list[str]:
        """The host name the chaincode server's TLS certificate must hold."""
        return [chaincode_container(self.topology, name)]

    def start_chaincode_server(self, name: str, entry: dict[str, Any]) -> None:
        """Build the chaincode image (once per content), add the chaincode's service to the
        compose file and bring it up; wait for its healthcheck (so there is no process record
        for the caller to wait on)."""
        self.chaincodes[name] = entry
        context, tag = write_chaincode_context(self.directory)
        if not self.client.images.list(name=tag):
            args = {"PYTHON_IMAGE": self._env_value("FABRIC_PILOT_PYTHON_IMAGE")}
            try:
                self.client.images.build(path=str(context), tag=tag, buildargs=args, rm=True)
            except importlib.import_module("docker").errors.BuildError as exc:
                raise DockerRuntimeError(f"building {tag} failed: {_one_line(str(exc))}") from exc
        write_compose_project(self, chaincode_image=tag)
        service = chaincode_container(self.topology, name)
        self.compose("up", "--detach", "--no-build", "--no-deps", service)
        self.wait_healthy([service])

    def _env_value(self, name: str) -> str:
        for line in (self.directory / ".env").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key == name:
                return value
        raise DockerRuntimeError(f"{name} is missing from {self.directory / '.env'}")

    # ----------------------------------------------------------------- the runtime interface

    def node_running(self, name: str) -> bool:
        """Whether the container of a node or chaincode server is running."""
        container = self.containers().get(self.container_name(name))
        return container is not None and container.status == "running"

    def is_running(self) -> bool:
        """Whether any container of the project is running."""
        return any(c.status == "running" for c in self.containers().values())

    def health(self) -> dict[str, bool]:
        """Each node and chaincode server: whether its container reports ``healthy``."""
        found = self.containers()
        return {
            name: found[name].attrs["State"].get("Health", {}).get("Status") == "healthy"
            if name in found
            else False
            for name in self._service_names()
        }

    def endpoints(self) -> dict[str, str]:
        """Each node's gRPC endpoint as published on the host (``127.0.0.1:PORT``)."""
        return {name: self.ports.address(name) for name in self.node_names()}

    def status(self, with_heights: bool = True) -> list[NodeStatus]:
        """Every node: container PID (on the host), running, ports and channel heights."""
        found = self.containers()
        statuses = []
        for name in self.node_names():
            container = found.get(name)
            pid = int(container.attrs["State"]["Pid"]) if container is not None else 0
            running = container is not None and container.status == "running"
            status = NodeStatus(
                name,
                "orderer" if self.is_orderer(name) else "peer",
                pid or None,
                running,
                dict(self.ports.nodes[name]),
            )
            if running and with_heights:
                status.heights = self.channel_heights(name)
            statuses.append(status)
        return statuses

    def stop(self, progress: Progress = _quiet, grace: float = 10.0) -> list[str]:
        """Stop every running container (chaincode servers, peers, then orderers); the
        containers and their volumes (ledgers) stay."""
        found = self.containers()
        chaincodes = [chaincode_container(self.topology, name) for name in self.chaincodes]
        peers = [name for name in self.node_names() if not self.is_orderer(name)]
        orderers = list(self.topology.orderer_org.orderer_names)
        stopped = []
        for name in [*chaincodes, *peers, *orderers]:
            container = found.get(name)
            if container is not None and container.status == "running":
                container.stop(timeout=int(grace))
                stopped.append(name)
                progress(f"stopped {name}")
        return stopped

    def start(self, progress: Progress = _quiet) -> None:
        """Start the stopped containers (orderers, peers, chaincode servers) and wait until
        each is healthy.

        Raises:
            DockerRuntimeError: a container is missing or did not come back.
        """
        found = self.containers()
        order = self._service_names()
        missing = [name for name in order if name not in found]
        if missing:
            raise DockerRuntimeError(
                f"container {missing[0]} is gone; 'fabric-pilot network down' and up again"
            )
        for name in order:
            if found[name].status != "running":
                progress(f"starting {name}")
                found[name].start()
        self.wait_healthy(order)

    def down(self, progress: Progress = _quiet, keep_logs: bool = False) -> list[str]:
        """Remove every container, volume and network of the project, then what fabric-pilot
        wrote in the folder (see :meth:`.network.FabricNetwork.down`)."""
        if (self.directory / "compose.yaml").exists():
            progress(f"removing containers, volumes and network of {self.project}")
            self.compose("down", "--volumes", "--remove-orphans", "--timeout", "10")
        self._remove_leftovers()
        return super().down(progress, keep_logs)

    def _remove_leftovers(self) -> None:
        """Whatever compose left of the project (e.g. created by an interrupted up)."""
        selector = {"label": f"{PROJECT_LABEL}={self.project}"}
        for container in self.client.containers.list(all=True, filters=selector):
            container.remove(force=True, v=True)
        for volume in self.client.volumes.list(filters=selector):
            volume.remove(force=True)
        for network in self.client.networks.list(filters=selector):
            network.remove()

    def leftovers(self) -> dict[str, list[str]]:
        """Containers, volumes and networks still labelled with this project."""
        selector = {"label": f"{PROJECT_LABEL}={self.project}"}
        return {
            "containers": [c.name for c in self.client.containers.list(all=True, filters=selector)],
            "volumes": [v.name for v in self.client.volumes.list(filters=selector)],
            "networks": [n.name for n in self.client.networks.list(filters=selector)],
        }

    def log_tail(self, name: str, lines: int = 40) -> str:
        """The last lines of a node's or chaincode server's container output.

        Raises:
            NetworkError: no such container in this project.
        """
        container = self.containers().get(self.container_name(name))
        if container is None:
            known = ", ".join(self._service_names()) or "none"
            raise UnknownProcessError(f"no process called {name!r} (known: {known})")
        return str(container.logs(tail=lines).decode(errors="replace")).rstrip("\n")

    def follow_logs(self, name: str) -> Iterator[str]:
        """New output lines of a container as they come (until interrupted)."""
        container = self.containers().get(self.container_name(name))
        if container is None:
            raise UnknownProcessError(f"no process called {name!r}")
        for chunk in container.logs(stream=True, follow=True, tail=0):
            yield chunk.decode(errors="replace")


def _wait_port(port: int, deadline: float, name: str) -> None:
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        if time.monotonic() > deadline:
            raise DockerRuntimeError(f"{name} not listening on 127.0.0.1:{port} in time")
        time.sleep(0.2)
