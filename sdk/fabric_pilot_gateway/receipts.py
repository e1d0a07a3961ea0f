"""Verification receipts: proof that a committed transaction wrote a record, checkable offline.

:func:`export_receipt` gathers, through the Gateway, everything a third party needs:
the record, the transaction's block (header, envelopes, validation flags), the channel's latest
config block before it (the MSP root certificates, i.e. the trust anchors), and the chain of
block headers from that config block up to the current height (or a given block).
:func:`verify_receipt` checks it with no network access:

- every header links to the previous one (``previous_hash`` = SHA-256 of the ASN.1 DER of
  ``(number, previous_hash, data_hash)``, as Fabric's ``protoutil.BlockHeaderBytes``);
- the transaction's block and the config block hash to the ``data_hash`` of their headers
  (SHA-256 over the concatenated envelope bytes);
- the transaction is in its block and its validation flag is ``VALID``;
- the submitter's and every endorser's signature verifies against their certificate
  (endorsements sign ``proposal_response_payload || endorser``), and each certificate was issued
  by a root (or intermediate) CA of its MSP, valid at the transaction's timestamp;
- the last block of the chain carries a valid signature of an orderer organisation of the
  channel (over its metadata value, signature header and header DER), so the whole chain is
  vouched for by the ordering service;
- the record equals the value the transaction wrote for ``key`` in the chaincode's namespace
  (or, when no key is named, the transaction's response payload).

Validation flags are block metadata: no hash covers them, so ``VALID`` is the exporting peer's
statement; the hash chain and the signatures are what a forger cannot reproduce.

A receipt is a JSON-ready dict; hashes are hex, byte strings base64, certificates PEM.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import importlib
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from ._protos import (
    common_pb2,
    identities_pb2,
    proposal_pb2,
    proposal_response_pb2,
    protobuf_message,
    transaction_pb2,
)
from .ledger import get_block, get_block_by_transaction_id, get_chain_info
from .network import Network
from .sectors import CourtEvidence

__all__ = [
    "RECEIPT_FORMAT",
    "ReceiptError",
    "VerifiedReceipt",
    "block_data_hash",
    "block_header_bytes",
    "block_header_hash",
    "export_receipt",
    "verify_receipt",
]

RECEIPT_FORMAT = "fabric-pilot-receipt/1"
configtx_pb2: Any = importlib.import_module("fabric_protos.common.configtx_pb2")
msp_config_pb2: Any = importlib.import_module("fabric_protos.msp.msp_config_pb2")
rwset_pb2: Any = importlib.import_module("fabric_protos.ledger.rwset.rwset_pb2")
kv_rwset_pb2: Any = importlib.import_module("fabric_protos.ledger.rwset.kvrwset.kv_rwset_pb2")
_TRANSACTIONS_FILTER = 2  # common.BlockMetadataIndex.TRANSACTIONS_FILTER
_SIGNATURES = 0  # common.BlockMetadataIndex.SIGNATURES
_VALID = 0  # peer.TxValidationCode.VALID
_ENDORSER_TRANSACTION = 3  # common.HeaderType.ENDORSER_TRANSACTION
_CONFIG = 1  # common.HeaderType.CONFIG
_UNPARSABLE = (ValueError, TypeError, KeyError, protobuf_message.DecodeError)


class ReceiptError(ValueError):
    """A receipt failed offline verification.

    Attributes:
        check: Which check failed, e.g. ``"header_chain"``, ``"data_hash"``,
            ``"endorsement_signature"``, ``"certificate_chain"``, ``"record"``.
    """

    def __init__(self, check: str, message: str) -> None:
        super().__init__(f"{check}: {message}")
        self.check = check


@dataclass(frozen=True)
class VerifiedReceipt:
    """What a successfully verified receipt proves.

    Attributes:
        channel: Channel of the transaction.
        chaincode: Chaincode that wrote the record.
        transaction_id: The transaction.
        block_number: Block holding the transaction.
        record: The verified record.
        key: State key the record was written under (``None`` if proven by the response).
        creator_msp_id: MSP of the submitting client.
        endorser_msp_ids: MSPs of the endorsing peers, sorted.
        tip_block_number: Last block of the verified header chain.
        tip_hash: Hash (hex) of that block's header; compare with a trusted published value.
        orderer_msp_ids: Orderer organisations whose signature over the last block verified.
    """

    channel: str
    chaincode: str
    transaction_id: str
    block_number: int
    record: Any
    key: str | None
    creator_msp_id: str
    endorser_msp_ids: tuple[str, ...]
    tip_block_number: int
    tip_hash: str
    orderer_msp_ids: tuple[str, ...] = ()


# --- block arithmetic ---------------------------------------------------------------------


def _der(tag: int, body: bytes) -> bytes:
    if len(body) < 0x80:
        length = bytes([len(body)])
    else:
        size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(size)]) + size
    return bytes([tag]) + length + body


def block_header_bytes(number: int, previous_hash: bytes, data_hash: bytes) -> bytes:
    """ASN.1 DER ``SEQUENCE {INTEGER, OCTET STRING, OCTET STRING}`` of a block header."""
    integer = number.to_bytes(number.bit_length() // 8 + 1, "big", signed=True)
    body = _der(0x02, integer) + _der(0x04, previous_hash) + _der(0x04, data_hash)
    return _der(0x30, body)


def block_header_hash(number: int, previous_hash: bytes, data_hash: bytes) -> bytes:
    """Fabric's block hash: SHA-256 of :func:`block_header_bytes`."""
    return hashlib.sha256(block_header_bytes(number, previous_hash, data_hash)).digest()


