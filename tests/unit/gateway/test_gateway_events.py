"""Chaincode/block events and checkpointer resume semantics over a fake stream."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.orderer import ab_pb2
from fabric_protos.peer import chaincode_event_pb2, events_pb2
from gateway_fakes import Credentials, FakeTransport

from fabric_pilot_gateway import (
    ChaincodeEvent,
    Checkpointer,
    FileCheckpointer,
    Gateway,
    InMemoryCheckpointer,
    SignatureRequiredError,
    X509Identity,
    connect,
)

LEDGER = {1: ["t1", "t2"], 2: ["t3", "t4", "t5"], 3: ["t6"]}


def _response(block: int, tx_ids: list[str]) -> Any:
    return gateway_pb2.ChaincodeEventsResponse(
        block_number=block,
        events=[
            chaincode_event_pb2.ChaincodeEvent(
                chaincode_id="cc", tx_id=tx, event_name="Evt", payload=tx.encode()
            )
            for tx in tx_ids
        ],
    )


class LedgerTransport(FakeTransport):
    """Fake that honours start_position (and optionally after_transaction_id)."""

    def __init__(self, server_filters: bool) -> None:
        super().__init__()
        self.server_filters = server_filters

    def chaincode_events(self, request: Any) -> Any:
        inner = gateway_pb2.ChaincodeEventsRequest.FromString(request.request)
        start = (
            inner.start_position.specified.number
            if inner.start_position.HasField("specified")
            else max(LEDGER)
        )
        responses = []
        for block, txs in LEDGER.items():
            if block < start:
                continue
            sent = txs
            if self.server_filters and block == start and inner.after_transaction_id in txs:
                sent = txs[txs.index(inner.after_transaction_id) + 1 :]
            responses.append(_response(block, sent))
        self.event_responses = responses
        return super().chaincode_events(request)


def _consume(gateway: Gateway, checkpointer: Checkpointer, crash_after: str | None) -> list[str]:
    seen: list[str] = []
    with gateway.get_network("ch").chaincode_events(
        "cc", start_block=1, checkpointer=checkpointer
    ) as events:
        for event in events:
            seen.append(event.transaction_id)
            checkpointer.checkpoint_chaincode_event(event)
            if event.transaction_id == crash_after:
                break
    return seen


@pytest.mark.parametrize("server_filters", [False, True])
@pytest.mark.parametrize("crash_after", ["t2", "t3", "t4", "t5"])
def test_resume_neither_loses_nor_repeats_events(
    identity: X509Identity,
    signer: Any,
    tmp_path: Path,
    server_filters: bool,
    crash_after: str,
) -> None:
    transport = LedgerTransport(server_filters)
    gateway = connect(client=transport, identity=identity, signer=signer)
    path = tmp_path / "checkpoint.json"

    first = _consume(gateway, FileCheckpointer(path), crash_after)
    second = _consume(gateway, FileCheckpointer(path), None)

    assert first + second == ["t1", "t2", "t3", "t4", "t5", "t6"]
    resumed = gateway_pb2.ChaincodeEventsRequest.FromString(
        transport.requests("chaincode_events")[1].request
    )
    assert resumed.after_transaction_id == crash_after
    assert resumed.start_position.specified.number == next(
        block for block, txs in LEDGER.items() if crash_after in txs
    )


def test_chaincode_events_request_is_signed_and_well_formed(
    gateway: Gateway, transport: FakeTransport, identity: X509Identity, credentials: Credentials
) -> None:
    transport.event_responses = [_response(8, ["a", "b"])]
    events = list(gateway.get_network("ch").chaincode_events("cc", start_block=8))
    assert events == [
        ChaincodeEvent(8, "a", "cc", "Evt", b"a"),
        ChaincodeEvent(8, "b", "cc", "Evt", b"b"),
    ]
    signed = transport.requests("chaincode_events")[0]
    request = gateway_pb2.ChaincodeEventsRequest.FromString(signed.request)
    assert request.channel_id == "ch"
    assert request.chaincode_id == "cc"
    assert request.identity == identity.serialize()
    assert request.start_position.specified.number == 8
    assert request.after_transaction_id == ""
    credentials.key.public_key().verify(
        signed.signature,
        hashlib.sha256(signed.request).digest(),
        ec.ECDSA(Prehashed(hashes.SHA256())),
    )


def test_chaincode_events_default_to_next_commit_and_close(
    gateway: Gateway, transport: FakeTransport
) -> None:
    transport.event_responses = [_response(1, ["a"]), _response(2, ["b"])]
    with gateway.get_network("ch").chaincode_events("cc") as events:
        assert next(events).transaction_id == "a"
    assert transport.streams[0].closed
    request = gateway_pb2.ChaincodeEventsRequest.FromString(
        transport.requests("chaincode_events")[0].request
    )
    assert request.start_position.HasField("next_commit")


def test_events_need_a_signer(transport: FakeTransport, identity: X509Identity) -> None:
    gateway = connect(client=transport, identity=identity)
    with pytest.raises(SignatureRequiredError):
        gateway.get_network("ch").chaincode_events("cc")


def test_block_events_resume_from_checkpointed_block(
    gateway: Gateway, transport: FakeTransport
) -> None:
    checkpointer = InMemoryCheckpointer()
    checkpointer.checkpoint_block(5)
    transport.deliver_responses = [
        events_pb2.DeliverResponse(block=common_pb2.Block(header=common_pb2.BlockHeader(number=6))),
        events_pb2.DeliverResponse(status=common_pb2.Status.SUCCESS),
    ]
    blocks = gateway.get_network("ch").block_events(start_block=0, checkpointer=checkpointer)
    assert [block.header.number for block in blocks] == [6]
    assert transport.streams[0].closed  # the end-of-stream status closes the stream
    payload = common_pb2.Payload.FromString(transport.requests("deliver")[0].payload)
    header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    assert header.type == common_pb2.HeaderType.DELIVER_SEEK_INFO
    assert header.channel_id == "ch"
    seek = ab_pb2.SeekInfo.FromString(payload.data)
    assert seek.start.specified.number == 6
    assert seek.stop.specified.number == 2**64 - 1
    assert seek.behavior == ab_pb2.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY


def test_filtered_block_events_seek_newest_by_default(
    gateway: Gateway, transport: FakeTransport
) -> None:
    transport.deliver_responses = [
        events_pb2.DeliverResponse(filtered_block=events_pb2.FilteredBlock(number=3))
    ]
    with gateway.get_network("ch").filtered_block_events() as blocks:
        assert [block.number for block in blocks] == [3]
    payload = common_pb2.Payload.FromString(transport.requests("deliver_filtered")[0].payload)
    assert ab_pb2.SeekInfo.FromString(payload.data).start.HasField("newest")


def test_in_memory_checkpointer_semantics() -> None:
    checkpointer = InMemoryCheckpointer()
    assert (checkpointer.block_number, checkpointer.transaction_id) == (None, None)
    checkpointer.checkpoint_transaction(4, "tx")
    assert (checkpointer.block_number, checkpointer.transaction_id) == (4, "tx")
    checkpointer.checkpoint_block(4)
    assert (checkpointer.block_number, checkpointer.transaction_id) == (5, None)
    checkpointer.checkpoint_chaincode_event(ChaincodeEvent(9, "t9", "cc", "E", b""))
    assert (checkpointer.block_number, checkpointer.transaction_id) == (9, "t9")


def test_file_checkpointer_persists_atomically(tmp_path: Path) -> None:
    path = tmp_path / "state" / "cp.json"
    checkpointer = FileCheckpointer(path)
    checkpointer.checkpoint_transaction(3, "abc")
    assert json.loads(path.read_text()) == {"blockNumber": 3, "transactionId": "abc"}
    reloaded = FileCheckpointer(path)
    assert (reloaded.block_number, reloaded.transaction_id) == (3, "abc")
    reloaded.checkpoint_block(3)
    assert (FileCheckpointer(path).block_number, FileCheckpointer(path).transaction_id) == (4, None)
    assert sorted(os.listdir(path.parent)) == ["cp.json"]


def test_file_checkpointer_keeps_old_state_when_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cp.json"
    checkpointer = FileCheckpointer(path)
    checkpointer.checkpoint_transaction(1, "old")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        checkpointer.checkpoint_transaction(2, "new")
    assert json.loads(path.read_text())["transactionId"] == "old"
    assert (checkpointer.block_number, checkpointer.transaction_id) == (1, "old")
    assert sorted(os.listdir(tmp_path)) == ["cp.json"]


def test_file_checkpointer_rejects_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "cp.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="invalid checkpoint"):
        FileCheckpointer(path)
    path.write_text('{"blockNumber": -1}')
    with pytest.raises(ValueError, match="invalid checkpoint"):
        FileCheckpointer(path)


def test_offline_signed_chaincode_events_request(
    transport: FakeTransport, identity: X509Identity, signer: Any, credentials: Credentials
) -> None:
    offline = connect(client=transport, identity=identity)
    checkpointer = InMemoryCheckpointer()
    checkpointer.checkpoint_transaction(2, "t4")
    unsigned = offline.get_network("ch").new_chaincode_events_request(
        "cc", checkpointer=checkpointer
    )
    request = offline.new_signed_chaincode_events_request(
        unsigned.to_bytes(), signer(unsigned.digest())
    )
    transport.event_responses = [_response(2, LEDGER[2]), _response(3, LEDGER[3])]
    with request.get_events() as events:
        assert [event.transaction_id for event in events] == ["t5", "t6"]
    sent = transport.requests("chaincode_events")[0]
    credentials.key.public_key().verify(
        sent.signature, hashlib.sha256(sent.request).digest(), ec.ECDSA(Prehashed(hashes.SHA256()))
    )


def test_offline_signed_filtered_block_events_request(
    transport: FakeTransport, identity: X509Identity, signer: Any, credentials: Credentials
) -> None:
    offline = connect(client=transport, identity=identity)
    unsigned = offline.get_network("ch").new_filtered_block_events_request(start_block=1)
    request = offline.new_signed_block_events_request(
        unsigned.to_bytes(), signer(unsigned.digest()), filtered=True
    )
    transport.deliver_responses = [
        events_pb2.DeliverResponse(filtered_block=events_pb2.FilteredBlock(number=1))
    ]
    assert [block.number for block in request.get_events()] == [1]
    (envelope,) = transport.requests("deliver_filtered")
    credentials.key.public_key().verify(
        envelope.signature,
        hashlib.sha256(envelope.payload).digest(),
        ec.ECDSA(Prehashed(hashes.SHA256())),
    )
    assert transport.requests("deliver") == []
