"""Benchmark the chaincode shim against fabric-chaincode-python 2.5.4 with two fake peers.

Usage: ``python benchmarks/bench_shim.py [--invocations 2000] [--inflight 1,8] [--rounds 3]
[--servers fabric_pilot,baseline,...] [--drivers python,go]``

Each implementation's CCaaS server runs as a subprocess on 127.0.0.1 (plaintext) and
is driven over loopback gRPC by a fake peer: REGISTER, then REGISTERED/READY, then
TRANSACTION messages carrying a ChaincodeInput and a SignedProposal (self-signed X.509
creator), answering every request (PUT_STATE, ...) with a RESPONSE. Each case (no-op and
one PutState, with 1 and with 8 transactions in flight) runs on a fresh Connect stream
after a short warm-up; the figures are invocations/second and the server process's CPU
milliseconds per invocation (user+system CPU time from psutil). All servers are started
first and the cases are interleaved across drivers and servers; each case runs
``--rounds`` times per server and driver and the medians are kept (the machine may be
shared).

Drivers (``--drivers`` picks a subset); both send messages built the same way
(``transaction_messages``) and answer the chaincode the same way:
  * ``python``: ``BenchPeer`` in this process, on grpcio. Its own cost (about 0.2 ms of
    CPU per round trip) is added to every implementation's round trip, which compresses
    the differences between servers.
  * ``go``: benchmarks/shim_peer_go, a small Go program built with ``go build`` once per
    run. The real Fabric peer is written in Go, so this driver's figures are closer to
    what a peer sees, and its lower overhead (roughly half the Python driver's) lets
    more of the difference between servers show. The messages
    are written to a file beforehand; the process runs the warm-up, says ``ready``, and
    times the rest when told to on stdin. Without ``go`` or when the build fails, every
    Go-driven case is recorded as an error.

Servers (``--servers`` picks a subset):
  * ``fabric_pilot``: ``python -m fabric_pilot_chaincode serve bench_shim:CHAINCODE``.
  * ``baseline``: fabric-chaincode-python 2.5.4 as shipped, from the isolated venv
    benchmarks/shim_baseline/.venv (see benchmarks/shim_baseline/README.md).
  * ``baseline_fixed``: the same with its concurrent stream writes serialised (as
    shipped it loses replies with GRPC_CALL_ERROR_TOO_MANY_OPERATIONS).
  * ``baseline_fixed_quiet``: additionally with its DEBUG logging raised to ERROR.

Prints a table and one JSON line (appended to benchmarks/results/shim.jsonl). The Python
driver's figures stay at the top level as before: every implementation's figures and
``ratio_vs_<baseline>`` (fabric_pilot / baseline, per case). The Go driver's are under
``go_peer`` (implementation -> case -> figures) and ``go_peer_ratio_vs_<baseline>``.
A case that fails is recorded as ``{"error": reason}``, never as numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import itertools
import json
import os
import queue
import re
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fabric_protos.common import common_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import (
    chaincode_pb2,
    chaincode_shim_pb2,
    chaincode_shim_pb2_grpc,
    proposal_pb2,
    proposal_response_pb2,
)

from fabric_pilot_chaincode import Context, Contract, ContractChaincode, evaluate, transaction
from fabric_pilot_network.processes import cpu_seconds

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _record import record

HERE = Path(__file__).resolve().parent
MSG = chaincode_shim_pb2.ChaincodeMessage
Figures = dict[str, dict[str, Any]]  # case name -> figures, or {"error": reason}
BASELINE_DIR = HERE / "shim_baseline"
BASELINE_PYTHON = BASELINE_DIR / ".venv" / "bin" / "python"
GO_PEER_DIR = HERE / "shim_peer_go"
GO_BUILD_SECONDS = 300.0
CHANNEL = "bench"
STARTUP_SECONDS = 30.0
STALL_SECONDS = 3.0
WARMUP = 100
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception): ")
CASES = {"noop": [b"noop"], "put_state": [b"put", b"key", b"value"]}


class BenchmarkError(RuntimeError):
    """A server could not be started or did not answer as a chaincode should."""


class BenchContract(Contract):
    """Minimal transactions for measuring shim overhead."""

    name = "Bench"

    @evaluate
    def noop(self, ctx: Context) -> None:
        """Do nothing."""

    @transaction
    def put(self, ctx: Context, key: str, value: bytes) -> None:
        """Write one key."""
        ctx.stub.put_state(key, value)


CHAINCODE = ContractChaincode(BenchContract())


# --------------------------------------------------------------------------- peer side


def make_creator() -> bytes:
    """Return a SerializedIdentity holding a fresh self-signed X.509 client certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "bench-client"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "org1.example.com"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    return bytes(
        identities_pb2.SerializedIdentity(mspid="Org1MSP", id_bytes=pem).SerializeToString()
    )


