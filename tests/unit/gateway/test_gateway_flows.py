"""Evaluate, submit, commit status and offline-signing flows over a fake transport."""

from __future__ import annotations

import hashlib
from typing import Any

import grpc
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import transaction_pb2
from gateway_fakes import Credentials, FakeTransport

from fabric_pilot_gateway import (
    DEFAULT,
    CommitError,
    EndorseError,
    ErrorDetail,
    Gateway,
    SignatureRequiredError,
    Signer,
    SubmitError,
    Timeouts,
    X509Identity,
    connect,
)


def _verify(credentials: Credentials, signature: bytes, message: bytes) -> None:
    digest = hashlib.sha256(message).digest()
    credentials.key.public_key().verify(signature, digest, ec.ECDSA(Prehashed(hashes.SHA256())))


def test_evaluate_returns_result_payload(gateway: Gateway, transport: FakeTransport) -> None:
    transport.evaluate_result = b'{"id":"asset1"}'
    contract = gateway.get_network("ch").get_contract("cc")
    assert contract.evaluate("ReadAsset", ["asset1"]) == b'{"id":"asset1"}'
    assert [name for name, _, _ in transport.calls] == ["evaluate"]


def test_submit_endorses_submits_and_waits_for_commit(
    gateway: Gateway, transport: FakeTransport, credentials: Credentials, identity: X509Identity
) -> None:
    transport.endorse_result = b"created"
    result = gateway.get_network("ch").get_contract("cc").submit("Create", ["a"])

    assert result == b"created"
    assert [name for name, _, _ in transport.calls] == ["endorse", "submit", "commit_status"]
    endorse = transport.requests("endorse")[0]
    submit = transport.requests("submit")[0]
    assert submit.transaction_id == endorse.transaction_id
    assert submit.channel_id == "ch"
    envelope = submit.prepared_transaction
    _verify(credentials, envelope.signature, envelope.payload)

    signed_status = transport.requests("commit_status")[0]
    status_request = gateway_pb2.CommitStatusRequest.FromString(signed_status.request)
    assert status_request.transaction_id == endorse.transaction_id
    assert status_request.channel_id == "ch"
    assert status_request.identity == identity.serialize()
    _verify(credentials, signed_status.signature, signed_status.request)


def test_submit_async_returns_result_then_status(
    gateway: Gateway, transport: FakeTransport
) -> None:
    transport.endorse_result = b"r"
    transport.block_number = 42
    submitted = gateway.get_network("ch").get_contract("cc").submit_async("Tx")
    assert submitted.result == b"r"
    assert "commit_status" not in [name for name, _, _ in transport.calls]
    status = submitted.status()
    assert status.transaction_id == submitted.transaction_id
    assert (status.code, status.code_name, status.successful) == (0, "VALID", True)
    assert status.block_number == 42


@pytest.mark.parametrize("code_name", ["MVCC_READ_CONFLICT", "ENDORSEMENT_POLICY_FAILURE"])
def test_submit_raises_commit_error_for_invalid_transaction(
    gateway: Gateway, transport: FakeTransport, code_name: str
) -> None:
    transport.commit_code = transaction_pb2.TxValidationCode.Value(code_name)
    contract = gateway.get_network("ch").get_contract("cc")
    with pytest.raises(CommitError) as info:
        contract.submit("Tx")
    error = info.value
    assert error.code_name == code_name
    assert error.code == transport.commit_code
    assert error.transaction_id == transport.requests("endorse")[0].transaction_id
    assert code_name in str(error)


def test_unknown_validation_code_is_named(gateway: Gateway, transport: FakeTransport) -> None:
    transport.commit_code = 9999
    status = gateway.get_network("ch").get_contract("cc").submit_async("Tx").status()
    assert status.code_name == "UNKNOWN_9999"
    assert not status.successful


