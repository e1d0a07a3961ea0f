"""Evidence receipts: export through a fake ledger, offline verification, tamper detection."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fabric_protos.common import common_pb2, configtx_pb2, ledger_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.msp import identities_pb2, msp_config_pb2
from fabric_protos.peer import (
    chaincode_pb2,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)
from gateway_fakes import Credentials, FakeTransport, make_credentials

from fabric_pilot_gateway import connect, new_private_key_signer
from fabric_pilot_gateway.identity import X509Identity
from fabric_pilot_gateway.receipts import (
    ReceiptError,
    block_data_hash,
    block_header_bytes,
    block_header_hash,
    export_receipt,
    verify_receipt,
)

CHANNEL, CHAINCODE = "justice", "court_evidence"
KEY = "\x00evidence\x00E1\x00"
RECORD = {"evidence_id": "E1", "status": "registered", "size_bytes": 5, "sealed": False, "n": [1]}


# --- a tiny PKI: one root CA per MSP ------------------------------------------------------
@dataclass
class Org:
    msp_id: str
    ca: Credentials
    intermediate: Credentials | None = None
    members: dict[str, Credentials] = field(default_factory=dict)

    def member(self, name: str) -> Credentials:
        if name not in self.members:
            issuer, issuer_name = self.ca, f"ca.{self.msp_id}"
            if self.intermediate is not None:
                issuer, issuer_name = self.intermediate, f"ica.{self.msp_id}"
            self.members[name] = make_credentials(
                f"{name}@{self.msp_id}", issuer_key=issuer.key, issuer_name=issuer_name
            )
        return self.members[name]

    def serialized(self, name: str) -> bytes:
        pem = self.member(name).certificate_pem
        return identities_pb2.SerializedIdentity(
            mspid=self.msp_id, id_bytes=pem
        ).SerializeToString()


def _org(msp_id: str, *, with_intermediate: bool = False) -> Org:
    ca = make_credentials(f"ca.{msp_id}", is_ca=True)
    if not with_intermediate:
        return Org(msp_id, ca)
    intermediate = make_credentials(
        f"ica.{msp_id}", is_ca=True, issuer_key=ca.key, issuer_name=f"ca.{msp_id}"
    )
    return Org(msp_id, ca, intermediate)


# The court's peers hold certificates from an intermediate CA; the notary's from its root.
ORGS = {"CourtMSP": _org("CourtMSP", with_intermediate=True), "NotaryMSP": _org("NotaryMSP")}
ORDERER = _org("OrdererMSP")
ALL_ROOTS = {org.msp_id: [org.ca.certificate_pem] for org in (*ORGS.values(), ORDERER)}


def _sign(credentials: Credentials, message: bytes) -> bytes:
    return credentials.key.sign(message, ec.ECDSA(hashes.SHA256()))


# --- blocks ---------------------------------------------------------------------------------
def _channel_header(kind: int, tx_id: str, clock_offset: int = 0) -> bytes:
    header = common_pb2.ChannelHeader(type=kind, channel_id=CHANNEL, tx_id=tx_id)
    header.timestamp.GetCurrentTime()
    header.timestamp.seconds += clock_offset
    return header.SerializeToString()


def config_envelope() -> bytes:
    config = configtx_pb2.Config()
    sections = [("Application", org) for org in ORGS.values()] + [("Orderer", ORDERER)]
    for section, org in sections:
        fabric = msp_config_pb2.FabricMSPConfig(
            name=org.msp_id,
            root_certs=[org.ca.certificate_pem],
            intermediate_certs=[org.intermediate.certificate_pem] if org.intermediate else [],
        )
        msp = msp_config_pb2.MSPConfig(type=0, config=fabric.SerializeToString())
        group = config.channel_group.groups[section].groups[org.msp_id]
        group.values["MSP"].value = msp.SerializeToString()
    payload = common_pb2.Payload(
        header=common_pb2.Header(channel_header=_channel_header(common_pb2.CONFIG, "")),
        data=configtx_pb2.ConfigEnvelope(config=config).SerializeToString(),
    )
    return common_pb2.Envelope(payload=payload.SerializeToString()).SerializeToString()


def endorser_transaction(
    tx_id: str,
    writes: dict[str, bytes],
    response: bytes,
    endorsers: list[tuple[Org, str]],
    clock_offset: int = 0,
) -> bytes:
    """A signed endorser transaction writing ``writes`` in the chaincode's namespace."""
    kv = kv_rwset_pb2.KVRWSet(
        writes=[kv_rwset_pb2.KVWrite(key=k, value=v) for k, v in sorted(writes.items())]
    )
    results = rwset_pb2.TxReadWriteSet(
        ns_rwset=[rwset_pb2.NsReadWriteSet(namespace=CHAINCODE, rwset=kv.SerializeToString())]
    )
    action = proposal_pb2.ChaincodeAction(
        results=results.SerializeToString(),
        response=proposal_response_pb2.Response(status=200, payload=response),
        chaincode_id=chaincode_pb2.ChaincodeID(name=CHAINCODE),
    )
    prp = proposal_response_pb2.ProposalResponsePayload(
        proposal_hash=b"h" * 32, extension=action.SerializeToString()
    ).SerializeToString()
    endorsements = []
    for org, name in endorsers:
        identity = org.serialized(name)
        signature = _sign(org.member(name), prp + identity)
        endorsements.append(
            proposal_response_pb2.Endorsement(endorser=identity, signature=signature)
        )
    action_payload = transaction_pb2.ChaincodeActionPayload(
        action=transaction_pb2.ChaincodeEndorsedAction(
            proposal_response_payload=prp, endorsements=endorsements
        )
    )
    creator_org = ORGS["NotaryMSP"]
    signature_header = common_pb2.SignatureHeader(
        creator=creator_org.serialized("client"), nonce=b"n" * 24
    ).SerializeToString()
    transaction = transaction_pb2.Transaction(
        actions=[
            transaction_pb2.TransactionAction(
                header=signature_header, payload=action_payload.SerializeToString()
            )
        ]
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(
            channel_header=_channel_header(common_pb2.ENDORSER_TRANSACTION, tx_id, clock_offset),
            signature_header=signature_header,
        ),
        data=transaction.SerializeToString(),
    ).SerializeToString()
    signature = _sign(creator_org.member("client"), payload)
    return common_pb2.Envelope(payload=payload, signature=signature).SerializeToString()


