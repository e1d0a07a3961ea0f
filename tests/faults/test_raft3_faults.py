"""Faults on a raft3 network under submit load: orderers, peers, chaincode servers, stop/start.

After every fault all nodes must agree on the height and the last block hash, and no
acknowledged transaction may be lost or applied twice (``check_ledger``).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psutil
import pytest
from _faults_support import (
    CHAINCODE,
    CHANNEL,
    Figures,
    LoadResult,
    SubmitLoad,
    check_ledger,
    kill,
    paused,
    record,
    wait_agreement,
    wait_until,
)
from conftest import deploy_with_contract_path

from fabric_pilot_gateway import Contract, EndorseError, Gateway, connect
from fabric_pilot_gateway._transport import GrpcTransport
from fabric_pilot_gateway.profiles import GatewayProfile
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.processes import ProcessRecord, children

pytestmark = [pytest.mark.e2e, pytest.mark.faults]


def _prefix(fault: str) -> str:
    return f"{fault}-{uuid.uuid4().hex[:8]}"


def _acks_after(load: SubmitLoad, count: int, timeout: float = 120.0) -> float:
    """Seconds until ``count`` more transactions were acknowledged."""
    target = load.acknowledged() + count
    try:
        return wait_until(lambda: load.acknowledged() >= target, timeout, f"{count} more acks")
    except AssertionError as error:
        last = list(load.result.failed.items())[-3:]
        raise AssertionError(f"{error}; last failures: {last}") from None


def test_killing_the_raft_leader_under_load_loses_nothing_acknowledged(
    raft3: FabricNetwork, counter: Contract
) -> None:
    leader = raft3.wait_for_leader(CHANNEL)
    with SubmitLoad(counter, _prefix("leader")) as load:
        load.wait_acknowledged(15)
        kill(raft3.processes[leader])
        recover = _acks_after(load, 10)
        time.sleep(1.0)
    result = load.result
    raft3.start()
    raft3.wait_for_leader(CHANNEL)
    figures = check_ledger(
        raft3, counter, "kill raft3 orderer leader under load", result, recover, killed=leader
    )
    assert figures.acknowledged >= 25


def test_deploy_and_submit_with_orderer0_down(raft3: FabricNetwork, org1_gateway: Gateway) -> None:
    orderer0 = raft3.topology.orderer_org.orderer_names[0]
    kill(raft3.processes[orderer0])
    try:
        raft3.wait_for_leader(CHANNEL)
        started = time.monotonic()
        deploy_with_contract_path(raft3, "faulttest2")
        deploy_seconds = time.monotonic() - started
        contract = org1_gateway.get_network(CHANNEL).get_contract("faulttest2")
        with SubmitLoad(contract, _prefix("orderer0-down"), threads=1) as load:
            load.wait_acknowledged(5)
    finally:
        raft3.start()
    raft3.wait_for_leader(CHANNEL)
    check_ledger(
        raft3, contract, "deploy with orderer0 down (raft3)", load.result, None,
        deploy_seconds=round(deploy_seconds, 1),
    )  # fmt: skip


def test_a_killed_peer_catches_up(raft3: FabricNetwork, counter: Contract) -> None:
    peer = "peer0.org2.example.com"
    with SubmitLoad(counter, _prefix("peer")) as load:
        load.wait_acknowledged(5)
        kill(raft3.processes[peer])
        _acks_after(load, 20)
        started = time.monotonic()
        raft3.start()
        load.wait_acknowledged(load.acknowledged() + 5)
    wait_agreement(raft3)
    recover = time.monotonic() - started
    check_ledger(raft3, counter, "kill a peer, restart, catch up", load.result, recover)


def test_stop_and_start_under_load(raft3: FabricNetwork, counter: Contract) -> None:
    with SubmitLoad(counter, _prefix("stop-start")) as load:
        load.wait_acknowledged(10)
        raft3.stop()
        time.sleep(1.0)
        started = time.monotonic()
        raft3.start()
        raft3.wait_for_leader(CHANNEL)
        _acks_after(load, 5)
        recover = time.monotonic() - started
    check_ledger(raft3, counter, "stop and start under load", load.result, recover)


def _kill_if_alive(pid: int) -> None:
    """SIGKILL the keeper's orphaned server (started by this test's network) if it lives."""
    try:
        process = psutil.Process(pid)
        if any("fabric_pilot_chaincode" in part for part in process.cmdline()):
            process.kill()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_killing_a_chaincode_server_and_then_its_keeper(
    raft3: FabricNetwork, counter: Contract
) -> None:
    keeper = raft3.processes[f"chaincode-{CHAINCODE}"]
    port = int(raft3.chaincodes[CHAINCODE]["port"])
    with SubmitLoad(counter, _prefix("chaincode")) as load:
        load.wait_acknowledged(5)
        (server_pid,) = children(keeper.pid)
        os.kill(server_pid, signal.SIGKILL)  # the keeper starts it again
        server_recover = _acks_after(load, 5)
        (orphan,) = children(keeper.pid)
        kill(keeper)
        _acks_after(load, 5)
    try:
        raft3.stop()
        assert not _port_open(port), f"a chaincode server still listens on {port} after stop"
    finally:
        _kill_if_alive(orphan)
    raft3.start()
    raft3.wait_for_leader(CHANNEL)
    with SubmitLoad(counter, _prefix("chaincode-restarted"), threads=1) as after:
        restart_recover = _acks_after(after, 5)
    load.result.acknowledged.update(after.result.acknowledged)
    load.result.failed.update(after.result.failed)
    check_ledger(
        raft3, counter, "kill chaincode server, then its keeper", load.result, server_recover,
        after_restart_seconds=round(restart_recover, 2),
    )  # fmt: skip


def _listener(
    raft3: FabricNetwork, checkpoint: Path, output: Path, *extra: str
) -> subprocess.Popen[bytes]:
    """``fabric-pilot events listen --checkpoint`` in the background, JSON lines to ``output``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FABRIC_PILOT_")}
    env["FABRIC_PILOT_CONFIG"] = str(checkpoint.parent / "config.yaml")
    argv = [sys.executable, "-m", "fabric_pilot_cli", "--dir", str(raft3.directory)]
    argv += ["events", "listen", "--checkpoint", str(checkpoint), *extra]
    with output.open("ab") as sink:
        return subprocess.Popen(argv, env=env, stdout=sink, stderr=subprocess.DEVNULL)


