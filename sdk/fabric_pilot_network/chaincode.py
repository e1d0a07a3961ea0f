"""Chaincode-as-a-service deployment on a running network.

``deploy`` = package → install on every peer of the channel's organisations → start the chaincode
server (supervised, mutual TLS with the peers) → approve for each organisation → check commit
readiness → commit → wait until the chaincode answers. Upgrades bump the sequence and keep state.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .chaincode_definitions import ChaincodeDefinition
from .chaincode_tls import ChaincodeTLS, ensure_chaincode_tls
from .commands import Command, CommandError, clean_environment
from .errors import ChaincodeError, ChannelNotInNetworkError
from .file_modes import make_private
from .packaging import ccaas_package, package_id, write_package
from .processes import (
    ProcessRecord,
    failure_summary,
    is_running,
    port_holder,
    serving_on,
    spawn,
    stop,
    tail,
)

if TYPE_CHECKING:
    from .network import FabricNetwork

__all__ = [
    "ChaincodeError",
    "DeployResult",
    "deploy",
    "deploy_many",
    "list_chaincodes",
    "restart_chaincode_servers",
    "spawn_chaincode_servers",
    "start_server",
    "wait_chaincode_servers",
]

Progress = Callable[[str], None]
_METADATA_CALL = '{"Args":["org.hyperledger.fabric:GetMetadata"]}'


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did."""

    name: str
    channel: str
    version: str
    sequence: int
    package_id: str
    address: str
    seconds: float

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``seconds`` rounded to tenths, as people read it)."""
        return {**self.__dict__, "seconds": round(self.seconds, 1)}


def _quiet(_message: str) -> None:
    pass


class _Deployment:
    """One deploy run: the definition, the network and the commands it needs."""

    def __init__(self, network: FabricNetwork, definition: ChaincodeDefinition) -> None:
        self.network = network
        self.definition = definition
        try:
            self.channel = network.topology.channel(definition.channel)
        except KeyError:
            known = ", ".join(ch.name for ch in network.topology.channels)
            raise ChannelNotInNetworkError(
                f"{definition.name}: channel {definition.channel!r} is not in this network"
                f" (channels: {known})"
            ) from None
        self.peers = network.topology.channel_peers(self.channel.name)
        self.org_peers = [network.topology.org(org).peer_names[0] for org in self.channel.orgs]
        self.folder = network.directory / "chaincode" / definition.name
        self.tls: ChaincodeTLS = ensure_chaincode_tls(
            network.directory / "chaincode" / "tls", network.chaincode_tls_names(definition.name)
        )

    def run(self, command: Command, step: str) -> str:
        try:
            return self.network.run(command).stdout
        except CommandError as exc:
            raise ChaincodeError(f"{self.definition.name}: {step}: {exc}") from exc

    def port(self) -> int:
        entry = self.network.chaincodes.get(self.definition.name)
        if entry:
            return int(entry["port"])
        used = {int(entry["port"]) for entry in self.network.chaincodes.values()}
        used |= self.network.reserved_chaincode_ports
        free = [port for port in self.network.ports.chaincode if port not in used]
        if not free:
            raise ChaincodeError("no chaincode server port left in this network's port plan")
        return free[0]

    def committed_sequence(self) -> int:
        command = self.network.admin.peer(
            self.org_peers[0],
            "lifecycle", "chaincode", "querycommitted",
            "-C", self.channel.name, "-n", self.definition.name, "--output", "json",
        )  # fmt: skip
        try:
            output = self.network.run(command).stdout
        except CommandError:
            return 0
        return int(json.loads(output).get("sequence", 0))

    def install(self, package_file: Path) -> None:
        def install_on(peer: str) -> None:
            command = self.network.admin.peer(
                peer, "lifecycle", "chaincode", "install", str(package_file)
            )
            try:
                self.network.run(command)
            except CommandError as exc:
                if "already successfully installed" not in str(exc.result.stderr):
                    raise ChaincodeError(
                        f"{self.definition.name}: install on {peer}: {exc}"
                    ) from exc

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(install_on, self.peers))

    def definition_args(self, sequence: int) -> list[str]:
        args = [
            "--channelID", self.channel.name,
            "--name", self.definition.name,
            "--version", self.definition.version,
            "--sequence", str(sequence),
        ]  # fmt: skip
        if self.definition.endorsement_policy:
            args += ["--signature-policy", self.definition.endorsement_policy]
        collections = self.definition.collections_json()
        if collections:
            path = self.folder / "collections.json"
            path.write_text(collections, encoding="utf-8")
            args += ["--collections-config", str(path)]
        return args

    def run_through_orderer(self, build: Callable[[str], Command], step: str) -> str:
        """Run a call that reaches an orderer through any orderer that answers."""
        try:
            return self.network.run_through_orderer(build).stdout
        except CommandError as exc:
            raise ChaincodeError(f"{self.definition.name}: {step}: {exc}") from exc

    def approve(self, identifier: str, sequence: int) -> None:
        admin = self.network.admin

        def approve_for(peer: str) -> None:
            def command(orderer: str) -> Command:
                return admin.peer(
                    peer,
                    "lifecycle", "chaincode", "approveformyorg",
                    *admin.orderer_address_args(orderer), *self.definition_args(sequence),
                    "--package-id", identifier, "--waitForEventTimeout", "60s",
                )  # fmt: skip

            self.run_through_orderer(command, f"approve on {peer}")

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(approve_for, self.org_peers))

    def check_readiness(self, sequence: int) -> None:
        command = self.network.admin.peer(
            self.org_peers[0],
            "lifecycle", "chaincode", "checkcommitreadiness",
            *self.definition_args(sequence), "--output", "json",
        )  # fmt: skip
        approvals = json.loads(self.run(command, "check commit readiness"))["approvals"]
        missing = sorted(msp for msp, approved in approvals.items() if not approved)
        if missing:
            raise ChaincodeError(f"{self.definition.name}: not approved by {', '.join(missing)}")

    def commit(self, sequence: int) -> None:
        targets: list[str] = []
        for peer in self.org_peers:
            targets += [
                "--peerAddresses", self.network.ports.address(peer),
                "--tlsRootCertFiles",
                str(self.network.layout.node_dir(peer) / "tls" / "ca.crt"),
            ]  # fmt: skip
        admin = self.network.admin

        def command(orderer: str) -> Command:
            return admin.peer(
                self.org_peers[0],
                "lifecycle", "chaincode", "commit",
                *admin.orderer_address_args(orderer), *self.definition_args(sequence),
                *targets, "--waitForEventTimeout", "60s",
            )  # fmt: skip

        self.run_through_orderer(command, "commit")

    def wait_callable(self, timeout: float = 60.0) -> None:
        """Wait until every peer of the channel runs the chaincode (peers queried in parallel).

        Raises:
            ChaincodeError: a peer could not call it in time.
        """
        deadline = time.monotonic() + timeout

        def callable_on(peer: str) -> str:
            command = self.network.admin.peer(
                peer, "chaincode", "query",
                "-C", self.channel.name, "-n", self.definition.name, "-c", _METADATA_CALL,
            )  # fmt: skip
            last = ""
            while time.monotonic() < deadline:
                try:
                    self.network.run(command)
                    return ""
                except CommandError as exc:
                    last = str(exc)
                time.sleep(0.3)
            return last

        with ThreadPoolExecutor(max_workers=4) as pool:
            failures = [failure for failure in pool.map(callable_on, self.peers) if failure]
        if failures:
            raise ChaincodeError(
                f"{self.definition.name}: not callable after {timeout:.0f}s: {failures[0]}"
            )

    def wait_ready(self) -> None:
        """Callable on every peer and discoverable by every org (both checked at once)."""
        with ThreadPoolExecutor(max_workers=2) as pool:
            for future in [pool.submit(self.wait_callable), pool.submit(self.wait_discoverable)]:
                future.result()

    def wait_discoverable(self, timeout: float = 60.0) -> None:
        """Wait until every org's peer can plan endorsements (gossip has spread the news).

        The Gateway plans endorsements from discovery; until each peer knows the other
        organisations' peers have the chaincode, submits fail with FAILED_PRECONDITION.
        """
        deadline = time.monotonic() + timeout
        pending = list(self.org_peers)
        last = ""
        while pending and time.monotonic() < deadline:
            command = self.network.admin.discover_endorsers(
                pending[0], self.channel.name, self.definition.name
            )
            try:
                self.network.run(command)
                pending.pop(0)
            except CommandError as exc:
                last = str(exc)
                time.sleep(0.3)
        if pending:
            raise ChaincodeError(
                f"{self.definition.name}: {pending[0]} cannot plan endorsements: {last}"
            )


def _server_command(server: str) -> list[str]:
    return [
        sys.executable, "-m", "fabric_pilot_network.keeper", "--",
        sys.executable, "-m", "fabric_pilot_chaincode", "serve", server,
    ]  # fmt: skip


def start_server(network: FabricNetwork, name: str, entry: dict[str, Any]) -> ProcessRecord:
    """Start (or restart) chaincode ``name``'s server as a supervised native process."""
    process_name = f"chaincode-{name}"
    old = network.processes.get(process_name)
    if old is not None:
        stop(old, grace=2.0)
    tls = ChaincodeTLS(network.directory / "chaincode" / "tls")
    env = clean_environment(
        {
            "CHAINCODE_SERVER_ADDRESS": f"127.0.0.1:{entry['port']}",
            "CHAINCODE_ID": entry["package_id"],
            "CHAINCODE_TLS_CERT_FILE": str(tls.server_cert),
            "CHAINCODE_TLS_KEY_FILE": str(tls.server_key),
            "CHAINCODE_TLS_CLIENT_CACERT_FILE": str(tls.ca_cert),
            "PYTHONUNBUFFERED": "1",
            **(
                {"CHAINCODE_MAX_CLOCK_SKEW": f"{entry['max_clock_skew']:g}"}
                if entry.get("max_clock_skew") is not None
                else {}
            ),
        }
    )
    log_file = network.log_file(process_name)
    offset = log_file.stat().st_size if log_file.exists() else 0
    record = spawn(process_name, _server_command(entry["server"]), env, log_file)
    network.processes[process_name] = record
    _LOG_OFFSETS[process_name] = offset
    return record


