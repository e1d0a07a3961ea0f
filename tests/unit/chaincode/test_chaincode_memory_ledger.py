from typing import Any

import pytest

from fabric_pilot_chaincode import (
    Context,
    Contract,
    ContractChaincode,
    ContractError,
    PeerError,
    TxTimestamp,
    canonical_json,
    canonical_loads,
    evaluate,
    transaction,
)
from fabric_pilot_chaincode.memory import START_TIMESTAMP, MemoryLedger
from fabric_pilot_chaincode.testing import make_test_identity

CREATOR = make_test_identity("Org1MSP", "bob")


def _kvs(items: Any) -> list[list[str]]:
    return [[kv.key, kv.value.decode()] for kv in items]


class Store(Contract):
    name = "Store"

    @transaction
    def put(self, ctx: Context, key: str, value: str) -> None:
        ctx.stub.put_state(key, value.encode())

    @transaction
    def put_then_fail(self, ctx: Context, key: str) -> None:
        ctx.stub.put_state(key, b"doomed")
        ctx.stub.set_event("Doomed", b"")
        raise ContractError("NOPE", "rolled back")

    @transaction
    def put_and_read(self, ctx: Context, key: str) -> str:
        ctx.stub.put_state(key, b"new")
        return ctx.stub.get_state(key).decode()

    @transaction
    def delete(self, ctx: Context, key: str) -> None:
        ctx.stub.del_state(key)

    @transaction
    def put_composite(self, ctx: Context, kind: str, attrs: list[str]) -> None:
        key = ctx.stub.create_composite_key(kind, attrs)
        ctx.stub.put_state(key, "|".join(attrs).encode())

    @evaluate
    def get(self, ctx: Context, key: str) -> bytes:
        return ctx.stub.get_state(key)

    @evaluate
    def many(self, ctx: Context, keys: list[str]) -> list[str]:
        return [v.decode() for v in ctx.stub.get_multiple_states(*keys)]

    @evaluate
    def range(self, ctx: Context, start: str, end: str) -> list[list[str]]:
        return _kvs(ctx.stub.get_state_by_range(start, end))

    @evaluate
    def page(self, ctx: Context, start: str, end: str, size: int, bookmark: str) -> dict[str, Any]:
        items, meta = ctx.stub.get_state_by_range_with_pagination(start, end, size, bookmark)
        count = meta.fetched_records_count
        return {"items": _kvs(items), "count": count, "bookmark": meta.bookmark}

    @evaluate
    def partial(self, ctx: Context, kind: str, attrs: list[str]) -> list[list[str]]:
        return [
            [*ctx.stub.split_composite_key(kv.key)[1], kv.value.decode()]
            for kv in ctx.stub.get_state_by_partial_composite_key(kind, attrs)
        ]

    @evaluate
    def partial_page(self, ctx: Context, kind: str, size: int, bookmark: str) -> dict[str, Any]:
        stub = ctx.stub
        items, meta = stub.get_state_by_partial_composite_key_with_pagination(
            kind, [], size, bookmark
        )
        return {"values": [kv.value.decode() for kv in items], "bookmark": meta.bookmark}

    @evaluate
    def history(self, ctx: Context, key: str) -> list[list[Any]]:
        return [
            [m.tx_id, m.value.decode(), m.timestamp.seconds, m.is_delete]
            for m in ctx.stub.get_history_for_key(key)
        ]

    @evaluate
    def tx_info(self, ctx: Context) -> dict[str, Any]:
        stub = ctx.stub
        return {
            "tx_id": stub.get_tx_id(),
            "channel": stub.get_channel_id(),
            "time": stub.get_tx_timestamp().iso(),
            "creator_ok": stub.get_creator() == CREATOR,
            "fn": list(stub.get_function_and_parameters()),
            "transient": {k: v.decode() for k, v in stub.get_transient().items()},
            "proposal": stub.get_signed_proposal() is None,
            "binding": len(stub.get_binding()),
        }

    @transaction
    def private_put(self, ctx: Context, collection: str) -> None:
        for key, value in ctx.stub.get_transient().items():
            ctx.stub.put_private_data(collection, key, value)

    @evaluate
    def private_get(self, ctx: Context, collection: str, key: str) -> dict[str, str]:
        return {
            "value": ctx.stub.get_private_data(collection, key).decode(),
            "hash": ctx.stub.get_private_data_hash(collection, key).hex(),
            "range": "".join(
                kv.key for kv in ctx.stub.get_private_data_by_range(collection, "", "")
            ),
        }

    @transaction
    def private_remove(self, ctx: Context, collection: str, key: str, purge: bool) -> None:
        if purge:
            ctx.stub.purge_private_data(collection, key)
        else:
            ctx.stub.del_private_data(collection, key)

    @transaction
    def set_ep(self, ctx: Context, key: str, ep: str) -> None:
        ctx.stub.set_state_validation_parameter(key, ep.encode())
        ctx.stub.set_private_data_validation_parameter("c1", key, ep.encode() + b"-p")

    @evaluate
    def get_ep(self, ctx: Context, key: str) -> list[str]:
        return [
            ctx.stub.get_state_validation_parameter(key).decode(),
            ctx.stub.get_private_data_validation_parameter("c1", key).decode(),
        ]

    @transaction
    def emit(self, ctx: Context, first: str, second: str) -> None:
        ctx.stub.set_event(first, b"1")
        ctx.stub.set_event(second, b"2")

    @transaction
    def call_other(self, ctx: Context, name: str, args: list[str], channel: str) -> dict[str, Any]:
        response = ctx.stub.invoke_chaincode(name, [a.encode() for a in args], channel)
        return {
            "status": response.status,
            "message": response.message,
            "payload": response.payload.decode(),
        }