def _lines(output: Path) -> list[dict[str, Any]]:
    text = output.read_text(encoding="utf-8") if output.exists() else ""
    return [json.loads(line) for line in text.splitlines() if line.endswith("}")]


def _stop_listener_after(
    process: subprocess.Popen[bytes], output: Path, lines: int, signum: int
) -> None:
    """Signal the listener right after it printed its ``lines``-th line (the moment a stop is
    most likely to fall between printing an event and checkpointing it)."""
    wait_until(lambda: len(_lines(output)) >= lines, 120, f"{lines} event lines")
    process.send_signal(signum)
    process.wait(timeout=30)


_STOPS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGTERM)


def _delivered_ids(kind: str, lines: list[dict[str, Any]]) -> list[str]:
    if kind == "blocks":
        return [
            tx["transaction_id"]
            for line in lines
            for tx in line["transactions"]
            if tx.get("validation") == "VALID"
        ]
    return [line["transaction_id"] for line in lines]


@pytest.mark.parametrize("kind", ["blocks", "chaincode events"])
def test_a_stopped_event_listener_resumes_from_its_checkpoint_without_gap_or_duplicate(
    raft3: FabricNetwork, counter: Contract, tmp_path: Path, kind: str
) -> None:
    extra = ("--chaincode", CHAINCODE) if kind == "chaincode events" else ()
    checkpoint, output = tmp_path / "listener.checkpoint", tmp_path / "events.jsonl"
    with SubmitLoad(counter, _prefix("events")) as load:
        load.wait_acknowledged(2)
        for signum in _STOPS:  # stopped four times right after a print, resumed each time
            process = _listener(raft3, checkpoint, output, *extra)
            _stop_listener_after(process, output, len(_lines(output)) + 3, signum)
            assert process.returncode != 0
        started = time.monotonic()
        process = _listener(raft3, checkpoint, output, *extra)
        _stop_listener_after(process, output, len(_lines(output)) + 1, signal.SIGTERM)
        recover = time.monotonic() - started
        load.wait_acknowledged(load.acknowledged() + 3)
    lines = _lines(output)
    if kind == "blocks":
        numbers = [line["number"] for line in lines]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), numbers
        first, last = numbers[0], numbers[-1]
    else:
        first, last = lines[0]["block_number"], lines[-1]["block_number"]
    delivered = _delivered_ids(kind, lines)
    assert len(delivered) == len(set(delivered)), "a transaction was delivered twice"
    expected = {tx for tx, block in load.result.blocks.items() if first <= block < last}
    assert expected <= set(delivered), f"missed: {sorted(expected - set(delivered))[:3]}"
    check_ledger(
        raft3, counter, f"stop {kind} listener 4 times (TERM/INT/HUP), resume", load.result,
        recover, delivered=len(delivered), duplicates=len(delivered) - len(set(delivered)),
    )  # fmt: skip


