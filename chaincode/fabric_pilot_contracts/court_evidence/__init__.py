"""Court evidence and chain-of-custody chaincode: ``court_evidence`` on channel ``justice``.

Contract ``CourtEvidenceContract``. Content never goes on chain: an item holds its content
hash (``hash_alg`` ``SHA-256`` or ``SM3``, 64 lowercase hex), size, media type, off-chain
location, capture metadata and an optional base64 RFC 3161 token. Every write checks MSP,
NodeOU and (Fabric CA certificates) ``pilot.role``: depositors are ``NotaryMSP`` and the
enterprises (``notary``/``depositor``/``custodian``/``party``); rulings ``CourtMSP``/``judge``;
archive ``CourtMSP``/``clerk``|``judge``; challenges an enterprise ``party``/``lawyer`` other
than the depositor; custody moves any justice org member who is the custodian or receiver.

Status machine: registered → sealed (seal) → submitted (submit; needs a linked case) →
challenged (challenge) → admitted | rejected (rule_evidence); submitted → admitted | rejected;
registered | sealed | submitted | challenged → invalidated (invalidate, with reason);
admitted | rejected | invalidated → archived. ``link_case`` works in registered/sealed, once.

Custody: an append-only series (``list_custody``) with ``seq`` 1 (registration), 2, 3, ...;
every custody call states the next ``seq`` (``CUSTODY_SEQUENCE`` otherwise). Only the current
custodian (same MSP and identity) starts a transfer or checks out/in (``NOT_CUSTODIAN``);
only the named receiver (MSP, and identity when given) accepts (``NOT_RECEIVER``).

Merkle batches: see :mod:`fabric_pilot_contracts.court_evidence._merkle` (leaf = SHA-256 of
``0x00 || canonical_json({content_hash, evidence_id, hash_alg})``, node = SHA-256 of
``0x01 || left || right``, RFC 6962 split; proofs list siblings from the leaf up as
``{"side": "left"|"right", "hash"}``).

Submit transactions (arguments → return; event):

- ``register_evidence(evidence: {evidence_id, hash_alg, content_hash, size_bytes, media_type,
  location, capture: {source, device, captured_at, tool}, tsa_token?, case_id?,
  description?})``, transient ``depositor_personal`` (JSON object) → Evidence;
  ``EvidenceRegistered``.
- ``register_evidence_batch(batch: {batch_id, items: [evidence...]})`` → Batch {batch_id,
  merkle_root, leaf_count, evidence_ids, depositor, registered_at, tx_id};
  ``EvidenceBatchRegistered``.
- ``seal_evidence(evidence_id, note)``, ``submit_evidence(evidence_id, note)``,
  ``challenge_evidence(evidence_id, reason)``, ``rule_evidence(evidence_id, decision
  "admit"|"reject", reasoning)``, ``archive_evidence(evidence_id, note)``,
  ``invalidate_evidence(evidence_id, reason)``, ``link_case(evidence_id, case_id)`` → Evidence;
  events ``EvidenceSealed``, ``EvidenceSubmitted``, ``EvidenceChallenged``,
  ``EvidenceAdmitted``/``EvidenceRejected``, ``EvidenceArchived``, ``EvidenceInvalidated``,
  ``EvidenceLinked``.
- ``start_custody_transfer(evidence_id, seq: int, receiver: {msp_id, id?}, reason)``,
  ``accept_custody_transfer(evidence_id, seq: int)``,
  ``cancel_custody_transfer(evidence_id, seq: int, reason)``,
  ``check_out_evidence(evidence_id, seq: int, purpose)``,
  ``check_in_evidence(evidence_id, seq: int, note)``,
  ``record_access(evidence_id, seq: int, purpose)`` → CustodyEntry {evidence_id, seq, kind,
  actor, custodian, details, at, tx_id}; events ``CustodyTransferStarted``,
  ``CustodyTransferAccepted``, ``CustodyTransferCancelled``, ``EvidenceCheckedOut``,
  ``EvidenceCheckedIn``, ``EvidenceAccessed``.

Evaluate transactions: ``get_evidence(evidence_id)``, ``evidence_history(evidence_id)``,
``verify_evidence(evidence_id, content_hash)`` → Verification {match, evidence_id, hash_alg,
content_hash, status, registered_at, tx_id, case_id, batch} (or {match: false, reason:
"not_found"}), ``verify_evidence_hash(hash_alg, content_hash, page_size: int, bookmark)`` →
{match, records: [Verification], bookmark}, ``list_evidence_by_case(case_id, page_size,
bookmark)``, ``list_custody(evidence_id, page_size, bookmark)``, ``get_batch(batch_id)``,
``get_depositor_personal_data(evidence_id)``. The block number of ``tx_id`` (for receipts) is
added by the SDK.

Errors: BAD_ARGUMENT, NOT_FOUND, FORBIDDEN, DUPLICATE_EVIDENCE, DUPLICATE_BATCH,
ILLEGAL_TRANSITION, CASE_NOT_LINKED, CUSTODY_SEQUENCE, NOT_CUSTODIAN, NOT_RECEIVER.
"""

from fabric_pilot_chaincode import ContractChaincode
from fabric_pilot_contracts.court_evidence._contract import CourtEvidenceContract

CHAINCODE = ContractChaincode(CourtEvidenceContract())

__all__ = ["CHAINCODE", "CourtEvidenceContract"]
