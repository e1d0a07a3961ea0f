"""The bench contract written for ``fabric-chaincode-python`` 2.5.4, served as CCaaS.

Run with the baseline's own interpreter (``benchmarks/shim_baseline/.venv/bin/python``);
it reads ``CHAINCODE_ID`` and ``CHAINCODE_SERVER_ADDRESS`` like the real package does
and serves plaintext gRPC because no TLS key/cert variables are set.

Two optional variables alter the package, for diagnosis only (unset = as shipped):

* ``BASELINE_LOG_LEVEL`` (e.g. ``ERROR``) raises the level of the logger the package
  uses (named ``asyncio``, configured at DEBUG on import).
* ``BASELINE_SERIALIZE_WRITES=1`` puts an asyncio lock around the package's writes to
  the gRPC stream.  As shipped, every incoming message is handled in its own task and
  those tasks call ``context.write`` concurrently, which grpc.aio rejects
  (``GRPC_CALL_ERROR_TOO_MANY_OPERATIONS``); the rejected COMPLETED/PUT_STATE message
  is lost and the transaction never finishes.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from fabric_chaincode_python.fabric_contract_api import (  # type: ignore[import-untyped]
    Contract,
    ContractChaincode,
    TransactionContext,
)
from fabric_chaincode_python.fabric_shim.handler import Handler  # type: ignore[import-untyped]


class BenchContract(Contract):  # type: ignore[misc]
    """The same two transactions as the fabric-pilot bench contract."""

    Name = "Bench"

    def get_evaluate_transactions(self) -> list[str]:
        """Mark ``noop`` as evaluate (read-only), as fabric-pilot's ``@evaluate`` does."""
        return ["noop"]

    async def noop(self, ctx: TransactionContext) -> None:
        """Do nothing."""

    async def put(self, ctx: TransactionContext, key: str, value: str) -> None:
        """Write one key."""
        await ctx.get_stub().put_state(key, value)


class SerialWriter:
    """Wrap a grpc.aio servicer context so at most one ``write`` is outstanding."""

    def __init__(self, context: Any) -> None:
        self._context = context
        self._lock = asyncio.Lock()

    async def write(self, message: Any) -> None:
        """Write ``message`` after any earlier write has finished."""
        async with self._lock:
            await self._context.write(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def serialize_stream_writes() -> None:
    """Patch the package's Handler so its stream writes go through a SerialWriter."""
    original = Handler.chat_with_peer

    async def chat_with_peer(self: Handler, stream: Any, context: Any) -> Any:
        return await original(self, stream, SerialWriter(context))

    Handler.chat_with_peer = chat_with_peer


def main() -> None:
    """Serve the contract until killed."""
    level = os.environ.get("BASELINE_LOG_LEVEL", "")
    if level:
        logging.getLogger("asyncio").setLevel(level)
        logging.getLogger().setLevel(level)
    if os.environ.get("BASELINE_SERIALIZE_WRITES") == "1":
        serialize_stream_writes()
    ContractChaincode.new_chaincode(BenchContract()).start()


if __name__ == "__main__":
    main()