class _CountingTransport:
    """The real transport, counting the endorsement mismatches the Gateway reports."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.mismatches = 0

    def endorse(self, request: Any, timeout: float | None) -> Any:
        try:
            return self._inner.endorse(request, timeout)
        except EndorseError as error:
            if "ProposalResponsePayloads do not match" in str(error):
                self.mismatches += 1
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _lag(peer: ProcessRecord, stop: threading.Event) -> None:
    """Keep ``peer`` behind: SIGSTOP it for 0.3 s of every 0.5 s until ``stop`` is set."""
    while not stop.is_set():
        with paused(peer):
            time.sleep(0.3)
        time.sleep(0.2)


def test_an_endorsing_peer_a_block_behind_is_retried_not_refused(
    raft3: FabricNetwork, counter: Contract
) -> None:
    gateway_profile = GatewayProfile.load(raft3.directory / "profiles" / "Org1.json")
    identity, signer = gateway_profile.load_user()
    channel = gateway_profile.new_channel()
    transport = _CountingTransport(GrpcTransport(channel))
    gateway = connect(client=transport, identity=identity, signer=signer, endorsement_attempts=5)
    contract = gateway.get_network(CHANNEL).get_contract(CHAINCODE)
    key, both = _prefix("behind"), ["Org1MSP", "Org2MSP"]
    stop, result = threading.Event(), LoadResult()
    lagger = threading.Thread(target=_lag, args=(raft3.processes["peer0.org2.example.com"], stop))
    lagger.start()
    started = time.monotonic()
    try:
        # one hot counter, each increment endorsed by both orgs right after the previous one
        # committed on Org1's peer: Org2's peer, paused now and then, reads an older count
        while len(result.acknowledged) < 150 and transport.mismatches < 3:
            submitted = contract.submit_async("increment", [key], endorsing_organizations=both)
            status = submitted.status()
            assert status.successful, status
            result.acknowledged[f"{key}#{len(result.acknowledged)}"] = status.transaction_id
    finally:
        stop.set()
        lagger.join()
        channel.close()
    seconds = time.monotonic() - started
    assert transport.mismatches >= 1, "the lagging peer never returned a different result"
    counted = json.loads(counter.evaluate("counts", [json.dumps([key])]))[0]
    assert counted == len(result.acknowledged)
    record(
        Figures(
            fault="endorsing peer a block behind (Org2 paused 0.3 s of every 0.5 s)",
            acknowledged=len(result.acknowledged), lost=len(result.acknowledged) - counted,
            duplicated=max(0, counted - len(result.acknowledged)), failed_in_doubt=0,
            failed_but_committed=0, recover_seconds=None, height=wait_agreement(raft3)[0].height,
            extra={"mismatches_retried": transport.mismatches, "seconds": round(seconds, 1)},
        )
    )  # fmt: skip
