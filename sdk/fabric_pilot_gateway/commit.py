"""Commit status of a submitted transaction."""

from __future__ import annotations

from dataclasses import dataclass

from ._context import GatewayContext
from ._protos import gateway_pb2, transaction_pb2
from .options import DEFAULT, Timeout, resolve

__all__ = ["Commit", "Status", "SubmittedTransaction"]

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


def validation_code_name(code: int) -> str:
    """Return the ``TxValidationCode`` name for ``code`` (or ``"UNKNOWN_<code>"``)."""
    try:
        name: str = transaction_pb2.TxValidationCode.Name(code)
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


class SubmittedTransaction(Commit):
    """A transaction accepted for ordering, with its (endorsed) result."""

    def __init__(
        self,
        context: GatewayContext,
        signed_request: gateway_pb2.SignedCommitStatusRequest,
        result: bytes,
    ):
        super().__init__(context, signed_request)
        self._result = result

    @property
    def result(self) -> bytes:
        """Payload returned by the transaction function at endorsement."""
        return self._result
