"""Errors raised by the Gateway SDK.

Error tree::

    Exception
    ├── GatewayError                 a gRPC call to the Gateway/peer failed
    │   ├── EvaluateError            Evaluate RPC failed
    │   ├── EndorseError             Endorse RPC failed
    │   ├── SubmitError              Submit RPC failed
    │   ├── CommitStatusError        CommitStatus RPC failed
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
    "EndorseError",
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


class SubmitError(GatewayError):
    """The Submit call failed."""


class CommitStatusError(GatewayError):
    """The CommitStatus call failed."""


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
