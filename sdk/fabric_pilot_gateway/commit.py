"""Commit status of a submitted transaction."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import cast

from ._context import GatewayContext
from ._protos import gateway_pb2, transaction_pb2
from .errors import CommitError, CommitStatusError, CommitTimeoutError, SubmitError
from .options import DEFAULT, Timeout, resolve

__all__ = ["Commit", "Committed", "Status", "SubmittedTransaction", "validation_code_name"]

_VALID = transaction_pb2.TxValidationCode.VALID


@dataclass(frozen=True)
class Status:
    """Outcome of a transaction on the ledger.

    Attributes:
        transaction_id: The transaction ID.
        code: ``TxValidationCode`` value (0 is VALID).
        code_name: ``TxValidationCode`` name.
        successful: True when the transaction is valid.
        block_number: Block that contains the transaction.
    """

    transaction_id: str
    code: int
    code_name: str
    successful: bool
    block_number: int


@dataclass(frozen=True)
class Committed:
    """A transaction that committed valid: the chaincode's result and its commit status.

    Attributes:
        result: Payload returned by the transaction function at endorsement.
        status: Its commit status (always successful).
    """

    result: bytes
    status: Status

    @property
    def transaction_id(self) -> str:
        """The transaction ID."""
        return self.status.transaction_id

    @property
    def block_number(self) -> int:
        """The block that holds the transaction."""
        return self.status.block_number


def validation_code_name(code: int) -> str:
    """Return the ``TxValidationCode`` name for ``code`` (or ``"UNKNOWN_<code>"``)."""
    try:
        name = transaction_pb2.TxValidationCode.Name(
            cast("transaction_pb2.TxValidationCode.ValueType", code)
        )
    except ValueError:
        return f"UNKNOWN_{code}"
    return name


class Commit:
    """A submitted transaction whose commit status can be queried.

    For offline signing, sign :meth:`digest` and call ``gateway.new_signed_commit``.
    """

    def __init__(
        self, context: GatewayContext, signed_request: gateway_pb2.SignedCommitStatusRequest
    ):
        self._context = context
        self._signed = signed_request
        self._transaction_id: str = gateway_pb2.CommitStatusRequest.FromString(
            signed_request.request
        ).transaction_id

    @property
    def transaction_id(self) -> str:
        """The transaction ID."""
        return self._transaction_id

    def digest(self) -> bytes:
        """Hash of the commit status request that a signer must sign."""
        return self._context.hash_function(self._signed.request)

    def to_bytes(self) -> bytes:
        """Serialized ``SignedCommitStatusRequest`` (signature may be empty)."""
        result: bytes = self._signed.SerializeToString()
        return result

    def status(self, *, timeout: Timeout = DEFAULT) -> Status:
        """Wait for the transaction to commit and return its status.

        Raises:
            CommitStatusError: If the CommitStatus call fails.
            SignatureRequiredError: If unsigned and the Gateway has no signer.
        """
        if not self._signed.signature:
            signature = self._context.sign(self._signed.request, "commit")
            self._signed = gateway_pb2.SignedCommitStatusRequest(
                request=self._signed.request, signature=signature
            )
        response = self._context.transport.commit_status(
            self._signed, resolve(timeout, self._context.timeouts.commit_status)
        )
        code = int(response.result)
        return Status(
            transaction_id=self._transaction_id,
            code=code,
            code_name=validation_code_name(code),
            successful=code == _VALID,
            block_number=int(response.block_number),
        )


def _remaining(deadline: float | None, started: float) -> float | None:
    """Seconds left before ``deadline`` (counted from ``started``); None: no deadline."""
    return None if deadline is None else deadline - (time.monotonic() - started)


class SubmittedTransaction(Commit):
    """A transaction accepted for ordering, with its (endorsed) result.

    An orderer that crashes with the transaction in flight loses it, and the Gateway's
    commit status call would then wait for its whole deadline. :meth:`status` therefore
    asks in slices of ``Timeouts.commit_resubmit`` seconds and, after a slice without an
    answer, sends the same signed transaction again: a transaction ID commits at most
    once (a second copy is marked ``DUPLICATE_TXID``), so this never applies it twice.
    """

    def __init__(
        self,
        context: GatewayContext,
        signed_request: gateway_pb2.SignedCommitStatusRequest,
        result: bytes,
        submit_request: gateway_pb2.SubmitRequest | None = None,
    ):
        super().__init__(context, signed_request)
        self._result = result
        self._submit_request = submit_request
        self._resubmissions = 0

    @property
    def result(self) -> bytes:
        """Payload returned by the transaction function at endorsement."""
        return self._result

    @property
    def resubmissions(self) -> int:
        """Times the same signed transaction was sent again."""
        return self._resubmissions

    def resubmit(self, *, timeout: Timeout = DEFAULT) -> None:
        """Send the same signed transaction to the orderer again.

        Safe at any time: the ledger commits a transaction ID at most once.

        Raises:
            SubmitError: If the Submit call fails (e.g. no Raft leader yet).
            ValueError: If this transaction was not submitted through this object.
        """
        if self._submit_request is None:
            raise ValueError(f"transaction {self.transaction_id}: no signed envelope to resend")
        self._context.transport.submit(
            self._submit_request, resolve(timeout, self._context.timeouts.submit)
        )
        self._resubmissions += 1

    def status(self, *, timeout: Timeout = DEFAULT) -> Status:
        """Wait for the transaction to commit and return its status.

        After each ``Timeouts.commit_resubmit`` seconds without an answer the same signed
        transaction is sent again (a failed resend is tried again after the next slice).

        Raises:
            CommitTimeoutError: If no status came within the deadline; says what is safe.
            CommitStatusError: If the CommitStatus call fails otherwise.
            SignatureRequiredError: If unsigned and the Gateway has no signer.
        """
        deadline = resolve(timeout, self._context.timeouts.commit_status)
        slice_seconds = self._context.timeouts.commit_resubmit
        if self._submit_request is None or slice_seconds is None:
            return super().status(timeout=deadline)
        started = time.monotonic()
        while True:
            remaining = _remaining(deadline, started)
            if remaining is not None and remaining <= 0:
                raise self._timeout(time.monotonic() - started)
            wait = slice_seconds if remaining is None else min(slice_seconds, remaining)
            status = self._status_within(wait)
            if status is not None:
                return status
            if remaining is None or remaining > wait:
                self._try_resubmit()

    def _status_within(self, wait: float) -> Status | None:
        """The commit status, or None when none came within ``wait`` seconds."""
        try:
            return super().status(timeout=wait)
        except CommitStatusError as error:
            if error.code != "DEADLINE_EXCEEDED":
                raise
        return None

    def _try_resubmit(self) -> None:
        with contextlib.suppress(SubmitError):  # e.g. no Raft leader yet: next slice
            self.resubmit()

    def _timeout(self, waited: float) -> CommitTimeoutError:
        return CommitTimeoutError(
            f"transaction {self.transaction_id} has no commit status after {waited:.0f} s "
            f"({self._resubmissions} resubmissions): it may have been lost by a crashing "
            "orderer or may still commit; safe: resubmit the same signed transaction and "
            "ask again (a transaction ID commits at most once); not safe: a new proposal",
            transaction_id=self.transaction_id,
            waited=waited,
            resubmissions=self._resubmissions,
        )

    def committed(self, *, timeout: Timeout = DEFAULT) -> Committed:
        """Wait for the commit; return the result with its status, or raise if it is invalid.

        Raises:
            CommitStatusError: If the CommitStatus call fails.
            CommitError: If the transaction committed as invalid (e.g. MVCC_READ_CONFLICT).
        """
        status = self.status(timeout=timeout)
        if not status.successful:
            raise CommitError(
                f"transaction {status.transaction_id} failed to commit with status code "
                f"{status.code} ({status.code_name})",
                transaction_id=status.transaction_id,
                code=status.code,
                code_name=status.code_name,
            )
        return Committed(self._result, status)
