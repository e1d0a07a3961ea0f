"""Evidence registration (single or Merkle batch), status machine and verification."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import re
from typing import Any

from fabric_pilot_chaincode import ContractError, canonical_json
from fabric_pilot_contracts._common import (
    Caller,
    Fields,
    TxLedger,
    bad_argument,
    forbidden,
    illegal_transition,
    sha256_hex,
)
from fabric_pilot_contracts._common._values import HEX64
from fabric_pilot_contracts.court_evidence._keys import (
    BATCH,
    BY_CASE,
    BY_HASH,
    CUSTODY,
    check_id,
    evidence,
    evidence_key,
    seq_part,
    stamp,
)
from fabric_pilot_contracts.court_evidence._merkle import audit_path, leaf_hash, merkle_root
from fabric_pilot_contracts.court_evidence._policy import COURT, NOTARY, PARTY_COLLECTION

HASH_ALGORITHMS = ("SHA-256", "SM3")
MEDIA_TYPE = re.compile(r"[a-z]+/[A-Za-z0-9.+-]+")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
EVIDENCE_FIELDS = (
    "capture",
    "content_hash",
    "evidence_id",
    "hash_alg",
    "location",
    "media_type",
    "size_bytes",
)
EVIDENCE_OPTIONAL = ("case_id", "description", "tsa_token")
CAPTURE_FIELDS = ("captured_at", "device", "source", "tool")
MAX_BATCH = 256
MAX_TSA_TOKEN = 16_384
PERSONAL_TRANSIENT_KEY = "depositor_personal"
MAX_PERSONAL_BYTES = 4_096
"""Largest depositor personal data (canonical JSON); it is replicated to every member org."""

# action -> (statuses it may start from, resulting status)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "seal": (("registered",), "sealed"),
    "submit": (("sealed",), "submitted"),
    "challenge": (("submitted",), "challenged"),
    "admit": (("submitted", "challenged"), "admitted"),
    "reject": (("submitted", "challenged"), "rejected"),
    "archive": (("admitted", "rejected", "invalidated"), "archived"),
    "invalidate": (("registered", "sealed", "submitted", "challenged"), "invalidated"),
}
LINKABLE = ("registered", "sealed")


def _tsa_token(fields: Fields) -> str:
    if not fields.has("tsa_token"):
        return ""
    token = fields.text("tsa_token", max_len=MAX_TSA_TOKEN)
    try:
        base64.b64decode(token, validate=True)
    except binascii.Error as exc:
        raise bad_argument("tsa_token must be a base64 RFC 3161 TimeStampToken") from exc
    return token


def _rfc3339(value: str, what: str) -> str:
    """Return ``value`` if it is an RFC 3339 date-time (e.g. ``2026-11-20T08:00:00Z``)."""
    valid = RFC3339.fullmatch(value) is not None
    if valid:
        try:
            datetime.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        except ValueError:
            valid = False
    if not valid:
        raise bad_argument(f"{what} must be an RFC 3339 date-time such as 2026-11-20T08:00:00Z")
    return value


def _parse(payload: Any, what: str) -> dict[str, Any]:
    fields = Fields(payload, what, EVIDENCE_FIELDS, EVIDENCE_OPTIONAL)
    capture = Fields(fields.mapping("capture"), f"{what}.capture", CAPTURE_FIELDS)
    captured = {name: capture.text(name, max_len=256) for name in CAPTURE_FIELDS}
    _rfc3339(captured["captured_at"], f"{what}.capture.captured_at")
    return {
        "capture": captured,
        "case_id": check_id(fields.text("case_id"), "case_id") if fields.has("case_id") else "",
        "content_hash": fields.text("content_hash", pattern=HEX64),
        "description": fields.optional_text("description"),
        "evidence_id": check_id(fields.text("evidence_id"), f"{what}.evidence_id"),
        "hash_alg": fields.text("hash_alg", choices=HASH_ALGORITHMS),
        "location": fields.text("location", max_len=1024),
        "media_type": fields.text("media_type", pattern=MEDIA_TYPE, max_len=128),
        "size_bytes": fields.integer("size_bytes", 0, 2**53),
        "tsa_token": _tsa_token(fields),
    }


def _new_record(ledger: TxLedger, caller: Caller, item: dict[str, Any]) -> dict[str, Any]:
    record = dict(item)
    record.update(
        {
            "batch": None,
            "challenge": None,
            "checked_out": None,
            "custodian": caller.ref(),
            "custody_seq": 1,
            "depositor": caller.ref(),
            "pending_transfer": None,
            "personal_hash": "",
            "registered_at": ledger.now_iso,
            "ruling": None,
            "status": "registered",
            "status_reason": "",
            "tx_id": ledger.tx_id,
            "updated_at": ledger.now_iso,
            "updated_tx_id": ledger.tx_id,
        }
    )
    return record


def _index_and_custody(ledger: TxLedger, key: str, record: dict[str, Any]) -> None:
    evidence_id = str(record["evidence_id"])
    parts = [str(record["hash_alg"]), str(record["content_hash"]), evidence_id]
    ledger.put_index(BY_HASH, parts, key)
    if record["case_id"]:
        ledger.put_index(BY_CASE, [str(record["case_id"]), evidence_id], key)
    entry = {
        "actor": record["depositor"],
        "at": ledger.now_iso,
        "custodian": record["custodian"],
        "details": {},
        "evidence_id": evidence_id,
        "kind": "registered",
        "seq": 1,
        "tx_id": ledger.tx_id,
    }
    ledger.put(ledger.key(CUSTODY, evidence_id, seq_part(1)), entry)


def _personal_hash(ledger: TxLedger, key: str) -> str:
    raw = ledger.stub.get_transient().get(PERSONAL_TRANSIENT_KEY)
    if raw is None:
        return ""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise bad_argument("transient depositor_personal must be JSON") from exc
    if not isinstance(value, dict) or not value:
        raise bad_argument("transient depositor_personal must be a non-empty JSON object")
    data = canonical_json(value)
    if len(data) > MAX_PERSONAL_BYTES:
        raise bad_argument(
            f"transient depositor_personal holds {len(data)} bytes; at most "
            f"{MAX_PERSONAL_BYTES} are allowed"
        )
    ledger.stub.put_private_data(PARTY_COLLECTION, key, data)
    return sha256_hex(data)


def _without_capture_time(item: dict[str, Any]) -> dict[str, Any]:
    fields = {name: item.get(name) for name in (*EVIDENCE_FIELDS, *EVIDENCE_OPTIONAL)}
    fields["capture"] = dict(item["capture"], captured_at=None)
    return fields


def _same_content(existing: dict[str, Any], item: dict[str, Any]) -> bool:
    """True when ``item`` registers the same bytes with the same metadata as ``existing``.

    ``capture.captured_at`` is left out: a client defaults it to the file's modification time,
    so a retry with a copy of the file must not turn into a conflict.
    """
    return existing.get("batch") is None and _without_capture_time(existing) == (
        _without_capture_time(item)
    )


def register(ledger: TxLedger, caller: Caller, payload: Any) -> tuple[dict[str, Any], bool]:
    """Register one evidence item (create-if-absent on its ID).

    A resubmission of identical content returns the stored record (``created`` False), even
    when its ``capture.captured_at`` differs; any other difference is ``DUPLICATE_EVIDENCE``.

    Raises:
        ContractError: ``BAD_ARGUMENT``, ``DUPLICATE_EVIDENCE``.
    """
    item = _parse(payload, "evidence")
    key = evidence_key(ledger, str(item["evidence_id"]))
    existing = ledger.get(key)
    if existing is not None:
        if _same_content(existing, item):
            return existing, False
        return ledger.create_once(key, payload, {}, "evidence", "DUPLICATE_EVIDENCE")
    record = _new_record(ledger, caller, item)
    record["personal_hash"] = _personal_hash(ledger, key)
    _index_and_custody(ledger, key, record)
    return ledger.create_once(key, payload, record, "evidence", "DUPLICATE_EVIDENCE")


def register_batch(ledger: TxLedger, caller: Caller, payload: Any) -> tuple[dict[str, Any], bool]:
    """Register a batch under a Merkle root; each item stores its proof.

    Raises:
        ContractError: ``BAD_ARGUMENT``, ``DUPLICATE_BATCH``, ``DUPLICATE_EVIDENCE``.
    """
    fields = Fields(payload, "batch", ("batch_id", "items"))
    batch_id = check_id(fields.text("batch_id"), "batch.batch_id")
    batch_key = ledger.key(BATCH, batch_id)
    if ledger.get(batch_key) is not None:
        return ledger.create_once(batch_key, payload, {}, "batch", "DUPLICATE_BATCH")
    raw_items = fields.items("items", MAX_BATCH)
    items = [_parse(item, f"batch.items[{i}]") for i, item in enumerate(raw_items)]
    ids = [str(item["evidence_id"]) for item in items]
    if len(set(ids)) != len(ids):
        raise bad_argument("batch items must have distinct evidence IDs")
    leaves = [
        leaf_hash(str(i["evidence_id"]), str(i["hash_alg"]), str(i["content_hash"])) for i in items
    ]
    root = merkle_root(leaves).hex()
    for index, item in enumerate(items):
        key = evidence_key(ledger, ids[index])
        if ledger.get(key) is not None:
            raise ContractError("DUPLICATE_EVIDENCE", f"evidence {ids[index]} already exists")
        record = _new_record(ledger, caller, item)
        record["batch"] = {
            "batch_id": batch_id,
            "index": index,
            "leaf_hash": leaves[index].hex(),
            "merkle_root": root,
            "proof": audit_path(index, leaves),
        }
        record["request_digest"] = ""
        ledger.put(key, record)
        _index_and_custody(ledger, key, record)
    batch = {
        "batch_id": batch_id,
        "depositor": caller.ref(),
        "evidence_ids": ids,
        "leaf_count": len(ids),
        "merkle_root": root,
        "registered_at": ledger.now_iso,
        "tx_id": ledger.tx_id,
    }
    return ledger.create_once(batch_key, payload, batch, "batch", "DUPLICATE_BATCH")


def _check_actor(caller: Caller, record: dict[str, Any], action: str) -> None:
    depositor = str(record["depositor"]["msp_id"])
    if action in ("seal", "submit"):
        caller.require_msp([depositor, NOTARY], f"{action} this evidence")
    elif action == "invalidate":
        caller.require_msp([depositor, COURT], "invalidate this evidence")
    elif action == "challenge" and caller.msp_id == depositor:
        raise forbidden("a party cannot challenge its own evidence", action=action)


def transition(
    ledger: TxLedger, caller: Caller, evidence_id: str, action: str, reason: str
) -> dict[str, Any]:
    """Apply one status change of :data:`TRANSITIONS`.

    Raises:
        ContractError: ``NOT_FOUND``, ``FORBIDDEN``, ``ILLEGAL_TRANSITION``,
            ``CASE_NOT_LINKED``, ``BAD_ARGUMENT`` (missing reason).
    """
    key, record = evidence(ledger, evidence_id)
    sources, target = TRANSITIONS[action]
    _check_actor(caller, record, action)
    if record["status"] not in sources:
        raise illegal_transition("evidence", evidence_id, str(record["status"]), action)
    if action in ("challenge", "admit", "reject", "invalidate") and not reason.strip():
        raise bad_argument(f"{action} needs a reason")
    if action == "submit" and not record["case_id"]:
        raise ContractError("CASE_NOT_LINKED", f"evidence {evidence_id} has no case")
    note = {"at": ledger.now_iso, "by": caller.ref(), "reason": reason, "tx_id": ledger.tx_id}
    if action == "challenge":
        record["challenge"] = note
    elif action in ("admit", "reject"):
        record["ruling"] = dict(note, decision=action)
    record["status"] = target
    record["status_reason"] = reason
    ledger.put(key, stamp(ledger, record))
    return record


def link_case(ledger: TxLedger, caller: Caller, evidence_id: str, case_id: str) -> dict[str, Any]:
    """Link registered or sealed evidence to a case (court or depositor's org)."""
    key, record = evidence(ledger, evidence_id)
    check_id(case_id, "case_id")
    caller.require_msp([str(record["depositor"]["msp_id"]), COURT], "link this evidence")
    if record["case_id"]:
        status = f"linked to case {record['case_id']}"
        raise illegal_transition("evidence", evidence_id, status, "link a case")
    if record["status"] not in LINKABLE:
        raise illegal_transition("evidence", evidence_id, str(record["status"]), "link a case")
    record["case_id"] = case_id
    ledger.put_index(BY_CASE, [case_id, evidence_id], key)
    ledger.put(key, stamp(ledger, record))
    return record


def verification(record: dict[str, Any], content_hash: str) -> dict[str, Any]:
    """What a verifier learns about one stored item and a presented hash."""
    return {
        "batch": record["batch"],
        "case_id": record["case_id"],
        "content_hash": record["content_hash"],
        "evidence_id": record["evidence_id"],
        "hash_alg": record["hash_alg"],
        "match": record["content_hash"] == content_hash,
        "registered_at": record["registered_at"],
        "status": record["status"],
        "tx_id": record["tx_id"],
    }


def verify_by_id(ledger: TxLedger, evidence_id: str, content_hash: str) -> dict[str, Any]:
    """Compare a presented hash with the stored one."""
    if not HEX64.fullmatch(content_hash):
        raise bad_argument("content_hash must be 64 lowercase hex characters")
    record = ledger.get(evidence_key(ledger, evidence_id))
    if record is None:
        return {"evidence_id": evidence_id, "match": False, "reason": "not_found"}
    return verification(record, content_hash)
