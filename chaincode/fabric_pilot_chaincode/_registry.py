"""Discovery of a contract's transaction functions and their parameter converters."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._contract import TX_KIND_ATTRIBUTE, Contract, TxKind
from ._convert import ArgumentConversionError, Converter, converter_for, schema_for
from ._errors import ContractError

__all__ = ["ContractEntry", "Parameter", "TransactionSpec", "register_contract"]

_NO_DEFAULT = inspect.Parameter.empty


@dataclass(frozen=True)
class Parameter:
    """One converted parameter of a transaction function."""

    name: str
    annotation: Any
    convert: Converter
    default: Any


@dataclass(frozen=True)
class TransactionSpec:
    """A callable transaction function with its conversion plan."""

    contract_name: str
    name: str
    kind: TxKind
    function: Callable[..., Any]
    parameters: tuple[Parameter, ...]
    returns: Any

    def convert_args(self, args: list[bytes]) -> list[Any]:
        """Convert raw arguments, naming the culprit in any error.

        Raises:
            ContractError: ``BAD_ARGUMENT`` for missing, extra or invalid arguments.
        """
        label = f"{self.contract_name}:{self.name}"
        if len(args) > len(self.parameters):
            raise ContractError(
                "BAD_ARGUMENT",
                f"{label} takes at most {len(self.parameters)} argument(s), got {len(args)}",
            )
        values: list[Any] = []
        for index, parameter in enumerate(self.parameters):
            if index >= len(args):
                if parameter.default is _NO_DEFAULT:
                    raise ContractError(
                        "BAD_ARGUMENT", f"missing argument '{parameter.name}' of {label}"
                    )
                values.append(parameter.default)
                continue
            try:
                values.append(parameter.convert(args[index]))
            except ArgumentConversionError as exc:
                raise ContractError(
                    "BAD_ARGUMENT", f"argument '{parameter.name}' of {label} must be {exc}"
                ) from None
        return values

    def metadata(self) -> dict[str, Any]:
        """Return this transaction's entry for the contract metadata document."""
        entry: dict[str, Any] = {
            "name": self.name,
            "tag": [self.kind],
            "parameters": [
                {"name": p.name, "schema": schema_for(p.annotation)} for p in self.parameters
            ],
        }
        if self.returns is not None and self.returns is not type(None):
            entry["returns"] = schema_for(self.returns)
        return entry


@dataclass(frozen=True)
class ContractEntry:
    """A registered contract instance and its transactions by name."""

    contract: Contract
    name: str
    transactions: dict[str, TransactionSpec]


def _build_spec(contract_name: str, method: Callable[..., Any], kind: TxKind) -> TransactionSpec:
    hints = typing.get_type_hints(method)
    signature = inspect.signature(method)
    positional = list(signature.parameters.values())[1:]  # drop ctx
    parameters: list[Parameter] = []
    for item in positional:
        if item.kind not in (item.POSITIONAL_ONLY, item.POSITIONAL_OR_KEYWORD):
            raise TypeError(f"{contract_name}:{method.__name__}: *args/**kwargs are not supported")
        annotation = hints.get(item.name, str)
        parameters.append(Parameter(item.name, annotation, converter_for(annotation), item.default))
    return TransactionSpec(
        contract_name=contract_name,
        name=method.__name__,
        kind=kind,
        function=method,
        parameters=tuple(parameters),
        returns=hints.get("return"),
    )


def register_contract(contract: Contract) -> ContractEntry:
    """Collect the decorated transaction functions of ``contract``.

    Raises:
        TypeError: When a transaction has an unsupported parameter type.
    """
    name = contract.contract_name()
    transactions: dict[str, TransactionSpec] = {}
    for attribute in sorted(dir(type(contract))):
        member = getattr(type(contract), attribute, None)
        kind = getattr(member, TX_KIND_ATTRIBUTE, None)
        if kind is None or not callable(member):
            continue
        spec = _build_spec(name, getattr(contract, attribute), kind)
        transactions[spec.name] = spec
    return ContractEntry(contract, name, transactions)