_LOG_OFFSETS: dict[str, int] = {}
_RESTARTED = "keeper: "  # the keeper's line when the server exited unasked


def _log_since(record: ProcessRecord) -> str:
    try:
        with open(record.log_file, "rb") as handle:
            handle.seek(_LOG_OFFSETS.get(record.name, 0))
            return handle.read().decode(errors="replace")
    except OSError:
        return ""


def _server_failure(record: ProcessRecord, port: int, reason: str) -> ChaincodeError:
    stop(record, grace=2.0)
    log = _log_since(record)
    lines = [line for line in log.splitlines() if "ERROR" in line or line.startswith(_RESTARTED)]
    holder = port_holder(port)
    taken = f"; port {port} is in use by {holder}" if holder else ""
    detail = "\n".join(lines[-3:]) or failure_summary(record) or tail(record, 5)
    return ChaincodeError(
        f"chaincode server {record.name.removeprefix('chaincode-')} did not come up on"
        f" 127.0.0.1:{port}: {reason}{taken} (stopped it; log {record.log_file}):\n{detail}"
    )


def wait_serving(record: ProcessRecord, port: int, timeout: float = 30.0) -> None:
    """Wait until the chaincode server under ``record``'s keeper listens on ``port``.

    Something else listening on the port does not count, and a server that exits during
    start-up (the keeper restarting it, say on "address in use") is a failure at once.

    Raises:
        ChaincodeError: the server exited or did not listen in time; the keeper is stopped.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(record):
            raise _server_failure(record, port, "its keeper exited")
        if _RESTARTED in _log_since(record):
            raise _server_failure(record, port, "it exited during start-up")
        if serving_on(record, port):
            return
        time.sleep(0.05)
    raise _server_failure(record, port, f"not listening after {timeout:.0f}s")


def deploy(
    network: FabricNetwork, definition: ChaincodeDefinition, progress: Progress = _quiet
) -> DeployResult:
    """Deploy (or upgrade) ``definition`` on ``network``.

    Raises:
        ChaincodeError: a lifecycle step failed; the message names the step and peer.
    """
    started = time.monotonic()
    with network.lock:  # parallel deploys: one TLS material, distinct ports
        run = _Deployment(network, definition)
        port = run.port()
        network.reserved_chaincode_ports.add(port)
    try:
        return _deploy(run, port, progress, started)
    finally:
        network.reserved_chaincode_ports.discard(port)


def deploy_many(
    network: FabricNetwork, definitions: list[ChaincodeDefinition], progress: Progress = _quiet
) -> list[DeployResult]:
    """Deploy several chaincodes at once (in threads); the results in the given order.

    Raises:
        ChaincodeError: a deploy failed (the others run to their end first).
    """
    with ThreadPoolExecutor(max_workers=max(1, len(definitions))) as pool:
        futures = [pool.submit(deploy, network, item, progress) for item in definitions]
        return [future.result() for future in futures]


def _deploy(run: _Deployment, port: int, progress: Progress, started: float) -> DeployResult:
    network, definition = run.network, run.definition
    address = network.chaincode_address(definition.name, port)
    package = ccaas_package(definition.label, address, run.tls)
    identifier = package_id(definition.label, package)
    package_file = write_package(run.folder / f"{definition.label}.tar.gz", package)
    entry = {
        "port": port,
        "package_id": identifier,
        "server": definition.server,
        "channel": definition.channel,
        "version": definition.version,
        "max_clock_skew": definition.max_clock_skew,
    }
    progress(f"starting chaincode server on {address}")
    with network.lock:
        record = network.start_chaincode_server(definition.name, entry)
        network.chaincodes[definition.name] = entry
    network.save()
    progress(f"installing {definition.label} on {len(run.peers)} peer(s)")
    run.install(package_file)  # while the server starts
    if record is not None:  # a container's healthcheck was already waited for
        wait_serving(record, port)
    sequence = run.committed_sequence() + 1
    progress(f"approving sequence {sequence} for {', '.join(run.channel.orgs)}")
    run.approve(identifier, sequence)
    run.check_readiness(sequence)
    progress(f"committing {definition.name} on {definition.channel}")
    run.commit(sequence)
    run.wait_ready()
    entry["sequence"] = sequence
    network.save()
    make_private(network.directory)
    seconds = time.monotonic() - started
    progress(
        f"{definition.name} {definition.version} (sequence {sequence}) ready in {seconds:.1f}s"
    )
    return DeployResult(
        definition.name,
        definition.channel,
        definition.version,
        sequence,
        identifier,
        address,
        seconds,
    )


def spawn_chaincode_servers(
    network: FabricNetwork, progress: Progress = _quiet
) -> list[tuple[ProcessRecord, int]]:
    """Start the chaincode servers of the network that are not running (no waiting).

    Returns:
        Each started server's record and port, for :func:`wait_chaincode_servers`.
    """
    started = []
    for name, entry in network.chaincodes.items():
        if not network.node_running(f"chaincode-{name}"):
            progress(f"starting chaincode server {name}")
            started.append((start_server(network, name, entry), int(entry["port"])))
    return started


def wait_chaincode_servers(
    network: FabricNetwork, started: list[tuple[ProcessRecord, int]]
) -> None:
    """Wait until each started chaincode server serves on its port.

    Raises:
        ChaincodeError: one did not come up (the message says why); it is stopped.
    """
    try:
        for record, port in started:
            wait_serving(record, port)
    finally:
        network.save()


def restart_chaincode_servers(network: FabricNetwork, progress: Progress = _quiet) -> None:
    """Start again the chaincode servers of a network whose processes were stopped.

    Raises:
        ChaincodeError: one did not come up.
    """
    wait_chaincode_servers(network, spawn_chaincode_servers(network, progress))


def list_chaincodes(network: FabricNetwork) -> list[dict[str, Any]]:
    """Installed, approved and committed state of every chaincode per channel and org."""
    rows: list[dict[str, Any]] = []
    for channel in network.topology.channels:
        for org_name in channel.orgs:
            peer = network.topology.org(org_name).peer_names[0]
            committed = _json_or_empty(
                network,
                network.admin.peer(
                    peer,
                    "lifecycle",
                    "chaincode",
                    "querycommitted",
                    "-C",
                    channel.name,
                    "--output",
                    "json",
                ),
            )
            installed = _json_or_empty(
                network,
                network.admin.peer(
                    peer, "lifecycle", "chaincode", "queryinstalled", "--output", "json"
                ),
            )
            labels = {
                item["package_id"]: item["label"]
                for item in installed.get("installed_chaincodes", [])
            }
            for definition in committed.get("chaincode_definitions", []):
                entry = network.chaincodes.get(definition["name"], {})
                rows.append(
                    {
                        "channel": channel.name,
                        "org": org_name,
                        "name": definition["name"],
                        "version": definition["version"],
                        "sequence": definition["sequence"],
                        "committed": True,
                        "installed": entry.get("package_id") in labels,
                        "package_id": entry.get("package_id", ""),
                    }
                )
    return rows


def _json_or_empty(network: FabricNetwork, command: Command) -> dict[str, Any]:
    try:
        output = network.run(command).stdout
    except CommandError:
        return {}
    return json.loads(output) if output.strip() else {}
