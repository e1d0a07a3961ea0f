"""A Fabric network of native processes in one folder: up, status, stop, start, down.

``FabricNetwork.create(...)`` plans a network (topology, port plan, Fabric home, folder);
``up()`` generates crypto, configtx and node configs, starts orderers and peers, waits for
each node's ``/healthz``, creates every channel through the orderers' channel participation
API and joins the peers. The state lives in ``DIR/network.json`` so any later process (the CLI,
a test) can ``FabricNetwork.load(DIR)`` and stop exactly the processes that were started.
"""

from __future__ import annotations

import copy
import json
import logging
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .admin import AdminTools
from .commands import (
    Command,
    CommandError,
    CommandResult,
    Runner,
    clean_environment,
    orderer_unreachable,
    run_command,
)
from .configtx import channel_block_command, configtx_document
from .crypto import CryptoLayout, cryptogen_command, cryptogen_spec
from .errors import NetworkError, NetworkExistsError, NoNetworkError, UnknownProcessError
from .fabric_home import FabricHome
from .file_modes import make_private
from .folder import FolderNotEmptyError, NetworkFolder
from .nodeconfig import orderer_config, peer_config, write_yaml
from .operations import metric_value, read_metrics
from .ports import PortClashError, PortPlan, busy_ports, plan_ports
from .processes import (
    GroupTable,
    ProcessRecord,
    group_members,
    group_table,
    is_healthy,
    is_running,
    spawn,
    stop_in_phases,
    tail,
    wait_healthy,
    wait_listening,
)
from .profiles import write_profiles
from .role_certificates import issue_role_certificates
from .topology import Topology, load_topology

__all__ = ["FabricNetwork", "FolderNotEmptyError", "NetworkError", "NodeStatus", "Progress"]

_log = logging.getLogger(__name__)
STATE_FILE = "network.json"
CHAINCODE_PREFIX = "chaincode-"
Progress = Callable[[str], None]


@dataclass
class NodeStatus:
    """One node as ``network status`` shows it."""

    name: str
    kind: str
    pid: int | None
    running: bool
    ports: dict[str, int]
    heights: dict[str, int] = field(default_factory=dict)
    pids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``pids``: every live process of the node's process group)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "pid": self.pid,
            "running": self.running,
            "ports": self.ports,
            "heights": self.heights,
            "pids": self.pids,
        }


def _quiet(_message: str) -> None:
    pass


