"""Typed client of the court evidence chaincode (``court_evidence``, channel ``justice``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._client import Record, SectorClient
from ._codec import canonical_json
from ._limits import check_personal_size, check_rfc3339

if TYPE_CHECKING:
    from ..network import Network

__all__ = ["CourtEvidence", "export_evidence_receipt"]

COURT_CHAINCODE = "court_evidence"


class CourtEvidence(SectorClient):
    """Evidence deposit and verification, the court status machine and chain of custody.

    Writes are submitted (and wait for commit); reads are evaluated. Every method raises
    :class:`ChaincodeRejectedError` when the contract refuses the call. Custody calls take
    ``seq``, the next entry number of the item's custody series (registration is 1).
    """

    # --- registration ------------------------------------------------------------------
    def register_evidence(
        self,
        *,
        evidence: Mapping[str, Any],
        depositor_personal: Mapping[str, Any] | None = None,
    ) -> Record:
        """Register one evidence hash; ``depositor_personal`` travels as transient data.

        Registering identical content again returns the stored record, even with another
        ``capture.captured_at`` (e.g. a retry with a copy of the file).

        Raises:
            ValueError: ``capture.captured_at`` is not RFC 3339, or ``depositor_personal`` is
                larger than :data:`MAX_PERSONAL_BYTES`; nothing is sent.
        """
        capture = evidence.get("capture")
        if isinstance(capture, Mapping) and isinstance(capture.get("captured_at"), str):
            check_rfc3339(capture["captured_at"])
        if depositor_personal is not None:
            check_personal_size(canonical_json(depositor_personal))
        transient = {"depositor_personal": depositor_personal}
        return self._submit("register_evidence", evidence, transient=transient)

    def register_evidence_batch(self, *, batch: Mapping[str, Any]) -> Record:
        """Register ``{batch_id, items}`` under one Merkle root."""
        return self._submit("register_evidence_batch", batch)

    # --- status machine ----------------------------------------------------------------
    def seal_evidence(self, *, evidence_id: str, note: str) -> Record:
        """registered → sealed."""
        return self._submit("seal_evidence", evidence_id, note)

    def link_case(self, *, evidence_id: str, case_id: str) -> Record:
        """Link evidence to a case."""
        return self._submit("link_case", evidence_id, case_id)

    def submit_evidence(self, *, evidence_id: str, note: str) -> Record:
        """sealed → submitted to the linked case."""
        return self._submit("submit_evidence", evidence_id, note)

    def challenge_evidence(self, *, evidence_id: str, reason: str) -> Record:
        """submitted → challenged (a party other than the depositor)."""
        return self._submit("challenge_evidence", evidence_id, reason)

    def rule_evidence(self, *, evidence_id: str, decision: str, reasoning: str) -> Record:
        """Rule ``decision`` (``admit``/``reject``) on evidence (judge)."""
        return self._submit("rule_evidence", evidence_id, decision, reasoning)

    def archive_evidence(self, *, evidence_id: str, note: str) -> Record:
        """Archive ruled or invalidated evidence (court)."""
        return self._submit("archive_evidence", evidence_id, note)

    def invalidate_evidence(self, *, evidence_id: str, reason: str) -> Record:
        """Invalidate evidence before a ruling."""
        return self._submit("invalidate_evidence", evidence_id, reason)

    # --- custody -------------------------------------------------------------------------
    def start_custody_transfer(
        self, *, evidence_id: str, seq: int, receiver: Mapping[str, Any], reason: str
    ) -> Record:
        """Name the receiver ``{msp_id, id?}`` of a custody transfer (the custodian)."""
        return self._submit("start_custody_transfer", evidence_id, seq, receiver, reason)

    def accept_custody_transfer(self, *, evidence_id: str, seq: int) -> Record:
        """Take custody (the named receiver)."""
        return self._submit("accept_custody_transfer", evidence_id, seq)

    def cancel_custody_transfer(self, *, evidence_id: str, seq: int, reason: str) -> Record:
        """Withdraw or decline a pending transfer."""
        return self._submit("cancel_custody_transfer", evidence_id, seq, reason)

    def check_out_evidence(self, *, evidence_id: str, seq: int, purpose: str) -> Record:
        """Check the item out with a purpose (the custodian)."""
        return self._submit("check_out_evidence", evidence_id, seq, purpose)

    def check_in_evidence(self, *, evidence_id: str, seq: int, note: str) -> Record:
        """Check the item back in (the custodian)."""
        return self._submit("check_in_evidence", evidence_id, seq, note)

    def record_access(self, *, evidence_id: str, seq: int, purpose: str) -> Record:
        """Record an access to the item with its purpose."""
        return self._submit("record_access", evidence_id, seq, purpose)

    # --- reads ---------------------------------------------------------------------------
    def get_evidence(self, *, evidence_id: str) -> Record:
        """Return an evidence record."""
        return self._evaluate("get_evidence", evidence_id)

    def evidence_history(self, *, evidence_id: str) -> list[Record]:
        """Return every version of an evidence record, oldest first."""
        return self._evaluate_list("evidence_history", evidence_id)

    def verify_evidence(self, *, evidence_id: str, content_hash: str) -> Record:
        """Compare a presented content hash with the registered one."""
        return self._evaluate("verify_evidence", evidence_id, content_hash)

    def verify_evidence_hash(
        self, *, hash_alg: str, content_hash: str, page_size: int = 20, bookmark: str = ""
    ) -> Record:
        """Find the evidence registered with a content hash."""
        return self._evaluate("verify_evidence_hash", hash_alg, content_hash, page_size, bookmark)

    def list_evidence_by_case(
        self, *, case_id: str, page_size: int = 20, bookmark: str = ""
    ) -> Record:
        """Page through the evidence linked to a case."""
        return self._evaluate("list_evidence_by_case", case_id, page_size, bookmark)

    def list_custody(self, *, evidence_id: str, page_size: int = 20, bookmark: str = "") -> Record:
        """Page through an item's custody series in sequence order."""
        return self._evaluate("list_custody", evidence_id, page_size, bookmark)

    def get_batch(self, *, batch_id: str) -> Record:
        """Return a batch record (Merkle root and item IDs)."""
        return self._evaluate("get_batch", batch_id)

    def get_depositor_personal_data(self, *, evidence_id: str) -> Record:
        """Return the depositor's private data (court or the depositor's org)."""
        return self._evaluate("get_depositor_personal_data", evidence_id)


def export_evidence_receipt(
    network: Network,
    evidence_id: str,
    *,
    chaincode: str = COURT_CHAINCODE,
    through_block: int | None = None,
    endorsing_organizations: Sequence[str] = (),
) -> Record:
    """A receipt proving evidence ``evidence_id`` as it is now (see :mod:`..receipts`).

    The transaction is the one that last wrote the record (``updated_tx_id``); the state
    proof is ``get_evidence`` endorsed by the peers the chaincode's policy names (court and
    notary on the pilot network) or by ``endorsing_organizations``.

    Raises:
        ChaincodeRejectedError: The evidence does not exist (``NOT_FOUND``).
        ValueError: The record changed while the receipt was being made (retry).
    """
    from ..receipts import StateQuery, export_receipt

    record = CourtEvidence(network.get_contract(chaincode)).get_evidence(evidence_id=evidence_id)
    query = StateQuery("get_evidence", (evidence_id,), tuple(endorsing_organizations))
    return export_receipt(
        network,
        chaincode,
        str(record.get("updated_tx_id") or record["tx_id"]),
        state_query=query,
        through_block=through_block,
    )
