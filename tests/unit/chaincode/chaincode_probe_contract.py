"""A contract that exercises every stub call, for the protocol tests."""

from __future__ import annotations

import threading
from typing import Any

from fabric_pilot_chaincode import (
    Context,
    Contract,
    ContractChaincode,
    PeerError,
    evaluate,
    transaction,
)


class ProbeContract(Contract):
    name = "Probe"

    @evaluate
    def noop(self, ctx: Context) -> None:
        return None

    @transaction
    def put(self, ctx: Context, key: str, value: bytes) -> None:
        ctx.stub.put_state(key, value)

    @evaluate
    def get(self, ctx: Context, key: str) -> bytes:
        return ctx.stub.get_state(key)

    @transaction
    def copy(self, ctx: Context, source: str, target: str) -> None:
        value = ctx.stub.get_state(source)
        ctx.stub.put_state(target, value)

    @evaluate
    def get_or_explain(self, ctx: Context, key: str) -> str:
        try:
            return ctx.stub.get_state(key).decode()
        except PeerError as exc:
            return f"caught {exc.code}: {exc.message}"

    @transaction
    def delete(self, ctx: Context, key: str) -> None:
        ctx.stub.del_state(key)

    @evaluate
    def many(self, ctx: Context, keys: list[str]) -> list[str]:
        return [v.decode() for v in ctx.stub.get_multiple_states(*keys)]

    @evaluate
    def scan(self, ctx: Context, start: str, end: str, limit: int) -> list[str]:
        keys: list[str] = []
        for kv in ctx.stub.get_state_by_range(start, end):
            if len(keys) == limit:
                break
            keys.append(f"{kv.key}={kv.value.decode()}")
        return keys

    @evaluate
    def page(self, ctx: Context, start: str, end: str, size: int, bookmark: str) -> dict[str, Any]:
        items, meta = ctx.stub.get_state_by_range_with_pagination(start, end, size, bookmark)
        return {
            "keys": [kv.key for kv in items],
            "count": meta.fetched_records_count,
            "bookmark": meta.bookmark,
        }

    @evaluate
    def partial(self, ctx: Context, kind: str, attrs: list[str]) -> list[list[str]]:
        return [
            ctx.stub.split_composite_key(kv.key)[1]
            for kv in ctx.stub.get_state_by_partial_composite_key(kind, attrs)
        ]

    @evaluate
    def partial_page(self, ctx: Context, kind: str, size: int, bookmark: str) -> dict[str, Any]:
        items, meta = ctx.stub.get_state_by_partial_composite_key_with_pagination(
            kind, [], size, bookmark
        )
        return {
            "keys": [ctx.stub.split_composite_key(kv.key)[1] for kv in items],
            "bookmark": meta.bookmark,
        }

    @evaluate
    def history(self, ctx: Context, key: str) -> list[list[Any]]:
        return [
            [m.tx_id, m.value.decode(), m.timestamp.iso(), m.is_delete]
            for m in ctx.stub.get_history_for_key(key)
        ]

    @transaction
    def private(self, ctx: Context, collection: str, key: str) -> dict[str, Any]:
        secret = ctx.stub.get_transient()["secret"]
        ctx.stub.put_private_data(collection, key, secret)
        before = ctx.stub.get_private_data(collection, key).decode()
        digest = ctx.stub.get_private_data_hash(collection, key).hex()
        keys = [kv.key for kv in ctx.stub.get_private_data_by_range(collection, "", "")]
        partial = list(ctx.stub.get_private_data_by_partial_composite_key(collection, "t", []))
        return {"before": before, "hash": digest, "keys": keys, "partial": len(partial)}

    @transaction
    def private_remove(self, ctx: Context, collection: str, key: str, purge: bool) -> None:
        if purge:
            ctx.stub.purge_private_data(collection, key)
        else:
            ctx.stub.del_private_data(collection, key)

    @transaction
    def endorse(self, ctx: Context, key: str, policy: bytes) -> list[str]:
        ctx.stub.set_state_validation_parameter(key, policy)
        ctx.stub.set_private_data_validation_parameter("pc", key, policy + b"!")
        return [
            ctx.stub.get_state_validation_parameter(key).decode(),
            ctx.stub.get_private_data_validation_parameter("pc", key).decode(),
            ctx.stub.get_state_validation_parameter("unset").decode(),
        ]

    @transaction
    def emit(self, ctx: Context, name: str, payload: bytes) -> None:
        ctx.stub.set_event("ignored", b"first")
        ctx.stub.set_event(name, payload)

    @transaction
    def call(self, ctx: Context, chaincode: str, args: list[str], channel: str) -> dict[str, Any]:
        response = ctx.stub.invoke_chaincode(chaincode, [a.encode() for a in args], channel)
        return {
            "status": response.status,
            "message": response.message,
            "payload": response.payload.decode(),
        }

    @evaluate
    def info(self, ctx: Context) -> dict[str, Any]:
        stub = ctx.stub
        return {
            "tx_id": stub.get_tx_id(),
            "channel": stub.get_channel_id(),
            "time": stub.get_tx_timestamp().iso(),
            "msp": ctx.client_identity.msp_id,
            "transient": sorted(stub.get_transient()),
            "binding": stub.get_binding().hex(),
            "args": stub.get_function_and_parameters()[1],
            "has_proposal": stub.get_signed_proposal() is not None,
        }

    @evaluate
    def get_in_thread(self, ctx: Context, key: str) -> str:
        outcome: list[str] = []

        def read() -> None:
            try:
                outcome.append(ctx.stub.get_state(key).decode())
            except PeerError as exc:
                outcome.append(exc.message)

        worker = threading.Thread(target=read)
        worker.start()
        worker.join()
        return outcome[0]


CHAINCODE = ContractChaincode(ProbeContract())
