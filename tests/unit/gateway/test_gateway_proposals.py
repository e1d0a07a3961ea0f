"""The proposal the SDK sends decodes to the expected Fabric messages."""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2
from gateway_fakes import Credentials, FakeTransport

from fabric_pilot_gateway import Gateway, X509Identity
from fabric_pilot_gateway._proposals import transaction_id_for


def _decode(signed: Any) -> dict[str, Any]:
    proposal = proposal_pb2.Proposal.FromString(signed.proposal_bytes)
    header = common_pb2.Header.FromString(proposal.header)
    channel_header = common_pb2.ChannelHeader.FromString(header.channel_header)
    signature_header = common_pb2.SignatureHeader.FromString(header.signature_header)
    extension = proposal_pb2.ChaincodeHeaderExtension.FromString(channel_header.extension)
    payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
    return {
        "channel_header": channel_header,
        "signature_header": signature_header,
        "extension": extension,
        "payload": payload,
        "spec": spec,
    }


def test_evaluate_sends_a_well_formed_signed_proposal(
    gateway: Gateway,
    transport: FakeTransport,
    identity: X509Identity,
    credentials: Credentials,
) -> None:
    contract = gateway.get_network("mychannel").get_contract("basic")
    contract.evaluate("ReadAsset", ["asset1", b"\x00\x01"], transient={"secret": "s3"})

    (request,) = transport.requests("evaluate")
    parts = _decode(request.proposed_transaction)
    channel_header = parts["channel_header"]
    signature_header = parts["signature_header"]
    assert channel_header.type == common_pb2.HeaderType.ENDORSER_TRANSACTION
    assert channel_header.channel_id == "mychannel"
    assert channel_header.timestamp.seconds > 0
    assert len(signature_header.nonce) == 24
    assert signature_header.creator == identity.serialize()
    expected_tx_id = hashlib.sha256(signature_header.nonce + signature_header.creator).hexdigest()
    assert channel_header.tx_id == expected_tx_id
    assert request.transaction_id == expected_tx_id
    assert request.channel_id == "mychannel"
    assert parts["extension"].chaincode_id.name == "basic"
    assert parts["spec"].chaincode_id.name == "basic"
    assert list(parts["spec"].input.args) == [b"ReadAsset", b"asset1", b"\x00\x01"]
    assert dict(parts["payload"].TransientMap) == {"secret": b"s3"}

    digest = hashlib.sha256(request.proposed_transaction.proposal_bytes).digest()
    credentials.key.public_key().verify(
        request.proposed_transaction.signature, digest, ec.ECDSA(Prehashed(hashes.SHA256()))
    )


def test_contract_name_prefixes_transaction_name(
    gateway: Gateway, transport: FakeTransport
) -> None:
    contract = gateway.get_network("ch").get_contract("cc", "TaxInvoiceContract")
    contract.evaluate("Get", ["1"])
    spec = _decode(transport.requests("evaluate")[0].proposed_transaction)["spec"]
    assert list(spec.input.args) == [b"TaxInvoiceContract:Get", b"1"]


def test_each_proposal_has_a_fresh_transaction_id(gateway: Gateway) -> None:
    contract = gateway.get_network("ch").get_contract("cc")
    ids = {contract.new_proposal("Tx").transaction_id for _ in range(5)}
    assert len(ids) == 5


def test_endorsing_organizations_are_sent(gateway: Gateway, transport: FakeTransport) -> None:
    contract = gateway.get_network("ch").get_contract("cc")
    contract.evaluate("Q", endorsing_organizations=["Org2MSP"])
    contract.submit("Tx", endorsing_organizations=["Org1MSP", "Org2MSP"])
    assert list(transport.requests("evaluate")[0].target_organizations) == ["Org2MSP"]
    endorse = transport.requests("endorse")[0]
    assert list(endorse.endorsing_organizations) == ["Org1MSP", "Org2MSP"]


def test_proposal_to_bytes_is_a_proposed_transaction(gateway: Gateway) -> None:
    proposal = gateway.get_network("ch").get_contract("cc").new_proposal("Tx", ["a"])
    decoded = gateway_pb2.ProposedTransaction.FromString(proposal.to_bytes())
    assert decoded.transaction_id == proposal.transaction_id
    assert decoded.proposal.signature == b""
    assert proposal.digest() == hashlib.sha256(decoded.proposal.proposal_bytes).digest()


def test_transaction_id_for_is_sha256_of_nonce_and_creator() -> None:
    assert transaction_id_for(b"n", b"c") == hashlib.sha256(b"nc").hexdigest()
