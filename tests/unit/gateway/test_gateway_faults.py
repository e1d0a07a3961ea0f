"""Endorsement mismatches and lost in-flight transactions, over a fake transport."""

from __future__ import annotations

import time
from typing import Any

import pytest
from gateway_fakes import FakeTransport

from fabric_pilot_gateway import (
    ChaincodeRejectedError,
    CommitStatusError,
    CommitTimeoutError,
    EndorseError,
    EndorsementMismatchError,
    ErrorDetail,
    GatewayError,
    Signer,
    SubmitError,
    TaxInvoices,
    Timeouts,
    X509Identity,
    connect,
)
from fabric_pilot_gateway import contract as contract_module
from fabric_pilot_gateway.errors import specific_error

MISMATCH = "failed to assemble transaction: ProposalResponsePayloads do not match"


class ScriptedTransport(FakeTransport):
    """Raises the scripted errors of a call in order, then answers as FakeTransport does."""

    def __init__(self, **script: list[Exception | None]) -> None:
        super().__init__()
        self.script = script

    def _record(self, name: str, request: Any, timeout: Any = None) -> None:
        self.calls.append((name, request, timeout))
        queue = self.script.get(name)
        if queue:
            error = queue.pop(0)
            if error is not None:
                raise error


def mismatch() -> GatewayError:
    """What the transport raises for the Gateway's mismatch answer."""
    return specific_error(
        EndorseError,
        MISMATCH,
        code="ABORTED",
        details=[ErrorDetail("peer0.org2.example.com:9051", "Org2MSP", "block 7 behind")],
    )


def deadline() -> CommitStatusError:
    return CommitStatusError("Deadline Exceeded", code="DEADLINE_EXCEEDED")


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contract_module, "_MISMATCH_BACKOFF", 0.0)


def _gateway(transport: FakeTransport, identity: X509Identity, signer: Signer, **options: Any):
    return connect(client=transport, identity=identity, signer=signer, **options)


def test_a_mismatch_is_retried_with_a_new_proposal_each_time(
    identity: X509Identity, signer: Signer
) -> None:
    transport = ScriptedTransport(endorse=[mismatch(), mismatch()])
    contract = _gateway(transport, identity, signer).get_network("ch").get_contract("cc")
    assert contract.submit("Put", ["k"]) == b"endorsed"
    tx_ids = [request.transaction_id for request in transport.requests("endorse")]
    assert len(tx_ids) == 3 and len(set(tx_ids)) == 3
    assert [request.transaction_id for request in transport.requests("submit")] == tx_ids[-1:]


def test_retries_are_bounded_and_the_error_is_typed(identity: X509Identity, signer: Signer) -> None:
    transport = ScriptedTransport(endorse=[mismatch() for _ in range(5)])
    gateway = _gateway(transport, identity, signer, endorsement_attempts=2)
    with pytest.raises(EndorsementMismatchError) as caught:
        gateway.get_network("ch").get_contract("cc").submit("Put", ["k"])
    error = caught.value
    assert isinstance(error, EndorseError) and isinstance(error, GatewayError)
    assert error.attempts == 2
    assert error.transaction_id == transport.requests("endorse")[-1].transaction_id
    assert error.details[0].msp_id == "Org2MSP"
    assert len(transport.requests("endorse")) == 2
    assert transport.requests("submit") == []


def test_other_endorsement_failures_are_not_retried(identity: X509Identity, signer: Signer) -> None:
    refused = EndorseError("chaincode response 500, FORBIDDEN: not yours", code="ABORTED")
    transport = ScriptedTransport(endorse=[refused])
    with pytest.raises(EndorseError) as caught:
        _gateway(transport, identity, signer).get_network("ch").get_contract("cc").submit("Put")
    assert not isinstance(caught.value, EndorsementMismatchError)
    assert len(transport.requests("endorse")) == 1


def test_a_sector_client_does_not_report_a_mismatch_as_a_chaincode_refusal(
    identity: X509Identity, signer: Signer
) -> None:
    transport = ScriptedTransport(endorse=[mismatch() for _ in range(3)])
    tax = TaxInvoices(_gateway(transport, identity, signer).get_network("tax").get_contract("t"))
    with pytest.raises(EndorsementMismatchError) as caught:
        tax.register_taxpayer(taxpayer={"tax_id": "x"})
    assert not isinstance(caught.value, ChaincodeRejectedError)


def test_no_commit_status_in_a_slice_resends_the_same_signed_transaction(
    identity: X509Identity, signer: Signer
) -> None:
    transport = ScriptedTransport(commit_status=[deadline(), deadline()])
    timeouts = Timeouts(commit_status=30.0, commit_resubmit=2.0)
    contract = _gateway(transport, identity, signer, timeouts=timeouts).get_network("ch")
    submitted = contract.get_contract("cc").submit_async("Put", ["k"])
    status = submitted.status()
    assert status.successful
    sent = transport.requests("submit")
    assert len(sent) == 3 and submitted.resubmissions == 2
    assert all(request == sent[0] for request in sent)  # same envelope, same signature
    assert transport.timeouts("commit_status") == [2.0, 2.0, 2.0]