@dataclass
class FakeLedger:
    """Blocks chained like Fabric's; the first is the config block."""

    blocks: list[Any] = field(default_factory=list)
    record: dict[str, Any] = field(default_factory=dict)

    def append(self, envelopes: list[bytes], flags: bytes | None = None) -> Any:
        number = len(self.blocks)
        previous = self.blocks[-1].header if self.blocks else None
        previous_hash = (
            block_header_hash(previous.number, previous.previous_hash, previous.data_hash)
            if previous
            else b""
        )
        last_config = common_pb2.OrdererBlockMetadata(
            last_config=common_pb2.LastConfig(index=0)
        ).SerializeToString()
        header = common_pb2.BlockHeader(
            number=number,
            previous_hash=previous_hash,
            data_hash=hashlib.sha256(b"".join(envelopes)).digest(),
        )
        signature_header = common_pb2.SignatureHeader(
            creator=ORDERER.serialized("orderer0"), nonce=b"o" * 24
        ).SerializeToString()
        der = block_header_bytes(header.number, header.previous_hash, header.data_hash)
        orderer_signature = common_pb2.MetadataSignature(
            signature_header=signature_header,
            signature=_sign(ORDERER.member("orderer0"), last_config + signature_header + der),
        )
        signatures = common_pb2.Metadata(value=last_config, signatures=[orderer_signature])
        block = common_pb2.Block(
            header=header,
            data=common_pb2.BlockData(data=envelopes),
            metadata=common_pb2.BlockMetadata(
                metadata=[
                    signatures.SerializeToString(),
                    b"",
                    bytes(len(envelopes)) if flags is None else flags,
                    b"",
                    b"",
                ]
            ),
        )
        self.blocks.append(block)
        return block

    def block_with(self, tx_id: str) -> Any:
        for block in self.blocks:
            for raw in block.data.data:
                payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(raw).payload)
                if (
                    common_pb2.ChannelHeader.FromString(payload.header.channel_header).tx_id
                    == tx_id
                ):
                    return block
        raise KeyError(tx_id)


