"""What receipts are made of: Fabric block and header arithmetic, transaction envelopes
and the MSP trust anchors of a channel config block (private to :mod:`.receipts`)."""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from fabric_protos.common import configtx_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.msp import msp_config_pb2

from ._protos import (
    common_pb2,
    identities_pb2,
    proposal_pb2,
    proposal_response_pb2,
    protobuf_message,
    transaction_pb2,
)
from .errors import ReceiptError

_TRANSACTIONS_FILTER = 2  # common.BlockMetadataIndex.TRANSACTIONS_FILTER
SIGNATURES_INDEX = 0  # common.BlockMetadataIndex.SIGNATURES
VALID_CODE = 0  # peer.TxValidationCode.VALID
_ENDORSER_TRANSACTION = 3  # common.HeaderType.ENDORSER_TRANSACTION
_CONFIG = 1  # common.HeaderType.CONFIG
UNPARSABLE = (ValueError, TypeError, KeyError, protobuf_message.DecodeError)
_DER = Encoding.DER


def fail(check: str, message: str) -> ReceiptError:
    return ReceiptError(check, message)


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
class HeaderFields:
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


def header_of(block: Any) -> HeaderFields:
    header = block.header
    return HeaderFields(int(header.number), bytes(header.previous_hash), bytes(header.data_hash))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def block_json(block: Any) -> dict[str, Any]:
    """The hashed parts of a block only: header and envelopes (no unsigned metadata)."""
    return {
        "header": header_of(block).to_json(),
        "data": [b64(envelope) for envelope in block.data.data],
    }


def validation_code(block: Any, index: int) -> int | None:
    """The peer's validation code of transaction ``index`` (unsigned block metadata)."""
    metadata = list(block.metadata.metadata)
    flags = bytes(metadata[_TRANSACTIONS_FILTER]) if len(metadata) > _TRANSACTIONS_FILTER else b""
    return flags[index] if index < len(flags) else None


def last_config_index(block: Any) -> int:
    metadata = common_pb2.Metadata.FromString(block.metadata.metadata[SIGNATURES_INDEX])
    return int(common_pb2.OrdererBlockMetadata.FromString(metadata.value).last_config.index)


# --- transactions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignerIdentity:
    msp_id: str
    pem: str
    certificate: x509.Certificate


@dataclass(frozen=True)
class SignedBytes:
    identity: SignerIdentity
    signature: bytes
    message: bytes


@dataclass
class ParsedTransaction:
    tx_id: str
    channel: str
    header_type: int
    timestamp: datetime.datetime
    creator: SignedBytes
    endorsements: list[SignedBytes] = field(default_factory=list)
    chaincodes: set[str] = field(default_factory=set)
    writes: dict[tuple[str, str], bytes] = field(default_factory=dict)
    reads: dict[tuple[str, str], tuple[int, int] | None] = field(default_factory=dict)
    responses: list[bytes] = field(default_factory=list)


def parse_identity(serialized: bytes) -> SignerIdentity:
    identity = identities_pb2.SerializedIdentity.FromString(serialized)
    pem = bytes(identity.id_bytes)
    return SignerIdentity(identity.mspid, pem.decode(), x509.load_pem_x509_certificate(pem))


def _add_action(transaction: ParsedTransaction, action: Any) -> None:
    action_payload = transaction_pb2.ChaincodeActionPayload.FromString(action.payload)
    endorsed = action_payload.action
    response_payload = proposal_response_pb2.ProposalResponsePayload.FromString(
        endorsed.proposal_response_payload
    )
    for endorsement in endorsed.endorsements:
        message = bytes(endorsed.proposal_response_payload) + bytes(endorsement.endorser)
        signed = SignedBytes(
            parse_identity(endorsement.endorser), bytes(endorsement.signature), message
        )
        transaction.endorsements.append(signed)
    chaincode_action = proposal_pb2.ChaincodeAction.FromString(response_payload.extension)
    transaction.chaincodes.add(chaincode_action.chaincode_id.name)
    transaction.responses.append(bytes(chaincode_action.response.payload))
    read_write_set = rwset_pb2.TxReadWriteSet.FromString(chaincode_action.results)
    for namespace in read_write_set.ns_rwset:
        kv = kv_rwset_pb2.KVRWSet.FromString(namespace.rwset)
        for write in kv.writes:
            if not write.is_delete:
                transaction.writes[namespace.namespace, write.key] = bytes(write.value)
        for read in kv.reads:
            version = (
                (int(read.version.block_num), int(read.version.tx_num))
                if read.HasField("version")
                else None
            )
            transaction.reads[namespace.namespace, read.key] = version


def parse_transaction(raw: bytes) -> ParsedTransaction:
    envelope = common_pb2.Envelope.FromString(raw)
    payload = common_pb2.Payload.FromString(envelope.payload)
    channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    signature_header = common_pb2.SignatureHeader.FromString(payload.header.signature_header)
    creator = SignedBytes(
        parse_identity(signature_header.creator), bytes(envelope.signature), bytes(envelope.payload)
    )
    timestamp = datetime.datetime.fromtimestamp(channel_header.timestamp.seconds, datetime.UTC)
    transaction = ParsedTransaction(
        channel_header.tx_id, channel_header.channel_id, channel_header.type, timestamp, creator
    )
    if channel_header.type == _ENDORSER_TRANSACTION:
        for action in transaction_pb2.Transaction.FromString(payload.data).actions:
            _add_action(transaction, action)
    return transaction


def transaction_index(envelopes: Sequence[bytes], transaction_id: str) -> int | None:
    for index, raw in enumerate(envelopes):
        payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(raw).payload)
        if common_pb2.ChannelHeader.FromString(payload.header.channel_header).tx_id == (
            transaction_id
        ):
            return index
    return None


# --- trust anchors from a config block ----------------------------------------------------


@dataclass(frozen=True)
class MspAnchors:
    roots: tuple[str, ...]
    intermediates: tuple[str, ...] = ()
    orderer: bool = False


def msp_anchors(config_envelope: bytes) -> dict[str, MspAnchors]:
    """MSP ID → root and intermediate CA certificates (PEM) from a config block envelope."""
    payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(config_envelope).payload)
    channel_header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    if channel_header.type != _CONFIG:
        raise ReceiptError("config_block", "the config block does not hold a config envelope")
    config = configtx_pb2.ConfigEnvelope.FromString(payload.data).config
    anchors: dict[str, MspAnchors] = {}
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
            anchors[fabric.name] = MspAnchors(roots, intermediates, section == "Orderer")
    return anchors


def anchors_json(anchors: Mapping[str, MspAnchors]) -> dict[str, list[str]]:
    return {msp: list(value.roots) for msp, value in sorted(anchors.items())}


def certificate_fingerprint(pem: str) -> str:
    """SHA-256 (hex) of a certificate's DER encoding, as ``openssl x509 -fingerprint``."""
    certificate = x509.load_pem_x509_certificate(pem.encode())
    return hashlib.sha256(certificate.public_bytes(_DER)).hexdigest()


def root_fingerprints(anchors: Mapping[str, MspAnchors]) -> dict[str, list[str]]:
    """MSP ID → SHA-256 fingerprints of its root CA certificates."""
    return {
        msp: sorted(certificate_fingerprint(root) for root in value.roots)
        for msp, value in sorted(anchors.items())
    }
