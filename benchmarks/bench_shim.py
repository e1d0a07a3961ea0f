"""Benchmark the chaincode shim against fabric-chaincode-python 2.5.4 with one fake peer.

Usage: ``python benchmarks/bench_shim.py [--invocations 2000] [--inflight 1,8] [--rounds 3]
[--servers fabric_pilot,baseline,...]``

Each implementation's CCaaS server runs as a subprocess on 127.0.0.1 (plaintext) and
is driven over loopback gRPC by the same fake peer in this process: REGISTER, then
REGISTERED/READY, then TRANSACTION messages carrying a ChaincodeInput and a
SignedProposal (self-signed X.509 creator), answering every PUT_STATE with a RESPONSE.
Each case (no-op and one PutState, with 1 and with 8 transactions in flight) runs on a
fresh Connect stream after a short warm-up; the figures are invocations/second and the
server process's CPU milliseconds per invocation (utime+stime from /proc/PID/stat).
All servers are started first and the cases are interleaved across them; each case runs
``--rounds`` times per server and the medians are kept (the machine may be shared).

Servers (``--servers`` picks a subset):
  * ``fabric_pilot``: ``python -m fabric_pilot_chaincode serve bench_shim:CHAINCODE``.
  * ``baseline``: fabric-chaincode-python 2.5.4 as shipped, from the isolated venv
    benchmarks/shim_baseline/.venv (see benchmarks/shim_baseline/README.md).
  * ``baseline_fixed``: the same with its concurrent stream writes serialised (as
    shipped it loses replies with GRPC_CALL_ERROR_TOO_MANY_OPERATIONS).
  * ``baseline_fixed_quiet``: additionally with its DEBUG logging raised to ERROR.

Prints a table and one JSON line (appended to benchmarks/results/shim.jsonl) holding
every implementation's figures and ``ratio_vs_<baseline>`` (fabric_pilot / baseline,
per case).  A case that fails is recorded as ``{"error": reason}``, never as numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import itertools
import os
import queue
import re
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
from typing import Any

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
        messages = []
        for _ in range(count):
            tx_id = f"tx{next(self._ids)}"
            message = MSG(
                type=MSG.TRANSACTION,
                txid=tx_id,
                channel_id=CHANNEL,
                payload=chaincode_pb2.ChaincodeInput(args=args).SerializeToString(),
            )
            message.proposal.CopyFrom(signed_proposal(self.creator, tx_id, args))
            messages.append(message)
        return messages

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
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
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
    specs: list[ServerSpec], creator: bytes, count: int, inflights: list[int], rounds: int
) -> tuple[dict[str, Figures], dict[str, str]]:
    """Start every server, then run each case on each server in turn, ``rounds`` times.

    Interleaving spreads background load on a shared machine across implementations;
    a case that failed on a server is not retried there.  Returns the (median) figures
    per implementation and the servers that could not start.
    """
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with contextlib.ExitStack() as stack:
        servers, errors = start_servers(stack, specs)
        for _ in range(rounds):
            for case, args in CASES.items():
                for inflight in inflights:
                    for server in servers:
                        done = runs.setdefault((server.spec.label, f"{case}@{inflight}"), [])
                        if not any("error" in figures for figures in done):
                            done.append(measure_one(server, creator, args, count, inflight))
    results: dict[str, Figures] = {}
    for (label, case), done in runs.items():
        results.setdefault(label, {})[case] = summarise(done)
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


def print_table(results: dict[str, Figures], errors: dict[str, str]) -> None:
    """Print one row per implementation and case."""
    print(f"{'implementation':16s} {'case':12s} {'inv/s':>10s} {'server CPU ms/inv':>18s}")
    for label, cases in results.items():
        for case, figures in cases.items():
            if "error" in figures:
                print(f"{label:16s} {case:12s} FAILED: {figures['error']}")
                continue
            print(
                f"{label:16s} {case:12s} {figures['invocations_per_second']:10.1f} "
                f"{figures['server_cpu_ms_per_invocation']:18.3f}"
            )
    for label, error in errors.items():
        print(f"{label:16s} FAILED: {error}")


def main() -> None:
    """Run every server through every case and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--invocations", type=int, default=2000)
    parser.add_argument("--inflight", default="1,8", help="comma-separated in-flight counts")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per case (median kept)")
    parser.add_argument(
        "--servers",
        default=",".join(spec.label for spec in server_specs()),
        help="comma-separated implementations to run",
    )
    options = parser.parse_args()
    inflights = [int(value) for value in options.inflight.split(",")]
    creator = make_creator()
    chosen = options.servers.split(",")
    specs = [spec for spec in server_specs() if spec.label in chosen]
    results, errors = run_all(specs, creator, options.invocations, inflights, options.rounds)
    print_table(results, errors)
    figures: dict[str, Any] = {
        "invocations": options.invocations,
        "rounds": options.rounds,
        "cpu_tick_ms": round(1000 / CLOCK_TICKS, 1),
        **results,
    }
    figures.update({f"{label}_error": error for label, error in errors.items()})
    ours = results.get("fabric_pilot", {})
    for label in results:
        if ours and label != "fabric_pilot":
            figures[f"ratio_vs_{label}"] = ratios(ours, results[label])
    record("shim", figures)


if __name__ == "__main__":
    main()
