"""Protocol tests: a fake peer drives the real ChaincodeServer over loopback gRPC."""

import hashlib
import random
import struct
import threading

from chaincode_fake_peer import (
    MSG,
    FakePeer,
    FakeWorld,
    make_signed_proposal,
    response_of,
    run_transaction,
    shim,
    transaction_message,
)

from fabric_pilot_chaincode import ChaincodeServer, canonical_loads
from fabric_pilot_chaincode.testing import make_test_identity

CREATOR = make_test_identity("Org1MSP", "peer-test")


def invoke(
    peer: FakePeer, world: FakeWorld, tx_id: str, *args: str | bytes, **kw: object
) -> object:
    raw = [a.encode() if isinstance(a, str) else a for a in args]
    proposal = make_signed_proposal(CREATOR, tx_id=tx_id, **kw)  # type: ignore[arg-type]
    reply = run_transaction(peer, world, transaction_message(tx_id, raw, proposal=proposal))
    return response_of(reply)


def json_payload(peer: FakePeer, world: FakeWorld, tx_id: str, *args: str | bytes) -> object:
    response = invoke(peer, world, tx_id, *args)
    assert response.status == 200, response.message  # type: ignore[attr-defined]
    return canonical_loads(response.payload)  # type: ignore[attr-defined]


def test_transaction_before_ready_is_refused(server: ChaincodeServer) -> None:
    peer = FakePeer(f"127.0.0.1:{server.port}")
    try:
        assert peer.recv().type == MSG.REGISTER
        peer.send(MSG(type=MSG.REGISTERED))
        peer.send(transaction_message("early", [b"noop"]))
        reply = peer.recv()
        assert (reply.type, reply.txid) == (MSG.ERROR, "early")
        assert b"not ready" in reply.payload
        peer.send(MSG(type=MSG.READY))
        ok = run_transaction(peer, FakeWorld(), transaction_message("later", [b"noop"]))
        assert response_of(ok).status == 200
    finally:
        peer.close()


def test_keepalive_is_echoed(peer: FakePeer) -> None:
    peer.send(MSG(type=MSG.KEEPALIVE, payload=b"ping"))
    echoed = peer.recv()
    assert (echoed.type, echoed.payload) == (MSG.KEEPALIVE, b"ping")


def test_proposal_fields_reach_the_stub(peer: FakePeer, world: FakeWorld) -> None:
    reply = run_transaction(
        peer,
        world,
        transaction_message(
            "tx-info",
            [b"info"],
            channel_id="chanA",
            proposal=make_signed_proposal(
                CREATOR,
                channel_id="chanA",
                tx_id="tx-info",
                nanos=5_000,
                nonce=b"n0nce",
                epoch=3,
                transient={"b": b"2", "a": b"1"},
            ),
        ),
    )
    assert reply.channel_id == "chanA"
    info = canonical_loads(response_of(reply).payload)
    expected_binding = hashlib.sha256(b"n0nce" + CREATOR + struct.pack("<Q", 3)).hexdigest()
    assert info == {
        "tx_id": "tx-info",
        "channel": "chanA",
        "time": "2026-11-23T19:53:04.000005Z",
        "msp": "Org1MSP",
        "transient": ["a", "b"],
        "binding": expected_binding,
        "args": [],
        "has_proposal": True,
    }


def test_put_and_get_state_round_trip(peer: FakePeer, world: FakeWorld) -> None:
    assert invoke(peer, world, "t1", "put", "k", b"\x00v").status == 200  # type: ignore[attr-defined]
    assert world.state == {"k": b"\x00v"}
    put = next(m for m in world.requests if m.type == MSG.PUT_STATE)
    assert (put.txid, put.channel_id) == ("t1", "ch1")
    assert invoke(peer, world, "t2", "get", "k").payload == b"\x00v"  # type: ignore[attr-defined]
    assert invoke(peer, world, "t3", "delete", "k").status == 200  # type: ignore[attr-defined]
    assert world.state == {}
    world.state.update({"a": b"1", "b": b"2"})
    assert json_payload(peer, world, "t4", "many", '["b","zz","a"]') == ["2", "", "1"]
    gets = [m for m in world.requests if m.txid == "t4"]
    assert [m.type for m in gets] == [MSG.GET_STATE] * 3


