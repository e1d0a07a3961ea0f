"""Verification receipts: proof that a committed transaction wrote a record, checkable offline.

:func:`export_receipt` works from a transaction ID and knows no chaincode: it gathers, through
the Gateway, the transaction's block (header and envelopes), the channel's latest config block
before it (the MSP root certificates), the chain of block headers from the genesis block up to
the current height (or a given block) and the ordering service's signature over the last one.
Given a :class:`StateQuery` (a read-only transaction function that reads the record), it also
has the query *endorsed* by peers (of at least two organisations, as the chaincode's policy or
``endorsing_organizations`` says) without submitting it: the signed proposal responses carry
the record as the peers read it and the version of its key, i.e. the block and position of the
transaction that last wrote it. Sector clients build on this (``CourtEvidence`` for evidence).

:func:`verify_receipt` checks it with no network access:

- every header links to the previous one (``previous_hash`` = SHA-256 of the ASN.1 DER of
  ``(number, previous_hash, data_hash)``, as Fabric's ``protoutil.BlockHeaderBytes``);
- the transaction's block and the config block hash to the ``data_hash`` of their headers;
- the submitter's and every endorser's signature verifies against their certificate
  (endorsements sign ``proposal_response_payload || endorser``), and each certificate was issued
  by a root (or intermediate) CA of its MSP, valid at the transaction's timestamp;
- the record equals the value the transaction wrote for ``key`` (or its response payload);
- the signed state proof: peers of at least :data:`MIN_STATE_ORGS` organisations, each checked
  like an endorser, returned the record and read ``key`` at the version written by this very
  transaction. This is what proves the transaction is VALID on the ledger: the peer's
  validation flag is unsigned block metadata, so a receipt for the loser of an MVCC race could
  claim it; peers only ever read versions written by valid transactions;
- the last block of the chain carries a valid signature of an orderer organisation;
- trust is pinned by :class:`TrustAnchors` the verifier got elsewhere (from the court, say):
  the channel's genesis block hash and/or the SHA-256 fingerprints (or PEM) of the org root
  CAs. Without anchors a receipt is only self-consistent (a second network with the same org
  names could mint one); :attr:`VerifiedReceipt.trust` then says ``"none"``.

A receipt holds only parts that a hash or a signature covers, plus ``validation_code`` (the
exporting peer's word, cross-checked by the state proof); a block with any other part, such as
an unsigned ``transactions_filter``, is refused. A receipt is a JSON-ready dict; hashes are
hex, byte strings base64, certificates PEM.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from ._protos import common_pb2, gateway_pb2
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
    certificate_fingerprint,
    fail,
    header_of,
    last_config_index,
    msp_anchors,
    parse_identity,
    parse_transaction,
    root_fingerprints,
    transaction_index,
    validation_code,
)
from .errors import ReceiptError
from .ledger import get_block, get_block_by_transaction_id, get_chain_info
from .network import Network

__all__ = [
    "MIN_STATE_ORGS",
    "RECEIPT_FORMAT",
    "ReceiptError",
    "StateQuery",
    "TrustAnchors",
    "VerifiedReceipt",
    "block_data_hash",
    "block_header_bytes",
    "block_header_hash",
    "channel_trust_anchors",
    "export_receipt",
    "verify_receipt",
]

RECEIPT_FORMAT = "fabric-pilot-receipt/2"
MIN_STATE_ORGS = 2
"""Distinct organisations whose peers must sign the state proof."""
_BLOCK_FIELDS = frozenset({"header", "data"})


@dataclass(frozen=True)
class StateQuery:
    """A read-only transaction function whose endorsed result is the record.

    Attributes:
        function: Transaction function that reads the record (e.g. ``"get_evidence"``).
        args: Its arguments.
        endorsing_organizations: MSP IDs that must sign (default: as the chaincode's
            endorsement policy needs, which the Gateway works out).
    """

    function: str
    args: tuple[str, ...] = ()
    endorsing_organizations: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrustAnchors:
    """What a verifier trusts, learnt outside the receipt (e.g. published by the court).

    Attributes:
        genesis_block_hash: Hex header hash of the channel's block 0.
        root_fingerprints: MSP ID → SHA-256 (hex) fingerprints of its root CA certificates.
        roots: MSP ID → root CA certificates (PEM).
    """

    genesis_block_hash: str | None = None
    root_fingerprints: Mapping[str, Sequence[str]] = field(default_factory=dict)
    roots: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def given(self) -> bool:
        """True when at least one anchor is pinned."""
        return bool(self.genesis_block_hash or self.root_fingerprints or self.roots)

    def kinds(self) -> str:
        """The pinned kinds, e.g. ``"genesis_block_hash+root_fingerprints"``, or ``"none"``."""
        names = [
            name
            for name, value in (
                ("genesis_block_hash", self.genesis_block_hash),
                ("root_fingerprints", self.root_fingerprints),
                ("roots", self.roots),
            )
            if value
        ]
        return "+".join(names) or "none"

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> TrustAnchors:
        """Read ``{genesis_block_hash?, root_fingerprints?: {msp: [hex]}}`` (as
        :func:`channel_trust_anchors` writes it).

        Raises:
            ValueError: For another shape.
        """
        if not isinstance(document, Mapping):
            raise ValueError("trust anchors must be a JSON object")
        genesis = document.get("genesis_block_hash")
        prints = document.get("root_fingerprints") or {}
        if genesis is not None and not isinstance(genesis, str):
            raise ValueError("genesis_block_hash must be a hex string")
        if not isinstance(prints, Mapping) or not all(
            isinstance(values, list) and all(isinstance(v, str) for v in values)
            for values in prints.values()
        ):
            raise ValueError("root_fingerprints must map MSP IDs to lists of hex strings")
        return cls(
            genesis.lower() if genesis else None,
            {
                str(msp): [v.lower().replace(":", "") for v in values]
                for msp, values in prints.items()
            },
        )


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
        state_endorser_msp_ids: MSPs whose peers signed the state proof (empty without one).
        trust: The pinned anchors the proof rests on (:meth:`TrustAnchors.kinds`); ``"none"``
            means the receipt is only self-consistent.
        genesis_block_hash: Hash (hex) of block 0 when the chain starts there.
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
    state_endorser_msp_ids: tuple[str, ...] = ()
    trust: str = "none"
    genesis_block_hash: str | None = None


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


def _proven_key(
    proof: ParsedTransaction, transaction: ParsedTransaction, chaincode: str, at: tuple[int, int]
) -> str | None:
    """The key the proof read at version ``at`` and the transaction wrote as the record."""
    for (namespace, key), version in sorted(proof.reads.items()):
        written = transaction.writes.get((namespace, key))
        if (
            namespace == chaincode
            and version == at
            and written is not None
            and any(_json_equal(written, response) for response in _decoded(proof.responses))
        ):
            return key
    return None


def _decoded(responses: Iterable[bytes]) -> list[Any]:
    values = []
    for raw in responses:
        try:
            values.append(json.loads(raw))
        except ValueError:
            continue
    return values


def _state_proof(
    network: Network, chaincode: str, query: StateQuery
) -> tuple[bytes, ParsedTransaction]:
    """Have ``query`` endorsed (never submitted); the prepared envelope and its parse."""
    proposal = network.get_contract(chaincode).new_proposal(
        query.function,
        list(query.args),
        endorsing_organizations=list(query.endorsing_organizations) or None,
    )
    prepared = gateway_pb2.PreparedTransaction.FromString(proposal.endorse().to_bytes())
    raw: bytes = prepared.envelope.SerializeToString()
    return raw, parse_transaction(raw)


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


@dataclass(frozen=True)
class _Subject:
    record: Any
    key: str | None
    proof: bytes | None


def _subject(
    network: Network,
    chaincode: str,
    state_query: StateQuery | None,
    transaction: ParsedTransaction,
    at: tuple[int, int],
) -> _Subject:
    if state_query is None:
        record = json.loads(transaction.responses[0]) if transaction.responses else None
        return _Subject(record, _record_key(transaction, chaincode, record), None)
    raw, proof = _state_proof(network, chaincode, state_query)
    key = _proven_key(proof, transaction, chaincode, at)
    if key is None:
        raise ValueError(
            f"{state_query.function} did not read a record that transaction "
            f"{transaction.tx_id} wrote as it is now (was it changed since?)"
        )
    return _Subject(json.loads(transaction.writes[chaincode, key]), key, raw)


def export_receipt(
    network: Network,
    chaincode: str,
    transaction_id: str,
    *,
    state_query: StateQuery | None = None,
    through_block: int | None = None,
) -> dict[str, Any]:
    """Export a receipt for a transaction and, with ``state_query``, the record it wrote.

    Args:
        network: The channel, seen through a Gateway (any member may export).
        chaincode: The chaincode the transaction invoked.
        transaction_id: The transaction to prove.
        state_query: A read-only function returning the record as it is now; its endorsed
            (signed, never submitted) response is the receipt's state proof, and the record
            is the value the transaction wrote under the key it read. Without it the record
            is the transaction's response payload and there is no state proof.
        through_block: Last block of the header chain (default: the newest block).

    Returns:
        A JSON-serialisable receipt (see the module docstring).

    Raises:
        ValueError: If the arguments are inconsistent, or the record is no longer the value
            that the transaction wrote.
        EvaluateError: If a ledger query fails.
        EndorseError: If the state query could not be endorsed.
    """
    block = get_block_by_transaction_id(network, transaction_id)
    envelopes = [bytes(envelope) for envelope in block.data.data]
    index = transaction_index(envelopes, transaction_id)
    if index is None:
        raise ValueError(f"block {block.header.number} does not hold transaction {transaction_id}")
    number = int(block.header.number)
    transaction = parse_transaction(envelopes[index])
    subject = _subject(network, chaincode, state_query, transaction, (number, index))
    config_number = last_config_index(block)
    info = get_chain_info(network)
    last = info.height - 1 if through_block is None else through_block
    _check_bounds(config_number, number, last, info.height)
    blocks = _headers(network, 0, last, {number: block})
    config_block = blocks[config_number]
    if last == info.height - 1 and header_of(blocks[-1]).hash() != info.current_block_hash:
        raise ValueError("the newest block's header does not hash to the peer's block hash")
    return {
        "format": RECEIPT_FORMAT,
        "channel": network.name,
        "chaincode": chaincode,
        "transaction_id": transaction_id,
        "block_number": number,
        "transaction_index": index,
        "validation_code": validation_code(block, index),
        "key": subject.key,
        "record": subject.record,
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
        "state_proof": None if subject.proof is None else b64(subject.proof),
        "trust_anchors": anchors_json(msp_anchors(bytes(config_block.data.data[0]))),
    }


def channel_trust_anchors(network: Network) -> dict[str, Any]:
    """The anchors to publish for verifiers: genesis block hash and root CA fingerprints.

    Read from the ledger through the Gateway; a verifier must get them from a source it
    trusts (not from a receipt), e.g. the court's own publication.
    """
    genesis = get_block(network, 0)
    info = get_chain_info(network)
    tip = get_block(network, info.height - 1)
    config = get_block(network, last_config_index(tip))
    anchors = msp_anchors(bytes(config.data.data[0]))
    return {
        "channel": network.name,
        "genesis_block_hash": header_of(genesis).hash().hex(),
        "root_fingerprints": root_fingerprints(anchors),
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


def _header_json(value: Any) -> HeaderFields:
    number = value["number"]
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise fail("format", "header numbers must be non-negative integers")
    return HeaderFields(
        number, bytes.fromhex(value["previous_hash"]), bytes.fromhex(value["data_hash"])
    )


def _block_of(value: Any, what: str) -> _Block:
    extra = sorted(set(value) - _BLOCK_FIELDS)
    if extra:
        raise fail("format", f"{what} holds parts no hash or signature covers: {extra}")
    return _Block(_header_json(value["header"]), _bytes_list(value["data"], f"{what}.data"))


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
        block = _block_of(receipt["block"], "block")
        config_block = _block_of(receipt["config_block"], "config_block")
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
    if trusted is None or not trusted.roots:
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


def _pinned_by_fingerprint(
    anchors: Mapping[str, MspAnchors], pins: Mapping[str, Sequence[str]]
) -> dict[str, MspAnchors]:
    """Keep only the MSPs with a pin, and of their roots only the pinned ones."""
    return {
        msp: MspAnchors(
            tuple(r for r in anchors[msp].roots if certificate_fingerprint(r) in set(pins[msp])),
            anchors[msp].intermediates,
            anchors[msp].orderer,
        )
        for msp in sorted(set(anchors) & set(pins))
    }


def _pem_text(root: Any) -> str:
    return root.decode() if isinstance(root, bytes) else str(root)


def _pinned_by_pem(
    anchors: Mapping[str, MspAnchors], roots: Mapping[str, Sequence[str]]
) -> dict[str, MspAnchors]:
    return {
        msp: MspAnchors(
            tuple(values),
            anchors[msp].intermediates if msp in anchors else (),
            msp in anchors and anchors[msp].orderer,
        )
        for msp, values in roots.items()
    }


def _check_genesis(headers: Sequence[HeaderFields], pinned: str) -> None:
    if headers[0].number != 0:
        raise fail("trust_anchors", "the header chain does not start at the genesis block")
    if headers[0].hash().hex() != pinned.lower():
        raise fail(
            "trust_anchors",
            f"the genesis block hash {headers[0].hash().hex()} is not the pinned {pinned}",
        )


def _trust(
    receipt: Mapping[str, Any], parsed: _Parsed, pins: TrustAnchors
) -> dict[str, MspAnchors]:
    """The CAs to check certificates against, after applying the verifier's pins.

    Intermediate CAs always come from the config block: a certificate is accepted through
    one only if the intermediate itself was issued by a trusted root.
    """
    config = parsed.config_block
    try:
        anchors = msp_anchors(config.envelopes[0]) if config.envelopes else {}
    except UNPARSABLE as error:
        raise fail("config_block", f"the config block does not parse: {error!r}") from None
    if receipt.get("trust_anchors") != anchors_json(anchors):
        raise fail("trust_anchors", "trust_anchors differ from the config block's MSP roots")
    if pins.genesis_block_hash:
        _check_genesis(parsed.headers, pins.genesis_block_hash)
    if pins.root_fingerprints:
        anchors = _pinned_by_fingerprint(anchors, pins.root_fingerprints)
    if pins.roots:
        anchors = _pinned_by_pem(anchors, pins.roots)
    return anchors


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
    if receipt.get("validation_code") != VALID_CODE:
        raise fail("validation_code", "the exporting peer does not report the transaction VALID")
    return transaction


def _check_signers(signed: Sequence[SignedBytes], role: str, anchors: Any, at: Any) -> None:
    for item in signed:
        _verify_signature(item, role)
        _check_certificate(item.identity, anchors, at)


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
    _check_signers([transaction.creator], "creator", anchors, transaction.timestamp)
    _check_signers(transaction.endorsements, "endorsement", anchors, transaction.timestamp)


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


def _parse_state_proof(receipt: Mapping[str, Any]) -> ParsedTransaction:
    try:
        raw = base64.b64decode(receipt["state_proof"], validate=True)
        return parse_transaction(raw)
    except (*UNPARSABLE, binascii.Error) as error:
        raise fail("state_proof", f"the state proof does not parse: {error!r}") from None


def _check_state_proof(
    receipt: Mapping[str, Any],
    parsed: _Parsed,
    anchors: Mapping[str, MspAnchors],
    min_orgs: int,
) -> tuple[str, ...]:
    """Check the peers' signed read of the record; return the signing MSPs."""
    if not receipt.get("state_proof"):
        raise fail(
            "state_proof",
            "the receipt carries no signed state proof: only the unsigned VALID flag of the "
            "block says the transaction took effect",
        )
    proof = _parse_state_proof(receipt)
    chaincode, key = receipt["chaincode"], receipt.get("key")
    if proof.channel != receipt["channel"] or chaincode not in proof.chaincodes:
        raise fail("state_proof", "the state proof is about another channel or chaincode")
    _check_signers(proof.endorsements, "state_proof", anchors, proof.timestamp)
    signers = tuple(sorted({item.identity.msp_id for item in proof.endorsements}))
    if len(signers) < min_orgs:
        raise fail(
            "state_proof", f"the state proof is signed by {len(signers)} org(s); {min_orgs} needed"
        )
    if not any(
        _json_text(value) == _json_text(receipt["record"]) for value in _decoded(proof.responses)
    ):
        raise fail("state_proof", "the peers returned another record")
    at = (parsed.block.header.number, parsed.index)
    version = proof.reads.get((chaincode, key)) if key is not None else None
    if version != at:
        raise fail(
            "state_proof",
            f"the peers read key {key!r} at version {version}, not as written by the "
            f"transaction at {at}: it is not the record's state on the ledger",
        )
    return signers


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
    receipt: Mapping[str, Any],
    trusted_roots: Mapping[str, Iterable[Any]] | None = None,
    *,
    anchors: TrustAnchors | None = None,
    require_state_proof: bool = True,
    min_state_orgs: int = MIN_STATE_ORGS,
) -> VerifiedReceipt:
    """Verify a receipt offline.

    Args:
        receipt: A receipt from :func:`export_receipt` (e.g. loaded from JSON).
        trusted_roots: MSP ID → root CA certificates (PEM) the verifier trusts (the same as
            ``anchors.roots``).
        anchors: The genesis block hash and/or root CA fingerprints the verifier trusts.
            Without any pin the receipt is only checked to be self-consistent (the roots of
            its own config block); the result's ``trust`` is then ``"none"``.
        require_state_proof: Refuse a receipt without a signed state proof (default).
        min_state_orgs: Organisations whose peers must sign the state proof.

    Raises:
        ReceiptError: Naming the first check that failed.
    """
    pins = anchors or TrustAnchors()
    if trusted_roots is not None:
        roots = {msp: [_pem_text(root) for root in values] for msp, values in trusted_roots.items()}
        pins = TrustAnchors(pins.genesis_block_hash, pins.root_fingerprints, roots)
    parsed = _parse_receipt(receipt)
    _check_header_chain(parsed.headers)
    _check_block(parsed.block, parsed.headers, "transaction's block")
    _check_block(parsed.config_block, parsed.headers, "config block")
    trusted = _trust(receipt, parsed, pins)
    transaction = _check_transaction(receipt, parsed)
    _check_endorsements(receipt, transaction, trusted)
    _check_record(receipt, transaction)
    state_signers: tuple[str, ...] = ()
    if require_state_proof or receipt.get("state_proof"):
        state_signers = _check_state_proof(receipt, parsed, trusted, min_state_orgs)
    orderers = _check_tip_signatures(receipt, parsed.headers[-1], trusted, transaction.timestamp)
    first = parsed.headers[0]
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
        state_endorser_msp_ids=state_signers,
        trust=pins.kinds(),
        genesis_block_hash=first.hash().hex() if first.number == 0 else None,
    )
