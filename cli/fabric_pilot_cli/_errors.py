"""The one place where SDK and network errors become one-line messages and exit codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EXIT_CODES",
    "EXIT_COMMIT_INVALID",
    "EXIT_ERROR",
    "EXIT_FABRIC_MISSING",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_UNAVAILABLE",
    "EXIT_USAGE",
    "CliError",
    "NotAvailableError",
    "describe",
    "exit_codes_help",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_REFUSED = 4
EXIT_COMMIT_INVALID = 5
EXIT_UNAVAILABLE = 6
EXIT_FABRIC_MISSING = 7

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_ERROR: "unexpected error",
    EXIT_USAGE: "usage error or bad input",
    EXIT_NOT_FOUND: "not found",
    EXIT_REFUSED: "refused by the chaincode or the peer (endorsement failed)",
    EXIT_COMMIT_INVALID: "transaction invalid at commit (validation code shown)",
    EXIT_UNAVAILABLE: (
        "network unavailable (connection, timeout, network not running, endorsing peers"
        " out of step, no commit status): retrying later is safe"
    ),
    EXIT_FABRIC_MISSING: "Fabric binaries missing or install failed",
}

_UNAVAILABLE_CODES = {"UNAVAILABLE", "DEADLINE_EXCEEDED", "CANCELLED"}
_NOT_FOUND = re.compile(
    r"^NOT_FOUND|no such transaction ID|no such block number|No metadata was found for chaincode"
    r"|no peers available to evaluate chaincode"
)
_ACCESS_DENIED = "access denied"
_CHAINCODE_MESSAGE = re.compile(r"chaincode response \d+, (.*)$|message[:=] ?(.*)$")


class CliError(Exception):
    """An error the CLI raises itself, with its exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class NotAvailableError(CliError):
    """A feature whose SDK part is not available in this installation yet."""

    def __init__(self, feature: str) -> None:
        super().__init__(f"{feature} is not available yet in this installation", EXIT_ERROR)


@dataclass(frozen=True)
class Failure:
    """What the user sees for an exception: exit code and one-line message."""

    exit_code: int
    message: str


def exit_codes_help() -> str:
    """The exit code table for help texts."""
    return "\n".join(f"  {code}  {text}" for code, text in EXIT_CODES.items())


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines) if lines else "(no message)"


def _chaincode_message(exc: Any) -> str:
    """The chaincode's own message from a Gateway error (details first)."""
    messages = [detail.message for detail in getattr(exc, "details", [])]
    text = messages[0] if messages else str(getattr(exc, "message", exc))
    match = _CHAINCODE_MESSAGE.search(text)
    if match:
        text = match.group(1) or match.group(2) or text
    return text.strip()


def _gateway_failure(exc: Any) -> Failure:
    name = type(exc).__name__
    code = str(getattr(exc, "code", ""))
    if code in _UNAVAILABLE_CODES:
        return Failure(EXIT_UNAVAILABLE, f"network unavailable ({code}): {exc.message}")
    if name in ("EndorseError", "EvaluateError"):
        message = _chaincode_message(exc)
        if _NOT_FOUND.search(message):
            return Failure(EXIT_NOT_FOUND, f"not found: {message}")
        if _ACCESS_DENIED in message:  # the peer refused the identity (unknown, revoked, ...)
            return Failure(EXIT_REFUSED, f"refused by the peer: {message}")
        return Failure(EXIT_REFUSED, f"refused by the chaincode: {message}")
    return Failure(EXIT_ERROR, f"{name} ({code}): {exc.message}")


_BY_NAME = {
    "FabricHomeError": EXIT_FABRIC_MISSING,
    "InstallError": EXIT_FABRIC_MISSING,
    "PortClashError": EXIT_USAGE,
    "FolderNotEmptyError": EXIT_USAGE,
    "TopologyError": EXIT_USAGE,
    "ChaincodeDefinitionError": EXIT_USAGE,
    "ConfigFileError": EXIT_USAGE,
    "CommandError": EXIT_ERROR,
    "ChaincodeError": EXIT_ERROR,
    "ChannelConfigError": EXIT_ERROR,
}
_WRONG_CHANNEL = "is not in this network"  # a definition's channel the topology lacks
_NETWORK_MESSAGES = (
    ("no network in", EXIT_UNAVAILABLE),
    ("no process called", EXIT_NOT_FOUND),
    ("already holds a network", EXIT_USAGE),
    ("is not running", EXIT_UNAVAILABLE),
)