def block_data_hash(envelopes: Iterable[bytes]) -> bytes:
    """Fabric's block data hash: SHA-256 over the concatenated envelope bytes."""
    return hashlib.sha256(b"".join(envelopes)).digest()


@dataclass(frozen=True)
class _Header:
    number: int
    previous_hash: bytes
    data_hash: bytes

    def der(self) -> bytes:
        return block_header_bytes(self.number, self.previous_hash, self.data_hash)

    def hash(self) -> bytes:
        return hashlib.sha256(self.der()).digest()

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "previous_hash": self.previous_hash.hex(),
            "data_hash": self.data_hash.hex(),
        }


def _header_of(block: Any) -> _Header:
    header = block.header
    return _Header(int(header.number), bytes(header.previous_hash), bytes(header.data_hash))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _block_json(block: Any) -> dict[str, Any]:
    metadata = list(block.metadata.metadata)
    flags = metadata[_TRANSACTIONS_FILTER] if len(metadata) > _TRANSACTIONS_FILTER else b""
    return {
        "header": _header_of(block).to_json(),
        "data": [_b64(envelope) for envelope in block.data.data],
        "transactions_filter": _b64(flags),
    }


def _last_config_index(block: Any) -> int:
    metadata = common_pb2.Metadata.FromString(block.metadata.metadata[_SIGNATURES])
    return int(common_pb2.OrdererBlockMetadata.FromString(metadata.value).last_config.index)


# --- transactions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Identity:
    msp_id: str
    pem: str
    certificate: x509.Certificate


@dataclass(frozen=True)
class _Signed:
    identity: _Identity
    signature: bytes
    message: bytes


@dataclass
class _Transaction:
    tx_id: str
    channel: str
    header_type: int
    timestamp: datetime.datetime
    creator: _Signed
    endorsements: list[_Signed] = field(default_factory=list)
    chaincodes: set[str] = field(default_factory=set)
    writes: dict[tuple[str, str], bytes] = field(default_factory=dict)
    responses: list[bytes] = field(default_factory=list)


