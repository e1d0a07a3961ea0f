"""Base class of the typed sector clients: encoding, decoding and error translation."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from ..commit import Committed
from ..contract import Arg, Contract
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


@contextmanager
def _rejections() -> Iterator[None]:
    """Raise the contract's typed rejection carried by a failed endorsement or evaluation."""
    try:
        yield
    except EndorsementMismatchError:
        raise  # the peers disagreed: no refusal, whatever the details say
    except (EndorseError, EvaluateError) as error:
        rejection = rejection_from(error)
        if rejection is None:
            raise
        raise rejection from error


def _record(name: str, value: Any) -> Record:
    if not isinstance(value, dict):
        raise ValueError(f"{name} returned {type(value).__name__}, expected a JSON object")
    return value


class SectorClient:
    """Calls one sector chaincode through a :class:`~fabric_pilot_gateway.Contract`.

    Args:
        contract: The Gateway contract client.
        on_commit: Called with each committed submit (transaction ID, block number), e.g.
            to report progress; the typed methods return only the contract's record.
    """

    def __init__(
        self, contract: Contract, on_commit: Callable[[Committed], None] | None = None
    ) -> None:
        self._contract = contract
        self._on_commit = on_commit

    @property
    def contract(self) -> Contract:
        """The underlying Gateway contract client."""
        return self._contract

    def submit_transaction(
        self,
        name: str,
        args: Sequence[Arg] = (),
        *,
        transient: Mapping[str, Arg] | None = None,
        endorsing_organizations: Sequence[str] | None = None,
    ) -> Committed:
        """Submit ``name`` with encoded ``args`` and wait for its commit.

        Returns:
            The result with its commit status and block number.

        Raises:
            ChaincodeRejectedError: If the contract refused the transaction
                (:class:`RecordNotFoundError` for ``NOT_FOUND``).
            EndorseError: If endorsement failed for another reason.
            SubmitError: If ordering failed.
            CommitError: If the transaction committed invalid (e.g. MVCC_READ_CONFLICT).
        """
        with _rejections():
            submitted = self._contract.submit_async(
                name, args, transient=transient, endorsing_organizations=endorsing_organizations
            )
        committed = submitted.committed()
        if self._on_commit is not None:
            self._on_commit(committed)
        return committed

    def evaluate_transaction(
        self,
        name: str,
        args: Sequence[Arg] = (),
        *,
        transient: Mapping[str, Arg] | None = None,
        endorsing_organizations: Sequence[str] | None = None,
    ) -> bytes:
        """Evaluate ``name`` with encoded ``args``; return the raw result.

        Raises:
            ChaincodeRejectedError: If the contract refused the query
                (:class:`RecordNotFoundError` for ``NOT_FOUND``).
            EvaluateError: If the query failed for another reason.
        """
        with _rejections():
            return self._contract.evaluate(
                name, args, transient=transient, endorsing_organizations=endorsing_organizations
            )

    def _submit(self, name: str, *args: Any, transient: Mapping[str, Any] | None = None) -> Record:
        """Submit ``name`` and wait for commit; return the decoded JSON object."""
        committed = self.submit_transaction(
            name, encode_args(*args), transient=_transient(transient or {})
        )
        return _record(name, decode_result(committed.result))

    def _query(self, name: str, args: tuple[Any, ...]) -> Any:
        return decode_result(self.evaluate_transaction(name, encode_args(*args)))

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
