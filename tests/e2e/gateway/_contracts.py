"""Contract served to the Gateway e2e tests (``_contracts:CHAINCODE``; PYTHONPATH=this folder).

Values are text; every write emits a ``Put`` event whose payload is ``key=value``.
"""

from __future__ import annotations

import hashlib
import time

from fabric_pilot_chaincode import (
    Context,
    Contract,
    ContractChaincode,
    ContractError,
    evaluate,
    transaction,
)

__all__ = ["CHAINCODE", "KeyValueContract"]

_RENDEZVOUS_SECONDS = 20.0
_arrivals: dict[str, set[str]] = {}


def _write(ctx: Context, key: str, value: str) -> None:
    ctx.stub.put_state(key, value.encode())
    ctx.stub.set_event("Put", f"{key}={value}".encode())


class KeyValueContract(Contract):
    """Text values under text keys, plus helpers that exercise the Gateway's edge cases."""

    name = "KeyValue"

    @transaction
    def put(self, ctx: Context, key: str, value: str) -> str:
        """Store ``value`` under ``key``; returns the value."""
        _write(ctx, key, value)
        return value

    @evaluate
    def get(self, ctx: Context, key: str) -> str:
        """The value under ``key``.

        Raises:
            ContractError: ``NOT_FOUND`` when the key has no value.
        """
        value = ctx.stub.get_state(key)
        if not value:
            raise ContractError("NOT_FOUND", f"no value under {key}")
        return value.decode()

    @transaction
    def increment(self, ctx: Context, key: str) -> int:
        """Add one to the counter under ``key`` (missing counts as 0); returns the new count."""
        count = int(ctx.stub.get_state(key) or b"0") + 1
        _write(ctx, key, str(count))
        return count

    @transaction
    def increment_together(self, ctx: Context, key: str, parties: int, tag: str) -> int:
        """Like ``increment`` but waits, after reading, until ``parties`` calls tagged ``tag``
        have read too, so all of them endorse against the same version.

        Raises:
            ContractError: ``NO_RENDEZVOUS`` when the other calls do not arrive in time.
        """
        count = int(ctx.stub.get_state(key) or b"0") + 1
        arrived = _arrivals.setdefault(tag, set())
        arrived.add(ctx.stub.get_tx_id())
        deadline = time.monotonic() + _RENDEZVOUS_SECONDS
        while len(arrived) < parties:
            if time.monotonic() > deadline:
                raise ContractError("NO_RENDEZVOUS", f"{parties} calls tagged {tag} never met")
            ctx.stub.get_state(key)  # waits on the peer, so the server runs the other calls
        _write(ctx, key, str(count))
        return count

    @transaction
    def put_secret(self, ctx: Context, key: str) -> str:
        """Store the SHA-256 (hex) of transient entry ``secret`` under ``key``; returns it.

        Raises:
            ContractError: ``NO_TRANSIENT`` when no ``secret`` entry was passed.
        """
        secret = ctx.stub.get_transient().get("secret")
        if secret is None:
            raise ContractError("NO_TRANSIENT", "transient entry 'secret' is missing")
        digest = hashlib.sha256(secret).hexdigest()
        _write(ctx, key, digest)
        return digest

    @evaluate
    def transient_keys(self, ctx: Context) -> list[str]:
        """The sorted keys of the transient map this call received."""
        return sorted(ctx.stub.get_transient())

    @transaction
    def fail(self, ctx: Context, code: str) -> None:
        """Always fail with ContractError ``code``.

        Raises:
            ContractError: always.
        """
        raise ContractError(code, "failure requested by the test")

    @evaluate
    def whoami(self, ctx: Context) -> dict[str, str]:
        """The caller's MSP ID and identity string."""
        identity = ctx.client_identity
        return {"mspId": identity.msp_id, "id": identity.id}


CHAINCODE = ContractChaincode(KeyValueContract())