def signed_proposal(creator: bytes, tx_id: str, args: list[bytes]) -> Any:
    """Build the SignedProposal a peer attaches to a TRANSACTION message."""
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.Value("ENDORSER_TRANSACTION"), channel_id=CHANNEL, tx_id=tx_id
    )
    channel_header.timestamp.GetCurrentTime()
    header = common_pb2.Header(
        channel_header=channel_header.SerializeToString(),
        signature_header=common_pb2.SignatureHeader(
            creator=creator, nonce=os.urandom(24)
        ).SerializeToString(),
    )
    spec = chaincode_pb2.ChaincodeInvocationSpec(
        chaincode_spec=chaincode_pb2.ChaincodeSpec(
            chaincode_id=chaincode_pb2.ChaincodeID(name="bench"),
            input=chaincode_pb2.ChaincodeInput(args=args),
        )
    )
    payload = proposal_pb2.ChaincodeProposalPayload(input=spec.SerializeToString())
    proposal = proposal_pb2.Proposal(
        header=header.SerializeToString(), payload=payload.SerializeToString()
    )
    return proposal_pb2.SignedProposal(
        proposal_bytes=proposal.SerializeToString(), signature=b"bench-signature"
    )


def transaction_messages(
    creator: bytes, args: list[bytes], ids: Iterator[int], count: int
) -> list[Any]:
    """Build ``count`` TRANSACTION messages, txids ``tx<n>`` numbered from ``ids``."""
    messages = []
    for _ in range(count):
        tx_id = f"tx{next(ids)}"
        message = MSG(
            type=MSG.TRANSACTION,
            txid=tx_id,
            channel_id=CHANNEL,
            payload=chaincode_pb2.ChaincodeInput(args=args).SerializeToString(),
        )
        message.proposal.CopyFrom(signed_proposal(creator, tx_id, args))
        messages.append(message)
    return messages