def _identity(serialized: bytes) -> _Identity:
    identity = identities_pb2.SerializedIdentity.FromString(serialized)
    pem = bytes(identity.id_bytes)
    return _Identity(identity.mspid, pem.decode(), x509.load_pem_x509_certificate(pem))


def _add_action(transaction: _Transaction, action: Any) -> None:
    action_payload = transaction_pb2.ChaincodeActionPayload.FromString(action.payload)
    endorsed = action_payload.action
    response_payload = proposal_response_pb2.ProposalResponsePayload.FromString(
        endorsed.proposal_response_payload
    )
    for endorsement in endorsed.endorsements:
        message = bytes(endorsed.proposal_response_payload) + bytes(endorsement.endorser)
        signed = _Signed(_identity(endorsement.endorser), bytes(endorsement.signature), message)
        transaction.endorsements.append(signed)
    chaincode_action = proposal_pb2.ChaincodeAction.FromString(response_payload.extension)
    transaction.chaincodes.add(chaincode_action.chaincode_id.name)
    transaction.responses.append(bytes(chaincode_action.response.payload))
    read_write_set = rwset_pb2.TxReadWriteSet.FromString(chaincode_action.results)
    for namespace in read_write_set.ns_rwset:
        for write in kv_rwset_pb2.KVRWSet.FromString(namespace.rwset).writes:
            if not write.is_delete:
                transaction.writes[namespace.namespace, write.key] = bytes(write.value)


def _parse_transaction(raw: bytes) -> _Transaction:
    envelope = common_pb2.Envelope.FromString(raw)
    payload = common_pb2.Payload.FromString(envelope.payload)
    channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    signature_header = common_pb2.SignatureHeader.FromString(payload.header.signature_header)
    creator = _Signed(
        _identity(signature_header.creator), bytes(envelope.signature), bytes(envelope.payload)
    )
    timestamp = datetime.datetime.fromtimestamp(channel_header.timestamp.seconds, datetime.UTC)
    transaction = _Transaction(
        channel_header.tx_id, channel_header.channel_id, channel_header.type, timestamp, creator
    )
    if channel_header.type == _ENDORSER_TRANSACTION:
        for action in transaction_pb2.Transaction.FromString(payload.data).actions:
            _add_action(transaction, action)
    return transaction


def _transaction_index(envelopes: Sequence[bytes], transaction_id: str) -> int | None:
    for index, raw in enumerate(envelopes):
        payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(raw).payload)
        if common_pb2.ChannelHeader.FromString(payload.header.channel_header).tx_id == (
            transaction_id
        ):
            return index
    return None


# --- trust anchors from a config block ----------------------------------------------------


@dataclass(frozen=True)
class _Anchors:
    roots: tuple[str, ...]
    intermediates: tuple[str, ...] = ()
    orderer: bool = False


def _msp_anchors(config_envelope: bytes) -> dict[str, _Anchors]:
    """MSP ID → root and intermediate CA certificates (PEM) from a config block envelope."""
    payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(config_envelope).payload)
    channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    if channel_header.type != _CONFIG:
        raise ReceiptError("config_block", "the config block does not hold a config envelope")
    config = configtx_pb2.ConfigEnvelope.FromString(payload.data).config
    anchors: dict[str, _Anchors] = {}
    for section in ("Application", "Orderer"):
        if section not in config.channel_group.groups:
            continue
        for org in config.channel_group.groups[section].groups.values():
            if "MSP" not in org.values:
                continue
            msp = msp_config_pb2.MSPConfig.FromString(org.values["MSP"].value)
            fabric = msp_config_pb2.FabricMSPConfig.FromString(msp.config)
            roots = tuple(bytes(c).decode() for c in fabric.root_certs)
            intermediates = tuple(bytes(c).decode() for c in fabric.intermediate_certs)
            anchors[fabric.name] = _Anchors(roots, intermediates, section == "Orderer")
    return anchors


def _anchors_json(anchors: Mapping[str, _Anchors]) -> dict[str, list[str]]:
    return {msp: list(value.roots) for msp, value in sorted(anchors.items())}


