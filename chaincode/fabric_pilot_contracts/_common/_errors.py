"""Constructors for the typed contract errors shared by all sector contracts."""

from __future__ import annotations

from fabric_pilot_chaincode import ContractError


def bad_argument(message: str, **details: object) -> ContractError:
    """Return a ``BAD_ARGUMENT`` error."""
    return ContractError("BAD_ARGUMENT", message, **details)


def forbidden(message: str, **details: object) -> ContractError:
    """Return a ``FORBIDDEN`` error."""
    return ContractError("FORBIDDEN", message, **details)


def not_found(kind: str, key: str) -> ContractError:
    """Return a ``NOT_FOUND`` error naming the record kind and its natural key."""
    return ContractError("NOT_FOUND", f"{kind} {key} does not exist", record=kind, key=key)


def illegal_transition(
    kind: str, key: str, status: str, action: str, code: str = "ILLEGAL_TRANSITION"
) -> ContractError:
    """Return an error naming the record, its current status and the refused action."""
    return ContractError(
        code,
        f"{kind} {key} is {status}; cannot {action}",
        record=kind,
        key=key,
        status=status,
        action=action,
    )


def row_error(field: str, index: int, error: ContractError) -> ContractError:
    """Return ``error`` naming the batch row it came from: ``CODE: field[index]: message``.

    Clients read the row index back (the ``field[index]:`` prefix) to report the row and
    retry the rest of the batch without it.
    """
    details = dict(error.details, row=index)
    return ContractError(error.code, f"{field}[{index}]: {error.message}", **details)