@pytest.fixture
def ledger() -> MemoryLedger:
    ledger = MemoryLedger("ch1")
    ledger.deploy("store", ContractChaincode(Store()))
    ledger.deploy("other", ContractChaincode(Store()))
    return ledger


def invoke(ledger: MemoryLedger, function: str, *args: str, **kwargs: Any) -> Any:
    result = ledger.invoke("store", function, *args, creator=CREATOR, **kwargs)
    assert result.status == 200, result.message
    return canonical_loads(result.payload) if result.payload[:1] in (b"[", b"{") else result.payload


def test_state_writes_commit_and_evaluate_never_writes(ledger: MemoryLedger) -> None:
    invoke(ledger, "put", "a", "1")
    assert ledger.state("a") == b"1"
    assert ledger.evaluate("store", "put", "b", "2", creator=CREATOR).status == 200
    assert ledger.state("b") == b""
    assert ledger.evaluate("store", "get", "a", creator=CREATOR).payload == b"1"
    assert invoke(ledger, "many", '["a","b"]') == ["1", ""]


def test_failed_invocation_changes_nothing(ledger: MemoryLedger) -> None:
    result = ledger.invoke("store", "put_then_fail", "x", creator=CREATOR)
    assert (result.status, result.message, result.event) == (500, "NOPE: rolled back", None)
    assert ledger.state("x") == b""
    assert ledger.events == []
    assert invoke(ledger, "history", "x") == []


def test_reads_see_committed_state_only(ledger: MemoryLedger) -> None:
    assert invoke(ledger, "put_and_read", "k") == b""
    assert ledger.state("k") == b"new"


def test_namespaces_are_separate(ledger: MemoryLedger) -> None:
    invoke(ledger, "put", "a", "1")
    assert ledger.state("a", chaincode="other") == b""


def test_range_queries_follow_byte_order_and_skip_composites(ledger: MemoryLedger) -> None:
    for key in ["b", "a", "ü", "B", "a1", "c"]:
        invoke(ledger, "put", key, key.upper())
    invoke(ledger, "put_composite", "t", '["x"]')
    assert [k for k, _ in invoke(ledger, "range", "", "")] == ["B", "a", "a1", "b", "c", "ü"]
    assert invoke(ledger, "range", "a", "c") == [["a", "A"], ["a1", "A1"], ["b", "B"]]
    assert ledger.keys() == ["\x00t\x00x\x00", "B", "a", "a1", "b", "c", "ü"]
    bad = ledger.evaluate("store", "range", "\x00t", "", creator=CREATOR)
    assert bad.status == 500
    assert bad.message.startswith("BAD_KEY")


def test_pagination_bookmarks_walk_all_pages(ledger: MemoryLedger) -> None:
    keys = [f"k{i:02d}" for i in range(7)]
    for key in keys:
        invoke(ledger, "put", key, "v")
    seen: list[str] = []
    bookmark = ""
    pages = 0
    while True:
        page = invoke(ledger, "page", "k", "l", "3", bookmark)
        seen.extend(k for k, _ in page["items"])
        assert page["count"] == len(page["items"])
        bookmark = page["bookmark"]
        pages += 1
        if not bookmark:
            break
    assert seen == keys
    assert pages == 3
    assert ledger.evaluate("store", "page", "", "", "0", "", creator=CREATOR).status == 500


