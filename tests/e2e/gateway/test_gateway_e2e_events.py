"""Chaincode events (resumed after a killed listener), block and filtered block events."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _gw_support import CHAINCODE, CHANNEL, HERE, take_until, transaction_ids, unique
from fabric_protos.peer import transaction_pb2

from fabric_pilot_gateway import Contract, FileCheckpointer, InMemoryCheckpointer, Network
from fabric_pilot_gateway.ledger import get_chain_info

pytestmark = pytest.mark.e2e

VALID = transaction_pb2.TxValidationCode.VALID
MVCC_READ_CONFLICT = transaction_pb2.TxValidationCode.MVCC_READ_CONFLICT
READ_TIMEOUT = 60.0


def _submit_puts(contract: Contract, prefix: str, count: int) -> list[str]:
    """Submit ``count`` puts back to back, wait for all to commit; their IDs in order."""
    submitted = [contract.submit_async("put", [f"{prefix}-{i}", str(i)]) for i in range(count)]
    assert all(item.status().successful for item in submitted)
    return [item.transaction_id for item in submitted]


def _read_line(process: subprocess.Popen[str]) -> dict[str, Any]:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        assert selector.select(READ_TIMEOUT), "the listener reported no event in time"
    line = process.stdout.readline()
    assert line, f"the listener exited with {process.wait()}"
    result: dict[str, Any] = json.loads(line)
    return result


def _listen_in_subprocess(
    profile: Path, checkpoint: Path, start_block: int, count: int
) -> list[dict[str, Any]]:
    """Run the listener until it reported ``count`` events, then SIGKILL it mid-stream."""
    argv = [sys.executable, str(HERE / "_event_listener.py"), str(profile), CHANNEL, CHAINCODE]
    argv += [str(checkpoint), str(start_block)]
    with subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            seen = [_read_line(process)]
            while len(seen) < count:
                assert process.stdin is not None
                process.stdin.write("next\n")
                process.stdin.flush()
                seen.append(_read_line(process))
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == -signal.SIGKILL
    return seen


def test_chaincode_events_resume_from_a_file_checkpoint_after_the_listener_is_killed(
    contract: Contract, channel: Network, org1_profile: Path, tmp_path: Path
) -> None:
    prefix = unique("events")
    start_block = get_chain_info(channel).height
    first_burst = _submit_puts(contract, prefix + "-a", 8)
    checkpoint_file = tmp_path / "checkpoint.json"
    before_kill = _listen_in_subprocess(org1_profile, checkpoint_file, start_block, 5)
    second_burst = _submit_puts(contract, prefix + "-b", 4)
    expected = first_burst + second_burst

    checkpointer = FileCheckpointer(checkpoint_file)
    assert checkpointer.transaction_id == before_kill[-1]["tx"]
    with channel.chaincode_events(CHAINCODE, checkpointer=checkpointer) as events:
        resumed = take_until(events, lambda got: len(got) == len(expected) - len(before_kill))
        for event in resumed:
            checkpointer.checkpoint_chaincode_event(event)

    seen = [item["tx"] for item in before_kill] + [event.transaction_id for event in resumed]
    assert seen == expected
    payloads = [item["payload"] for item in before_kill] + [e.payload.decode() for e in resumed]
    assert all(payload.startswith(prefix) for payload in payloads)
    assert {item["name"] for item in before_kill} | {e.event_name for e in resumed} == {"Put"}
    assert FileCheckpointer(checkpoint_file).transaction_id == expected[-1]


def test_resumed_listener_gets_nothing_twice(
    contract: Contract, channel: Network, tmp_path: Path
) -> None:
    prefix = unique("once")
    start_block = get_chain_info(channel).height
    first = _submit_puts(contract, prefix, 3)
    checkpointer = FileCheckpointer(tmp_path / "cp.json")
    with channel.chaincode_events(CHAINCODE, start_block=start_block) as events:
        (event,) = take_until(events, lambda got: len(got) == 1)
    checkpointer.checkpoint_chaincode_event(event)
    sentinel = _submit_puts(contract, prefix + "-sentinel", 1)
    with channel.chaincode_events(CHAINCODE, checkpointer=checkpointer) as events:
        resumed = take_until(events, lambda got: bool(got) and got[-1].transaction_id in sentinel)
    assert [event.transaction_id, *(e.transaction_id for e in resumed)] == first + sentinel


def test_block_events_deliver_each_new_block_in_order_with_the_transaction(
    contract: Contract, channel: Network
) -> None:
    start_block = get_chain_info(channel).height
    with channel.block_events(start_block=start_block) as blocks:
        submitted = contract.submit_async("put", [unique("block"), "v"])
        status = submitted.status()
        got = take_until(blocks, lambda seen: len(seen) > status.block_number - start_block)
    assert [block.header.number for block in got] == list(
        range(start_block, status.block_number + 1)
    )
    assert submitted.transaction_id in transaction_ids(got[-1])
    assert len(got[-1].metadata.metadata) >= 3


def test_filtered_block_events_carry_ids_and_validation_codes(
    contract: Contract, channel: Network
) -> None:
    key = unique("filtered")
    contract.submit("put", [key, "1"])
    start_block = get_chain_info(channel).height
    first = contract.new_proposal("increment", [key]).endorse()
    second = contract.new_proposal("increment", [key]).endorse()
    with channel.filtered_block_events(start_block=start_block) as blocks:
        submitted = [first.submit(), second.submit()]
        wanted = {item.transaction_id for item in submitted}
        last = max(item.status().block_number for item in submitted)
        got = take_until(blocks, lambda seen: bool(seen) and seen[-1].number >= last)
    assert [block.number for block in got] == list(range(start_block, last + 1))
    assert {block.channel_id for block in got} == {CHANNEL}
    codes = {
        tx.txid: tx.tx_validation_code
        for block in got
        for tx in block.filtered_transactions
        if tx.txid in wanted
    }
    assert sorted(codes.values()) == sorted([VALID, MVCC_READ_CONFLICT])


def test_block_events_resume_after_the_checkpointed_block(
    contract: Contract, channel: Network
) -> None:
    start_block = get_chain_info(channel).height
    first = contract.submit_async("put", [unique("cp-block"), "1"]).status()
    checkpointer = InMemoryCheckpointer()
    with channel.block_events(start_block=start_block) as blocks:
        for block in take_until(
            blocks, lambda got: len(got) == first.block_number - start_block + 1
        ):
            checkpointer.checkpoint_block(block.header.number)
    assert checkpointer.block_number == first.block_number + 1
    second = contract.submit_async("put", [unique("cp-block"), "2"]).status()
    with channel.filtered_block_events(checkpointer=checkpointer) as blocks:
        resumed = take_until(
            blocks, lambda got: len(got) == second.block_number - first.block_number
        )
    assert [block.number for block in resumed] == list(
        range(first.block_number + 1, second.block_number + 1)
    )
    assert second.transaction_id in {tx.txid for tx in resumed[-1].filtered_transactions}
