"""Every sector command calls the SDK's typed clients, and every SDK method one transaction
the deployed contract declares (read from the contract's own GetMetadata, not a table)."""

from __future__ import annotations

import inspect
import json
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import click
import pytest

from fabric_pilot_chaincode.memory import MemoryLedger
from fabric_pilot_chaincode.testing import make_test_identity
from fabric_pilot_cli import _cmd_evidence, _cmd_sector
from fabric_pilot_cli._sdk import SECTOR_CLIENTS
from fabric_pilot_cli._sector import SDK_METHODS
from fabric_pilot_cli.main import cli
from fabric_pilot_contracts import court_evidence, energy_metering, tax_invoice
from fabric_pilot_gateway import sectors
from fabric_pilot_gateway.commit import Committed, Status
from fabric_pilot_gateway.sectors import SectorClient

CHAINCODES = {
    "tax_invoice": tax_invoice.CHAINCODE,
    "energy_metering": energy_metering.CHAINCODE,
    "court_evidence": court_evidence.CHAINCODE,
}
SECTOR_GROUPS = ("invoice", "meter", "cert", "evidence")
# receipts: fabric_pilot_gateway.receipts; meter keygen makes a device key locally, no call
NOT_SECTOR_CLIENT = {("evidence", "receipt"), ("meter", "keygen")}
SPECS = [*_cmd_sector.INVOICE_TXS, *_cmd_sector.METER_TXS, *_cmd_evidence.EVIDENCE_TXS]


def _client_class(chaincode: str) -> type[SectorClient]:
    client_class: type[SectorClient] = getattr(sectors, SECTOR_CLIENTS[chaincode])
    return client_class


def _leaf_commands(group: click.Group, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    leaves: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        here = (*path, name)
        if isinstance(command, click.Group):
            leaves += _leaf_commands(command, here)
        else:
            leaves.append(here)
    return leaves


def _sector_commands() -> list[tuple[str, ...]]:
    leaves = [
        leaf
        for name in SECTOR_GROUPS
        for leaf in _leaf_commands(typing.cast(click.Group, cli.commands[name]), (name,))
    ]
    return [leaf for leaf in leaves if leaf[:2] not in NOT_SECTOR_CLIENT]


def test_every_sector_command_names_the_sdk_methods_it_calls() -> None:
    commands = _sector_commands()
    assert len(commands) > 60
    assert sorted(set(commands) - set(SDK_METHODS)) == []
    for path, (chaincode, methods) in SDK_METHODS.items():
        client_class = _client_class(chaincode)
        for method in methods:
            assert callable(getattr(client_class, method, None)), (path, method)
            assert not hasattr(SectorClient, method), (path, method)


@pytest.mark.parametrize("tx", SPECS, ids=lambda tx: " ".join(tx.path))
def test_a_command_passes_the_sdk_methods_own_arguments(tx: Any) -> None:
    chaincode, (method,) = SDK_METHODS[tx.path]
    parameters = inspect.signature(getattr(_client_class(chaincode), method)).parameters
    expected = [arg.param for arg in tx.args]
    expected += ["page_size", "bookmark"] if tx.paged else []
    expected += [tx.transient] if tx.transient else []
    assert [name for name in parameters if name != "self"] == expected


class _RecordingContract:
    """The SDK's Contract seam: records which transaction a method sends, and how."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, int]] = []

    def evaluate(self, name: str, args: Sequence[Any] = (), **_options: Any) -> bytes:
        self.sent.append(("EVALUATE", name, len(args)))
        return b"[]" if name.endswith("history") else b"{}"

    def submit_async(self, name: str, args: Sequence[Any] = (), **_options: Any) -> Any:
        self.sent.append(("SUBMIT", name, len(args)))
        status = Status("t", 0, "VALID", True, 1)
        return type("Submitted", (), {"committed": lambda _self: Committed(b"{}", status)})()


def _sample(annotation: Any) -> Any:
    origin = typing.get_origin(annotation) or annotation
    if origin is int:
        return 1
    if isinstance(origin, type) and issubclass(origin, Mapping):
        return {"a": 1}
    if isinstance(origin, type) and issubclass(origin, Sequence) and origin is not str:
        return [1]
    return "x"


def _declared(chaincode: str) -> dict[str, tuple[str, int]]:
    """Transaction name -> (SUBMIT/EVALUATE, parameter count), from GetMetadata."""
    ledger = MemoryLedger("ch")
    ledger.deploy(chaincode, CHAINCODES[chaincode])
    reader = make_test_identity("Org1MSP", "reader@org1")
    result = ledger.evaluate(chaincode, "org.hyperledger.fabric:GetMetadata", creator=reader)
    metadata = json.loads(result.payload)
    return {
        transaction["name"]: (transaction["tag"][0], len(transaction["parameters"]))
        for contract in metadata["contracts"].values()
        for transaction in contract["transactions"]
    }


@pytest.mark.parametrize("chaincode", sorted(SECTOR_CLIENTS))
def test_every_sdk_method_sends_one_declared_transaction_of_its_kind(chaincode: str) -> None:
    declared = _declared(chaincode)
    client_class = _client_class(chaincode)
    methods = [
        name
        for name, _ in inspect.getmembers(client_class, inspect.isfunction)
        if not name.startswith("_") and not hasattr(SectorClient, name)
    ]
    assert methods
    for method in methods:
        contract = _RecordingContract()
        function = getattr(client_class(contract), method)  # type: ignore[arg-type]
        hints = typing.get_type_hints(function)
        required = {
            name: _sample(hints[name])
            for name, parameter in inspect.signature(function).parameters.items()
            if parameter.default is inspect.Parameter.empty
        }
        function(**required)
        [(kind, name, count)] = contract.sent
        assert name in declared, f"{client_class.__name__}.{method} sends unknown {name}"
        assert (kind, count) == declared[name], f"{client_class.__name__}.{method}"
