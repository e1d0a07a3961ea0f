"""Typed chaincode rejections extracted from Gateway errors."""

from __future__ import annotations

import re

from ..errors import ChaincodeRejectedError, GatewayError, RecordNotFoundError

__all__ = ["ChaincodeRejectedError", "RecordNotFoundError", "rejection_from"]

_WITH_STATUS = re.compile(r"chaincode response \d+, ([A-Z][A-Z0-9_]+): (.*)", re.DOTALL)
_BARE = re.compile(r"^([A-Z][A-Z0-9_]+): (.*)", re.DOTALL)


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
            rejection_code, message = parsed
            error_class = (
                RecordNotFoundError if rejection_code == "NOT_FOUND" else ChaincodeRejectedError
            )
            return error_class(
                rejection_code, message, error.transaction_id, error.details, code=error.code
            )
    return None