def test_peer_error_raises_peer_error_and_fails_the_transaction(peer: FakePeer) -> None:
    peer.send(transaction_message("bad", [b"copy", b"src", b"dst"]))
    request = peer.recv()
    assert request.type == MSG.GET_STATE
    assert shim.GetState.FromString(request.payload).key == "src"
    peer.send(MSG(type=MSG.ERROR, payload=b"ledger closed", txid="bad", channel_id="ch1"))
    reply = peer.recv()
    assert reply.type == MSG.COMPLETED
    response = response_of(reply)
    assert (response.status, response.message) == (500, "PEER_ERROR: ledger closed")


def test_contract_can_catch_peer_error(peer: FakePeer) -> None:
    peer.send(transaction_message("catch", [b"get_or_explain", b"k"]))
    request = peer.recv()
    peer.send(MSG(type=MSG.ERROR, payload=b"no access", txid=request.txid, channel_id="ch1"))
    assert response_of(peer.recv()).payload == b"caught PEER_ERROR: no access"


def test_concurrent_transactions_interleave_on_one_stream(peer: FakePeer) -> None:
    peer.send(transaction_message("tx-a", [b"copy", b"from-a", b"to-a"]))
    peer.send(transaction_message("tx-b", [b"copy", b"from-b", b"to-b"], channel_id="ch2"))
    first, second = peer.recv(), peer.recv()
    requests = {m.txid: m for m in (first, second)}
    assert set(requests) == {"tx-a", "tx-b"}
    assert requests["tx-b"].channel_id == "ch2"
    # Answer in the opposite order of arrival; each reply must reach its own transaction.
    for message in (second, first):
        value = message.txid.encode() + b"-value"
        peer.send(
            MSG(type=MSG.RESPONSE, payload=value, txid=message.txid, channel_id=message.channel_id)
        )
    puts = {}
    while len(puts) < 2:
        message = peer.recv()
        assert message.type == MSG.PUT_STATE
        puts[message.txid] = shim.PutState.FromString(message.payload)
        peer.send(MSG(type=MSG.RESPONSE, txid=message.txid, channel_id=message.channel_id))
    assert (puts["tx-a"].key, puts["tx-a"].value) == ("to-a", b"tx-a-value")
    assert (puts["tx-b"].key, puts["tx-b"].value) == ("to-b", b"tx-b-value")
    done = {peer.recv().txid, peer.recv().txid}
    assert done == {"tx-a", "tx-b"}


def test_duplicate_running_txid_is_rejected(peer: FakePeer, world: FakeWorld) -> None:
    world.state["src"] = b"v"
    peer.send(transaction_message("dup", [b"copy", b"src", b"dst"]))
    pending = peer.recv()
    assert pending.type == MSG.GET_STATE  # "dup" now waits for this answer
    peer.send(transaction_message("dup", [b"noop"]))
    rejected = peer.recv()
    assert (rejected.type, rejected.txid) == (MSG.ERROR, "dup")
    assert b"already running" in rejected.payload
    peer.send(world.answer(pending))
    put = peer.recv()
    assert put.type == MSG.PUT_STATE
    peer.send(world.answer(put))
    assert response_of(peer.recv()).status == 200
    assert world.state["dst"] == b"v"


