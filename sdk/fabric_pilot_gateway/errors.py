"""Errors raised by the Gateway SDK.

Error tree::

    Exception
    ├── GatewayError                 a gRPC call to the Gateway/peer failed
    │   ├── EvaluateError            Evaluate RPC failed
    │   ├── EndorseError             Endorse RPC failed
    │   │   └── EndorsementMismatchError  endorsers returned different results (one peer
    │   │                            a block behind); transient, retried with new proposals
    │   ├── SubmitError              Submit RPC failed
    │   ├── CommitStatusError        CommitStatus RPC failed
    │   │   └── CommitTimeoutError   no commit status in time although the transaction was
    │   │                            accepted for ordering (e.g. the orderer leader crashed)
    │   ├── EventsError              ChaincodeEvents or Deliver stream failed
    │   └── ChaincodeRejectedError   (``sectors``) the chaincode answered "CODE: text";
    │                                ``code`` is the contract's code, ``grpc_code`` the
    │                                gRPC one; raised from the EndorseError/EvaluateError
    ├── CommitError                  the call succeeded but the ledger marked the
    │                                transaction invalid (e.g. MVCC_READ_CONFLICT)
    └── ValueError
        ├── SignatureRequiredError   a step needs a signature and no signer is set
        └── ReceiptError             (``receipts``) a receipt failed offline verification;
                                     ``check`` names the failed check
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CommitError",
    "CommitStatusError",
    "CommitTimeoutError",
    "EndorseError",
    "EndorsementMismatchError",
    "ErrorDetail",
    "EvaluateError",
    "EventsError",
    "GatewayError",
    "SignatureRequiredError",
    "SubmitError",
]


@dataclass(frozen=True)
class ErrorDetail:
    """Failure reported by one peer or orderer behind the Gateway.

    Attributes:
        address: Network address of the node.
        msp_id: MSP ID of the node's organization.
        message: Error message from that node.
    """

    address: str
    msp_id: str
    message: str


class GatewayError(Exception):
    """A gRPC call failed.

    Attributes:
        code: gRPC status code name, e.g. ``"ABORTED"`` or ``"DEADLINE_EXCEEDED"``.
        details: Per-node error details decoded from the gRPC status.
        transaction_id: Transaction the call was about, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        details: list[ErrorDetail] | None = None,
        transaction_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details: list[ErrorDetail] = list(details or [])
        self.transaction_id = transaction_id

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}"
        for detail in self.details:
            text += f"\n  - {detail.address} ({detail.msp_id}): {detail.message}"
        return text


class EvaluateError(GatewayError):
    """The Evaluate call failed."""


class EndorseError(GatewayError):
    """The Endorse call failed."""


class EndorsementMismatchError(EndorseError):
    """The endorsing peers returned different results for one proposal.

    The Gateway answers "ProposalResponsePayloads do not match", typically because one
    endorsing peer is a block behind the others and read older state. Nothing reached the
    orderer, so nothing changed; the chaincode did not refuse anything. A new proposal
    (new transaction ID) usually succeeds once the peer has caught up: ``Contract.submit``
    and ``submit_async`` already retried it ``attempts`` times before raising this.

    Attributes:
        attempts: Proposals endorsed before giving up (each with its own transaction ID;
            ``transaction_id`` is the last one's).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        details: list[ErrorDetail] | None = None,
        transaction_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message, code=code, details=details, transaction_id=transaction_id)
        self.attempts = attempts

    @classmethod
    def from_error(
        cls, error: GatewayError, attempts: int = 1, transaction_id: str | None = None
    ) -> EndorsementMismatchError:
        """The same failure, typed; keeps code, per-peer details and transaction ID."""
        return cls(
            error.message,
            code=error.code,
            details=error.details,
            transaction_id=error.transaction_id or transaction_id,
            attempts=attempts,
        )


class SubmitError(GatewayError):
    """The Submit call failed."""


class CommitStatusError(GatewayError):
    """The CommitStatus call failed."""


class CommitTimeoutError(CommitStatusError):
    """No commit status arrived in time for a transaction the orderer had accepted.

    An ordering node that crashes (e.g. the Raft leader) loses the transactions it had not
    yet cut into a block; the transaction may also still be on its way. What is safe:
    send the *same* signed transaction again (``SubmittedTransaction.resubmit()``, or the
    bytes of ``Transaction.to_bytes()``) and ask for its status again: a transaction ID
    commits at most once, a second copy is marked ``DUPLICATE_TXID`` and changes nothing.
    What is not safe: endorsing a *new* proposal for the same change, unless the contract
    refuses duplicates on a natural key.

    Attributes:
        waited: Seconds spent waiting for the status.
        resubmissions: Times the SDK already sent the same signed transaction again.
    """

    def __init__(
        self, message: str, *, transaction_id: str, waited: float, resubmissions: int
    ) -> None:
        super().__init__(message, code="DEADLINE_EXCEEDED", transaction_id=transaction_id)
        self.waited = waited
        self.resubmissions = resubmissions


class EventsError(GatewayError):
    """An event stream (chaincode events or block delivery) failed."""


class CommitError(Exception):
    """The transaction was committed to a block but marked invalid.

    Attributes:
        transaction_id: The transaction ID.
        code: ``TxValidationCode`` value.
        code_name: ``TxValidationCode`` name, e.g. ``"MVCC_READ_CONFLICT"``.
    """

    def __init__(self, message: str, *, transaction_id: str, code: int, code_name: str) -> None:
        super().__init__(message)
        self.message = message
        self.transaction_id = transaction_id
        self.code = code
        self.code_name = code_name


class SignatureRequiredError(ValueError):
    """A step needs a signature but the Gateway has no signer (use offline signing)."""
