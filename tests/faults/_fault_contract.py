"""Contract served to the fault-injection tests (``_fault_contract:CHAINCODE``).

Every acknowledged ``increment`` of a fresh key must leave that key at exactly 1: 0 means an
acknowledged transaction was lost, 2 that one was applied twice.
"""

from __future__ import annotations

from fabric_pilot_chaincode import Context, Contract, ContractChaincode, evaluate, transaction

__all__ = ["CHAINCODE", "CounterContract"]


class CounterContract(Contract):
    """Counters under text keys."""

    name = "Counter"

    @transaction
    def increment(self, ctx: Context, key: str) -> int:
        """Add one to the counter under ``key`` (missing counts as 0); returns the new count."""
        count = int(ctx.stub.get_state(key) or b"0") + 1
        ctx.stub.put_state(key, str(count).encode())
        ctx.stub.set_event("Incremented", f"{key}={count}".encode())
        return count

    @evaluate
    def count(self, ctx: Context, key: str) -> int:
        """The counter under ``key`` (0 when missing)."""
        return int(ctx.stub.get_state(key) or b"0")

    @evaluate
    def counts(self, ctx: Context, keys: list[str]) -> list[int]:
        """The counters under ``keys``, in order."""
        return [int(ctx.stub.get_state(key) or b"0") for key in keys]


CHAINCODE = ContractChaincode(CounterContract())
