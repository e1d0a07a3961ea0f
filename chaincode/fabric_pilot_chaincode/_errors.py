"""Exceptions raised by contracts and by the stub."""

from __future__ import annotations

from typing import Any

__all__ = ["ContractError", "PeerError"]


class ContractError(Exception):
    """A business error: the transaction fails with status 500 and ``str(err)``.

    Args:
        code: Short machine-readable code such as ``"NOT_FOUND"``.
        message: Human-readable explanation (must not leak private ledger values).
        **details: Extra structured context for callers in the same process.
    """

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.details: dict[str, Any] = details

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class PeerError(ContractError):
    """The peer answered a stub request with an ERROR message."""

    def __init__(self, message: str) -> None:
        super().__init__("PEER_ERROR", message)