class LedgerTransport(FakeTransport):
    """Answers qscc and ``get_evidence`` evaluations from a :class:`FakeLedger`."""

    def __init__(self, ledger: FakeLedger) -> None:
        super().__init__()
        self.ledger = ledger

    def _answer(self, function: str, args: list[bytes]) -> bytes:
        blocks = self.ledger.blocks
        if function == "GetChainInfo":
            tip = blocks[-1].header
            tip_hash = block_header_hash(tip.number, tip.previous_hash, tip.data_hash)
            info = ledger_pb2.BlockchainInfo(height=len(blocks), currentBlockHash=tip_hash)
            return bytes(info.SerializeToString())
        if function == "GetBlockByNumber":
            return bytes(blocks[int(args[1])].SerializeToString())
        if function == "GetBlockByTxID":
            return bytes(self.ledger.block_with(args[1].decode()).SerializeToString())
        if function == "get_evidence":
            return json.dumps(self.ledger.record).encode()
        raise AssertionError(f"unexpected evaluation {function}")

    def evaluate(self, request: Any, timeout: float | None) -> Any:
        self._record("evaluate", request, timeout)
        proposal = proposal_pb2.Proposal.FromString(request.proposed_transaction.proposal_bytes)
        payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
        spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
        function, *args = list(spec.input.args)
        result = self._answer(function.decode(), args)
        return gateway_pb2.EvaluateResponse(
            result=proposal_response_pb2.Response(status=200, payload=result)
        )


def build_ledger(
    *,
    endorsers: list[tuple[Org, str]] | None = None,
    flags: bytes | None = None,
    clock_offset: int = 0,
) -> FakeLedger:
    """Config block 0, the evidence transaction in block 1 (second of two), one more block."""
    ledger = FakeLedger()
    ledger.append([config_envelope()])
    record = dict(RECORD, tx_id="tx-evidence", updated_tx_id="tx-evidence")
    value = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
    endorsers = endorsers or [(ORGS["CourtMSP"], "peer0"), (ORGS["NotaryMSP"], "peer0")]
    other = endorser_transaction("tx-other", {"\x00x\x00": b"{}"}, b"{}", endorsers[:1])
    evidence_tx = endorser_transaction("tx-evidence", {KEY: value}, value, endorsers, clock_offset)
    ledger.append([other, evidence_tx], flags)
    ledger.append([endorser_transaction("tx-later", {"\x00y\x00": b"{}"}, b"", endorsers[:1])])
    ledger.record = record
    return ledger


def export(ledger: FakeLedger, **kwargs: Any) -> dict[str, Any]:
    client = make_credentials("reader@NotaryMSP")
    gateway = connect(
        client=LedgerTransport(ledger),
        identity=X509Identity("NotaryMSP", client.certificate_pem),
        signer=new_private_key_signer(client.key),
    )
    network = gateway.get_network(CHANNEL)
    if "transaction_id" not in kwargs:
        kwargs["evidence_id"] = "E1"
    return export_receipt(network, CHAINCODE, **kwargs)


@pytest.fixture(scope="module")
def receipt() -> dict[str, Any]:
    return json.loads(json.dumps(export(build_ledger())))


# --- hashing --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("number", "encoded_number"),
    [
        (0, b"\x02\x01\x00"),
        (127, b"\x02\x01\x7f"),
        (128, b"\x02\x02\x00\x80"),
        (65_536, b"\x02\x03\x01\x00\x00"),
    ],
)
def test_block_header_hash_is_sha256_of_der(number: int, encoded_number: bytes) -> None:
    previous, data = b"\x11" * 32, b"\x22" * 32
    body = encoded_number + b"\x04\x20" + previous + b"\x04\x20" + data
    der = b"\x30" + bytes([len(body)]) + body
    assert block_header_hash(number, previous, data) == hashlib.sha256(der).digest()


