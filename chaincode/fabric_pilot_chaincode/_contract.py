"""Contract base class, transaction decorators and the per-call Context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal, TypeVar

from ._errors import ContractError
from ._identity import ClientIdentity
from ._stub_api import ChaincodeStub

__all__ = ["TX_KIND_ATTRIBUTE", "Context", "Contract", "TxKind", "evaluate", "transaction"]

TxKind = Literal["SUBMIT", "EVALUATE"]
TX_KIND_ATTRIBUTE = "__fabric_pilot_tx_kind__"
_F = TypeVar("_F", bound=Callable[..., Any])


def transaction(func: _F) -> _F:
    """Mark a contract method as a submit transaction."""
    setattr(func, TX_KIND_ATTRIBUTE, "SUBMIT")
    return func


def evaluate(func: _F) -> _F:
    """Mark a contract method as an evaluate-only (read) transaction."""
    setattr(func, TX_KIND_ATTRIBUTE, "EVALUATE")
    return func


class Context:
    """What a transaction function receives: the stub and the caller's identity."""

    def __init__(self, stub: ChaincodeStub) -> None:
        self.stub = stub
        self._client_identity: ClientIdentity | None = None

    @property
    def client_identity(self) -> ClientIdentity:
        """The submitter's identity (parsed lazily from ``stub.get_creator()``).

        Raises:
            ContractError: ``BAD_IDENTITY`` when the creator cannot be parsed.
        """
        if self._client_identity is None:
            self._client_identity = ClientIdentity(self.stub.get_creator())
        return self._client_identity


class Contract:
    """Base class for contracts; subclasses set ``name`` and decorate methods."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "0.1.0"

    def before_transaction(self, ctx: Context) -> None:
        """Hook run before every transaction function (default: nothing)."""

    def after_transaction(self, ctx: Context, result: Any) -> None:
        """Hook run after every successful transaction function (default: nothing)."""

    def unknown_transaction(self, ctx: Context) -> Any:
        """Called for a function this contract does not define.

        Raises:
            ContractError: ``UNKNOWN_TRANSACTION`` (default behaviour).
        """
        function = ctx.stub.get_function_and_parameters()[0]
        raise ContractError(
            "UNKNOWN_TRANSACTION",
            f"function '{function}' is not a transaction of {self.contract_name()}",
        )

    @classmethod
    def contract_name(cls) -> str:
        """The contract's name (``name`` or the class name when unset)."""
        return cls.name or cls.__name__
