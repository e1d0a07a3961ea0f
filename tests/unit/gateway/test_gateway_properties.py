"""Property-based checks of proposal encoding."""

from __future__ import annotations

from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2
from gateway_fakes import FakeTransport
from hypothesis import given, settings
from hypothesis import strategies as st

from fabric_pilot_gateway import X509Identity, connect

IDENTITY = X509Identity("Org1MSP", b"-----BEGIN CERTIFICATE-----\n")
ARGS = st.lists(st.one_of(st.text(max_size=20), st.binary(max_size=20)), max_size=6)
TRANSIENT = st.dictionaries(st.text(min_size=1, max_size=8), st.binary(max_size=16), max_size=3)


@settings(max_examples=50, deadline=None)
@given(
    name=st.text(min_size=1, max_size=16),
    contract_name=st.one_of(st.none(), st.text(min_size=1, max_size=8)),
    args=ARGS,
    transient=TRANSIENT,
)
def test_arguments_and_transient_round_trip(
    name: str, contract_name: str | None, args: list[str | bytes], transient: dict[str, bytes]
) -> None:
    gateway = connect(client=FakeTransport(), identity=IDENTITY)
    contract = gateway.get_network("ch").get_contract("cc", contract_name)
    proposal = contract.new_proposal(name, args, transient=transient)

    signed = gateway_pb2.ProposedTransaction.FromString(proposal.to_bytes()).proposal
    decoded = proposal_pb2.Proposal.FromString(signed.proposal_bytes)
    payload = proposal_pb2.ChaincodeProposalPayload.FromString(decoded.payload)
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
    expected_name = f"{contract_name}:{name}" if contract_name else name
    expected = [expected_name.encode()] + [a.encode() if isinstance(a, str) else a for a in args]
    assert list(spec.input.args) == expected
    assert dict(payload.TransientMap) == transient
