"""Base class of the typed sector clients: encoding, decoding and error translation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..contract import Contract
from ..errors import EndorseError, EndorsementMismatchError, EvaluateError
from ._codec import canonical_json, decode_result, encode_args
from ._errors import rejection_from

__all__ = ["Record", "SectorClient"]

Record = dict[str, Any]
"""A decoded JSON object returned by a contract."""


def _transient(values: Mapping[str, Any]) -> dict[str, str | bytes] | None:
    encoded: dict[str, str | bytes] = {
        key: canonical_json(value) for key, value in values.items() if value is not None
    }
    return encoded or None


def _record(name: str, value: Any) -> Record:
    if not isinstance(value, dict):
        raise ValueError(f"{name} returned {type(value).__name__}, expected a JSON object")
    return value


class SectorClient:
    """Calls one sector chaincode through a :class:`~fabric_pilot_gateway.Contract`."""

    def __init__(self, contract: Contract) -> None:
        self._contract = contract

    @property
    def contract(self) -> Contract:
        """The underlying Gateway contract client."""
        return self._contract

    def _submit(self, name: str, *args: Any, transient: Mapping[str, Any] | None = None) -> Record:
        """Submit ``name`` and wait for commit; return the decoded JSON object.

        Raises:
            ChaincodeRejectedError: If the contract refused the transaction.
            EndorseError: If endorsement failed for another reason.
            SubmitError: If ordering failed.
            CommitError: If the transaction committed invalid (e.g. MVCC_READ_CONFLICT).
        """
        try:
            payload = self._contract.submit(
                name, encode_args(*args), transient=_transient(transient or {})
            )
        except EndorsementMismatchError:
            raise  # the peers disagreed: no refusal, whatever the details say
        except EndorseError as error:
            rejection = rejection_from(error)
            if rejection is None:
                raise
            raise rejection from error
        return _record(name, decode_result(payload))

    def _query(self, name: str, args: tuple[Any, ...]) -> Any:
        try:
            payload = self._contract.evaluate(name, encode_args(*args))
        except EvaluateError as error:
            rejection = rejection_from(error)
            if rejection is None:
                raise
            raise rejection from error
        return decode_result(payload)

    def _evaluate(self, name: str, *args: Any) -> Record:
        """Evaluate ``name``; return the decoded JSON object.

        Raises:
            ChaincodeRejectedError: If the contract refused the query.
            EvaluateError: If the query failed for another reason.
        """
        return _record(name, self._query(name, args))

    def _evaluate_list(self, name: str, *args: Any) -> list[Record]:
        """Evaluate ``name``; return the decoded JSON array (e.g. a history).

        Raises:
            ChaincodeRejectedError: If the contract refused the query.
            EvaluateError: If the query failed for another reason.
        """
        value = self._query(name, args)
        if not isinstance(value, list):
            raise ValueError(f"{name} returned {type(value).__name__}, expected a JSON array")
        return value