@dataclass
class BenchPeer:
    """Peer end of one Connect stream; answers PUT_STATE (and other requests) at once."""

    target: str
    creator: bytes
    state: dict[str, bytes] = field(default_factory=dict)
    completed: int = 0
    _ids: Iterator[int] = field(default_factory=itertools.count)
    _outbox: queue.SimpleQueue[Any] = field(default_factory=queue.SimpleQueue)

    def __post_init__(self) -> None:
        self._channel = grpc.insecure_channel(self.target)
        service = chaincode_shim_pb2_grpc.ChaincodeStub(self._channel)
        self._call = service.Connect(self._requests())
        self._progress = time.monotonic()
        self._stalled = threading.Event()
        self._closed = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()
        register = self._next()
        if register.type != MSG.REGISTER:
            raise BenchmarkError(f"expected REGISTER, got {MSG.Type.Name(register.type)}")
        self._outbox.put(MSG(type=MSG.REGISTERED))
        self._outbox.put(MSG(type=MSG.READY))

    def _watch(self) -> None:
        """Cancel the stream when nothing has arrived for STALL_SECONDS (a lost reply)."""
        while not self._closed.wait(0.5):
            if time.monotonic() - self._progress > STALL_SECONDS:
                self._stalled.set()
                self._call.cancel()
                return

    def _requests(self) -> Iterator[Any]:
        while True:
            message = self._outbox.get()
            if message is None:
                return
            yield message

    def _next(self) -> Any:
        try:
            message = next(self._call)
        except StopIteration:
            raise BenchmarkError("the server ended the stream") from None
        except grpc.RpcError as exc:
            if self._stalled.is_set():
                raise BenchmarkError(
                    f"no message from the chaincode for {STALL_SECONDS:.0f}s (a reply was lost)"
                ) from None
            raise BenchmarkError(f"stream failed: {exc.code()} {exc.details()}") from None
        self._progress = time.monotonic()
        return message

    def prepare(self, args: list[bytes], count: int) -> list[Any]:
        """Build ``count`` TRANSACTION messages (outside the timed section)."""
        return transaction_messages(self.creator, args, self._ids, count)

    def _answer(self, message: Any) -> None:
        if message.type == MSG.ERROR:
            raise BenchmarkError(
                f"chaincode sent ERROR: {message.payload.decode(errors='replace')}"
            )
        if message.type == MSG.PUT_STATE:
            request = chaincode_shim_pb2.PutState.FromString(message.payload)
            self.state[request.key] = request.value
        self._outbox.put(MSG(type=MSG.RESPONSE, txid=message.txid, channel_id=message.channel_id))

    def run(self, messages: list[Any], inflight: int) -> None:
        """Send ``messages`` keeping up to ``inflight`` outstanding; wait for all COMPLETED.

        Raises:
            BenchmarkError: On an ERROR message, a non-200 response or a broken stream.
        """
        sent = done = 0
        self.completed = 0
        self._progress = time.monotonic()
        while done < len(messages):
            while sent < len(messages) and sent - done < inflight:
                self._outbox.put(messages[sent])
                sent += 1
            message = self._next()
            if message.type != MSG.COMPLETED:
                self._answer(message)
                continue
            response = proposal_response_pb2.Response.FromString(message.payload)
            if response.status != 200:
                raise BenchmarkError(f"status {response.status}: {response.message}")
            done += 1
            self.completed = done

    def close(self) -> None:
        """End the stream."""
        self._closed.set()
        self._outbox.put(None)
        self._call.cancel()
        self._channel.close()


# --------------------------------------------------------------------------- server side


@dataclass(frozen=True)
class ServerSpec:
    """How to launch one implementation's CCaaS server."""

    label: str
    argv: list[str]
    env: dict[str, str]


def free_port() -> int:
    """Return a currently free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_cpu_seconds(pid: int) -> float:
    """Return utime+stime of process ``pid`` (all its threads) in seconds."""
    return cpu_seconds(pid)


def wait_or_kill(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """Wait for ``process`` to exit; kill it when it has not after ``timeout`` seconds."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def server_specs() -> list[ServerSpec]:
    """Return the three servers to compare."""
    common = {"CHAINCODE_ID": "bench:0", "CHAINCODE_TLS_DISABLED": "true"}
    ours = ServerSpec(
        "fabric_pilot",
        [sys.executable, "-m", "fabric_pilot_chaincode", "serve", "bench_shim:CHAINCODE"],
        {**common, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])},
    )
    baseline_argv = [str(BASELINE_PYTHON), str(BASELINE_DIR / "baseline_contract.py")]
    fixed = {**common, "BASELINE_SERIALIZE_WRITES": "1"}
    return [
        ours,
        ServerSpec("baseline", baseline_argv, common),
        ServerSpec("baseline_fixed", baseline_argv, fixed),
        ServerSpec("baseline_fixed_quiet", baseline_argv, {**fixed, "BASELINE_LOG_LEVEL": "ERROR"}),
    ]


