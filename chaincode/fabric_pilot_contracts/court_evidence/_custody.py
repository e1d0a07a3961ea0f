"""Chain of custody: an append-only series per evidence item with sequence numbers +1.

Every custody entry (transfer started/accepted/cancelled, check-out, check-in, access) takes
the next sequence number, which the caller states (``seq``); any other number is
``CUSTODY_SEQUENCE``. All entries also update the evidence record, so two concurrent custody
transactions on one item conflict and only one commits.
"""

from __future__ import annotations

from typing import Any

from fabric_pilot_chaincode import ContractError
from fabric_pilot_contracts._common import (
    Caller,
    Fields,
    TxLedger,
    bad_argument,
    forbidden,
    illegal_transition,
)
from fabric_pilot_contracts.court_evidence._keys import CUSTODY, evidence, seq_part, stamp
from fabric_pilot_contracts.court_evidence._policy import JUSTICE_ORGS


def _is_custodian(caller: Caller, record: dict[str, Any]) -> bool:
    return bool(record["custodian"] == caller.ref())


def _require_custodian(caller: Caller, record: dict[str, Any]) -> None:
    if not _is_custodian(caller, record):
        raise ContractError(
            "NOT_CUSTODIAN",
            f"{caller.msp_id} caller is not the current custodian of {record['evidence_id']}",
        )


def _require_seq(record: dict[str, Any], seq: int) -> None:
    expected = int(record["custody_seq"]) + 1
    if seq != expected:
        raise ContractError(
            "CUSTODY_SEQUENCE",
            f"custody of {record['evidence_id']} continues with seq {expected}, got {seq}",
            expected=expected,
        )


def _require_idle(record: dict[str, Any], action: str) -> None:
    if record["pending_transfer"] is not None:
        raise illegal_transition("evidence", str(record["evidence_id"]), "in transfer", action)
    if record["checked_out"] is not None:
        raise illegal_transition("evidence", str(record["evidence_id"]), "checked out", action)


def _append(
    ledger: TxLedger,
    key: str,
    record: dict[str, Any],
    caller: Caller,
    *,
    kind: str,
    details: dict[str, Any],
) -> dict[str, Any]:
    seq = int(record["custody_seq"]) + 1
    entry = {
        "actor": caller.ref(),
        "at": ledger.now_iso,
        "custodian": record["custodian"],
        "details": details,
        "evidence_id": record["evidence_id"],
        "kind": kind,
        "seq": seq,
        "tx_id": ledger.tx_id,
    }
    ledger.put(ledger.key(CUSTODY, str(record["evidence_id"]), seq_part(seq)), entry)
    record["custody_seq"] = seq
    ledger.put(key, stamp(ledger, record))
    return entry


def _text(value: str, what: str) -> str:
    if not value.strip() or len(value) > 512:
        raise bad_argument(f"{what} must be 1-512 characters")
    return value


def start_transfer(
    ledger: TxLedger, caller: Caller, evidence_id: str, seq: int, *, receiver: Any, reason: str
) -> dict[str, Any]:
    """The current custodian names the next one (``receiver``: {msp_id, id?})."""
    key, record = evidence(ledger, evidence_id)
    _require_custodian(caller, record)
    _require_seq(record, seq)
    _require_idle(record, "start a transfer")
    to = Fields(receiver, "receiver", ("msp_id",), ("id",))
    target = {
        "id": to.optional_text("id", max_len=1024),
        "msp_id": to.text("msp_id", choices=JUSTICE_ORGS),
    }
    if target == caller.ref():
        raise bad_argument("the receiver is already the custodian")
    record["pending_transfer"] = dict(target, reason=_text(reason, "reason"), seq=seq)
    return _append(
        ledger,
        key,
        record,
        caller,
        kind="transfer_started",
        details={"reason": reason, "to": target},
    )


def accept_transfer(ledger: TxLedger, caller: Caller, evidence_id: str, seq: int) -> dict[str, Any]:
    """The named receiver takes custody."""
    key, record = evidence(ledger, evidence_id)
    pending = record["pending_transfer"]
    if pending is None:
        raise illegal_transition("evidence", evidence_id, "not in transfer", "accept a transfer")
    named = caller.msp_id == pending["msp_id"] and pending["id"] in ("", caller.id)
    if not named:
        raise ContractError("NOT_RECEIVER", f"the caller is not the receiver of {evidence_id}")
    _require_seq(record, seq)
    previous = record["custodian"]
    record["custodian"] = caller.ref()
    record["pending_transfer"] = None
    return _append(
        ledger, key, record, caller, kind="transfer_accepted", details={"from": previous}
    )


def cancel_transfer(
    ledger: TxLedger, caller: Caller, evidence_id: str, seq: int, reason: str
) -> dict[str, Any]:
    """The custodian withdraws, or the receiver declines, a pending transfer."""
    key, record = evidence(ledger, evidence_id)
    pending = record["pending_transfer"]
    if pending is None:
        raise illegal_transition("evidence", evidence_id, "not in transfer", "cancel a transfer")
    receiver = caller.msp_id == pending["msp_id"] and pending["id"] in ("", caller.id)
    if not (receiver or _is_custodian(caller, record)):
        raise forbidden("only the custodian or the receiver may cancel the transfer")
    _require_seq(record, seq)
    record["pending_transfer"] = None
    details = {"reason": _text(reason, "reason")}
    return _append(ledger, key, record, caller, kind="transfer_cancelled", details=details)


def check_out(
    ledger: TxLedger, caller: Caller, evidence_id: str, seq: int, purpose: str
) -> dict[str, Any]:
    """The custodian takes the item out (examination, hearing) with a purpose."""
    key, record = evidence(ledger, evidence_id)
    _require_custodian(caller, record)
    _require_seq(record, seq)
    _require_idle(record, "check out")
    record["checked_out"] = {"at": ledger.now_iso, "purpose": _text(purpose, "purpose")}
    return _append(ledger, key, record, caller, kind="checked_out", details={"purpose": purpose})


def check_in(
    ledger: TxLedger, caller: Caller, evidence_id: str, seq: int, note: str
) -> dict[str, Any]:
    """The custodian returns a checked-out item."""
    key, record = evidence(ledger, evidence_id)
    _require_custodian(caller, record)
    _require_seq(record, seq)
    if record["checked_out"] is None:
        raise illegal_transition("evidence", evidence_id, "not checked out", "check in")
    record["checked_out"] = None
    return _append(
        ledger, key, record, caller, kind="checked_in", details={"note": _text(note, "note")}
    )


def record_access(
    ledger: TxLedger, caller: Caller, evidence_id: str, seq: int, purpose: str
) -> dict[str, Any]:
    """Log that the caller accessed the item, and why."""
    key, record = evidence(ledger, evidence_id)
    _require_seq(record, seq)
    return _append(
        ledger, key, record, caller, kind="accessed", details={"purpose": _text(purpose, "purpose")}
    )