# --- export ------------------------------------------------------------------------------------


def _json_text(value: Any) -> str:
    """Key-sorted, compact JSON: tells ``true`` from ``1``, unlike ``==`` on decoded values."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _json_equal(raw: bytes, record: Any) -> bool:
    try:
        return _json_text(json.loads(raw)) == _json_text(record)
    except (ValueError, TypeError):
        return False


def _record_key(transaction: _Transaction, chaincode: str, record: Any) -> str | None:
    for (namespace, key), value in sorted(transaction.writes.items()):
        if namespace == chaincode and _json_equal(value, record):
            return key
    return None


def _locate(network: Network, chaincode: str, evidence_id: str | None, tx_id: str | None) -> Any:
    if (evidence_id is None) == (tx_id is None):
        raise ValueError("give exactly one of evidence_id and transaction_id")
    if evidence_id is not None:
        record = CourtEvidence(network.get_contract(chaincode)).get_evidence(
            evidence_id=evidence_id
        )
        return record, str(record.get("updated_tx_id") or record["tx_id"])
    return None, str(tx_id)


def _headers(network: Network, first: int, last: int, known: Mapping[int, Any]) -> list[Any]:
    blocks = []
    for number in range(first, last + 1):
        blocks.append(known[number] if number in known else get_block(network, number))
    return blocks


def _check_bounds(config_number: int, block_number: int, last: int, height: int) -> None:
    if not config_number <= block_number <= last < height:
        raise ValueError(
            f"through_block must lie between the transaction's block {block_number} and the "
            f"newest block {height - 1}; got {last}"
        )


def export_receipt(
    network: Network,
    chaincode: str,
    evidence_id: str | None = None,
    *,
    transaction_id: str | None = None,
    through_block: int | None = None,
) -> dict[str, Any]:
    """Export a receipt for an evidence record or for a transaction.

    Args:
        network: The channel, seen through a Gateway (any member may export).
        chaincode: The chaincode that wrote the record (e.g. ``"court_evidence"``).
        evidence_id: Prove the evidence record's current state: the record (as
            ``get_evidence`` returns it) and the transaction that last wrote it.
        transaction_id: Instead, prove a transaction: the record is its response payload
            (JSON), bound to the state key it wrote with that value, if any.
        through_block: Last block of the header chain (default: the newest block).

    Returns:
        A JSON-serialisable receipt (see the module docstring).

    Raises:
        ValueError: If the arguments are inconsistent or the ledger does not hold a
            record matching the transaction.
        EvaluateError: If a ledger query fails.
    """
    record, tx_id = _locate(network, chaincode, evidence_id, transaction_id)
    block = get_block_by_transaction_id(network, tx_id)
    envelopes = [bytes(envelope) for envelope in block.data.data]
    index = _transaction_index(envelopes, tx_id)
    if index is None:
        raise ValueError(f"block {block.header.number} does not hold transaction {tx_id}")
    transaction = _parse_transaction(envelopes[index])
    if record is None:
        record = json.loads(transaction.responses[0]) if transaction.responses else None
    key = _record_key(transaction, chaincode, record)
    if key is None and evidence_id is not None:
        raise ValueError(f"transaction {tx_id} did not write evidence {evidence_id} as read")
    number = int(block.header.number)
    config_number = _last_config_index(block)
    info = get_chain_info(network)
    last = info.height - 1 if through_block is None else through_block
    _check_bounds(config_number, number, last, info.height)
    blocks = _headers(network, config_number, last, {number: block})
    config_block = blocks[0]
    if last == info.height - 1 and _header_of(blocks[-1]).hash() != info.current_block_hash:
        raise ValueError("the newest block's header does not hash to the peer's block hash")
    return {
        "format": RECEIPT_FORMAT,
        "channel": network.name,
        "chaincode": chaincode,
        "transaction_id": tx_id,
        "block_number": number,
        "transaction_index": index,
        "key": key,
        "record": record,
        "block": _block_json(block),
        "config_block": _block_json(config_block),
        "headers": [_header_of(item).to_json() for item in blocks],
        "tip_signatures": _b64(bytes(blocks[-1].metadata.metadata[_SIGNATURES])),
        "endorsements": [
            {
                "msp_id": item.identity.msp_id,
                "certificate": item.identity.pem,
                "signature": item.signature.hex(),
            }
            for item in transaction.endorsements
        ],
        "trust_anchors": _anchors_json(_msp_anchors(bytes(config_block.data.data[0]))),
    }


# --- verification ------------------------------------------------------------------------------


def _fail(check: str, message: str) -> ReceiptError:
    return ReceiptError(check, message)


def _bytes_list(values: Any, what: str) -> list[bytes]:
    if not isinstance(values, list):
        raise _fail("format", f"{what} must be a list of base64 strings")
    return [base64.b64decode(value, validate=True) for value in values]


@dataclass(frozen=True)
class _Block:
    header: _Header
    envelopes: list[bytes]
    flags: bytes


def _header_json(value: Any) -> _Header:
    number = value["number"]
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise _fail("format", "header numbers must be non-negative integers")
    return _Header(number, bytes.fromhex(value["previous_hash"]), bytes.fromhex(value["data_hash"]))


def _block_of(value: Any, what: str) -> _Block:
    flags = base64.b64decode(value.get("transactions_filter", ""), validate=True)
    return _Block(_header_json(value["header"]), _bytes_list(value["data"], what), flags)


@dataclass(frozen=True)
class _Parsed:
    headers: list[_Header]
    block: _Block
    config_block: _Block
    index: int


def _parse_receipt(receipt: Mapping[str, Any]) -> _Parsed:
    try:
        if receipt["format"] != RECEIPT_FORMAT:
            raise _fail("format", f"unknown receipt format {receipt['format']!r}")
        headers = [_header_json(item) for item in receipt["headers"]]
        block = _block_of(receipt["block"], "block.data")
        config_block = _block_of(receipt["config_block"], "config_block.data")
        for name in ("channel", "chaincode", "transaction_id", "block_number", "record"):
            if name not in receipt:
                raise _fail("format", f"the receipt has no {name!r}")
        index = receipt["transaction_index"]
        if not isinstance(index, int) or not 0 <= index < len(block.envelopes):
            raise _fail("format", "transaction_index is outside the block")
    except (KeyError, TypeError, AttributeError, binascii.Error, ValueError) as error:
        if isinstance(error, ReceiptError):
            raise
        raise _fail("format", f"malformed receipt: {error!r}") from None
    if not headers:
        raise _fail("format", "the receipt holds no block headers")
    return _Parsed(headers, block, config_block, index)


def _check_header_chain(headers: Sequence[_Header]) -> None:
    for previous, current in itertools.pairwise(headers):
        if current.number != previous.number + 1:
            raise _fail("header_chain", f"block {current.number} does not follow {previous.number}")
        if current.previous_hash != previous.hash():
            raise _fail(
                "header_chain",
                f"block {current.number}'s previous_hash does not match block {previous.number}",
            )


def _check_block(block: _Block, headers: Sequence[_Header], what: str) -> None:
    offset = block.header.number - headers[0].number
    if not 0 <= offset < len(headers) or headers[offset] != block.header:
        raise _fail("header_chain", f"the {what}'s header is not in the header chain")
    if block_data_hash(block.envelopes) != block.header.data_hash:
        raise _fail("data_hash", f"the {what}'s data does not hash to its header's data_hash")


def _verify_signature(signed: _Signed, role: str) -> None:
    public_key = signed.identity.certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise _fail(f"{role}_signature", f"{signed.identity.msp_id} key is not ECDSA")
    try:
        public_key.verify(signed.signature, signed.message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise _fail(
            f"{role}_signature", f"the {role} signature of {signed.identity.msp_id} is invalid"
        ) from None


def _issued_by(certificate: x509.Certificate, issuer_pem: str) -> bool:
    issuer = x509.load_pem_x509_certificate(issuer_pem.encode())
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _check_certificate(identity: _Identity, anchors: Mapping[str, _Anchors], at: Any) -> None:
    trusted = anchors.get(identity.msp_id)
    if trusted is None:
        raise _fail("certificate_chain", f"no trusted root for MSP {identity.msp_id}")
    certificate = identity.certificate
    if not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
        raise _fail("certificate_chain", f"{identity.msp_id} certificate not valid at {at}")
    if any(_issued_by(certificate, root) for root in trusted.roots):
        return
    for middle in trusted.intermediates:
        if _issued_by(certificate, middle) and any(
            _issued_by(x509.load_pem_x509_certificate(middle.encode()), root)
            for root in trusted.roots
        ):
            return
    raise _fail(
        "certificate_chain", f"the {identity.msp_id} certificate was not issued by its MSP's CAs"
    )


def _trust(
    receipt: Mapping[str, Any], config: _Block, trusted_roots: Mapping[str, Iterable[Any]] | None
) -> dict[str, _Anchors]:
    """The CAs to check certificates against.

    Intermediate CAs always come from the config block: a certificate is accepted through
    one only if the intermediate itself was issued by a trusted root.
    """
    try:
        anchors = _msp_anchors(config.envelopes[0]) if config.envelopes else {}
    except _UNPARSABLE as error:
        raise _fail("config_block", f"the config block does not parse: {error!r}") from None
    if receipt.get("trust_anchors") != _anchors_json(anchors):
        raise _fail("trust_anchors", "trust_anchors differ from the config block's MSP roots")
    if trusted_roots is None:
        return anchors
    return {
        msp: _Anchors(
            tuple(root.decode() if isinstance(root, bytes) else str(root) for root in roots),
            anchors[msp].intermediates if msp in anchors else (),
            msp in anchors and anchors[msp].orderer,
        )
        for msp, roots in trusted_roots.items()
    }


def _check_transaction(receipt: Mapping[str, Any], parsed: _Parsed) -> _Transaction:
    raw = parsed.block.envelopes[parsed.index]
    try:
        transaction = _parse_transaction(raw)
    except _UNPARSABLE as error:
        raise _fail("transaction", f"the transaction envelope does not parse: {error!r}") from None
    if (
        transaction.tx_id != receipt["transaction_id"]
        or parsed.block.header.number != (receipt["block_number"])
    ):
        raise _fail("transaction", "the block does not hold the named transaction")
    if transaction.channel != receipt["channel"] or receipt["chaincode"] not in (
        transaction.chaincodes
    ):
        raise _fail("transaction", "the transaction is on another channel or chaincode")
    flags = parsed.block.flags
    if len(flags) <= parsed.index or flags[parsed.index] != _VALID:
        raise _fail("validation_code", "the transaction is not marked VALID in its block")
    return transaction


def _check_endorsements(
    receipt: Mapping[str, Any], transaction: _Transaction, anchors: Mapping[str, _Anchors]
) -> None:
    if not transaction.endorsements:
        raise _fail("endorsement_signature", "the transaction carries no endorsements")
    summary = [
        {"msp_id": e.identity.msp_id, "certificate": e.identity.pem, "signature": e.signature.hex()}
        for e in transaction.endorsements
    ]
    if receipt.get("endorsements") != summary:
        raise _fail("endorsements", "the endorsement list differs from the transaction's")
    _verify_signature(transaction.creator, "creator")
    _check_certificate(transaction.creator.identity, anchors, transaction.timestamp)
    for endorsement in transaction.endorsements:
        _verify_signature(endorsement, "endorsement")
        _check_certificate(endorsement.identity, anchors, transaction.timestamp)


def _check_record(receipt: Mapping[str, Any], transaction: _Transaction) -> None:
    record, key = receipt["record"], receipt.get("key")
    if key is None:
        if not any(_json_equal(raw, record) for raw in transaction.responses):
            raise _fail("record", "the record differs from the transaction's response")
        return
    written = transaction.writes.get((receipt["chaincode"], key))
    if written is None:
        raise _fail("record", f"the transaction wrote no value for key {key!r}")
    if not _json_equal(written, record):
        raise _fail("record", f"the record differs from the value written for key {key!r}")


def _tip_signatures(receipt: Mapping[str, Any], tip: _Header) -> list[_Signed]:
    try:
        raw = base64.b64decode(receipt["tip_signatures"], validate=True)
        metadata = common_pb2.Metadata.FromString(raw)
        header_der = tip.der()
        return [
            _Signed(
                _identity(common_pb2.SignatureHeader.FromString(item.signature_header).creator),
                bytes(item.signature),
                bytes(metadata.value) + bytes(item.signature_header) + header_der,
            )
            for item in metadata.signatures
            if item.signature_header
        ]
    except (*_UNPARSABLE, binascii.Error) as error:
        raise _fail(
            "orderer_signature", f"the tip block signatures do not parse: {error!r}"
        ) from None


def _check_tip_signatures(
    receipt: Mapping[str, Any], tip: _Header, anchors: Mapping[str, _Anchors], at: Any
) -> tuple[str, ...]:
    """Check the ordering service's signatures over the last header; return the signers."""
    signatures = _tip_signatures(receipt, tip)
    if not signatures:
        raise _fail("orderer_signature", "the last block carries no orderer signature")
    for signed in signatures:
        msp_id = signed.identity.msp_id
        if msp_id not in anchors or not anchors[msp_id].orderer:
            raise _fail("orderer_signature", f"{msp_id} is not an orderer organisation")
        _verify_signature(signed, "orderer")
        _check_certificate(signed.identity, anchors, at)
    return tuple(sorted({signed.identity.msp_id for signed in signatures}))