class RunningServer:
    """A server subprocess listening on a free loopback port; use as a context manager."""

    def __init__(self, spec: ServerSpec) -> None:
        self.spec = spec
        self.address = f"127.0.0.1:{free_port()}"
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__)
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("BASELINE_")}
        env = {**inherited, **spec.env, "CHAINCODE_SERVER_ADDRESS": self.address}
        self.process = subprocess.Popen(
            spec.argv, env=env, stdout=subprocess.DEVNULL, stderr=self._log, cwd=HERE
        )

    def __enter__(self) -> RunningServer:
        """Wait until the server accepts connections.

        Raises:
            BenchmarkError: When it does not within STARTUP_SECONDS (it is then stopped).
        """
        channel = grpc.insecure_channel(self.address)
        try:
            grpc.channel_ready_future(channel).result(timeout=STARTUP_SECONDS)
        except grpc.FutureTimeoutError:
            reason = f"not listening after {STARTUP_SECONDS:.0f}s: {self.log_tail()}"
            self.__exit__()
            raise BenchmarkError(reason) from None
        finally:
            channel.close()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.process.terminate()
        wait_or_kill(self.process)
        self._log.close()

    def log_tail(self, limit: int = 600) -> str:
        """Return the exit status and the end of the server's stderr."""
        self._log.seek(0, os.SEEK_END)
        size = self._log.tell()
        self._log.seek(max(0, size - limit))
        tail = self._log.read().decode(errors="replace").strip()
        return f"exit={self.process.poll()} stderr=...{tail}"

    def log_offset(self) -> int:
        """Return the current size of the server's stderr."""
        self._log.seek(0, os.SEEK_END)
        return self._log.tell()

    def log_error(self, since: int) -> str:
        """Summarise the exception lines the server logged after offset ``since``."""
        self._log.seek(since)
        found: dict[str, int] = {}
        for raw in self._log:
            line = raw.decode(errors="replace").strip()
            if EXCEPTION_LINE.match(line):
                found[line] = found.get(line, 0) + 1
        if not found:
            return f"server logged no exception; exit={self.process.poll()}"
        return "server logged: " + "; ".join(f"{n}x {line}" for line, n in found.items())


# --------------------------------------------------------------------------- measurement


def measure_case(
    server: RunningServer, peer: BenchPeer, args: list[bytes], count: int, inflight: int
) -> dict[str, float]:
    """Warm up, then time ``count`` invocations and the server CPU they cost.

    Raises:
        BenchmarkError: When a transaction fails, saying how many had completed.
    """
    try:
        peer.run(peer.prepare(args, WARMUP), inflight)
    except BenchmarkError as exc:
        raise BenchmarkError(f"warm-up: {exc} after {peer.completed}/{WARMUP} completed") from None
    messages = peer.prepare(args, count)
    pid = server.process.pid
    cpu = server_cpu_seconds(pid)
    wall = time.perf_counter()
    try:
        peer.run(messages, inflight)
    except BenchmarkError as exc:
        raise BenchmarkError(f"{exc} after {peer.completed}/{count} completed") from None
    wall = time.perf_counter() - wall
    cpu = server_cpu_seconds(pid) - cpu
    return {
        "invocations_per_second": round(count / wall, 1),
        "server_cpu_ms_per_invocation": round(cpu * 1000 / count, 3),
    }


def measure_one(
    server: RunningServer, creator: bytes, args: list[bytes], count: int, inflight: int
) -> dict[str, Any]:
    """Measure one case on a fresh Connect stream; a failure becomes ``{"error": ...}``."""
    try:
        peer = BenchPeer(server.address, creator)
    except BenchmarkError as exc:
        return {"error": f"{exc} ({server.log_tail()})"}
    offset = server.log_offset()
    try:
        return measure_case(server, peer, args, count, inflight)
    except BenchmarkError as exc:
        return {"error": f"{exc} ({server.log_error(offset)})"}
    finally:
        peer.close()


# --------------------------------------------------------------------------- drivers


