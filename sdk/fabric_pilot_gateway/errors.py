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
    │   ├── UnavailableError         the peer was unreachable or too slow (UNAVAILABLE,
    │   │                            DEADLINE_EXCEEDED, CANCELLED); with a stage class,
    │   │                            e.g. EndorseUnavailableError(EndorseError)
    │   ├── NotFoundError            the peer knows no such chaincode, block or transaction
    │   │                            (EvaluateNotFoundError, EndorseNotFoundError)
    │   ├── AccessDeniedError        the peer refused the client identity
    │   │                            (EvaluateAccessDeniedError, EndorseAccessDeniedError)
    │   └── ChaincodeRejectedError   (``sectors``) the chaincode answered "CODE: text";
    │       │                        ``rejection_code`` is the contract's code, ``code``
    │       │                        the gRPC one; raised from the EndorseError/EvaluateError
    │       └── RecordNotFoundError  the contract's code is NOT_FOUND
    ├── CommitError                  the call succeeded but the ledger marked the
    │                                transaction invalid (e.g. MVCC_READ_CONFLICT)
    ├── FabricCAError                (``ca_client``) the Fabric CA refused a request
    │   ├── FabricCAUnavailableError no answer from the CA (``status`` 0)
    │   └── FabricCANotFoundError    HTTP 404 (e.g. no such identity)
    └── ValueError
        ├── SignatureRequiredError   a step needs a signature and no signer is set
        ├── EncodingError            (also a TypeError) an argument holds a float or a
        │                            value JSON cannot carry
        ├── ProfileError             (``profiles``) a connection profile is malformed
        └── ReceiptError             (``receipts``) a receipt failed offline verification;
                                     ``check`` names the failed check

Fabric reports the reasons above only as text in the gRPC status; :func:`specific_error`
is the one place that reads that text, so callers decide by class, never by message.
This module imports nothing heavy: importing it does not load gRPC or protobuf.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "AccessDeniedError",
    "ChaincodeRejectedError",
    "CommitError",
    "CommitStatusError",
    "CommitTimeoutError",
    "EncodingError",
    "EndorseError",
    "EndorsementMismatchError",
    "ErrorDetail",
    "EvaluateError",
    "EventsError",
    "FabricCAError",
    "FabricCANotFoundError",
    "FabricCAUnavailableError",
    "GatewayError",
    "NotFoundError",
    "ProfileError",
    "ReceiptError",
    "RecordNotFoundError",
    "SignatureRequiredError",
    "SubmitError",
    "UnavailableError",
    "specific_error",
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


class EncodingError(TypeError, ValueError):
    """A transaction argument cannot be sent: a float (the contracts take integer units) or
    a value JSON cannot carry."""


class ProfileError(ValueError):
    """The connection profile is missing data or malformed."""


class ReceiptError(ValueError):
    """A receipt failed offline verification.

    Attributes:
        check: Which check failed, e.g. ``"header_chain"``, ``"data_hash"``,
            ``"endorsement_signature"``, ``"certificate_chain"``, ``"record"``.
    """

    def __init__(self, check: str, message: str) -> None:
        super().__init__(f"{check}: {message}")
        self.check = check


class UnavailableError(GatewayError):
    """The peer could not be reached or did not answer in time."""


class NotFoundError(GatewayError):
    """The peer knows no such chaincode, block or transaction."""


class AccessDeniedError(GatewayError):
    """The peer refused the client identity (unknown, revoked, not allowed)."""


class EvaluateUnavailableError(UnavailableError, EvaluateError):
    """Evaluate failed: the peer could not be reached or did not answer in time."""


class EndorseUnavailableError(UnavailableError, EndorseError):
    """Endorse failed: the peer could not be reached or did not answer in time."""


class SubmitUnavailableError(UnavailableError, SubmitError):
    """Submit failed: the peer could not be reached or did not answer in time."""


class CommitStatusUnavailableError(UnavailableError, CommitStatusError):
    """CommitStatus failed: the peer could not be reached or did not answer in time."""


class EventsUnavailableError(UnavailableError, EventsError):
    """An event stream failed: the peer could not be reached or did not answer in time."""


class EvaluateNotFoundError(NotFoundError, EvaluateError):
    """Evaluate failed: no such chaincode, block or transaction."""


class EndorseNotFoundError(NotFoundError, EndorseError):
    """Endorse failed: no such chaincode."""


class EvaluateAccessDeniedError(AccessDeniedError, EvaluateError):
    """Evaluate failed: the peer refused the client identity."""


class EndorseAccessDeniedError(AccessDeniedError, EndorseError):
    """Endorse failed: the peer refused the client identity."""