def test_partial_composite_queries(ledger: MemoryLedger) -> None:
    for attrs in (["org1", "2"], ["org1", "1"], ["org2", "1"], ["org10", "1"]):
        invoke(ledger, "put_composite", "inv", canonical_json(attrs).decode())
    invoke(ledger, "put_composite", "other", '["org1","1"]')
    assert invoke(ledger, "partial", "inv", '["org1"]') == [
        ["org1", "1", "org1|1"],
        ["org1", "2", "org1|2"],
    ]
    first = invoke(ledger, "partial_page", "inv", "3", "")
    assert first["values"] == ["org1|1", "org1|2", "org10|1"]
    second = invoke(ledger, "partial_page", "inv", "3", first["bookmark"])
    assert second == {"values": ["org2|1"], "bookmark": ""}


def test_history_records_writes_and_deletes_newest_first_like_fabric(ledger: MemoryLedger) -> None:
    first = ledger.invoke("store", "put", "h", "1", creator=CREATOR)
    ledger.invoke("store", "put", "h", "2", creator=CREATOR, timestamp=TxTimestamp(5, 6))
    third = ledger.invoke("store", "delete", "h", creator=CREATOR, tx_id="tx-three")
    history = invoke(ledger, "history", "h")
    assert [h[1:] for h in reversed(history)] == [
        ["1", START_TIMESTAMP.seconds + 1, False],
        ["2", 5, False],
        ["", START_TIMESTAMP.seconds + 3, True],
    ]
    assert history[2][0] == first.tx_id
    assert history[0][0] == third.tx_id == "tx-three"
    assert ledger.state("h") == b""


def test_tx_info_is_deterministic(ledger: MemoryLedger) -> None:
    info = invoke(ledger, "tx_info", transient={"secret": b"s"})
    assert info["channel"] == "ch1"
    assert info["time"] == "2026-01-01T00:00:01Z"
    assert info["creator_ok"] is True
    assert info["fn"] == ["tx_info", []]
    assert info["transient"] == {"secret": "s"}
    assert info["proposal"] is True
    assert info["binding"] == 32
    again = MemoryLedger("ch1")
    again.deploy("store", ContractChaincode(Store()))
    assert invoke(again, "tx_info", transient={"secret": b"s"})["tx_id"] == info["tx_id"]


def test_private_data_lifecycle(ledger: MemoryLedger) -> None:
    invoke(ledger, "private_put", "c1", transient={"p1": b"hidden", "p2": b"x"})
    assert ledger.private_data("c1", "p1") == b"hidden"
    assert ledger.state("p1") == b""
    got = invoke(ledger, "private_get", "c1", "p1")
    assert got["value"] == "hidden"
    assert got["range"] == "p1p2"
    assert len(bytes.fromhex(got["hash"])) == 32
    invoke(ledger, "private_remove", "c1", "p1", "false")
    invoke(ledger, "private_remove", "c1", "p2", "true")
    assert invoke(ledger, "private_get", "c1", "p1") == {"value": "", "hash": "", "range": ""}


def test_validation_parameters(ledger: MemoryLedger) -> None:
    invoke(ledger, "set_ep", "k", "policy")
    assert invoke(ledger, "get_ep", "k") == ["policy", "policy-p"]
    assert invoke(ledger, "get_ep", "other") == ["", ""]


def test_later_event_replaces_earlier(ledger: MemoryLedger) -> None:
    result = ledger.invoke("store", "emit", "First", "Second", creator=CREATOR)
    assert result.event == ("Second", b"2")
    assert ledger.events == [(result.tx_id, "Second", b"2")]


def test_chaincode_to_chaincode_writes_callee_namespace(ledger: MemoryLedger) -> None:
    out = invoke(ledger, "call_other", "other", '["put","shared","v"]', "")
    assert out == {"status": 200, "message": "", "payload": ""}
    assert ledger.state("shared", chaincode="other") == b"v"
    assert ledger.state("shared", chaincode="store") == b""
    failed = invoke(ledger, "call_other", "other", '["put_then_fail","z"]', "")
    assert failed["status"] == 500
    assert failed["message"] == "NOPE: rolled back"
    missing = ledger.invoke("store", "call_other", "ghost", "[]", "", creator=CREATOR)
    assert missing.message == "PEER_ERROR: chaincode 'ghost' is not deployed"
    other_channel = ledger.invoke("store", "call_other", "other", "[]", "ch9", creator=CREATOR)
    assert other_channel.status == 500


def test_unknown_chaincode_raises_peer_error(ledger: MemoryLedger) -> None:
    with pytest.raises(PeerError):
        ledger.invoke("ghost", "f", creator=CREATOR)


def test_empty_key_is_rejected(ledger: MemoryLedger) -> None:
    result = ledger.invoke("store", "put", "", "v", creator=CREATOR)
    assert result.message == "BAD_KEY: key must not be an empty string"