def test_block_header_hash_uses_long_form_lengths_and_empty_hashes() -> None:
    long_hash = b"\x33" * 200
    body = b"\x02\x01\x05" + b"\x04\x00" + b"\x04\x81\xc8" + long_hash
    der = b"\x30\x81" + bytes([len(body)]) + body
    assert block_header_hash(5, b"", long_hash) == hashlib.sha256(der).digest()


def test_block_data_hash_concatenates_envelopes() -> None:
    assert block_data_hash([b"ab", b"c"]) == hashlib.sha256(b"abc").digest()


# --- export and verification ------------------------------------------------------------------
def test_exported_receipt_verifies_offline(receipt: dict[str, Any]) -> None:
    verified = verify_receipt(receipt)

    assert verified.transaction_id == "tx-evidence"
    assert (verified.block_number, verified.tip_block_number) == (1, 2)
    assert verified.record == receipt["record"] == build_ledger().record
    assert verified.key == KEY
    assert verified.creator_msp_id == "NotaryMSP"
    assert verified.endorser_msp_ids == ("CourtMSP", "NotaryMSP")
    assert receipt["transaction_index"] == 1
    assert [h["number"] for h in receipt["headers"]] == [0, 1, 2]
    assert set(receipt["trust_anchors"]) == {"CourtMSP", "NotaryMSP", "OrdererMSP"}
    assert verified.orderer_msp_ids == ("OrdererMSP",)


def test_receipt_for_a_transaction_id_proves_its_response(receipt: dict[str, Any]) -> None:
    by_tx = export(build_ledger(), transaction_id="tx-evidence", through_block=1)
    verified = verify_receipt(by_tx)
    assert verified.record["evidence_id"] == "E1"
    assert verified.key == KEY
    assert verified.tip_block_number == 1


def test_verification_with_the_verifier_own_roots(receipt: dict[str, Any]) -> None:
    roots = ALL_ROOTS
    assert verify_receipt(receipt, trusted_roots=roots).transaction_id == "tx-evidence"
    stranger = make_credentials("ca.other", is_ca=True).certificate_pem
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(receipt, trusted_roots=dict(roots, CourtMSP=[stranger]))
    assert caught.value.check == "certificate_chain"


def test_export_requires_exactly_one_subject() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        export(build_ledger(), evidence_id="E1", transaction_id="tx-evidence")


def test_export_refuses_a_record_the_transaction_did_not_write() -> None:
    ledger = build_ledger()
    ledger.record = dict(ledger.record, status="forged")
    with pytest.raises(ValueError, match="did not write"):
        export(ledger)


# --- tampering ---------------------------------------------------------------------------------
def _flip(b64: str, position: int) -> str:
    raw = bytearray(base64.b64decode(b64))
    raw[position % len(raw)] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def _rehash(receipt: dict[str, Any]) -> None:
    """Recompute the block's data hash and every later header, as a forger would."""
    data = [base64.b64decode(item) for item in receipt["block"]["data"]]
    receipt["block"]["header"]["data_hash"] = block_data_hash(data).hex()
    number = receipt["block_number"]
    headers = receipt["headers"]
    headers[number]["data_hash"] = receipt["block"]["header"]["data_hash"]
    for previous, current in zip(headers[number:], headers[number + 1 :], strict=False):
        current["previous_hash"] = block_header_hash(
            previous["number"],
            bytes.fromhex(previous["previous_hash"]),
            bytes.fromhex(previous["data_hash"]),
        ).hex()


def _tamper_record(r: dict[str, Any]) -> None:
    r["record"]["status"] = "admitted"


def _tamper_record_bytes(r: dict[str, Any]) -> None:
    r["record"]["size_bytes"] += 1


def _tamper_header_data_hash(r: dict[str, Any]) -> None:
    r["headers"][1]["data_hash"] = "00" * 32
    r["block"]["header"]["data_hash"] = "00" * 32