class ChaincodeRejectedError(GatewayError):
    """The chaincode refused the transaction with a typed ``"CODE: text"`` error.

    A :class:`GatewayError` (so ``except GatewayError`` still catches it) raised from the
    original ``EndorseError``/``EvaluateError``.

    Attributes:
        rejection_code: The contract's error code, e.g. ``"FORBIDDEN"`` or ``"NOT_FOUND"``.
        message: The contract's explanation (the text after ``"CODE: "``).
        code: gRPC status code name of the original Gateway error.
        transaction_id: Transaction the call was about, if known.
        details: Per-node error details of the original Gateway error.
    """

    def __init__(
        self,
        rejection_code: str,
        message: str,
        transaction_id: str | None = None,
        details: Iterable[ErrorDetail] = (),
        *,
        code: str = "UNKNOWN",
    ) -> None:
        super().__init__(message, code=code, details=list(details), transaction_id=transaction_id)
        self.rejection_code = rejection_code

    def __str__(self) -> str:
        text = f"{self.rejection_code}: {self.message}"
        for detail in self.details:
            text += f"\n  - {detail.address} ({detail.msp_id}): {detail.message}"
        return text


class RecordNotFoundError(ChaincodeRejectedError):
    """The contract answered ``NOT_FOUND``: no record under the key asked for."""


class FabricCAError(Exception):
    """The Fabric CA rejected a request or could not be reached.

    Attributes:
        status: HTTP status code (0 if no response).
        errors: Error entries from the CA's JSON response.
    """

    def __init__(
        self, message: str, *, status: int = 0, errors: Sequence[dict[str, Any]] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = list(errors)

    @classmethod
    def for_status(
        cls, message: str, *, status: int = 0, errors: Sequence[dict[str, Any]] = ()
    ) -> FabricCAError:
        """The specific class for an HTTP ``status`` (0: no answer, 404: not found)."""
        specific = {0: FabricCAUnavailableError, 404: FabricCANotFoundError}.get(status, cls)
        return specific(message, status=status, errors=errors)


class FabricCAUnavailableError(FabricCAError):
    """The Fabric CA could not be reached (no HTTP response)."""


class FabricCANotFoundError(FabricCAError):
    """The Fabric CA answered HTTP 404 (e.g. no such identity)."""


_UNAVAILABLE_CODES = frozenset({"UNAVAILABLE", "DEADLINE_EXCEEDED", "CANCELLED"})
_BY_REASON: dict[tuple[type[GatewayError], type[GatewayError]], type[GatewayError]] = {
    (EvaluateError, UnavailableError): EvaluateUnavailableError,
    (EndorseError, UnavailableError): EndorseUnavailableError,
    (SubmitError, UnavailableError): SubmitUnavailableError,
    (CommitStatusError, UnavailableError): CommitStatusUnavailableError,
    (EventsError, UnavailableError): EventsUnavailableError,
    (EvaluateError, NotFoundError): EvaluateNotFoundError,
    (EndorseError, NotFoundError): EndorseNotFoundError,
    (EvaluateError, AccessDeniedError): EvaluateAccessDeniedError,
    (EndorseError, AccessDeniedError): EndorseAccessDeniedError,
    (EndorseError, EndorsementMismatchError): EndorsementMismatchError,
}
# What peers say (qscc, lifecycle, the Gateway, the ACL check) when they know no such thing.
_PEER_NOT_FOUND = re.compile(
    r"no such transaction ID|no such block number|No metadata was found for chaincode"
    r"|no peers available to evaluate chaincode"
)
_PEER_ACCESS_DENIED = re.compile(r"access denied")
# The Gateway's answer when its endorsers returned different results.
_ENDORSEMENT_MISMATCH = re.compile(r"ProposalResponsePayloads do not match")


def _reason(code: str, texts: Sequence[str]) -> type[GatewayError] | None:
    if code in _UNAVAILABLE_CODES:
        return UnavailableError
    if any(_ENDORSEMENT_MISMATCH.search(text) for text in texts):
        return EndorsementMismatchError
    if any(_PEER_ACCESS_DENIED.search(text) for text in texts):
        return AccessDeniedError
    if any(_PEER_NOT_FOUND.search(text) for text in texts):
        return NotFoundError
    return None


def specific_error(
    stage: type[GatewayError],
    message: str,
    *,
    code: str,
    details: Sequence[ErrorDetail] = (),
    transaction_id: str | None = None,
) -> GatewayError:
    """The most specific error for a failed ``stage`` call (e.g. ``EndorseError``).

    The gRPC code says when the peer was unavailable; Fabric says "not found", "access
    denied" and "endorsers disagreed" only in text, which is read here and nowhere else.
    """
    reason = _reason(code, [message, *(detail.message for detail in details)])
    error_class = _BY_REASON.get((stage, reason), stage) if reason else stage
    return error_class(message, code=code, details=list(details), transaction_id=transaction_id)
