"""Typed client of the tax e-invoice chaincode (``tax_invoice``, channel ``tax``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._client import Record, SectorClient

__all__ = ["TaxInvoices"]


class TaxInvoices(SectorClient):
    """Taxpayers, invoices, red-letter reversals, reimbursement and deduction.

    Writes are submitted (and wait for commit); reads are evaluated. Every method raises
    :class:`ChaincodeRejectedError` when the contract refuses the call.
    """

    # --- taxpayers ---------------------------------------------------------------------
    def register_taxpayer(self, *, taxpayer: Mapping[str, Any]) -> Record:
        """Register ``{tax_id, name, msp_id, quota_fen, invoice_types}`` (tax bureau)."""
        return self._submit("register_taxpayer", taxpayer)

    def suspend_taxpayer(self, *, tax_id: str, reason: str) -> Record:
        """Suspend an active taxpayer (tax bureau)."""
        return self._submit("suspend_taxpayer", tax_id, reason)

    def reinstate_taxpayer(self, *, tax_id: str, reason: str) -> Record:
        """Reinstate a suspended taxpayer (tax bureau)."""
        return self._submit("reinstate_taxpayer", tax_id, reason)

    def set_quota(self, *, tax_id: str, quota_fen: int) -> Record:
        """Set a taxpayer's monthly quota in gross fen (tax bureau)."""
        return self._submit("set_quota", tax_id, quota_fen)

    def get_taxpayer(self, *, tax_id: str) -> Record:
        """Return a taxpayer record."""
        return self._evaluate("get_taxpayer", tax_id)

    def taxpayer_history(self, *, tax_id: str) -> list[Record]:
        """Return every version of a taxpayer record, oldest first."""
        return self._evaluate_list("taxpayer_history", tax_id)

    # --- invoices ----------------------------------------------------------------------
    def issue_invoice(
        self, *, invoice: Mapping[str, Any], buyer_personal: Mapping[str, Any] | None = None
    ) -> Record:
        """Issue an invoice (seller's org); ``buyer_personal`` travels as transient data."""
        transient = {"buyer_personal": buyer_personal}
        return self._submit("issue_invoice", invoice, transient=transient)

    def issue_invoices(
        self,
        *,
        invoices: Sequence[Mapping[str, Any]],
        buyer_personal: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Record:
        """Issue a batch of invoices in one transaction, all or none: ``{created, invoices}``,
        where ``invoices`` holds ``{number, seller_tax_id, status, total_gross_fen, tx_id}``
        per row (a ``tx_id`` other than this transaction's: issued earlier, identically).

        Each seller's monthly totals (its quota) are updated once per batch, so one seller's
        invoices go much faster in batches than one by one. ``buyer_personal`` maps invoice
        numbers to person buyers' data (transient). A refused row fails the batch with
        :class:`ChaincodeRejectedError` whose message starts ``invoices[i]: `` (see
        :func:`fabric_pilot_gateway.bulk.refused_row`).
        """
        transient = {"buyer_personal": dict(buyer_personal) if buyer_personal else None}
        return self._submit("issue_invoices", list(invoices), transient=transient)

    def get_invoice(self, *, seller_tax_id: str, number: str) -> Record:
        """Return an invoice (tax bureau, seller or buyer)."""
        return self._evaluate("get_invoice", seller_tax_id, number)

    def invoice_history(self, *, seller_tax_id: str, number: str) -> list[Record]:
        """Return every version of an invoice, oldest first."""
        return self._evaluate_list("invoice_history", seller_tax_id, number)

    def verify_invoice(
        self, *, seller_tax_id: str, number: str, total_gross_fen: int, issue_date: str
    ) -> Record:
        """Check an invoice by its key fields (``issue_date`` is ``YYYY-MM-DD`` UTC)."""
        return self._evaluate("verify_invoice", seller_tax_id, number, total_gross_fen, issue_date)

    def verify_invoice_file(self, *, file_hash: str) -> Record:
        """Check an invoice file by its SHA-256 (hex)."""
        return self._evaluate("verify_invoice_file", file_hash)

    def get_buyer_personal_data(self, *, seller_tax_id: str, number: str) -> Record:
        """Return a person buyer's private data (tax bureau or the seller)."""
        return self._evaluate("get_buyer_personal_data", seller_tax_id, number)

    def list_invoices_by_seller(
        self, *, seller_tax_id: str, page_size: int = 20, bookmark: str = ""
    ) -> Record:
        """Page through a seller's invoices: ``{records, bookmark, fetched}``."""
        return self._evaluate("list_invoices_by_seller", seller_tax_id, page_size, bookmark)

    def list_invoices_by_buyer(
        self, *, buyer_tax_id: str, page_size: int = 20, bookmark: str = ""
    ) -> Record:
        """Page through a buyer's invoices."""
        return self._evaluate("list_invoices_by_buyer", buyer_tax_id, page_size, bookmark)

    def list_invoices_by_period(
        self, *, period: str, page_size: int = 20, bookmark: str = ""
    ) -> Record:
        """Page through the invoices of month ``YYYYMM`` (tax bureau)."""
        return self._evaluate("list_invoices_by_period", period, page_size, bookmark)

    def list_invoices_by_status(
        self, *, status: str, page_size: int = 20, bookmark: str = ""
    ) -> Record:
        """Page through the invoices in ``status`` (tax bureau)."""
        return self._evaluate("list_invoices_by_status", status, page_size, bookmark)

    def get_statistics(self, *, tax_id: str, period: str) -> Record:
        """Return a seller's totals for month ``YYYYMM``."""
        return self._evaluate("get_statistics", tax_id, period)

    # --- red-letter reversals ----------------------------------------------------------
    def request_reversal(
        self, *, seller_tax_id: str, number: str, request: Mapping[str, Any]
    ) -> Record:
        """Request a reversal ``{request_id, reason, net_fen, tax_fen, note?}``."""
        return self._submit("request_reversal", seller_tax_id, number, request)

    def confirm_reversal(self, *, seller_tax_id: str, number: str, request_id: str) -> Record:
        """Confirm a reversal request (the counterparty)."""
        return self._submit("confirm_reversal", seller_tax_id, number, request_id)

    def reject_reversal(
        self, *, seller_tax_id: str, number: str, request_id: str, reason: str
    ) -> Record:
        """Reject a reversal request with a reason (the counterparty)."""
        return self._submit("reject_reversal", seller_tax_id, number, request_id, reason)

    def issue_red_invoice(
        self, *, seller_tax_id: str, number: str, request_id: str, red: Mapping[str, Any]
    ) -> Record:
        """Issue the negative invoice ``{number, file_hash}`` of a confirmed reversal."""
        return self._submit("issue_red_invoice", seller_tax_id, number, request_id, red)

    def get_reversal(self, *, seller_tax_id: str, number: str, request_id: str) -> Record:
        """Return a reversal request."""
        return self._evaluate("get_reversal", seller_tax_id, number, request_id)

    def list_reversals(
        self, *, seller_tax_id: str, number: str, page_size: int = 20, bookmark: str = ""
    ) -> Record:
        """Page through an invoice's reversal requests."""
        return self._evaluate("list_reversals", seller_tax_id, number, page_size, bookmark)

    def reversal_history(self, *, seller_tax_id: str, number: str, request_id: str) -> list[Record]:
        """Return every version of a reversal request."""
        return self._evaluate_list("reversal_history", seller_tax_id, number, request_id)

    # --- reimbursement and deduction -----------------------------------------------------
    def lock_reimbursement(self, *, seller_tax_id: str, number: str, claim_ref: str) -> Record:
        """Lock an invoice for reimbursement (buyer's finance)."""
        return self._submit("lock_reimbursement", seller_tax_id, number, claim_ref)

    def complete_reimbursement(self, *, seller_tax_id: str, number: str) -> Record:
        """Mark a locked invoice reimbursed (the locking company)."""
        return self._submit("complete_reimbursement", seller_tax_id, number)

    def release_reimbursement(self, *, seller_tax_id: str, number: str, reason: str) -> Record:
        """Release a reimbursement lock with a reason (the locking company)."""
        return self._submit("release_reimbursement", seller_tax_id, number, reason)

    def mark_deducted(self, *, seller_tax_id: str, number: str) -> Record:
        """Mark an invoice's input VAT deducted (the enterprise buyer)."""
        return self._submit("mark_deducted", seller_tax_id, number)