class Driver(Protocol):
    """Runs one case against one server on a fresh Connect stream."""

    def measure(
        self, server: RunningServer, args: list[bytes], count: int, inflight: int
    ) -> dict[str, Any]:
        """Return the case's figures, or ``{"error": reason}``."""
        ...


@dataclass(frozen=True)
class PythonDriver:
    """The in-process ``BenchPeer``."""

    creator: bytes

    def measure(
        self, server: RunningServer, args: list[bytes], count: int, inflight: int
    ) -> dict[str, Any]:
        """Measure one case with ``BenchPeer``."""
        return measure_one(server, self.creator, args, count, inflight)


def build_go_peer(directory: Path) -> tuple[Path | None, str]:
    """Build benchmarks/shim_peer_go into ``directory``; return (binary, "") or (None, why)."""
    go = shutil.which("go")
    if go is None:
        return None, "go is not installed (no go on PATH)"
    binary = directory / "shim_peer_go"
    try:
        built = subprocess.run(
            [go, "build", "-buildvcs=false", "-o", str(binary), "."],
            cwd=GO_PEER_DIR,
            capture_output=True,
            text=True,
            timeout=GO_BUILD_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None, f"go build did not finish in {GO_BUILD_SECONDS:.0f}s"
    if built.returncode != 0:
        lines = (built.stderr or built.stdout).strip().splitlines() or ["no output"]
        return None, f"go build failed: {' / '.join(lines[-3:])}"
    return binary, ""


def uvarint(value: int) -> bytes:
    """Encode ``value`` as a protobuf unsigned varint."""
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def write_messages(path: Path, messages: list[Any]) -> None:
    """Write ``messages`` serialized, each preceded by its length as a uvarint."""
    with path.open("wb") as out:
        for message in messages:
            data = message.SerializeToString()
            out.write(uvarint(len(data)) + data)


class GoPeer:
    """One shim_peer_go process driving one Connect stream; use as a context manager."""

    def __init__(self, binary: Path, target: str, messages: Path, inflight: int) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in __exit__)
        argv = [str(binary), "-target", target, "-messages", str(messages)]
        argv += ["-warmup", str(WARMUP), "-inflight", str(inflight)]
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr
        )

    def __enter__(self) -> GoPeer:
        return self

    def __exit__(self, *_exc: object) -> None:
        """Let the driver finish (closing its stdin ends a wait for the start line)."""
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        wait_or_kill(self.process)
        self._stderr.close()

    def read_line(self, timeout: float) -> str:
        """Return the driver's next stdout line.

        Raises:
            BenchmarkError: When it exits or says nothing within ``timeout`` seconds.
        """
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline().decode(errors="replace") if ready else ""
        if not line:
            raise BenchmarkError(self.failure(timeout if not ready else None))
        return line.strip()

    def start_timed(self) -> None:
        """Tell the driver to run the timed messages."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(b"go\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise BenchmarkError(self.failure(None)) from None

    def failure(self, silent_for: float | None) -> str:
        """Return why the driver stopped: its stderr line, or that it hung (then kill it)."""
        if silent_for is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
            return f"shim_peer_go said nothing for {silent_for:.0f}s (killed)"
        status = self.process.wait()
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"shim_peer_go exited with status {status}"


@dataclass(frozen=True)
class GoDriver:
    """The shim_peer_go program, or why it could not be built."""

    creator: bytes
    workdir: Path
    binary: Path | None
    build_error: str = ""

    def measure(
        self, server: RunningServer, args: list[bytes], count: int, inflight: int
    ) -> dict[str, Any]:
        """Measure one case with a new shim_peer_go process (so a fresh Connect stream)."""
        if self.binary is None:
            return {"error": self.build_error}
        path = self.workdir / "messages.bin"
        ids = itertools.count()
        write_messages(path, transaction_messages(self.creator, args, ids, WARMUP + count))
        offset = server.log_offset()
        with GoPeer(self.binary, server.address, path, inflight) as peer:
            try:
                return go_case(server, peer, count)
            except BenchmarkError as exc:
                return {"error": f"{exc} ({server.log_error(offset)})"}


def go_case(server: RunningServer, peer: GoPeer, count: int) -> dict[str, float]:
    """Wait for the warm-up, then time ``count`` invocations and the server CPU they cost.

    Raises:
        BenchmarkError: When the driver fails or reports something unexpected.
    """
    line = peer.read_line(STARTUP_SECONDS + STALL_SECONDS * 2)
    if line != "ready":
        raise BenchmarkError(f"shim_peer_go said {line!r} instead of 'ready'")
    pid = server.process.pid
    cpu = server_cpu_seconds(pid)
    peer.start_timed()
    line = peer.read_line(STARTUP_SECONDS + count * 0.02)
    cpu = server_cpu_seconds(pid) - cpu
    try:
        report = json.loads(line)
        completed, seconds = int(report["completed"]), float(report["seconds"])
    except (ValueError, KeyError, TypeError):
        raise BenchmarkError(f"shim_peer_go said {line!r} instead of its figures") from None
    if completed != count or seconds <= 0:
        raise BenchmarkError(f"shim_peer_go reported {line}, expected {count} completed")
    return {
        "invocations_per_second": round(completed / seconds, 1),
        "server_cpu_ms_per_invocation": round(cpu * 1000 / completed, 3),
    }


# --------------------------------------------------------------------------- running


def start_servers(
    stack: contextlib.ExitStack[Any], specs: list[ServerSpec]
) -> tuple[list[RunningServer], dict[str, str]]:
    """Start every server under ``stack``; return those running and why others are not."""
    servers: list[RunningServer] = []
    errors: dict[str, str] = {}
    for spec in specs:
        try:
            servers.append(stack.enter_context(RunningServer(spec)))
        except BenchmarkError as exc:
            errors[spec.label] = str(exc)
        except OSError as exc:
            errors[spec.label] = (
                f"cannot start {spec.argv[0]}: {exc} (see {BASELINE_DIR}/README.md)"
            )
    return servers, errors


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Reduce one case's rounds to medians, or to the first error if any round failed."""
    for figures in rounds:
        if "error" in figures:
            return figures
    speeds = [figures["invocations_per_second"] for figures in rounds]
    cpus = [figures["server_cpu_ms_per_invocation"] for figures in rounds]
    return {
        "invocations_per_second": round(statistics.median(speeds), 1),
        "server_cpu_ms_per_invocation": round(statistics.median(cpus), 3),
        "rounds_invocations_per_second": speeds,
    }