def _commit_failure(exc: BaseException) -> Failure:
    code_name = getattr(exc, "code_name", "UNKNOWN")
    tx_id = getattr(exc, "transaction_id", "?")
    return Failure(EXIT_COMMIT_INVALID, f"invalid at commit: {code_name} (transaction {tx_id})")


def _ca_failure(exc: BaseException, text: str) -> Failure:
    status = int(getattr(exc, "status", 0) or 0)
    if status == 0:
        return Failure(EXIT_UNAVAILABLE, f"Fabric CA unavailable: {text}")
    return Failure(EXIT_NOT_FOUND if status == 404 else EXIT_ERROR, f"Fabric CA: {text}")


def _network_failure(text: str) -> Failure:
    for fragment, code in _NETWORK_MESSAGES:
        if fragment in text:
            return Failure(code, text)
    return Failure(EXIT_ERROR, text)


def _rejection_failure(exc: BaseException) -> Failure:
    """The SDK's typed ``ChaincodeRejectedError`` (``code`` is the contract's code)."""
    code = str(getattr(exc, "code", ""))
    message = f"{code}: {getattr(exc, 'message', exc)}"
    if code == "NOT_FOUND":
        return Failure(EXIT_NOT_FOUND, f"not found: {message}")
    return Failure(EXIT_REFUSED, f"refused by the chaincode: {message}")


def _mismatch_failure(exc: BaseException) -> Failure:
    """Endorsers disagreed (one a block behind) on every attempt: nothing was ordered."""
    attempts = getattr(exc, "attempts", 1)
    tx_id = getattr(exc, "transaction_id", "?")
    peers = ", ".join(f"{d.address} ({d.msp_id})" for d in getattr(exc, "details", []))
    where = f"; peers: {peers}" if peers else ""
    return Failure(
        EXIT_UNAVAILABLE,
        f"endorsing peers returned different results {attempts} times (a peer behind?); "
        f"nothing was submitted, retry later (last transaction {tx_id}{where})",
    )


def _commit_timeout_failure(exc: BaseException) -> Failure:
    return Failure(
        EXIT_UNAVAILABLE, f"no commit status: {_one_line(str(getattr(exc, 'message', exc)))}"
    )


_BY_TYPE: dict[str, Callable[[BaseException], Failure]] = {
    "CommitError": _commit_failure,
    "ChaincodeRejectedError": _rejection_failure,
    "EndorsementMismatchError": _mismatch_failure,
    "CommitTimeoutError": _commit_timeout_failure,
}


def _by_class_name(exc: BaseException) -> Failure | None:
    """Errors of the SDK and the network manager, recognised by class name (no imports)."""
    name = type(exc).__name__
    text = _one_line(str(exc))
    if name in _BY_TYPE:
        failure: Failure = _BY_TYPE[name](exc)
        return failure
    if hasattr(exc, "code") and hasattr(exc, "details") and hasattr(exc, "message"):
        return _gateway_failure(exc)
    if name in _BY_NAME:
        unknown = text.startswith(("unknown chaincode", "unknown topology"))
        if name == "ChaincodeError" and _WRONG_CHANNEL in text:
            return Failure(EXIT_USAGE, text)
        return Failure(EXIT_NOT_FOUND if unknown else _BY_NAME[name], text)
    if name == "ReceiptError":
        return Failure(EXIT_NOT_FOUND, f"receipt does not verify: {text}")
    if name == "FabricCAError":
        return _ca_failure(exc, text)
    if name == "NetworkError":
        return _network_failure(text)
    return None


def describe(exc: BaseException) -> Failure:
    """Map any exception to an exit code and a one-line message."""
    if isinstance(exc, CliError):
        return Failure(exc.exit_code, _one_line(exc.message))
    known = _by_class_name(exc)
    if known is not None:
        return known
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return Failure(EXIT_UNAVAILABLE, f"network unavailable: {_one_line(str(exc))}")
    if isinstance(exc, FileNotFoundError):
        return Failure(EXIT_USAGE, f"no such file: {exc.filename}")
    if isinstance(exc, (ValueError, OSError)):
        return Failure(EXIT_USAGE, _one_line(str(exc)))
    return Failure(EXIT_ERROR, f"{type(exc).__name__}: {_one_line(str(exc))}")
