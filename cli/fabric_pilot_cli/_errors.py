"""The one place where SDK and network errors become one-line messages and exit codes.

:data:`EXIT_CODE_OF` maps each error class to its exit code; an exception takes the code of
the nearest class of its method resolution order in that table (so a subclass may refine its
base: ``NoNetworkError`` is 6 where ``NetworkError`` is 1). Nothing here reads an error's
message to decide anything; the SDK and the network manager raise specific classes instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from fabric_pilot_gateway import errors as sdk
from fabric_pilot_network import errors as manager
from fabric_pilot_network.commands import CommandError

from ._settings import ConfigFileError

__all__ = [
    "EXIT_CODES",
    "EXIT_CODE_OF",
    "EXIT_COMMIT_INVALID",
    "EXIT_ERROR",
    "EXIT_FABRIC_MISSING",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_UNAVAILABLE",
    "EXIT_USAGE",
    "CliError",
    "Failure",
    "NotAvailableError",
    "describe",
    "exit_code_of",
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


EXIT_CODE_OF: dict[type[BaseException], int] = {
    # Gateway SDK: the stage that failed, refined by what the peer or the contract said.
    sdk.GatewayError: EXIT_ERROR,
    sdk.EvaluateError: EXIT_REFUSED,
    sdk.EndorseError: EXIT_REFUSED,
    sdk.SubmitError: EXIT_ERROR,
    sdk.CommitStatusError: EXIT_ERROR,
    sdk.EventsError: EXIT_ERROR,
    sdk.UnavailableError: EXIT_UNAVAILABLE,
    sdk.EndorsementMismatchError: EXIT_UNAVAILABLE,
    sdk.CommitTimeoutError: EXIT_UNAVAILABLE,
    sdk.NotFoundError: EXIT_NOT_FOUND,
    sdk.AccessDeniedError: EXIT_REFUSED,
    sdk.ChaincodeRejectedError: EXIT_REFUSED,
    sdk.RecordNotFoundError: EXIT_NOT_FOUND,
    sdk.CommitError: EXIT_COMMIT_INVALID,
    sdk.SignatureRequiredError: EXIT_USAGE,
    sdk.EncodingError: EXIT_USAGE,
    sdk.ProfileError: EXIT_USAGE,
    sdk.ReceiptError: EXIT_NOT_FOUND,
    sdk.FabricCAError: EXIT_ERROR,
    sdk.FabricCAUnavailableError: EXIT_UNAVAILABLE,
    sdk.FabricCANotFoundError: EXIT_NOT_FOUND,
    # Network manager.
    manager.TopologyError: EXIT_USAGE,
    manager.UnknownTopologyError: EXIT_NOT_FOUND,
    manager.ChaincodeDefinitionError: EXIT_USAGE,
    manager.UnknownChaincodeError: EXIT_NOT_FOUND,
    manager.NetworkError: EXIT_ERROR,
    manager.NoNetworkError: EXIT_UNAVAILABLE,
    manager.NetworkExistsError: EXIT_USAGE,
    manager.UnknownProcessError: EXIT_NOT_FOUND,
    manager.NodeNotRunningError: EXIT_UNAVAILABLE,
    manager.ChaincodeError: EXIT_ERROR,
    manager.ChannelNotInNetworkError: EXIT_USAGE,
    CommandError: EXIT_ERROR,
    manager.ChannelConfigError: EXIT_ERROR,
    manager.FabricCaError: EXIT_ERROR,
    manager.FabricHomeError: EXIT_FABRIC_MISSING,
    manager.InstallError: EXIT_FABRIC_MISSING,
    manager.PortClashError: EXIT_USAGE,
    manager.FolderNotEmptyError: EXIT_USAGE,
    manager.DockerRuntimeError: EXIT_UNAVAILABLE,  # no engine, compose or SDK; a container failed
    # The CLI's own and Python's.
    ConfigFileError: EXIT_USAGE,
    ConnectionError: EXIT_UNAVAILABLE,
    TimeoutError: EXIT_UNAVAILABLE,
    FileNotFoundError: EXIT_USAGE,
    ValueError: EXIT_USAGE,
    OSError: EXIT_USAGE,
}
"""Exit code by error class; an exception takes the entry of its nearest class."""

_T = TypeVar("_T")


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


def _nearest(exc: BaseException, table: dict[type[BaseException], _T]) -> _T | None:
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return None


def exit_code_of(exc: BaseException) -> int:
    """The exit code of ``exc``: its :class:`CliError` code, else its nearest class's entry."""
    if isinstance(exc, CliError):
        return exc.exit_code
    code = _nearest(exc, EXIT_CODE_OF)
    return EXIT_ERROR if code is None else code