def test_waiting_transaction_does_not_hold_up_others(peer: FakePeer, world: FakeWorld) -> None:
    peer.send(transaction_message("slow", [b"get", b"k"]))
    pending = peer.recv()
    assert (pending.type, pending.txid) == (MSG.GET_STATE, "slow")
    quick = run_transaction(peer, world, transaction_message("quick", [b"noop"]))
    assert (quick.txid, response_of(quick).status) == ("quick", 200)
    peer.send(MSG(type=MSG.RESPONSE, payload=b"late", txid="slow", channel_id="ch1"))
    assert response_of(peer.recv()).payload == b"late"


def test_stub_used_from_another_thread_raises_peer_error(peer: FakePeer, world: FakeWorld) -> None:
    response = invoke(peer, world, "thr", "get_in_thread", "k")
    assert response.status == 200  # type: ignore[attr-defined]
    assert b"outside its transaction" in response.payload  # type: ignore[attr-defined]
    assert not [m for m in world.requests if m.txid == "thr"]


def test_range_query_iterates_batches_and_closes_early(peer: FakePeer, world: FakeWorld) -> None:
    world.state.update({f"k{i}": str(i).encode() for i in range(5)})
    world.state["\x00t\x00x\x00"] = b"composite"
    keys = json_payload(peer, world, "scan-all", "scan", "", "", "100")
    assert keys == ["k0=0", "k1=1", "k2=2", "k3=3", "k4=4"]
    types = [m.type for m in world.requests if m.txid == "scan-all"]
    assert types == [MSG.GET_STATE_BY_RANGE, MSG.QUERY_STATE_NEXT, MSG.QUERY_STATE_NEXT]
    range_request = shim.GetStateByRange.FromString(world.requests[0].payload)
    assert (range_request.startKey, range_request.endKey) == ("\x01", "")
    assert world.closed_queries == []
    assert json_payload(peer, world, "scan-some", "scan", "k1", "k4", "1") == ["k1=1"]
    assert len(world.closed_queries) == 1


def test_range_query_with_pagination_metadata(peer: FakePeer, world: FakeWorld) -> None:
    world.state.update({f"p{i}": b"x" for i in range(5)})
    first = json_payload(peer, world, "pg1", "page", "p", "q", "3", "")
    assert first == {"keys": ["p0", "p1", "p2"], "count": 3, "bookmark": "p3"}
    request = shim.GetStateByRange.FromString(world.requests[0].payload)
    metadata = shim.QueryMetadata.FromString(request.metadata)
    assert (metadata.pageSize, metadata.bookmark) == (3, "")
    second = json_payload(peer, world, "pg2", "page", "p", "q", "3", "p3")
    assert second == {"keys": ["p3", "p4"], "count": 2, "bookmark": ""}


def test_partial_composite_key_queries(peer: FakePeer, world: FakeWorld) -> None:
    for attrs in (["o1", "2"], ["o1", "1"], ["o2", "1"]):
        world.state["\x00inv\x00" + "\x00".join(attrs) + "\x00"] = b"v"
    world.state["\x00other\x00o1\x00"] = b"v"
    world.state["plain"] = b"v"
    assert json_payload(peer, world, "pc", "partial", "inv", '["o1"]') == [["o1", "1"], ["o1", "2"]]
    request = shim.GetStateByRange.FromString(world.requests[0].payload)
    assert request.startKey == "\x00inv\x00o1\x00"
    assert request.endKey == "\x00inv\x00o1\x00\U0010ffff"
    page = json_payload(peer, world, "pcp", "partial_page", "inv", "2", "")
    assert page["keys"] == [["o1", "1"], ["o1", "2"]]  # type: ignore[index]
    rest = json_payload(peer, world, "pcp2", "partial_page", "inv", "2", page["bookmark"])  # type: ignore[index]
    assert rest == {"keys": [["o2", "1"]], "bookmark": ""}


def test_history_for_key(peer: FakePeer, world: FakeWorld) -> None:
    world.history["h"] = [("tx9", b"new", 1_795_463_584, False), ("tx8", b"", 1_795_463_000, True)]
    history = json_payload(peer, world, "hist", "history", "h")
    assert history == [
        ["tx9", "new", "2026-11-23T19:53:04Z", False],
        ["tx8", "", "2026-11-23T19:43:20Z", True],
    ]