def run_all(
    specs: list[ServerSpec],
    drivers: dict[str, Driver],
    count: int,
    inflights: list[int],
    rounds: int,
) -> tuple[dict[str, dict[str, Figures]], dict[str, str]]:
    """Start every server, then run each case with each driver on each server, ``rounds`` times.

    Interleaving spreads background load on a shared machine across implementations;
    a case that failed on a server with a driver is not retried there.  Returns the
    (median) figures per driver and implementation, and the servers that could not start.
    """
    runs: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    with contextlib.ExitStack() as stack:
        servers, errors = start_servers(stack, specs)
        for _ in range(rounds):
            for case, args in CASES.items():
                for inflight in inflights:
                    for name, driver in drivers.items():
                        for server in servers:
                            key = (name, server.spec.label, f"{case}@{inflight}")
                            done = runs.setdefault(key, [])
                            if not any("error" in figures for figures in done):
                                done.append(driver.measure(server, args, count, inflight))
    results: dict[str, dict[str, Figures]] = {name: {} for name in drivers}
    for (name, label, case), done in runs.items():
        results[name].setdefault(label, {})[case] = summarise(done)
    return results, errors


def ratios(ours: Figures, other: Figures) -> dict[str, Any]:
    """Return ours/other for throughput and for CPU per invocation, per case both measured."""
    result: dict[str, Any] = {}
    for case, figures in ours.items():
        theirs = other.get(case, {"error": "not run"})
        if "error" in figures or "error" in theirs:
            failed = "fabric_pilot" if "error" in figures else "the other implementation"
            result[case] = f"not comparable: {failed} failed this case"
            continue
        result[case] = {
            "invocations_per_second": round(
                figures["invocations_per_second"] / theirs["invocations_per_second"], 2
            ),
            "server_cpu_ms_per_invocation": round(
                figures["server_cpu_ms_per_invocation"]
                / max(theirs["server_cpu_ms_per_invocation"], 1e-9),
                2,
            ),
        }
    return result


