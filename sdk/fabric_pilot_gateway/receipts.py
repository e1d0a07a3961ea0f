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
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from ._protos import (
    common_pb2,
)
from ._receipt_parts import (
    SIGNATURES_INDEX,
    UNPARSABLE,
    VALID_CODE,
    HeaderFields,
    MspAnchors,
    ParsedTransaction,
    SignedBytes,
    SignerIdentity,
    anchors_json,
    b64,
    block_data_hash,
    block_header_bytes,
    block_header_hash,
    block_json,
    fail,
    header_of,
    last_config_index,
    msp_anchors,
    parse_identity,
    parse_transaction,
    transaction_index,
)
from .errors import ReceiptError
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


# --- export ------------------------------------------------------------------------------------


def _json_text(value: Any) -> str:
    """Key-sorted, compact JSON: tells ``true`` from ``1``, unlike ``==`` on decoded values."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _json_equal(raw: bytes, record: Any) -> bool:
    try:
        return _json_text(json.loads(raw)) == _json_text(record)
    except (ValueError, TypeError):
        return False


def _record_key(transaction: ParsedTransaction, chaincode: str, record: Any) -> str | None:
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
    index = transaction_index(envelopes, tx_id)
    if index is None:
        raise ValueError(f"block {block.header.number} does not hold transaction {tx_id}")
    transaction = parse_transaction(envelopes[index])
    if record is None:
        record = json.loads(transaction.responses[0]) if transaction.responses else None
    key = _record_key(transaction, chaincode, record)
    if key is None and evidence_id is not None:
        raise ValueError(f"transaction {tx_id} did not write evidence {evidence_id} as read")
    number = int(block.header.number)
    config_number = last_config_index(block)
    info = get_chain_info(network)
    last = info.height - 1 if through_block is None else through_block
    _check_bounds(config_number, number, last, info.height)
    blocks = _headers(network, config_number, last, {number: block})
    config_block = blocks[0]
    if last == info.height - 1 and header_of(blocks[-1]).hash() != info.current_block_hash:
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
        "block": block_json(block),
        "config_block": block_json(config_block),
        "headers": [header_of(item).to_json() for item in blocks],
        "tip_signatures": b64(bytes(blocks[-1].metadata.metadata[SIGNATURES_INDEX])),
        "endorsements": [
            {
                "msp_id": item.identity.msp_id,
                "certificate": item.identity.pem,
                "signature": item.signature.hex(),
            }
            for item in transaction.endorsements
        ],
        "trust_anchors": anchors_json(msp_anchors(bytes(config_block.data.data[0]))),
    }


# --- verification ------------------------------------------------------------------------------


def _bytes_list(values: Any, what: str) -> list[bytes]:
    if not isinstance(values, list):
        raise fail("format", f"{what} must be a list of base64 strings")
    return [base64.b64decode(value, validate=True) for value in values]


@dataclass(frozen=True)
class _Block:
    header: HeaderFields
    envelopes: list[bytes]
    flags: bytes


def _header_json(value: Any) -> HeaderFields:
    number = value["number"]
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise fail("format", "header numbers must be non-negative integers")
    return HeaderFields(
        number, bytes.fromhex(value["previous_hash"]), bytes.fromhex(value["data_hash"])
    )


def _block_of(value: Any, what: str) -> _Block:
    flags = base64.b64decode(value.get("transactions_filter", ""), validate=True)
    return _Block(_header_json(value["header"]), _bytes_list(value["data"], what), flags)


@dataclass(frozen=True)
class _Parsed:
    headers: list[HeaderFields]
    block: _Block
    config_block: _Block
    index: int


def _parse_receipt(receipt: Mapping[str, Any]) -> _Parsed:
    try:
        if receipt["format"] != RECEIPT_FORMAT:
            raise fail("format", f"unknown receipt format {receipt['format']!r}")
        headers = [_header_json(item) for item in receipt["headers"]]
        block = _block_of(receipt["block"], "block.data")
        config_block = _block_of(receipt["config_block"], "config_block.data")
        for name in ("channel", "chaincode", "transaction_id", "block_number", "record"):
            if name not in receipt:
                raise fail("format", f"the receipt has no {name!r}")
        index = receipt["transaction_index"]
        if not isinstance(index, int) or not 0 <= index < len(block.envelopes):
            raise fail("format", "transaction_index is outside the block")
    except (KeyError, TypeError, AttributeError, binascii.Error, ValueError) as error:
        if isinstance(error, ReceiptError):
            raise
        raise fail("format", f"malformed receipt: {error!r}") from None
    if not headers:
        raise fail("format", "the receipt holds no block headers")
    return _Parsed(headers, block, config_block, index)


def _check_header_chain(headers: Sequence[HeaderFields]) -> None:
    for previous, current in itertools.pairwise(headers):
        if current.number != previous.number + 1:
            raise fail("header_chain", f"block {current.number} does not follow {previous.number}")
        if current.previous_hash != previous.hash():
            raise fail(
                "header_chain",
                f"block {current.number}'s previous_hash does not match block {previous.number}",
            )


def _check_block(block: _Block, headers: Sequence[HeaderFields], what: str) -> None:
    offset = block.header.number - headers[0].number
    if not 0 <= offset < len(headers) or headers[offset] != block.header:
        raise fail("header_chain", f"the {what}'s header is not in the header chain")
    if block_data_hash(block.envelopes) != block.header.data_hash:
        raise fail("data_hash", f"the {what}'s data does not hash to its header's data_hash")


def _verify_signature(signed: SignedBytes, role: str) -> None:
    public_key = signed.identity.certificate.public_key()
    if not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise fail(f"{role}_signature", f"{signed.identity.msp_id} key is not ECDSA")
    try:
        public_key.verify(signed.signature, signed.message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise fail(
            f"{role}_signature", f"the {role} signature of {signed.identity.msp_id} is invalid"
        ) from None


def _issued_by(certificate: x509.Certificate, issuer_pem: str) -> bool:
    issuer = x509.load_pem_x509_certificate(issuer_pem.encode())
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _check_certificate(
    identity: SignerIdentity, anchors: Mapping[str, MspAnchors], at: Any
) -> None:
    trusted = anchors.get(identity.msp_id)
    if trusted is None:
        raise fail("certificate_chain", f"no trusted root for MSP {identity.msp_id}")
    certificate = identity.certificate
    if not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
        raise fail("certificate_chain", f"{identity.msp_id} certificate not valid at {at}")
    if any(_issued_by(certificate, root) for root in trusted.roots):
        return
    for middle in trusted.intermediates:
        if _issued_by(certificate, middle) and any(
            _issued_by(x509.load_pem_x509_certificate(middle.encode()), root)
            for root in trusted.roots
        ):
            return
    raise fail(
        "certificate_chain", f"the {identity.msp_id} certificate was not issued by its MSP's CAs"
    )


def _trust(
    receipt: Mapping[str, Any], config: _Block, trusted_roots: Mapping[str, Iterable[Any]] | None
) -> dict[str, MspAnchors]:
    """The CAs to check certificates against.

    Intermediate CAs always come from the config block: a certificate is accepted through
    one only if the intermediate itself was issued by a trusted root.
    """
    try:
        anchors = msp_anchors(config.envelopes[0]) if config.envelopes else {}
    except UNPARSABLE as error:
        raise fail("config_block", f"the config block does not parse: {error!r}") from None
    if receipt.get("trust_anchors") != anchors_json(anchors):
        raise fail("trust_anchors", "trust_anchors differ from the config block's MSP roots")
    if trusted_roots is None:
        return anchors
    return {
        msp: MspAnchors(
            tuple(root.decode() if isinstance(root, bytes) else str(root) for root in roots),
            anchors[msp].intermediates if msp in anchors else (),
            msp in anchors and anchors[msp].orderer,
        )
        for msp, roots in trusted_roots.items()
    }


def _check_transaction(receipt: Mapping[str, Any], parsed: _Parsed) -> ParsedTransaction:
    raw = parsed.block.envelopes[parsed.index]
    try:
        transaction = parse_transaction(raw)
    except UNPARSABLE as error:
        raise fail("transaction", f"the transaction envelope does not parse: {error!r}") from None
    if (
        transaction.tx_id != receipt["transaction_id"]
        or parsed.block.header.number != (receipt["block_number"])
    ):
        raise fail("transaction", "the block does not hold the named transaction")
    if transaction.channel != receipt["channel"] or receipt["chaincode"] not in (
        transaction.chaincodes
    ):
        raise fail("transaction", "the transaction is on another channel or chaincode")
    flags = parsed.block.flags
    if len(flags) <= parsed.index or flags[parsed.index] != VALID_CODE:
        raise fail("validation_code", "the transaction is not marked VALID in its block")
    return transaction


def _check_endorsements(
    receipt: Mapping[str, Any], transaction: ParsedTransaction, anchors: Mapping[str, MspAnchors]
) -> None:
    if not transaction.endorsements:
        raise fail("endorsement_signature", "the transaction carries no endorsements")
    summary = [
        {"msp_id": e.identity.msp_id, "certificate": e.identity.pem, "signature": e.signature.hex()}
        for e in transaction.endorsements
    ]
    if receipt.get("endorsements") != summary:
        raise fail("endorsements", "the endorsement list differs from the transaction's")
    _verify_signature(transaction.creator, "creator")
    _check_certificate(transaction.creator.identity, anchors, transaction.timestamp)
    for endorsement in transaction.endorsements:
        _verify_signature(endorsement, "endorsement")
        _check_certificate(endorsement.identity, anchors, transaction.timestamp)


def _check_record(receipt: Mapping[str, Any], transaction: ParsedTransaction) -> None:
    record, key = receipt["record"], receipt.get("key")
    if key is None:
        if not any(_json_equal(raw, record) for raw in transaction.responses):
            raise fail("record", "the record differs from the transaction's response")
        return
    written = transaction.writes.get((receipt["chaincode"], key))
    if written is None:
        raise fail("record", f"the transaction wrote no value for key {key!r}")
    if not _json_equal(written, record):
        raise fail("record", f"the record differs from the value written for key {key!r}")


def _tip_signatures(receipt: Mapping[str, Any], tip: HeaderFields) -> list[SignedBytes]:
    try:
        raw = base64.b64decode(receipt["tip_signatures"], validate=True)
        metadata = common_pb2.Metadata.FromString(raw)
        header_der = tip.der()
        return [
            SignedBytes(
                parse_identity(
                    common_pb2.SignatureHeader.FromString(item.signature_header).creator
                ),
                bytes(item.signature),
                bytes(metadata.value) + bytes(item.signature_header) + header_der,
            )
            for item in metadata.signatures
            if item.signature_header
        ]
    except (*UNPARSABLE, binascii.Error) as error:
        raise fail(
            "orderer_signature", f"the tip block signatures do not parse: {error!r}"
        ) from None


def _check_tip_signatures(
    receipt: Mapping[str, Any], tip: HeaderFields, anchors: Mapping[str, MspAnchors], at: Any
) -> tuple[str, ...]:
    """Check the ordering service's signatures over the last header; return the signers."""
    signatures = _tip_signatures(receipt, tip)
    if not signatures:
        raise fail("orderer_signature", "the last block carries no orderer signature")
    for signed in signatures:
        msp_id = signed.identity.msp_id
        if msp_id not in anchors or not anchors[msp_id].orderer:
            raise fail("orderer_signature", f"{msp_id} is not an orderer organisation")
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