def test_private_data_requests(peer: FakePeer, world: FakeWorld) -> None:
    world.private[("pdc", "other")] = b"o"
    response = invoke(peer, world, "pd", "private", "pdc", "mine", transient={"secret": b"s3cret"})
    result = canonical_loads(response.payload)  # type: ignore[attr-defined]
    assert result == {
        "before": "s3cret",
        "hash": hashlib.sha256(b"s3cret").hexdigest(),
        "keys": ["mine", "other"],
        "partial": 0,
    }
    assert world.private[("pdc", "mine")] == b"s3cret"
    invoke(peer, world, "pd2", "private_remove", "pdc", "mine", "true")
    purge = world.requests[-1]
    assert purge.type == MSG.PURGE_PRIVATE_DATA
    assert shim.PurgePrivateState.FromString(purge.payload).collection == "pdc"
    invoke(peer, world, "pd3", "private_remove", "pdc", "other", "false")
    assert world.requests[-1].type == MSG.DEL_STATE
    assert world.private == {}


def test_state_validation_parameters(peer: FakePeer, world: FakeWorld) -> None:
    result = json_payload(peer, world, "ep", "endorse", "k", b"policy")
    assert result == ["policy", "policy!", ""]
    assert world.metadata == {("", "k"): b"policy", ("pc", "k"): b"policy!"}
    puts = [m for m in world.requests if m.type == MSG.PUT_STATE_METADATA]
    assert (
        shim.PutStateMetadata.FromString(puts[0].payload).metadata.metakey == "VALIDATION_PARAMETER"
    )


def test_event_is_sent_in_completed(peer: FakePeer, world: FakeWorld) -> None:
    reply = run_transaction(peer, world, transaction_message("ev", [b"emit", b"Created", b"{}"]))
    assert reply.type == MSG.COMPLETED
    assert (reply.chaincode_event.event_name, reply.chaincode_event.payload) == ("Created", b"{}")
    plain = run_transaction(peer, world, transaction_message("ev2", [b"noop"]))
    assert not plain.HasField("chaincode_event")


def test_invoke_chaincode(peer: FakePeer, world: FakeWorld) -> None:
    world.chaincodes["other"] = lambda args: (200, "", b"|".join(args))
    world.chaincodes["failing"] = lambda args: (None, "callee blew up", b"")
    world.chaincodes["other/ch2"] = lambda args: (201, "other channel", b"")
    ok = json_payload(peer, world, "cc1", "call", "other", '["f","x"]', "")
    assert ok == {"status": 200, "message": "", "payload": "f|x"}
    spec = next(m for m in world.requests if m.type == MSG.INVOKE_CHAINCODE)
    assert spec.txid == "cc1"
    assert json_payload(peer, world, "cc2", "call", "failing", "[]", "") == {
        "status": 500,
        "message": "callee blew up",
        "payload": "",
    }
    assert json_payload(peer, world, "cc3", "call", "other", "[]", "ch2")["status"] == 201  # type: ignore[index]
    missing = invoke(peer, world, "cc4", "call", "ghost", "[]", "")
    assert missing.status == 500  # type: ignore[attr-defined]
    assert missing.message == "PEER_ERROR: chaincode ghost not found"  # type: ignore[attr-defined]


def test_contract_errors_complete_with_500(peer: FakePeer, world: FakeWorld) -> None:
    response = invoke(peer, world, "e1", "no_such_function")
    assert response.status == 500  # type: ignore[attr-defined]
    assert response.message.startswith("UNKNOWN_TRANSACTION")  # type: ignore[attr-defined]
    bad = MSG(type=MSG.TRANSACTION, txid="e2", channel_id="ch1", payload=b"\xff\xff\xff")
    reply = run_transaction(peer, world, bad)
    assert reply.type == MSG.ERROR