def print_table(results: dict[str, dict[str, Figures]], errors: dict[str, str]) -> None:
    """Print one row per driver, implementation and case."""
    print(
        f"{'driver':6s} {'implementation':20s} {'case':12s} {'inv/s':>10s} "
        f"{'server CPU ms/inv':>18s}"
    )
    for driver, by_label in results.items():
        for label, cases in by_label.items():
            for case, figures in cases.items():
                if "error" in figures:
                    print(f"{driver:6s} {label:20s} {case:12s} FAILED: {figures['error']}")
                    continue
                print(
                    f"{driver:6s} {label:20s} {case:12s} "
                    f"{figures['invocations_per_second']:10.1f} "
                    f"{figures['server_cpu_ms_per_invocation']:18.3f}"
                )
    for label, error in errors.items():
        print(f"{'':6s} {label:20s} FAILED: {error}")


def make_drivers(
    stack: contextlib.ExitStack[Any], names: list[str], creator: bytes
) -> dict[str, Driver]:
    """Return the chosen drivers; the Go one is built into a directory removed on exit."""
    drivers: dict[str, Driver] = {}
    for name in names:
        if name == "python":
            drivers[name] = PythonDriver(creator)
        elif name == "go":
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-shim-")))
            binary, error = build_go_peer(workdir)
            drivers[name] = GoDriver(creator, workdir, binary, error)
        else:
            raise SystemExit(f"unknown driver {name!r} (choose from python, go)")
    return drivers


def with_ratios(results: dict[str, Figures], prefix: str) -> dict[str, Any]:
    """Return ``{prefix}ratio_vs_<label>``: fabric_pilot against every other implementation."""
    ours = results.get("fabric_pilot", {})
    return {
        f"{prefix}ratio_vs_{label}": ratios(ours, figures)
        for label, figures in results.items()
        if ours and label != "fabric_pilot"
    }


def main() -> None:
    """Run every server through every case with every driver and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--invocations", type=int, default=2000)
    parser.add_argument("--inflight", default="1,8", help="comma-separated in-flight counts")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per case (median kept)")
    parser.add_argument(
        "--servers",
        default=",".join(spec.label for spec in server_specs()),
        help="comma-separated implementations to run",
    )
    parser.add_argument(
        "--drivers", default="python,go", help="comma-separated fake peers: python, go"
    )
    options = parser.parse_args()
    inflights = [int(value) for value in options.inflight.split(",")]
    creator = make_creator()
    chosen = options.servers.split(",")
    specs = [spec for spec in server_specs() if spec.label in chosen]
    with contextlib.ExitStack() as stack:
        drivers = make_drivers(stack, options.drivers.split(","), creator)
        results, errors = run_all(specs, drivers, options.invocations, inflights, options.rounds)
    print_table(results, errors)
    figures: dict[str, Any] = {
        "invocations": options.invocations,
        "rounds": options.rounds,
        "cpu_tick_ms": round(1000 / CLOCK_TICKS, 1),
    }
    if "python" in results:
        figures.update(results["python"])
        figures.update(with_ratios(results["python"], ""))
    figures.update({f"{label}_error": error for label, error in errors.items()})
    if "go" in results:
        figures["go_peer"] = results["go"]
        figures.update(with_ratios(results["go"], "go_peer_"))
    record("shim", figures)


if __name__ == "__main__":
    main()