def test_stage_errors_propagate_unchanged(gateway: Gateway, transport: FakeTransport) -> None:
    detail = ErrorDetail("peer0:7051", "Org1MSP", "chaincode said no")
    transport.errors["endorse"] = EndorseError("failed", code="ABORTED", details=[detail])
    with pytest.raises(EndorseError) as info:
        gateway.get_network("ch").get_contract("cc").submit("Tx")
    assert info.value.details == [detail]
    transport.errors = {"submit": SubmitError("no orderer", code="UNAVAILABLE")}
    with pytest.raises(SubmitError):
        gateway.get_network("ch").get_contract("cc").submit("Tx")


def test_default_and_per_call_timeouts(
    transport: FakeTransport, identity: X509Identity, signer: Signer
) -> None:
    timeouts = Timeouts(
        evaluate=1.5, endorse=2.5, submit=3.5, commit_status=4.5, commit_resubmit=None
    )
    gateway = connect(client=transport, identity=identity, signer=signer, timeouts=timeouts)
    contract = gateway.get_network("ch").get_contract("cc")
    contract.evaluate("Q")
    contract.evaluate("Q", timeout=9.0)
    contract.evaluate("Q", timeout=None)
    contract.evaluate("Q", timeout=DEFAULT)
    contract.submit("Tx")
    proposal = contract.new_proposal("Tx")
    proposal.endorse(timeout=7.0).submit(timeout=None).status(timeout=8.0)
    assert transport.timeouts("evaluate") == [1.5, 9.0, None, 1.5]
    assert transport.timeouts("endorse") == [2.5, 7.0]
    assert transport.timeouts("submit") == [3.5, None]
    assert transport.timeouts("commit_status") == [4.5, 8.0]


def test_without_signer_online_steps_require_signature(
    transport: FakeTransport, identity: X509Identity
) -> None:
    gateway = connect(client=transport, identity=identity)
    contract = gateway.get_network("ch").get_contract("cc")
    with pytest.raises(SignatureRequiredError, match="new_signed_proposal"):
        contract.evaluate("Q")
    assert transport.calls == []


def _field_names(message: Any) -> list[str]:
    return sorted(field.name for field, _ in message.ListFields())


def test_offline_signing_round_trip_matches_online_structure(
    transport: FakeTransport, identity: X509Identity, signer: Signer, credentials: Credentials
) -> None:
    offline = connect(client=transport, identity=identity)
    contract = offline.get_network("ch").get_contract("cc")

    unsigned = contract.new_proposal("Tx", ["a"])
    proposal = offline.new_signed_proposal(unsigned.to_bytes(), signer(unsigned.digest()))
    assert proposal.transaction_id == unsigned.transaction_id
    unsigned_tx = proposal.endorse()
    transaction = offline.new_signed_transaction(
        unsigned_tx.to_bytes(), signer(unsigned_tx.digest())
    )
    assert transaction.result == transport.endorse_result
    unsigned_commit = transaction.submit()
    commit = offline.new_signed_commit(unsigned_commit.to_bytes(), signer(unsigned_commit.digest()))
    status = commit.status()
    assert status.successful
    assert status.transaction_id == unsigned.transaction_id
    offline_requests = [request for _, request, _ in transport.calls]

    transport.calls.clear()
    online = connect(client=transport, identity=identity, signer=signer)
    online.get_network("ch").get_contract("cc").submit("Tx", ["a"])
    online_requests = [request for _, request, _ in transport.calls]

    assert [_field_names(r) for r in offline_requests] == [_field_names(r) for r in online_requests]
    endorse, submit, commit_status = offline_requests
    _verify(
        credentials,
        endorse.proposed_transaction.signature,
        endorse.proposed_transaction.proposal_bytes,
    )
    _verify(credentials, submit.prepared_transaction.signature, submit.prepared_transaction.payload)
    _verify(credentials, commit_status.signature, commit_status.request)


def test_gateway_accepts_a_grpc_channel_object(identity: X509Identity) -> None:
    channel = grpc.insecure_channel("127.0.0.1:1")
    try:
        gateway = connect(client=channel, identity=identity)
        assert gateway.get_network("ch").name == "ch"
        assert gateway.identity is identity
    finally:
        channel.close()
