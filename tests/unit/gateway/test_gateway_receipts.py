"""Evidence receipts: export through a fake ledger, offline verification, tamper detection."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
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
    StateQuery,
    TrustAnchors,
    block_data_hash,
    block_header_bytes,
    block_header_hash,
    channel_trust_anchors,
    export_receipt,
    verify_receipt,
)
from fabric_pilot_gateway.sectors import export_evidence_receipt

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
    *,
    reads: dict[str, tuple[int, int]] | None = None,
) -> bytes:
    """A signed endorser transaction writing ``writes`` (and reading ``reads``: key → version)
    in the chaincode's namespace."""
    kv = kv_rwset_pb2.KVRWSet(
        reads=[
            kv_rwset_pb2.KVRead(key=k, version=kv_rwset_pb2.Version(block_num=v[0], tx_num=v[1]))
            for k, v in sorted((reads or {}).items())
        ],
        writes=[kv_rwset_pb2.KVWrite(key=k, value=v) for k, v in sorted(writes.items())],
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
    state: dict[str, tuple[bytes, tuple[int, int]]] = field(default_factory=dict)
    state_endorsers: list[tuple[Org, str]] = field(default_factory=list)

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

    @staticmethod
    def _invocation(request: Any) -> tuple[str, list[bytes]]:
        proposal = proposal_pb2.Proposal.FromString(request.proposed_transaction.proposal_bytes)
        payload = proposal_pb2.ChaincodeProposalPayload.FromString(proposal.payload)
        spec = chaincode_pb2.ChaincodeInvocationSpec.FromString(payload.input).chaincode_spec
        function, *args = list(spec.input.args)
        return function.decode(), args

    def evaluate(self, request: Any, timeout: float | None) -> Any:
        self._record("evaluate", request, timeout)
        function, args = self._invocation(request)
        result = self._answer(function, args)
        return gateway_pb2.EvaluateResponse(
            result=proposal_response_pb2.Response(status=200, payload=result)
        )

    def endorse(self, request: Any, timeout: float | None) -> Any:
        """``get_evidence`` endorsed by the ledger's state endorsers: the current value of
        the evidence key and its version (block, position of the last valid write)."""
        self._record("endorse", request, timeout)
        function, _args = self._invocation(request)
        assert function == "get_evidence", function
        value, version = self.ledger.state[KEY]
        envelope = endorser_transaction(
            "tx-query", {}, value, self.ledger.state_endorsers, reads={KEY: version}
        )
        return gateway_pb2.EndorseResponse(
            prepared_transaction=common_pb2.Envelope.FromString(envelope)
        )


def build_ledger(
    *,
    endorsers: list[tuple[Org, str]] | None = None,
    flags: bytes | None = None,
    clock_offset: int = 0,
    state_endorsers: list[tuple[Org, str]] | None = None,
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
    ledger.state[KEY] = (value, (1, 1))
    ledger.state_endorsers = state_endorsers or [
        (ORGS["CourtMSP"], "peer1"), (ORGS["NotaryMSP"], "peer1"),
    ]  # fmt: skip
    return ledger


def export(ledger: FakeLedger, **kwargs: Any) -> dict[str, Any]:
    client = make_credentials("reader@NotaryMSP")
    gateway = connect(
        client=LedgerTransport(ledger),
        identity=X509Identity("NotaryMSP", client.certificate_pem),
        signer=new_private_key_signer(client.key),
    )
    network = gateway.get_network(CHANNEL)
    if "transaction_id" in kwargs:
        return export_receipt(network, CHAINCODE, kwargs.pop("transaction_id"), **kwargs)
    return export_evidence_receipt(network, "E1", chaincode=CHAINCODE, **kwargs)


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
    assert by_tx["state_proof"] is None
    with pytest.raises(ReceiptError) as caught:  # only the unsigned VALID flag vouches for it
        verify_receipt(by_tx)
    assert caught.value.check == "state_proof"
    verified = verify_receipt(by_tx, require_state_proof=False)
    assert verified.record["evidence_id"] == "E1"
    assert verified.key == KEY
    assert verified.tip_block_number == 1
    assert verified.state_endorser_msp_ids == ()


def test_receipt_from_a_transaction_id_with_a_generic_state_query() -> None:
    query = StateQuery("get_evidence", ("E1",))
    by_tx = export(build_ledger(), transaction_id="tx-evidence", state_query=query)
    verified = verify_receipt(by_tx)
    assert verified.state_endorser_msp_ids == ("CourtMSP", "NotaryMSP")
    assert verified.key == KEY


def test_receipts_module_imports_no_sector_client() -> None:
    import ast

    import fabric_pilot_gateway.receipts as receipts_module

    tree = ast.parse(Path(receipts_module.__file__).read_text(encoding="utf-8"))
    imported = [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert imported and not [name for name in imported if "sector" in name], imported


def test_verification_with_the_verifier_own_roots(receipt: dict[str, Any]) -> None:
    roots = ALL_ROOTS
    assert verify_receipt(receipt, trusted_roots=roots).transaction_id == "tx-evidence"
    stranger = make_credentials("ca.other", is_ca=True).certificate_pem
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(receipt, trusted_roots=dict(roots, CourtMSP=[stranger]))
    assert caught.value.check == "certificate_chain"


def test_export_refuses_a_record_the_transaction_did_not_write() -> None:
    ledger = build_ledger()
    ledger.state[KEY] = (b'{"evidence_id":"E1","status":"sealed"}', (2, 0))  # changed since
    with pytest.raises(ValueError, match="did not read a record"):
        export(ledger)


def test_state_proof_of_one_org_is_not_enough() -> None:
    ledger = build_ledger(state_endorsers=[(ORGS["CourtMSP"], "peer0")])
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(export(ledger))
    assert caught.value.check == "state_proof"
    assert "1 org(s); 2 needed" in str(caught.value)


def test_state_proof_by_a_peer_outside_the_msp_is_rejected() -> None:
    rogue = Org("CourtMSP", make_credentials("ca.rogue", is_ca=True))
    ledger = build_ledger(state_endorsers=[(rogue, "peer0"), (ORGS["NotaryMSP"], "peer0")])
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(export(ledger))
    assert caught.value.check == "certificate_chain"


def test_receipt_for_the_loser_of_an_mvcc_race_is_refused() -> None:
    """Two transactions wrote the key in one block; the second lost (MVCC_READ_CONFLICT).
    A forger takes the winner's honest receipt and points it at the loser, claiming VALID:
    everything the loser's transaction signed checks out, but the peers' signed read shows
    the winner's version and value."""
    ledger = FakeLedger()
    ledger.append([config_envelope()])
    endorsers = [(ORGS["CourtMSP"], "peer0"), (ORGS["NotaryMSP"], "peer0")]
    values = [
        json.dumps(dict(RECORD, status=status), sort_keys=True, separators=(",", ":")).encode()
        for status in ("registered", "sealed")
    ]
    winner = endorser_transaction("tx-win", {KEY: values[0]}, values[0], endorsers)
    loser = endorser_transaction("tx-lose", {KEY: values[1]}, values[1], endorsers)
    ledger.append([winner, loser], b"\x00\x0b")
    ledger.state[KEY] = (values[0], (1, 0))
    ledger.state_endorsers = endorsers
    honest = export(ledger, transaction_id="tx-win", state_query=StateQuery("get_evidence"))
    assert verify_receipt(honest).transaction_id == "tx-win"
    forged = export(ledger, transaction_id="tx-lose")  # no state proof: the flag says 11
    assert forged["validation_code"] == 11
    forged.update(validation_code=0, state_proof=honest["state_proof"])
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(forged)
    assert caught.value.check == "state_proof"
    with pytest.raises(ValueError, match="did not read a record"):
        export(ledger, transaction_id="tx-lose", state_query=StateQuery("get_evidence"))


def _other_network(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A receipt minted on a second network whose orgs have the same names."""
    module = sys.modules[__name__]
    monkeypatch.setattr(module, "ORGS", {name: _org(name) for name in ORGS})
    monkeypatch.setattr(module, "ORDERER", _org("OrdererMSP"))
    minted = export(build_ledger())
    monkeypatch.undo()
    return minted


def test_trust_anchors_pin_the_channel(monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = build_ledger()
    receipt = export(ledger)
    client = make_credentials("reader@NotaryMSP")
    gateway = connect(
        client=LedgerTransport(ledger),
        identity=X509Identity("NotaryMSP", client.certificate_pem),
        signer=new_private_key_signer(client.key),
    )
    published = channel_trust_anchors(gateway.get_network(CHANNEL))
    assert set(published["root_fingerprints"]) == {"CourtMSP", "NotaryMSP", "OrdererMSP"}
    anchors = TrustAnchors.from_json(published)
    verified = verify_receipt(receipt, anchors=anchors)
    assert verified.trust == "genesis_block_hash+root_fingerprints"
    assert verified.genesis_block_hash == published["genesis_block_hash"]
    assert verify_receipt(receipt).trust == "none"

    stranger = _other_network(monkeypatch)
    assert verify_receipt(stranger).trust == "none"  # self-consistent, proves nothing
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(stranger, anchors=TrustAnchors(published["genesis_block_hash"]))
    assert caught.value.check == "trust_anchors"
    prints = TrustAnchors(root_fingerprints=published["root_fingerprints"])
    with pytest.raises(ReceiptError) as caught:
        verify_receipt(stranger, anchors=prints)
    assert caught.value.check == "certificate_chain"


def test_anchors_from_json_refuse_other_shapes() -> None:
    with pytest.raises(ValueError):
        TrustAnchors.from_json({"root_fingerprints": {"CourtMSP": "ab"}})
    with pytest.raises(ValueError):
        TrustAnchors.from_json({"genesis_block_hash": 7})
    pins = TrustAnchors.from_json({"root_fingerprints": {"CourtMSP": ["AB:CD"]}})
    assert pins.root_fingerprints == {"CourtMSP": ["abcd"]}


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
    # flip the first byte: a fixed "ff" prefix is no change when the hash already starts so
    original = r["headers"][2]["previous_hash"]
    r["headers"][2]["previous_hash"] = f"{int(original[:2], 16) ^ 0xFF:02x}" + original[2:]


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
    r["validation_code"] = 11  # MVCC_READ_CONFLICT


def _tamper_config_block_filter(r: dict[str, Any]) -> None:
    r["config_block"]["transactions_filter"] = base64.b64encode(b"\x0b").decode()


def _tamper_block_filter(r: dict[str, Any]) -> None:
    r["block"]["transactions_filter"] = base64.b64encode(b"\x00\x00").decode()


def _tamper_state_proof_signature(r: dict[str, Any]) -> None:
    envelope = common_pb2.Envelope.FromString(base64.b64decode(r["state_proof"]))
    payload = common_pb2.Payload.FromString(envelope.payload)
    transaction = transaction_pb2.Transaction.FromString(payload.data)
    action = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
    signature = bytearray(action.action.endorsements[1].signature)
    signature[-1] ^= 0x01
    action.action.endorsements[1].signature = bytes(signature)
    transaction.actions[0].payload = action.SerializeToString()
    payload.data = transaction.SerializeToString()
    envelope.payload = payload.SerializeToString()
    r["state_proof"] = base64.b64encode(envelope.SerializeToString()).decode()


def _tamper_state_proof_removed(r: dict[str, Any]) -> None:
    r["state_proof"] = None


def _tamper_state_proof_garbage(r: dict[str, Any]) -> None:
    r["state_proof"] = base64.b64encode(b"\xff\xff not a protobuf").decode()


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
    (_tamper_config_block_filter, "format"),
    (_tamper_block_filter, "format"),
    (_tamper_state_proof_signature, "state_proof_signature"),
    (_tamper_state_proof_removed, "state_proof"),
    (_tamper_state_proof_garbage, "state_proof"),
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
