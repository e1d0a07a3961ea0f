"""MSP folder/PEM loaders and qscc/_lifecycle ledger queries."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from fabric_protos.common import common_pb2, ledger_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2, transaction_pb2
from fabric_protos.peer.lifecycle import lifecycle_pb2
from gateway_fakes import Credentials, FakeTransport, write_msp

from fabric_pilot_gateway import Gateway, ledger
from fabric_pilot_gateway.loaders import load_msp_folder, load_pem_identity, load_private_key


def _assert_signs_for(credentials: Credentials, signer: object) -> None:
    digest = hashlib.sha256(b"m").digest()
    signature = signer(digest)  # type: ignore[operator]
    credentials.key.public_key().verify(signature, digest, ec.ECDSA(Prehashed(hashes.SHA256())))


def test_load_msp_folder_picks_the_matching_key(tmp_path: Path, credentials: Credentials) -> None:
    identity, signer = load_msp_folder(write_msp(tmp_path / "msp", credentials), "Org1MSP")
    assert identity.msp_id == "Org1MSP"
    assert identity.certificate_pem == credentials.certificate_pem
    _assert_signs_for(credentials, signer)


def test_load_msp_folder_errors(tmp_path: Path, credentials: Credentials) -> None:
    msp = write_msp(tmp_path / "msp", credentials)
    (msp / "keystore" / "priv_sk").unlink()
    with pytest.raises(ValueError, match="no private key"):
        load_msp_folder(msp, "Org1MSP")
    (msp / "signcerts" / "second.pem").write_bytes(credentials.certificate_pem)
    with pytest.raises(ValueError, match="expected one certificate"):
        load_msp_folder(msp, "Org1MSP")


def test_load_pem_identity(tmp_path: Path, credentials: Credentials) -> None:
    (tmp_path / "cert.pem").write_bytes(credentials.certificate_pem)
    (tmp_path / "key.pem").write_bytes(credentials.key_pem)
    identity, signer = load_pem_identity(tmp_path / "cert.pem", tmp_path / "key.pem", "M")
    assert identity.certificate_pem == credentials.certificate_pem
    _assert_signs_for(credentials, signer)


def test_load_private_key_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        load_private_key(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")


def _sent(transport: FakeTransport) -> tuple[str, list[bytes]]:
    request = transport.requests("evaluate")[-1]
    proposal = proposal_pb2.Proposal.FromString(request.proposed_transaction.proposal_bytes)
    payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
    spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
    return spec.chaincode_id.name, list(spec.input.args)


def test_get_chain_info(gateway: Gateway, transport: FakeTransport) -> None:
    transport.evaluate_result = ledger_pb2.BlockchainInfo(
        height=12, currentBlockHash=b"cur", previousBlockHash=b"prev"
    ).SerializeToString()
    info = ledger.get_chain_info(gateway.get_network("mychannel"))
    assert info == ledger.ChainInfo(12, b"cur", b"prev")
    assert _sent(transport) == ("qscc", [b"GetChainInfo", b"mychannel"])


def test_get_block_and_transaction(gateway: Gateway, transport: FakeTransport) -> None:
    network = gateway.get_network("ch")
    transport.evaluate_result = common_pb2.Block(
        header=common_pb2.BlockHeader(number=3)
    ).SerializeToString()
    assert ledger.get_block(network, 3).header.number == 3
    assert _sent(transport) == ("qscc", [b"GetBlockByNumber", b"ch", b"3"])
    assert ledger.get_block_by_transaction_id(network, "tx9").header.number == 3
    assert _sent(transport) == ("qscc", [b"GetBlockByTxID", b"ch", b"tx9"])

    transport.evaluate_result = transaction_pb2.ProcessedTransaction(
        validationCode=11
    ).SerializeToString()
    assert ledger.get_transaction(network, "tx9").validationCode == 11
    assert _sent(transport) == ("qscc", [b"GetTransactionByID", b"ch", b"tx9"])


def test_query_committed_chaincodes(gateway: Gateway, transport: FakeTransport) -> None:
    definition = lifecycle_pb2.QueryChaincodeDefinitionsResult.ChaincodeDefinition(
        name="tax",
        sequence=2,
        version="1.1",
        endorsement_plugin="escc",
        validation_plugin="vscc",
        init_required=True,
    )
    transport.evaluate_result = lifecycle_pb2.QueryChaincodeDefinitionsResult(
        chaincode_definitions=[definition]
    ).SerializeToString()
    result = ledger.query_committed_chaincodes(gateway.get_network("ch"))
    assert result == [ledger.CommittedChaincode("tax", "1.1", 2, "escc", "vscc", True, ())]
    name, args = _sent(transport)
    assert name == "_lifecycle"
    assert args[0] == b"QueryChaincodeDefinitions"
    lifecycle_pb2.QueryChaincodeDefinitionsArgs.FromString(args[1])
