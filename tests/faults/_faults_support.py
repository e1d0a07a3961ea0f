"""Shared by the fault-injection tests: submit load, ledger agreement, figures per fault."""

from __future__ import annotations

import base64
import json
import os
import signal
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fabric_protos.common import common_pb2

from fabric_pilot_gateway import Contract, EndorsementMismatchError
from fabric_pilot_gateway._receipt_parts import block_header_hash
from fabric_pilot_network.commands import CommandError
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.processes import ProcessRecord, is_running

CHAINCODE = "faulttest"
CHANNEL = "mychannel"
RESULTS_ENV = "FABRIC_PILOT_FAULTS_RESULTS"
HERE = Path(__file__).resolve().parent


@dataclass
class LoadResult:
    """What a load run saw: acknowledged keys (with their tx ID) and failed ones."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    blocks: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    mismatches_retried: int = 0
    resubmissions: int = 0
    slowest_seconds: float = 0.0

    @property
    def keys(self) -> list[str]:
        return [*self.acknowledged, *self.failed]


class SubmitLoad:
    """Threads that submit ``increment`` of fresh keys, one after another, until stopped."""

    def __init__(self, contract: Contract, prefix: str, threads: int = 3) -> None:
        self._contract = contract
        self._prefix = prefix
        self._threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)
        ]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.result = LoadResult()
        self.last_ack = 0.0

    def __enter__(self) -> SubmitLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> LoadResult:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)
        return self.result

    def acknowledged(self) -> int:
        with self._lock:
            return len(self.result.acknowledged)

    def wait_acknowledged(self, count: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while self.acknowledged() < count:
            assert time.monotonic() < deadline, f"fewer than {count} acknowledged: {self.result}"
            time.sleep(0.05)

    def _run(self, number: int) -> None:
        index = 0
        while not self._stop.is_set():
            key = f"{self._prefix}/{number}/{index}"
            index += 1
            self._submit(key)

    def _submit(self, key: str) -> None:
        started = time.monotonic()
        try:
            submitted = self._contract.submit_async("increment", [key])
            status = submitted.status()
        except Exception as error:  # every failure is "in doubt" and checked on the ledger
            with self._lock:
                self.result.failed[key] = f"{type(error).__name__}: {error}"[:300]
            time.sleep(0.2)
            return
        with self._lock:
            self.result.slowest_seconds = max(
                self.result.slowest_seconds, time.monotonic() - started
            )
            self.result.resubmissions += submitted.resubmissions
            if status.successful:
                self.result.acknowledged[key] = status.transaction_id
                self.result.blocks[status.transaction_id] = status.block_number
                self.last_ack = time.monotonic()
            else:
                self.result.failed[key] = status.code_name


def counts(contract: Contract, keys: list[str]) -> dict[str, int]:
    """The counter of every key, read in chunks."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        values = json.loads(contract.evaluate("counts", [json.dumps(chunk)]))
        found.update(zip(chunk, values, strict=True))
    return found


@dataclass(frozen=True)
class NodeView:
    """One node's view of the channel."""

    node: str
    height: int
    last_hash: str


def _peer_view(network: FabricNetwork, peer: str, channel: str) -> NodeView:
    output = network.run(network.admin.peer_channel_info(peer, channel)).stdout
    info = json.loads(output[output.index("{") :])
    return NodeView(peer, int(info["height"]), base64.b64decode(info["currentBlockHash"]).hex())


def _orderer_view(network: FabricNetwork, orderer: str, fetch_with: str, channel: str) -> NodeView:
    """The orderer's height and the hash of its last block (fetched from that orderer)."""
    height = network.channel_height(orderer, channel)
    with tempfile.TemporaryDirectory(prefix="fault-block-") as scratch:
        block_file = Path(scratch) / "last.block"
        command = network.admin.peer(
            fetch_with, "channel", "fetch", str(height - 1), str(block_file), "-c", channel,
            *network.admin.orderer_address_args(orderer),
        )  # fmt: skip
        network.run(command)
        block = common_pb2.Block.FromString(block_file.read_bytes())
    header = block.header
    digest = block_header_hash(int(header.number), header.previous_hash, header.data_hash)
    return NodeView(orderer, height, digest.hex())