def test_init_without_function_succeeds(peer: FakePeer, world: FakeWorld) -> None:
    reply = run_transaction(peer, world, transaction_message("init", [], init=True))
    assert response_of(reply).status == 200
    reply = run_transaction(
        peer, world, transaction_message("init2", [b"put", b"i", b"1"], init=True)
    )
    assert response_of(reply).status == 200
    assert world.state["i"] == b"1"


def test_peer_disconnect_fails_pending_call_and_server_keeps_serving(
    server: ChaincodeServer,
) -> None:
    first = FakePeer(f"127.0.0.1:{server.port}")
    first.handshake()
    first.send(transaction_message("orphan", [b"get", b"k"]))
    assert first.recv().type == MSG.GET_STATE
    first.close()
    second = FakePeer(f"127.0.0.1:{server.port}")
    try:
        second.handshake()
        reply = run_transaction(second, FakeWorld(), transaction_message("fresh", [b"noop"]))
        assert response_of(reply).status == 200
    finally:
        second.close()


def test_stop_ends_open_streams_and_pending_transactions() -> None:
    from chaincode_probe_contract import CHAINCODE

    server = ChaincodeServer(CHAINCODE, "127.0.0.1:0", "probe:stop")
    server.start()
    peer = FakePeer(f"127.0.0.1:{server.port}")
    try:
        peer.handshake()
        peer.send(transaction_message("pending", [b"get", b"k"]))
        assert peer.recv().type == MSG.GET_STATE
        server.stop(grace=0.2)
        peer.stream_end()
        assert server.wait(timeout=5)
    finally:
        peer.close()


def test_port_in_use_is_a_runtime_error_and_leaves_no_loop_running(
    server: ChaincodeServer,
) -> None:
    from chaincode_probe_contract import CHAINCODE

    loops_before = sum(t.name == "shim" for t in threading.enumerate())
    clash = ChaincodeServer(CHAINCODE, f"127.0.0.1:{server.port}", "probe:clash")
    try:
        clash.start()
    except RuntimeError as exc:
        assert f"cannot listen on 127.0.0.1:{server.port}" in str(exc)
    else:  # pragma: no cover - the assertion below reports it
        clash.stop(grace=0)
        raise AssertionError("a second server bound the same port")
    assert clash.wait(timeout=0)
    assert sum(t.name == "shim" for t in threading.enumerate()) == loops_before


def test_stop_before_start_is_harmless() -> None:
    from chaincode_probe_contract import CHAINCODE

    never_started = ChaincodeServer(CHAINCODE, "127.0.0.1:0", "probe:idle")
    never_started.stop()
    assert never_started.wait(timeout=0)


def test_many_interleaved_transactions_answered_out_of_order_all_complete(
    peer: FakePeer, world: FakeWorld
) -> None:
    count = 40
    world.state.update({f"src{i}": f"value{i}".encode() for i in range(count)})
    for i in range(count):
        peer.send(
            transaction_message(f"many{i}", [b"copy", f"src{i}".encode(), f"dst{i}".encode()])
        )
    completed: set[str] = set()
    pending: list[object] = []
    order = random.Random(7)
    while len(completed) < count:
        message = peer.recv()
        if message.type == MSG.COMPLETED:
            assert response_of(message).status == 200, message.txid
            completed.add(message.txid)
        else:
            assert message.type in (MSG.GET_STATE, MSG.PUT_STATE), MSG.Type.Name(message.type)
            pending.append(message)
        # Answer a random waiting request while several wait, or while every transaction waits.
        while pending and (len(pending) >= 3 or len(pending) + len(completed) == count):
            peer.send(world.answer(pending.pop(order.randrange(len(pending)))))
    assert completed == {f"many{i}" for i in range(count)}
    assert all(world.state[f"dst{i}"] == f"value{i}".encode() for i in range(count))