def verify_receipt(
    receipt: Mapping[str, Any], trusted_roots: Mapping[str, Iterable[Any]] | None = None
) -> VerifiedReceipt:
    """Verify a receipt offline.

    Args:
        receipt: A receipt from :func:`export_receipt` (e.g. loaded from JSON).
        trusted_roots: MSP ID → root CA certificates (PEM) the verifier trusts. Default:
            the roots in the receipt's config block, which is itself checked to be part of
            the header chain (so trust rests on the chain's tip hash). Intermediate CAs
            are taken from the config block and must chain to a trusted root.

    Raises:
        ReceiptError: Naming the first check that failed.
    """
    parsed = _parse_receipt(receipt)
    _check_header_chain(parsed.headers)
    _check_block(parsed.block, parsed.headers, "transaction's block")
    _check_block(parsed.config_block, parsed.headers, "config block")
    anchors = _trust(receipt, parsed.config_block, trusted_roots)
    transaction = _check_transaction(receipt, parsed)
    _check_endorsements(receipt, transaction, anchors)
    _check_record(receipt, transaction)
    orderers = _check_tip_signatures(receipt, parsed.headers[-1], anchors, transaction.timestamp)
    return VerifiedReceipt(
        channel=transaction.channel,
        chaincode=str(receipt["chaincode"]),
        transaction_id=transaction.tx_id,
        block_number=parsed.block.header.number,
        record=receipt["record"],
        key=receipt.get("key"),
        creator_msp_id=transaction.creator.identity.msp_id,
        endorser_msp_ids=tuple(sorted(e.identity.msp_id for e in transaction.endorsements)),
        tip_block_number=parsed.headers[-1].number,
        tip_hash=parsed.headers[-1].hash().hex(),
        orderer_msp_ids=orderers,
    )