def ledger_views(network: FabricNetwork, channel: str = CHANNEL) -> list[NodeView]:
    """Every running node's height and last block hash on ``channel``."""
    peers = [p for p in network.topology.channel_peers(channel) if network.node_running(p)]
    views = [_peer_view(network, peer, channel) for peer in peers]
    for orderer in network.topology.orderer_org.orderer_names:
        if network.node_running(orderer):
            views.append(_orderer_view(network, orderer, peers[0], channel))
    return views


def wait_agreement(
    network: FabricNetwork, timeout: float = 90.0, channel: str = CHANNEL
) -> list[NodeView]:
    """Wait until every node has the same height and last block hash (a hash chain, so the
    same blocks); fail with every node's view otherwise."""
    deadline = time.monotonic() + timeout
    views: list[NodeView] = []
    last_error = ""
    while time.monotonic() < deadline:
        try:
            views = ledger_views(network, channel)
        except CommandError as error:
            last_error = str(error)
            time.sleep(0.5)
            continue
        if len({(view.height, view.last_hash) for view in views}) == 1:
            return views
        time.sleep(0.5)
    raise AssertionError(f"nodes disagree after {timeout:.0f}s: {views} {last_error}")


@dataclass
class Figures:
    """What one fault cost: acknowledged, lost, duplicated, time to recover."""

    fault: str
    acknowledged: int
    lost: int
    duplicated: int
    failed_in_doubt: int
    failed_but_committed: int
    recover_seconds: float | None
    height: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "acknowledged": self.acknowledged,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "failed_in_doubt": self.failed_in_doubt,
            "failed_but_committed": self.failed_but_committed,
            "recover_seconds": self.recover_seconds,
            "height": self.height,
            **self.extra,
        }


def check_ledger(
    network: FabricNetwork,
    contract: Contract,
    fault: str,
    load: LoadResult,
    recover_seconds: float | None,
    **extra: Any,
) -> Figures:
    """After a fault: every node agrees; no acknowledged increment lost, none applied twice.

    Records the figures (see :func:`record`) and asserts on them.
    """
    views = wait_agreement(network)
    found = counts(contract, load.keys)
    lost = sorted(key for key in load.acknowledged if found[key] == 0)
    duplicated = sorted(key for key in load.keys if found[key] > 1)
    figures = Figures(
        fault=fault,
        acknowledged=len(load.acknowledged),
        lost=len(lost),
        duplicated=len(duplicated),
        failed_in_doubt=len(load.failed),
        failed_but_committed=sum(1 for key in load.failed if found[key] == 1),
        recover_seconds=None if recover_seconds is None else round(recover_seconds, 2),
        height=views[0].height,
        extra={
            "failures_by_type": dict(Counter(text.split(":")[0] for text in load.failed.values())),
            "resubmissions": load.resubmissions,
            "slowest_ack_seconds": round(load.slowest_seconds, 2),
            **extra,
        },
    )
    record(figures)
    assert not lost, f"acknowledged but lost: {lost[:5]}"
    assert not duplicated, f"applied twice: {duplicated[:5]}"
    return figures


def record(figures: Figures) -> None:
    """Append the figures to the file named by FABRIC_PILOT_FAULTS_RESULTS, if set, and print
    them (shown with ``-s`` or in the report of a failing test)."""
    line = json.dumps(figures.to_json(), sort_keys=True)
    print(f"fault figures: {line}")
    target = os.environ.get(RESULTS_ENV)
    if target:
        with Path(target).open("a", encoding="utf-8") as results:
            results.write(line + "\n")


def kill(record_: ProcessRecord, sig: int = signal.SIGKILL) -> None:
    """Signal one process this network started (by its PID) and wait until it is gone."""
    os.kill(record_.pid, sig)
    deadline = time.monotonic() + 20
    while is_running(record_) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_running(record_), f"{record_.name} ({record_.pid}) survived signal {sig}"


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds until ``condition()`` holds; fails after ``timeout``."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"{what}: not within {timeout:.0f}s"
        time.sleep(0.1)
    return time.monotonic() - started


@contextmanager
def paused(record_: ProcessRecord) -> Iterator[None]:
    """SIGSTOP a process for the duration (SIGCONT afterwards, whatever happens)."""
    os.kill(record_.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(record_.pid, signal.SIGCONT)


def is_mismatch(error: BaseException) -> bool:
    return isinstance(error, EndorsementMismatchError)