class FabricNetwork:
    """One network folder and the processes running from it.

    This class is the native runtime; :class:`.docker_runtime.DockerNetwork` overrides the
    runtime part (see :class:`.runtime.Runtime`) to run the same nodes as containers.
    """

    runtime = "native"

    def __init__(
        self,
        directory: Path,
        topology: Topology,
        home: FabricHome,
        ports: PortPlan,
        runner: Runner = run_command,
    ) -> None:
        self.directory = directory.resolve()
        self.topology = topology
        self.home = home
        self.ports = ports
        self.runner = runner
        self.layout = CryptoLayout(self.directory / "crypto", topology)
        self.admin = AdminTools(home, topology, self.layout, ports, self.directory / "nodes")
        self.processes: dict[str, ProcessRecord] = {}
        self.chaincodes: dict[str, Any] = {}
        # Guards the state (and chaincode port choice) when deploys run in parallel threads.
        self.lock = threading.RLock()
        self.reserved_chaincode_ports: set[int] = set()

    # ----------------------------------------------------------------- construction

    @classmethod
    def create(
        cls,
        directory: Path,
        topology: Topology,
        home: FabricHome,
        base_port: int = 7050,
        runner: Runner = run_command,
    ) -> FabricNetwork:
        """Plan a new network in ``directory`` (nothing is written until :meth:`up`)."""
        ports = plan_ports(topology, base_port, with_ca=topology.crypto == "fabric-ca")
        return cls(directory, topology, home, ports, runner)

    @classmethod
    def load(cls, directory: Path, runner: Runner = run_command) -> FabricNetwork:
        """Open the network that ``up`` made in ``directory``.

        Raises:
            NetworkError: there is no network in ``directory``.
        """
        state_file = directory / STATE_FILE
        if not state_file.exists():
            raise NoNetworkError(f"no network in {directory} (run 'fabric-pilot network up')")
        state = json.loads(state_file.read_text(encoding="utf-8"))
        if state.get("runtime", "native") != cls.runtime:
            from .docker_runtime import DockerNetwork

            if state.get("runtime") == DockerNetwork.runtime:
                return DockerNetwork.load(directory, runner)
        topology = load_topology(directory / "topology.yaml")
        topology = topology.with_crypto(state["crypto"])
        home = FabricHome(
            Path(state["home"]["bin_dir"]),
            Path(state["home"]["config_dir"]),
            Path(state["home"]["ccaas_builder_dir"]),
            Path(state["home"]["ca_bin_dir"]) if state["home"]["ca_bin_dir"] else None,
        )
        network = cls.create(directory, topology, home, state["base_port"], runner)
        network.processes = {
            name: ProcessRecord.from_json(record) for name, record in state["processes"].items()
        }
        network.chaincodes = state.get("chaincodes", {})
        return network

    def save(self) -> None:
        """Write ``network.json``."""
        state = {
            "topology": self.topology.name,
            "runtime": self.runtime,
            "crypto": self.topology.crypto,
            "base_port": self.ports.base_port,
            "home": {
                "bin_dir": str(self.home.bin_dir),
                "config_dir": str(self.home.config_dir),
                "ccaas_builder_dir": str(self.home.ccaas_builder_dir),
                "ca_bin_dir": str(self.home.ca_bin_dir) if self.home.ca_bin_dir else None,
            },
            "processes": {name: record.to_json() for name, record in self.processes.items()},
            "chaincodes": self.chaincodes,
        }
        with self.lock:
            tmp = self.directory / (STATE_FILE + ".tmp")
            tmp.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
            tmp.replace(self.directory / STATE_FILE)
            NetworkFolder(self.directory).claim()

    # ----------------------------------------------------------------- helpers

    def run(self, command: Command) -> CommandResult:
        """Run one tool call through this network's runner."""
        return self.runner(command)

    def node_names(self) -> list[str]:
        """Orderers, then peers, in topology order."""
        peers = [peer for org in self.topology.orgs for peer in org.peer_names]
        return [*self.topology.orderer_org.orderer_names, *peers]

    def is_orderer(self, name: str) -> bool:
        """Whether ``name`` is one of the orderers."""
        return name in self.topology.orderer_org.orderer_names

    def log_file(self, name: str) -> Path:
        """Where a node's output goes."""
        return self.directory / "logs" / f"{name}.log"

    def is_running(self) -> bool:
        """Whether any process of this network is running."""
        return any(is_running(record) for record in self.processes.values())

    def orderers_by_preference(self) -> list[str]:
        """The orderers, those whose process runs first (topology order otherwise)."""
        names = self.topology.orderer_org.orderer_names
        return sorted(names, key=lambda name: not self.node_running(name))

    def run_through_orderer(
        self, build: Callable[[str], Command], *, wait: float = 30.0
    ) -> CommandResult:
        """Run a tool call that talks to an orderer through any orderer that answers.

        ``build(orderer)`` makes the call for one orderer. An orderer that cannot be reached,
        or has no Raft leader yet, is skipped; with 2 of 3 Raft orderers up the channel keeps
        its quorum, so the call goes through another one. Rounds repeat (a new leader takes
        a few seconds to be elected) until ``wait`` seconds have passed.

        Raises:
            CommandError: the call failed for another reason, or no orderer answered.
        """
        deadline = time.monotonic() + wait
        while True:
            last: CommandError | None = None
            for orderer in self.orderers_by_preference():
                try:
                    return self.run(build(orderer))
                except CommandError as exc:
                    if not orderer_unreachable(exc):
                        raise
                    last = exc
            assert last is not None  # a topology has at least one orderer
            if time.monotonic() >= deadline:
                raise last
            time.sleep(0.5)

    def node_running(self, name: str) -> bool:
        """True when the process recorded for ``name`` (node, CA, chaincode server) runs."""
        record = self.processes.get(name)
        return record is not None and is_running(record)

    # ----------------------------------------------------------------- up

    def up(self, progress: Progress = _quiet, source_topology: Path | None = None) -> None:
        """Generate everything, start every node, create and join every channel.

        The folder must be new, empty, or left by an earlier ``up`` of fabric-pilot; on any
        failure or interruption every process started so far is stopped, the generated data is
        removed (logs are kept) and the error is raised again.

        Raises:
            NetworkError: a step or node failed; the message includes the node's log tail.
            FolderNotEmptyError: the folder holds files fabric-pilot did not write.
            PortClashError: a port of the plan is taken.
        """
        if (self.directory / STATE_FILE).exists():
            raise NetworkExistsError(
                f"{self.directory} already holds a network; run 'fabric-pilot network down' first"
            )
        self.home.check(with_ca=self.topology.crypto == "fabric-ca")
        taken = busy_ports(self.ports.all_ports())
        if taken:
            raise PortClashError(
                f"port {taken[0]} is already in use on 127.0.0.1"
                f" (choose another --base-port; this network needs"
                f" {self.ports.base_port}-{max(self.ports.all_ports())})"
            )
        NetworkFolder(self.directory).prepare()
        self.directory.chmod(0o700)  # keys of every org live below: private from the start
        try:
            self._up(progress, source_topology)
        except BaseException:
            progress("start-up failed: stopping what was started")
            NetworkFolder(self.directory).claim()  # all written by this up, saved or not
            self.down(keep_logs=True)
            raise

    def _up(self, progress: Progress, source_topology: Path | None) -> None:
        started = time.monotonic()
        self._write_topology(source_topology)
        progress("generating crypto material")
        self._generate_crypto()
        progress("writing channel and node configuration")
        (self.directory / "config").mkdir(exist_ok=True)
        (self.directory / "config" / "configtx.yaml").write_text(
            self._configtx_document(), encoding="utf-8"
        )
        self._write_node_configs()
        self.save()
        progress("starting orderers and peers")
        self._start_nodes()
        names = [channel.name for channel in self.topology.channels]
        progress(f"creating channel{'s' if len(names) > 1 else ''} {', '.join(names)}")
        with ThreadPoolExecutor(max_workers=4) as pool:
            for future in [pool.submit(self._create_channel, name) for name in names]:
                future.result()
        write_profiles(self)
        self.save()
        make_private(self.directory)
        progress(f"network {self.topology.name} is up in {time.monotonic() - started:.1f}s")

    def _configtx_document(self) -> str:
        return configtx_document(self.topology, self.layout, self.ports)

    def _write_topology(self, source: Path | None) -> None:
        target = self.directory / "topology.yaml"
        if source is not None:
            shutil.copyfile(source, target)
            return
        from .topology import topology_directory

        shutil.copyfile(topology_directory() / f"{self.topology.name}.yaml", target)

    def _generate_crypto(self) -> None:
        if self.topology.crypto == "fabric-ca":
            from .fabric_ca import generate_with_fabric_ca

            generate_with_fabric_ca(self)
            return
        spec_file = self.directory / "config" / "crypto-config.yaml"
        spec_file.parent.mkdir(parents=True, exist_ok=True)
        spec_file.write_text(cryptogen_spec(self.topology), encoding="utf-8")
        self.run(cryptogen_command(self.home, spec_file, self.layout.root))
        issue_role_certificates(self.layout)

    def _write_node_configs(self) -> None:
        core = yaml.safe_load((self.home.config_dir / "core.yaml").read_text(encoding="utf-8"))
        orderer_sample = yaml.safe_load(
            (self.home.config_dir / "orderer.yaml").read_text(encoding="utf-8")
        )
        orderer_org = self.topology.orderer_org
        for host in orderer_org.orderer_names:
            document = orderer_config(
                copy.deepcopy(orderer_sample),
                host=host,
                msp_id=orderer_org.msp_id,
                layout=self.layout,
                ports=self.ports,
                data_dir=self.directory / "data" / host,
            )
            write_yaml(self.directory / "nodes" / host / "orderer.yaml", document)
        for org in self.topology.orgs:
            for host in org.peer_names:
                document = peer_config(
                    copy.deepcopy(core),
                    host=host,
                    msp_id=org.msp_id,
                    network=f"fabric-pilot-{self.topology.name}",
                    layout=self.layout,
                    ports=self.ports,
                    data_dir=self.directory / "data" / host,
                    ccaas_builder_dir=self.home.ccaas_builder_dir,
                )
                write_yaml(self.directory / "nodes" / host / "core.yaml", document)

    def _spawn_node(self, name: str) -> ProcessRecord:
        tool = "orderer" if self.is_orderer(name) else "peer"
        argv = (
            [self.home.tool(tool)]
            if tool == "orderer"
            else [self.home.tool("peer"), "node", "start"]
        )
        env = clean_environment({"FABRIC_CFG_PATH": str(self.directory / "nodes" / name)})
        record = spawn(name, argv, env, self.log_file(name))
        self.processes[name] = record
        return record

    def _health_url(self, name: str) -> str:
        return f"https://{self.ports.address(name, 'operations')}/healthz"

    def _wait_node(self, name: str) -> None:
        ca_file = self.layout.node_dir(name) / "tls" / "ca.crt"
        record = self.processes[name]
        try:
            wait_healthy(record, self._health_url(name), ca_file)
            # /healthz answers before the gRPC listener is up; clients need the latter.
            wait_listening(record, self.ports.port(name, "listen"))
        except RuntimeError as exc:
            raise NetworkError(str(exc)) from exc

    def _start_nodes(self) -> None:
        for name in self.node_names():
            self._spawn_node(name)
        self.save()
        with ThreadPoolExecutor(max_workers=4) as pool:
            for future in [pool.submit(self._wait_node, name) for name in self.node_names()]:
                future.result()

    def _create_channel(self, channel: str) -> None:
        block = self.directory / "channels" / f"{channel}.block"
        block.parent.mkdir(exist_ok=True)
        self.run(channel_block_command(self.home, self.directory / "config", channel, block))
        for orderer in self.topology.orderer_org.orderer_names:
            self.run(self.admin.orderer_join(orderer, channel, block))
        self.wait_for_leader(channel)
        for peer in self.topology.channel_peers(channel):
            self._join_peer(peer, block)

    def _join_peer(self, peer: str, block: Path) -> None:
        for attempt in range(20):
            try:
                self.run(self.admin.peer_join(peer, block))
                return
            except CommandError:
                if attempt == 19:
                    raise
                time.sleep(0.5)

    def orderer_metric(self, orderer: str, name: str, channel: str) -> float | None:
        """One Prometheus metric of an orderer for ``channel`` (None when not reported)."""
        admin_tls = self.layout.user_dir(self.topology.orderer_org.name, "Admin") / "tls"
        metrics = read_metrics(
            self.ports.address(orderer, "operations"),
            self.layout.node_dir(orderer) / "tls" / "ca.crt",
            admin_tls / "client.crt",
            admin_tls / "client.key",
        )
        return metric_value(metrics, name, channel)

    def raft_leaders(self, channel: str) -> list[str]:
        """The orderers that currently consider themselves Raft leader of ``channel`` (an
        orderer that is down or does not answer is not one)."""
        leaders = []
        for orderer in self.topology.orderer_org.orderer_names:
            try:
                value = self.orderer_metric(orderer, "consensus_etcdraft_is_leader", channel)
            except OSError:
                continue
            if value == 1:
                leaders.append(orderer)
        return leaders

    def wait_for_leader(self, channel: str, timeout: float = 30.0) -> str:
        """Wait until ``channel`` has a Raft leader, so the orderers accept transactions.

        Raises:
            NetworkError: no leader was elected in time.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            leaders = self.raft_leaders(channel)
            if len(leaders) == 1:
                return leaders[0]
            time.sleep(0.1)
        orderer = self.topology.orderer_org.orderer_names[0]
        raise NetworkError(
            f"channel {channel}: no Raft leader after {timeout:.0f}s\n{self.log_tail(orderer, 15)}"
        )

    # ----------------------------------------------------------------- status, stop, start, down

    def status(self, with_heights: bool = True) -> list[NodeStatus]:
        """Every process the network started: orderers, peers, CA servers, chaincode servers.

        Each with its PID, liveness, ports and (nodes, when running) channel heights. A
        chaincode server runs when its keeper and the server under it are both alive.
        """
        names = [*self.node_names(), *(n for n in self.processes if n not in self.node_names())]
        table = group_table()
        statuses = []
        for name in names:
            status = self._process_status(name, table)
            if status.running and with_heights and status.kind in ("orderer", "peer"):
                status.heights = self.channel_heights(name)
            statuses.append(status)
        return statuses

    def process_kind(self, name: str) -> str:
        """``orderer``, ``peer``, ``chaincode`` or ``ca`` for a process of this network."""
        if name in self.node_names():
            return "orderer" if self.is_orderer(name) else "peer"
        return "chaincode" if name.startswith(CHAINCODE_PREFIX) else "ca"

    def _process_ports(self, name: str, kind: str) -> dict[str, int]:
        if kind == "chaincode":
            entry = self.chaincodes.get(name.removeprefix(CHAINCODE_PREFIX), {})
            return {"listen": int(entry["port"])} if "port" in entry else {}
        return dict(self.ports.nodes.get(name, {}))

    def _process_status(self, name: str, table: GroupTable) -> NodeStatus:
        kind = self.process_kind(name)
        record = self.processes.get(name)
        members = group_members(record, table) if record else []
        running = bool(members) and members[0].pid == (record.pid if record else None)
        if kind == "chaincode":
            running = running and len(members) > 1  # the keeper and its server
        return NodeStatus(
            name,
            kind,
            record.pid if record else None,
            running,
            self._process_ports(name, kind),
            pids=sorted(member.pid for member in members),
        )

    def channels_of(self, node: str) -> list[str]:
        """Channels a node takes part in."""
        if self.is_orderer(node):
            return [channel.name for channel in self.topology.channels]
        org = next(org for org in self.topology.orgs if node in org.peer_names)
        return self.topology.channels_of_org(org.name)

    def channel_heights(self, node: str) -> dict[str, int]:
        """Block height of each of the node's channels, as the node reports it."""
        heights = {}
        for channel in self.channels_of(node):
            try:
                heights[channel] = self.channel_height(node, channel)
            except (CommandError, ValueError, KeyError):
                heights[channel] = -1
        return heights

    def channel_height(self, node: str, channel: str) -> int:
        """The block height of ``channel`` as ``node`` reports it.

        Raises:
            CommandError: the node did not answer.
        """
        if self.is_orderer(node):
            output = self.run(self.admin.orderer_channel_info(node, channel)).stdout
            return int(json.loads(output[output.index("{") :])["height"])
        output = self.run(self.admin.peer_channel_info(node, channel)).stdout
        return int(json.loads(output[output.index("{") :])["height"])

    def stop(self, progress: Progress = _quiet, grace: float = 10.0) -> list[str]:
        """Stop every process of the network, each with its whole process group.

        Orderers and peers get SIGTERM at once; chaincode servers and CA servers get theirs as
        soon as the nodes are gone, so no peer still holds a stream a chaincode server would
        wait for. Whatever is alive ``grace`` seconds after the start is killed. Ledgers are
        kept.

        Returns:
            The names of the processes that were running (or had live processes in their
            group, such as a chaincode server whose keeper was killed).
        """
        stopped = [record.name for record in stop_in_phases(self._stop_phases(), grace)]
        for name in stopped:
            progress(f"stopped {name}")
        return stopped

    def _stop_phases(self) -> list[list[ProcessRecord]]:
        nodes = set(self.node_names())
        first = [record for name, record in self.processes.items() if name in nodes]
        then = [record for name, record in self.processes.items() if name not in nodes]
        return [first, then]

    def start(self, progress: Progress = _quiet) -> None:
        """Start what is stopped of an existing network and wait until it really works.

        CA servers first, then orderers, peers and chaincode servers together. Returns once
        every node is healthy and listening, every chaincode server is serving on its own
        port, and every channel has a Raft leader (so the first submit succeeds).

        Raises:
            NetworkError: a node did not come back or a channel has no leader.
            ChaincodeError: a chaincode server did not come up (for example: its port is taken).
        """
        from .chaincode import spawn_chaincode_servers, wait_chaincode_servers
        from .fabric_ca import start_ca_servers

        self._stop_orphans(progress)
        start_ca_servers(self, progress)
        for name in self.node_names():
            if not self.node_running(name):
                progress(f"starting {name}")
                self._spawn_node(name)
        servers = spawn_chaincode_servers(self, progress)
        self.save()
        with ThreadPoolExecutor(max_workers=4) as pool:
            for future in [pool.submit(self._wait_node, name) for name in self.node_names()]:
                future.result()
        wait_chaincode_servers(self, servers)
        for channel in self.topology.channels:
            progress(f"waiting for a Raft leader on {channel.name}")
            self.wait_for_leader(channel.name)
        make_private(self.directory)

    def _stop_orphans(self, progress: Progress) -> None:
        """Stop what is left of groups whose leader died (a killed keeper's server, say)."""
        table = group_table()
        orphaned = [
            record
            for record in self.processes.values()
            if not is_running(record) and group_members(record, table)
        ]
        for record in stop_in_phases([orphaned], grace=2.0):
            progress(f"stopped what was left of {record.name}")

    def down(self, progress: Progress = _quiet, keep_logs: bool = False) -> list[str]:
        """Stop every process this network started and delete what fabric-pilot wrote.

        Files that fabric-pilot did not write stay, and so does the folder then.

        Returns:
            The names of the entries left in the folder that fabric-pilot did not write.
        """
        self.stop(progress)
        self.processes.clear()
        kept = NetworkFolder(self.directory).remove(keep_logs)
        if kept:
            progress(f"kept what fabric-pilot did not write in {self.directory}: {', '.join(kept)}")
        return kept

    def health(self) -> dict[str, bool]:
        """Each node: whether its process runs and its operations ``/healthz`` answers 200."""
        healthy = {}
        for name in self.node_names():
            healthy[name] = self.node_running(name) and is_healthy(
                self._health_url(name), self.layout.node_dir(name) / "tls" / "ca.crt"
            )
        return healthy

    def endpoints(self) -> dict[str, str]:
        """Each node's gRPC endpoint on the host (``127.0.0.1:PORT``)."""
        return {name: self.ports.address(name) for name in self.node_names()}

    def chaincode_address(self, name: str, port: int) -> str:
        """Where peers reach chaincode ``name``'s server (natively: loopback)."""
        return f"127.0.0.1:{port}"

    def chaincode_tls_names(self, name: str) -> list[str]:
        """Host names the chaincode server certificate needs besides loopback (none here)."""
        return []

    def start_chaincode_server(self, name: str, entry: dict[str, Any]) -> ProcessRecord | None:
        """Start (or restart) chaincode ``name``'s server as a supervised native process;
        the caller waits until it serves (returns its record)."""
        from .chaincode import start_server

        return start_server(self, name, entry)

    def log_tail(self, name: str, lines: int = 40) -> str:
        """The last lines of a node's log.

        Raises:
            NetworkError: there is no such node or process.
        """
        record = self.processes.get(name)
        if record is None:
            known = ", ".join(self.processes) or "none"
            raise UnknownProcessError(f"no process called {name!r} (known: {known})")
        return tail(record, lines)