def test_a_failed_resend_is_tried_again_after_the_next_slice(
    identity: X509Identity, signer: Signer
) -> None:
    no_leader = SubmitError("no Raft leader", code="UNAVAILABLE")
    transport = ScriptedTransport(submit=[None, no_leader], commit_status=[deadline(), deadline()])
    timeouts = Timeouts(commit_status=30.0, commit_resubmit=1.0)
    contract = _gateway(transport, identity, signer, timeouts=timeouts).get_network("ch")
    submitted = contract.get_contract("cc").submit_async("Put")
    assert submitted.status().successful
    assert len(transport.requests("submit")) == 3 and submitted.resubmissions == 1


class SlowCommitTransport(FakeTransport):
    """A commit status that never comes: each call waits out its deadline."""

    def commit_status(self, request: Any, timeout: float | None) -> Any:
        self.calls.append(("commit_status", request, timeout))
        time.sleep(timeout or 0.0)
        raise deadline()


def test_a_lost_transaction_is_reported_before_the_deadline_with_what_is_safe(
    identity: X509Identity, signer: Signer
) -> None:
    transport = SlowCommitTransport()
    timeouts = Timeouts(commit_status=0.5, commit_resubmit=0.2)
    contract = _gateway(transport, identity, signer, timeouts=timeouts).get_network("ch")
    submitted = contract.get_contract("cc").submit_async("Put")
    started = time.monotonic()
    with pytest.raises(CommitTimeoutError) as caught:
        submitted.status()
    assert time.monotonic() - started < 2.0
    error = caught.value
    assert isinstance(error, CommitStatusError)
    assert error.transaction_id == submitted.transaction_id
    assert error.code == "DEADLINE_EXCEEDED" and error.resubmissions == 2
    assert "same signed transaction" in error.message
    assert len(transport.requests("submit")) == 3


def test_other_commit_status_failures_are_raised_at_once(
    identity: X509Identity, signer: Signer
) -> None:
    down = CommitStatusError("connection refused", code="UNAVAILABLE")
    transport = ScriptedTransport(commit_status=[down])
    contract = _gateway(transport, identity, signer).get_network("ch").get_contract("cc")
    with pytest.raises(CommitStatusError) as caught:
        contract.submit("Put")
    assert caught.value.code == "UNAVAILABLE"
    assert len(transport.requests("submit")) == 1


def test_a_commit_rebuilt_from_bytes_cannot_resend(gateway: Any) -> None:
    commit = gateway.get_network("ch").get_contract("cc").submit_async("Put")
    rebuilt = gateway.new_signed_commit(commit.to_bytes(), b"sig")
    assert not hasattr(rebuilt, "resubmit")


def test_attempts_below_one_are_refused(identity: X509Identity, signer: Signer) -> None:
    with pytest.raises(ValueError, match="endorsement_attempts"):
        connect(client=FakeTransport(), identity=identity, signer=signer, endorsement_attempts=0)


def test_an_unavailable_submit_resends_the_same_signed_transaction(
    identity: X509Identity, signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contract_module, "_SUBMIT_BACKOFF", 0.0)
    no_leader = SubmitError("no Raft leader", code="UNAVAILABLE")
    transport = ScriptedTransport(submit=[no_leader, no_leader])
    contract = _gateway(transport, identity, signer).get_network("ch").get_contract("cc")
    assert contract.submit("Put", ["k"]) == b"endorsed"
    sent = transport.requests("submit")
    assert len(sent) == 3 and all(request == sent[0] for request in sent)
    assert len(transport.requests("endorse")) == 1


def test_resending_an_unavailable_submit_is_bounded(
    identity: X509Identity, signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contract_module, "_SUBMIT_BACKOFF", 0.0)
    down = [SubmitError("no Raft leader", code="UNAVAILABLE") for _ in range(9)]
    transport = ScriptedTransport(submit=down)
    contract = _gateway(transport, identity, signer).get_network("ch").get_contract("cc")
    with pytest.raises(SubmitError):
        contract.submit("Put")
    assert len(transport.requests("submit")) == 4


def test_a_refused_submit_is_not_resent(identity: X509Identity, signer: Signer) -> None:
    refused = SubmitError("BAD_REQUEST", code="ABORTED")
    transport = ScriptedTransport(submit=[refused])
    contract = _gateway(transport, identity, signer).get_network("ch").get_contract("cc")
    with pytest.raises(SubmitError):
        contract.submit("Put")
    assert len(transport.requests("submit")) == 1