def _tamper_previous_hash(r: dict[str, Any]) -> None:
    r["headers"][2]["previous_hash"] = "ff" + r["headers"][2]["previous_hash"][2:]


def _tamper_block_byte(r: dict[str, Any]) -> None:
    r["block"]["data"][1] = _flip(r["block"]["data"][1], 200)


def _tamper_envelope_rehashed(r: dict[str, Any]) -> None:
    """The submitting client rewrites the value and re-signs; the endorsers cannot agree."""
    envelope = common_pb2.Envelope.FromString(base64.b64decode(r["block"]["data"][1]))
    envelope.payload = envelope.payload.replace(b"registered", b"REGISTERED")
    envelope.signature = _sign(ORGS["NotaryMSP"].member("client"), envelope.payload)
    r["block"]["data"][1] = base64.b64encode(envelope.SerializeToString()).decode()
    r["record"]["status"] = "REGISTERED"
    _rehash(r)


def _tamper_signature(r: dict[str, Any]) -> None:
    envelope = common_pb2.Envelope.FromString(base64.b64decode(r["block"]["data"][1]))
    payload = common_pb2.Payload.FromString(envelope.payload)
    transaction = transaction_pb2.Transaction.FromString(payload.data)
    action = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
    signature = bytearray(action.action.endorsements[0].signature)
    signature[-1] ^= 0x01
    action.action.endorsements[0].signature = bytes(signature)
    transaction.actions[0].payload = action.SerializeToString()
    payload.data = transaction.SerializeToString()
    envelope.payload = payload.SerializeToString()
    envelope.signature = _sign(ORGS["NotaryMSP"].member("client"), envelope.payload)
    r["block"]["data"][1] = base64.b64encode(envelope.SerializeToString()).decode()
    r["endorsements"][0]["signature"] = action.action.endorsements[0].signature.hex()
    _rehash(r)


def _tamper_creator_signature(r: dict[str, Any]) -> None:
    envelope = common_pb2.Envelope.FromString(base64.b64decode(r["block"]["data"][1]))
    envelope.signature = _sign(ORGS["CourtMSP"].member("client"), envelope.payload)
    r["block"]["data"][1] = base64.b64encode(envelope.SerializeToString()).decode()
    _rehash(r)


def _tamper_boolean_as_integer(r: dict[str, Any]) -> None:
    r["record"]["sealed"] = 0  # equal to False in Python, but not the same JSON


def _tamper_garbage_envelope(r: dict[str, Any]) -> None:
    r["block"]["data"][1] = base64.b64encode(b"\xff\xff\xff not a protobuf").decode()
    _rehash(r)


def _tamper_tip_data_hash(r: dict[str, Any]) -> None:
    """Only the orderer's signature covers the last block's header."""
    r["headers"][-1]["data_hash"] = "00" * 32


def _tamper_tip_signature(r: dict[str, Any]) -> None:
    r["tip_signatures"] = _flip(r["tip_signatures"], -3)


def _tamper_tip_signed_by_a_peer(r: dict[str, Any]) -> None:
    metadata = common_pb2.Metadata.FromString(base64.b64decode(r["tip_signatures"]))
    court = ORGS["CourtMSP"]
    header = common_pb2.SignatureHeader(creator=court.serialized("peer0")).SerializeToString()
    tip = r["headers"][-1]
    der = block_header_bytes(
        tip["number"], bytes.fromhex(tip["previous_hash"]), bytes.fromhex(tip["data_hash"])
    )
    signature = _sign(court.member("peer0"), metadata.value + header + der)
    del metadata.signatures[:]
    metadata.signatures.add(signature_header=header, signature=signature)
    r["tip_signatures"] = base64.b64encode(metadata.SerializeToString()).decode()


def _tamper_flags(r: dict[str, Any]) -> None:
    r["block"]["transactions_filter"] = base64.b64encode(b"\x00\x0b").decode()


def _tamper_endorsement_summary(r: dict[str, Any]) -> None:
    r["endorsements"][0]["msp_id"] = "NotaryMSP"


