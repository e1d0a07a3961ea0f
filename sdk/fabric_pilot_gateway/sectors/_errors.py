"""Typed chaincode rejections extracted from Gateway errors."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import ErrorDetail, GatewayError

__all__ = ["ChaincodeRejectedError", "rejection_from"]

_WITH_STATUS = re.compile(r"chaincode response \d+, ([A-Z][A-Z0-9_]+): (.*)", re.DOTALL)
_BARE = re.compile(r"^([A-Z][A-Z0-9_]+): (.*)", re.DOTALL)


class ChaincodeRejectedError(GatewayError):
    """The chaincode refused the transaction with a typed ``"CODE: text"`` error.

    A :class:`~fabric_pilot_gateway.GatewayError` (so ``except GatewayError`` still
    catches it) raised from the original ``EndorseError``/``EvaluateError``.

    Attributes:
        code: The contract's error code, e.g. ``"FORBIDDEN"`` or ``"NOT_FOUND"``.
        message: The contract's explanation (the text after ``"CODE: "``).
        transaction_id: Transaction the call was about, if known.
        details: Per-node error details of the original Gateway error.
        grpc_code: gRPC status code name of the original Gateway error.
    """

    def __init__(
        self,
        code: str,
        message: str,
        transaction_id: str | None = None,
        details: Iterable[ErrorDetail] = (),
        *,
        grpc_code: str = "UNKNOWN",
    ) -> None:
        super().__init__(
            message, code=grpc_code, details=list(details), transaction_id=transaction_id
        )
        self.grpc_code = grpc_code
        self.code = code


def _parse(text: str) -> tuple[str, str] | None:
    found = _WITH_STATUS.search(text) or _BARE.match(text)
    if found is None:
        return None
    return found.group(1), found.group(2).strip()


def rejection_from(error: GatewayError) -> ChaincodeRejectedError | None:
    """Return the typed rejection carried by a Gateway error, or ``None``.

    Looks for the contract's ``"CODE: text"`` in each node's detail message (Fabric
    reports ``"chaincode response 500, CODE: text"``), then in the error message.
    """
    texts = [detail.message for detail in error.details] + [error.message]
    for text in texts:
        parsed = _parse(text)
        if parsed is not None:
            return ChaincodeRejectedError(
                parsed[0],
                parsed[1],
                error.transaction_id,
                error.details,
                grpc_code=error.code,
            )
    return None
