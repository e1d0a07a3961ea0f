"""Typed sector clients: one method per contract transaction, argument encoding, kinds."""

from __future__ import annotations

import inspect
import json
import typing
from typing import Any

import pytest
from fabric_protos.peer import chaincode_pb2, proposal_pb2
from gateway_fakes import FakeTransport

from fabric_pilot_chaincode._contract import TX_KIND_ATTRIBUTE
from fabric_pilot_contracts.court_evidence._contract import CourtEvidenceContract
from fabric_pilot_contracts.energy_metering._contract import EnergyMeteringContract
from fabric_pilot_contracts.tax_invoice._contract import TaxInvoiceContract
from fabric_pilot_gateway import Gateway
from fabric_pilot_gateway.sectors import (
    CourtEvidence,
    EnergyMetering,
    SectorClient,
    TaxInvoices,
)

PAIRS: list[tuple[type[SectorClient], type[Any]]] = [
    (TaxInvoices, TaxInvoiceContract),
    (EnergyMetering, EnergyMeteringContract),
    (CourtEvidence, CourtEvidenceContract),
]
TRANSIENT_PARAMETERS = {"buyer_personal", "customer", "depositor_personal"}


def _transactions(contract_class: type[Any]) -> dict[str, str]:
    """Contract transaction name -> ``SUBMIT``/``EVALUATE``."""
    return {
        name: getattr(member, TX_KIND_ATTRIBUTE)
        for name, member in inspect.getmembers(contract_class, inspect.isfunction)
        if hasattr(member, TX_KIND_ATTRIBUTE)
    }


def _client_methods(client_class: type[SectorClient]) -> set[str]:
    return {
        name
        for name, _member in inspect.getmembers(client_class, inspect.isfunction)
        if not name.startswith("_") and not hasattr(SectorClient, name)
    }


def _contract_parameters(contract_class: type[Any], name: str) -> list[tuple[str, Any]]:
    function = getattr(contract_class, name)
    hints = typing.get_type_hints(function)
    names = list(inspect.signature(function).parameters)[2:]  # self, ctx
    return [(parameter, hints[parameter]) for parameter in names]


def _sample(name: str, annotation: Any) -> Any:
    base = typing.get_origin(annotation) or annotation
    if base is int:
        return 1000 + len(name)
    if base is dict:
        return {"z_last": [name, 2], "a_first": {"nested": True, "n": -7}}
    if base is list:
        return [{"k": name, "b": 1}, 3]
    return f"{name}-välue"


def _reference_encoding(value: Any) -> bytes:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return str(value).encode()


def _invocation(request: Any) -> tuple[list[bytes], dict[str, bytes]]:
    proposal = proposal_pb2.Proposal.FromString(request.proposed_transaction.proposal_bytes)
    payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
    return list(spec.input.args), dict(payload.TransientMap)


CASES = [
    (client_class, contract_class, name)
    for client_class, contract_class in PAIRS
    for name in sorted(_transactions(contract_class))
]


@pytest.mark.parametrize(("client_class", "contract_class"), PAIRS)
def test_client_has_one_method_per_contract_transaction(
    client_class: type[SectorClient], contract_class: type[Any]
) -> None:
    assert _client_methods(client_class) == set(_transactions(contract_class))


@pytest.mark.parametrize(
    ("client_class", "contract_class", "name"),
    CASES,
    ids=[f"{case[0].__name__}.{case[2]}" for case in CASES],
)
def test_method_sends_encoded_arguments_with_the_right_kind(
    gateway: Gateway,
    transport: FakeTransport,
    client_class: type[SectorClient],
    contract_class: type[Any],
    name: str,
) -> None:
    parameters = _contract_parameters(contract_class, name)
    kwargs = {parameter: _sample(parameter, annotation) for parameter, annotation in parameters}
    returns_list = typing.get_origin(typing.get_type_hints(getattr(contract_class, name))["return"])
    result: Any = [{"n": 1}] if returns_list is list else {"ok": name, "n": 2}
    transport.evaluate_result = transport.endorse_result = json.dumps(result).encode()
    client = client_class(gateway.get_network("ch").get_contract("cc"))

    assert getattr(client, name)(**kwargs) == result

    kind = _transactions(contract_class)[name]
    calls = [call for call, _, _ in transport.calls]
    expected_calls = ["endorse", "submit", "commit_status"] if kind == "SUBMIT" else ["evaluate"]
    assert calls == expected_calls
    args, transient = _invocation(transport.requests(calls[0])[0])
    expected = [name.encode()] + [_reference_encoding(kwargs[p]) for p, _ in parameters]
    assert args == expected
    assert transient == {}


@pytest.mark.parametrize(
    ("client_class", "contract_class", "name"),
    CASES,
    ids=[f"{case[0].__name__}.{case[2]}" for case in CASES],
)
def test_method_takes_keyword_arguments_named_like_the_contract(
    client_class: type[SectorClient], contract_class: type[Any], name: str
) -> None:
    signature = inspect.signature(getattr(client_class, name))
    parameters = list(signature.parameters.values())[1:]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
    contract_names = [parameter for parameter, _ in _contract_parameters(contract_class, name)]
    client_names = [p.name for p in parameters if p.name not in TRANSIENT_PARAMETERS]
    assert client_names == contract_names
