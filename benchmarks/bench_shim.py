"""Benchmark the chaincode shim: a fake peer drives the real server over loopback gRPC.

Usage: ``python benchmarks/bench_shim.py [--invocations 2000] [--inflight 1]``

Prints one line per scenario and a final JSON line (also appended to
benchmarks/results/shim.jsonl) with invocations/second and process CPU
milliseconds per invocation (peer and chaincode share this process,
so the CPU figure is an upper bound for the chaincode side).
"""

from __future__ import annotations

import argparse
import queue
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc

from fabric_pilot_chaincode import (
    ChaincodeServer,
    Context,
    Contract,
    ContractChaincode,
    evaluate,
    transaction,
)
from fabric_pilot_chaincode._protos import (
    chaincode_pb2,
    chaincode_shim_pb2,
    chaincode_shim_pb2_grpc,
    proposal_response_pb2,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _record import record

MSG = chaincode_shim_pb2.ChaincodeMessage


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


class BenchPeer:
    """Peer side of one Connect stream that answers PUT_STATE immediately."""

    def __init__(self, port: int) -> None:
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self._outbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        service = chaincode_shim_pb2_grpc.ChaincodeStub(self._channel)
        self._replies = iter(service.Connect(self._requests()))
        register = next(self._replies)
        assert register.type == MSG.REGISTER
        self._outbox.put(MSG(type=MSG.REGISTERED))
        self._outbox.put(MSG(type=MSG.READY))

    def _requests(self) -> Iterator[Any]:
        while True:
            message = self._outbox.get()
            if message is None:
                return
            yield message

    def run(self, args: list[bytes], count: int, inflight: int) -> None:
        """Run ``count`` transactions with up to ``inflight`` outstanding."""
        payload = chaincode_pb2.ChaincodeInput(args=args).SerializeToString()
        sent = done = 0
        while done < count:
            while sent < count and sent - done < inflight:
                self._outbox.put(
                    MSG(type=MSG.TRANSACTION, txid=f"tx{sent}", channel_id="bench", payload=payload)
                )
                sent += 1
            message = next(self._replies)
            if message.type == MSG.COMPLETED:
                response = proposal_response_pb2.Response.FromString(message.payload)
                assert response.status == 200, response.message
                done += 1
            elif message.type == MSG.ERROR:
                raise RuntimeError(message.payload.decode())
            else:
                self._outbox.put(
                    MSG(type=MSG.RESPONSE, txid=message.txid, channel_id=message.channel_id)
                )

    def close(self) -> None:
        """End the stream."""
        self._outbox.put(None)
        self._channel.close()


def measure(peer: BenchPeer, args: list[bytes], count: int, inflight: int) -> dict[str, float]:
    """Time ``count`` invocations (after a short warm-up)."""
    peer.run(args, min(100, count), inflight)
    wall, cpu = time.perf_counter(), time.process_time()
    peer.run(args, count, inflight)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "invocations": count,
        "invocations_per_second": round(count / wall, 1),
        "cpu_ms_per_invocation": round(cpu * 1000 / count, 3),
    }


def main() -> None:
    """Run the benchmark scenarios and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--invocations", type=int, default=2000)
    parser.add_argument("--inflight", type=int, default=1)
    options = parser.parse_args()
    server = ChaincodeServer(
        ContractChaincode(BenchContract()), "127.0.0.1:0", "bench:0", max_workers=4
    )
    port = server.start()
    peer = BenchPeer(port)
    try:
        results = {
            "noop": measure(peer, [b"noop"], options.invocations, options.inflight),
            "put_state": measure(
                peer, [b"put", b"key", b"value"], options.invocations, options.inflight
            ),
        }
    finally:
        peer.close()
        server.stop(grace=0.5)
    for name, result in results.items():
        print(
            f"{name:10s} {result['invocations_per_second']:10.1f} inv/s "
            f"{result['cpu_ms_per_invocation']:8.3f} CPU ms/inv"
        )
    record("shim", {"inflight": options.inflight, **results})


if __name__ == "__main__":
    main()
