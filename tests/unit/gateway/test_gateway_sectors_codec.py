"""Sector clients: canonical JSON, transient data, result decoding and error translation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fabric_protos.peer import chaincode_pb2, proposal_pb2
from gateway_fakes import FakeTransport

from fabric_pilot_gateway import (
    CommitError,
    EndorseError,
    ErrorDetail,
    EvaluateError,
    Gateway,
    GatewayError,
    SubmitError,
)
from fabric_pilot_gateway.sectors import (
    ChaincodeRejectedError,
    CourtEvidence,
    EnergyMetering,
    TaxInvoices,
    canonical_json,
    decode_result,
    encode_arg,
    rejection_from,
)


def _invocation(request: Any) -> tuple[list[bytes], dict[str, bytes]]:
    proposal = proposal_pb2.Proposal.FromString(request.proposed_transaction.proposal_bytes)
    payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
    return list(spec.input.args), dict(payload.TransientMap)


def _tax(gateway: Gateway) -> TaxInvoices:
    return TaxInvoices(gateway.get_network("tax").get_contract("tax_invoice"))


def test_canonical_json_sorts_keys_compactly_and_keeps_unicode() -> None:
    value = {"b": [1, {"y": True, "x": None}], "a": "税", "c": (2, 3)}
    assert canonical_json(value) == '{"a":"税","b":[1,{"x":null,"y":true}],"c":[2,3]}'.encode()


@pytest.mark.parametrize(
    "value", [1.5, {"amount": 0.1}, [1, 2.0], {1: "int key"}, {"when": object()}]
)
def test_canonical_json_rejects_floats_and_non_json(value: Any) -> None:
    with pytest.raises(TypeError):
        canonical_json(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, "true"), (False, "false"), (-42, "-42"), ("text", "text"), (b"\x00", b"\x00")],
)
def test_encode_arg_scalars(value: Any, expected: str | bytes) -> None:
    assert encode_arg(value) == expected


def test_encode_arg_rejects_floats() -> None:
    with pytest.raises(TypeError):
        encode_arg(12.5)


def test_decode_result_empty_is_none_and_json_is_decoded() -> None:
    assert decode_result(b"") is None
    assert decode_result(b'{"a":[1]}') == {"a": [1]}


def test_float_amount_is_refused_before_anything_is_sent(
    gateway: Gateway, transport: FakeTransport
) -> None:
    with pytest.raises(TypeError):
        _tax(gateway).issue_invoice(invoice={"total_gross_fen": 10.5})
    assert transport.calls == []


@pytest.mark.parametrize(
    ("make", "call"),
    [
        (TaxInvoices, ("issue_invoice", "invoice", "buyer_personal")),
        (EnergyMetering, ("register_meter", "meter", "customer")),
        (CourtEvidence, ("register_evidence", "evidence", "depositor_personal")),
    ],
)
def test_private_data_travels_as_transient_canonical_json(
    gateway: Gateway, transport: FakeTransport, make: type[Any], call: tuple[str, str, str]
) -> None:
    method, argument, transient_key = call
    transport.endorse_result = b"{}"
    personal = {"salt": "s", "name": "Zhang San", "id_number": "110101199001011234"}
    client = make(gateway.get_network("ch").get_contract("cc"))
    getattr(client, method)(**{argument: {"n": 1}, transient_key: personal})

    args, transient = _invocation(transport.requests("endorse")[0])
    assert transient == {transient_key: canonical_json(personal)}
    assert personal["name"].encode() not in b"".join(args)


def _detail(message: str) -> ErrorDetail:
    return ErrorDetail("peer0.taxbureau.pilot.example:7051", "TaxBureauMSP", message)


def test_endorse_error_with_contract_code_becomes_chaincode_rejected(
    gateway: Gateway, transport: FakeTransport
) -> None:
    details = [_detail("chaincode response 500, FORBIDDEN: EnterpriseAMSP may not set_quota")]
    original = EndorseError(
        "failed to endorse", code="ABORTED", details=details, transaction_id="t1"
    )
    transport.errors["endorse"] = original

    with pytest.raises(ChaincodeRejectedError) as caught:
        _tax(gateway).set_quota(tax_id="X", quota_fen=5)

    error = caught.value
    assert error.rejection_code == "FORBIDDEN"
    assert error.message == "EnterpriseAMSP may not set_quota"
    assert error.transaction_id == "t1"
    assert error.details == details
    assert error.code == "ABORTED"
    assert error.__cause__ is original
    assert isinstance(error, GatewayError)
    assert "submit" not in [name for name, _, _ in transport.calls]


def test_evaluate_error_with_contract_code_becomes_chaincode_rejected(
    gateway: Gateway, transport: FakeTransport
) -> None:
    message = (
        "evaluate call to endorser returned error: "
        "chaincode response 500, NOT_FOUND: invoice 1/2 does not exist"
    )
    transport.errors["evaluate"] = EvaluateError(message, code="UNKNOWN", transaction_id="t2")

    with pytest.raises(ChaincodeRejectedError) as caught:
        _tax(gateway).get_invoice(seller_tax_id="1", number="2")

    assert caught.value.rejection_code == "NOT_FOUND"
    assert caught.value.message == "invoice 1/2 does not exist"
    assert caught.value.transaction_id == "t2"


def test_the_first_detail_with_a_code_wins() -> None:
    error = EndorseError(
        "failed",
        code="ABORTED",
        details=[_detail("connection refused"), _detail("chaincode response 500, X_Y: z: w")],
    )
    rejection = rejection_from(error)
    assert rejection is not None
    assert (rejection.rejection_code, rejection.message) == ("X_Y", "z: w")


def test_endorse_error_without_contract_code_is_reraised_unchanged(
    gateway: Gateway, transport: FakeTransport
) -> None:
    original = EndorseError("failed", code="UNAVAILABLE", details=[_detail("endorser unreachable")])
    transport.errors["endorse"] = original
    with pytest.raises(EndorseError) as caught:
        _tax(gateway).mark_deducted(seller_tax_id="1", number="2")
    assert caught.value is original
    assert rejection_from(original) is None


def test_submit_error_passes_through(gateway: Gateway, transport: FakeTransport) -> None:
    transport.endorse_result = b"{}"
    transport.errors["submit"] = SubmitError("orderer down", code="UNAVAILABLE")
    with pytest.raises(SubmitError):
        _tax(gateway).mark_deducted(seller_tax_id="1", number="2")


def test_invalid_commit_surfaces_as_commit_error(
    gateway: Gateway, transport: FakeTransport
) -> None:
    transport.endorse_result = b"{}"
    transport.commit_code = 11  # MVCC_READ_CONFLICT
    with pytest.raises(CommitError) as caught:
        _tax(gateway).lock_reimbursement(seller_tax_id="1", number="2", claim_ref="C")
    assert caught.value.code_name == "MVCC_READ_CONFLICT"


@pytest.mark.parametrize("payload", [b"[1]", b'"text"', b""])
def test_object_methods_reject_other_json_shapes(
    gateway: Gateway, transport: FakeTransport, payload: bytes
) -> None:
    transport.evaluate_result = payload
    with pytest.raises(ValueError, match="expected a JSON object"):
        _tax(gateway).get_taxpayer(tax_id="1")


def test_history_methods_reject_objects(gateway: Gateway, transport: FakeTransport) -> None:
    transport.evaluate_result = json.dumps({"a": 1}).encode()
    with pytest.raises(ValueError, match="expected a JSON array"):
        _tax(gateway).taxpayer_history(tax_id="1")