def _peer_message(exc: sdk.GatewayError) -> str:
    """The first peer's message (details first), for display only."""
    text = exc.details[0].message if exc.details else exc.message
    for marker in ("chaincode response ", "message: ", "message="):
        _, found, tail = text.partition(marker)
        if found:
            text = tail.partition(", ")[2] if marker.startswith("chaincode") else tail
            break
    return _one_line(text)


def _gateway(exc: BaseException) -> str:
    assert isinstance(exc, sdk.GatewayError)
    return f"{type(exc).__name__} ({exc.code}): {_one_line(exc.message)}"


def _rejected(exc: BaseException) -> str:
    assert isinstance(exc, sdk.ChaincodeRejectedError)
    return f"refused by the chaincode: {exc.rejection_code}: {_one_line(exc.message)}"


def _record_not_found(exc: BaseException) -> str:
    assert isinstance(exc, sdk.ChaincodeRejectedError)
    return f"not found: {exc.rejection_code}: {_one_line(exc.message)}"


def _endorsement(exc: BaseException) -> str:
    assert isinstance(exc, sdk.GatewayError)
    return f"refused by the chaincode: {_peer_message(exc)}"


def _access_denied(exc: BaseException) -> str:
    assert isinstance(exc, sdk.GatewayError)
    return f"refused by the peer: {_peer_message(exc)}"


def _peer_not_found(exc: BaseException) -> str:
    assert isinstance(exc, sdk.GatewayError)
    return f"not found: {_peer_message(exc)}"


def _unavailable(exc: BaseException) -> str:
    assert isinstance(exc, sdk.GatewayError)
    return f"network unavailable ({exc.code}): {_one_line(exc.message)}"


def _mismatch(exc: BaseException) -> str:
    """Endorsers disagreed (one a block behind) on every attempt: nothing was ordered."""
    assert isinstance(exc, sdk.EndorsementMismatchError)
    peers = ", ".join(f"{detail.address} ({detail.msp_id})" for detail in exc.details)
    where = f"; peers: {peers}" if peers else ""
    return (
        f"endorsing peers returned different results {exc.attempts} times (a peer behind?); "
        f"nothing was submitted, retry later (last transaction {exc.transaction_id}{where})"
    )


def _commit_timeout(exc: BaseException) -> str:
    assert isinstance(exc, sdk.CommitTimeoutError)
    return f"no commit status: {_one_line(exc.message)}"


def _commit(exc: BaseException) -> str:
    assert isinstance(exc, sdk.CommitError)
    return f"invalid at commit: {exc.code_name} (transaction {exc.transaction_id})"


def _text(prefix: str) -> Callable[[BaseException], str]:
    return lambda exc: f"{prefix}{_one_line(str(exc))}"


def _no_file(exc: BaseException) -> str:
    assert isinstance(exc, FileNotFoundError)
    return f"no such file: {exc.filename}"


_MESSAGE_OF: dict[type[BaseException], Callable[[BaseException], str]] = {
    sdk.GatewayError: _gateway,
    sdk.EvaluateError: _endorsement,
    sdk.EndorseError: _endorsement,
    sdk.UnavailableError: _unavailable,
    sdk.EndorsementMismatchError: _mismatch,
    sdk.CommitTimeoutError: _commit_timeout,
    sdk.NotFoundError: _peer_not_found,
    sdk.AccessDeniedError: _access_denied,
    sdk.ChaincodeRejectedError: _rejected,
    sdk.RecordNotFoundError: _record_not_found,
    sdk.CommitError: _commit,
    sdk.ReceiptError: _text("receipt does not verify: "),
    sdk.FabricCAError: _text("Fabric CA: "),
    sdk.FabricCAUnavailableError: _text("Fabric CA unavailable: "),
    ConnectionError: _text("network unavailable: "),
    TimeoutError: _text("network unavailable: "),
    FileNotFoundError: _no_file,
}


def describe(exc: BaseException) -> Failure:
    """Map any exception to an exit code and a one-line message."""
    if isinstance(exc, CliError):
        return Failure(exc.exit_code, _one_line(exc.message))
    message = _nearest(exc, _MESSAGE_OF)
    if message is not None:
        return Failure(exit_code_of(exc), message(exc))
    if _nearest(exc, EXIT_CODE_OF) is not None:  # a known error: its own words suffice
        return Failure(exit_code_of(exc), _one_line(str(exc)))
    return Failure(EXIT_ERROR, f"{type(exc).__name__}: {_one_line(str(exc))}")