def _tamper_anchors(r: dict[str, Any]) -> None:
    r["trust_anchors"]["CourtMSP"] = [make_credentials("evil", is_ca=True).certificate_pem.decode()]


def _tamper_tx_id(r: dict[str, Any]) -> None:
    r["transaction_id"] = "tx-other"


def _tamper_format(r: dict[str, Any]) -> None:
    del r["headers"]


def _tamper_gap(r: dict[str, Any]) -> None:
    r["headers"][2]["number"] = 3


TAMPERING = [
    (_tamper_record, "record"),
    (_tamper_record_bytes, "record"),
    (_tamper_header_data_hash, "header_chain"),
    (_tamper_previous_hash, "header_chain"),
    (_tamper_block_byte, "data_hash"),
    (_tamper_envelope_rehashed, "endorsement_signature"),
    (_tamper_signature, "endorsement_signature"),
    (_tamper_creator_signature, "creator_signature"),
    (_tamper_boolean_as_integer, "record"),
    (_tamper_garbage_envelope, "transaction"),
    (_tamper_tip_data_hash, "orderer_signature"),
    (_tamper_tip_signature, "orderer_signature"),
    (_tamper_tip_signed_by_a_peer, "orderer_signature"),
    (_tamper_flags, "validation_code"),
    (_tamper_endorsement_summary, "endorsements"),
    (_tamper_anchors, "trust_anchors"),
    (_tamper_tx_id, "transaction"),
    (_tamper_format, "format"),
    (_tamper_gap, "header_chain"),
]


@pytest.mark.parametrize(
    ("tamper", "check"), TAMPERING, ids=[t.__name__.removeprefix("_tamper_") for t, _ in TAMPERING]
)
def test_tampered_receipt_is_rejected_naming_the_check(
    receipt: dict[str, Any], tamper: Any, check: str
) -> None:
    forged = copy.deepcopy(receipt)
    tamper(forged)
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(forged)
    assert caught.value.check == check, caught.value


def test_endorser_outside_the_msp_is_rejected() -> None:
    rogue = Org("CourtMSP", make_credentials("ca.rogue", is_ca=True))
    ledger = build_ledger(endorsers=[(rogue, "peer0"), (ORGS["NotaryMSP"], "peer0")])
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(export(ledger))
    assert caught.value.check == "certificate_chain"


def test_invalid_transaction_is_rejected() -> None:
    ledger = build_ledger(flags=b"\x00\x0b")  # MVCC_READ_CONFLICT for the evidence tx
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(export(ledger))
    assert caught.value.check == "validation_code"


def test_certificate_not_valid_at_the_transaction_time_is_rejected() -> None:
    ledger = build_ledger(clock_offset=10 * 86_400)  # member certificates last two days
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(export(ledger))
    assert caught.value.check == "certificate_chain"
    assert "not valid at" in str(caught.value)


def test_certificate_from_an_intermediate_ca_of_the_msp_is_accepted() -> None:
    court = ORGS["CourtMSP"]
    assert court.intermediate is not None
    certificate = x509.load_pem_x509_certificate(court.member("peer0").certificate_pem)
    assert certificate.issuer.rfc4514_string() == "CN=ica.CourtMSP"
    receipt = export(build_ledger())
    assert "CourtMSP" in verify_receipt(receipt).endorser_msp_ids
    roots_only = ALL_ROOTS
    assert verify_receipt(receipt, trusted_roots=roots_only).transaction_id == "tx-evidence"
    stranger = make_credentials("ca.other", is_ca=True).certificate_pem
    with pytest.raises(ReceiptError) as caught:  # the intermediate does not chain to it
        verify_receipt(receipt, trusted_roots=dict(roots_only, CourtMSP=[stranger]))
    assert caught.value.check == "certificate_chain"


@pytest.mark.parametrize("through_block", [0, 3])
def test_export_refuses_a_chain_end_outside_the_ledger(through_block: int) -> None:
    with pytest.raises(ValueError, match="through_block"):
        export(build_ledger(), through_block=through_block)
