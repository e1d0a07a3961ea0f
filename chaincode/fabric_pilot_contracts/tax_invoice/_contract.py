"""TaxInvoiceContract: thin transaction layer over the tax e-invoice domain modules."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from fabric_pilot_chaincode import Context, Contract, evaluate, transaction
from fabric_pilot_contracts._common import (
    TxLedger,
    authorize,
    bad_argument,
    forbidden,
    history_of,
    page_of,
)
from fabric_pilot_contracts.tax_invoice import _invoices, _reimbursement, _reversals, _taxpayers
from fabric_pilot_contracts.tax_invoice._keys import (
    BY_BUYER,
    BY_PERIOD,
    BY_STATUS,
    INVOICE,
    REVERSAL,
    TAXPAYER,
    check_period,
    check_tax_id,
    invoice,
    require_reader,
    taxpayer,
)
from fabric_pilot_contracts.tax_invoice._policy import (
    PERSONAL_DATA_COLLECTION,
    POLICY,
    TAX_BUREAU,
)

INVOICE_STATUSES = ("issued", "partially_reversed", "reversed")


def _event(ledger: TxLedger, name: str, record: dict[str, Any], *fields: str) -> None:
    payload = {field: record[field] for field in fields}
    payload["tx_id"] = ledger.tx_id
    ledger.emit(name, payload)


_INVOICE_EVENT_FIELDS = ("number", "seller_tax_id", "status", "total_gross_fen")


def _invoice_event(ledger: TxLedger, name: str, record: dict[str, Any]) -> None:
    _event(ledger, name, record, *_INVOICE_EVENT_FIELDS)


class TaxInvoiceContract(Contract):
    """Tax e-invoices (fapiao): taxpayers, invoices, red letters, reimbursement, deduction."""

    name: ClassVar[str] = "TaxInvoiceContract"
    version: ClassVar[str] = "1.0.0"

    # --- taxpayers (tax bureau) -------------------------------------------------------------
    @transaction
    def register_taxpayer(self, ctx: Context, taxpayer: dict[str, Any]) -> dict[str, Any]:
        """Register a taxpayer (create-if-absent on its credit code)."""
        authorize(ctx, POLICY, "register_taxpayer")
        ledger = TxLedger(ctx)
        record, created = _taxpayers.register(ledger, taxpayer)
        if created:
            _event(ledger, "TaxpayerRegistered", record, "msp_id", "status", "tax_id")
        return record

    @transaction
    def suspend_taxpayer(self, ctx: Context, tax_id: str, reason: str) -> dict[str, Any]:
        """Suspend an active taxpayer: it can no longer issue invoices."""
        authorize(ctx, POLICY, "suspend_taxpayer")
        ledger = TxLedger(ctx)
        record = _taxpayers.change_status(ledger, tax_id, "suspended", reason, "suspend")
        _event(ledger, "TaxpayerSuspended", record, "status", "status_reason", "tax_id")
        return record

    @transaction
    def reinstate_taxpayer(self, ctx: Context, tax_id: str, reason: str) -> dict[str, Any]:
        """Reinstate a suspended taxpayer."""
        authorize(ctx, POLICY, "reinstate_taxpayer")
        ledger = TxLedger(ctx)
        record = _taxpayers.change_status(ledger, tax_id, "active", reason, "reinstate")
        _event(ledger, "TaxpayerReinstated", record, "status", "status_reason", "tax_id")
        return record

    @transaction
    def set_quota(self, ctx: Context, tax_id: str, quota_fen: int) -> dict[str, Any]:
        """Set a taxpayer's monthly issuing quota (gross fen)."""
        authorize(ctx, POLICY, "set_quota")
        ledger = TxLedger(ctx)
        record = _taxpayers.set_quota(ledger, tax_id, quota_fen)
        _event(ledger, "QuotaChanged", record, "quota_fen", "tax_id")
        return record

    @evaluate
    def get_taxpayer(self, ctx: Context, tax_id: str) -> dict[str, Any]:
        """Return a taxpayer record."""
        authorize(ctx, POLICY, "get_taxpayer")
        return taxpayer(TxLedger(ctx), tax_id)

    # --- invoices ---------------------------------------------------------------------------
    @transaction
    def issue_invoice(self, ctx: Context, invoice: dict[str, Any]) -> dict[str, Any]:
        """Issue an invoice; transient ``buyer_personal`` carries a person buyer's data."""
        caller = authorize(ctx, POLICY, "issue_invoice")
        ledger = TxLedger(ctx)
        record, created = _invoices.issue(ledger, caller, invoice)
        if created:
            _invoice_event(ledger, "InvoiceIssued", record)
        return record

    @transaction
    def issue_invoices(self, ctx: Context, invoices: list[Any]) -> dict[str, Any]:
        """Issue a batch of invoices atomically (the right to issue one is the right to issue
        many): each seller's monthly totals are updated, and its quota checked, once per
        batch. A refused row fails the batch with ``CODE: invoices[i]: text``. Transient
        ``buyer_personal`` maps invoice numbers to person buyers' data. Returns
        ``{"created": n, "invoices": [{number, seller_tax_id, status, total_gross_fen,
        tx_id}, ...]}`` in row order (``get_invoice`` has the full records); a row issued
        earlier with identical content names the transaction that issued it."""
        caller = authorize(ctx, POLICY, "issue_invoice")
        ledger = TxLedger(ctx)
        results = _invoices.issue_batch(ledger, caller, invoices)
        created = [
            {field: record[field] for field in _INVOICE_EVENT_FIELDS}
            for record, new in results
            if new
        ]
        if created:
            ledger.emit(
                "InvoicesIssued",
                {"count": len(created), "invoices": created, "tx_id": ledger.tx_id},
            )
        summaries = [
            {field: record[field] for field in (*_INVOICE_EVENT_FIELDS, "tx_id")}
            for record, _new in results
        ]
        return {"created": len(created), "invoices": summaries}

    @evaluate
    def get_invoice(self, ctx: Context, seller_tax_id: str, number: str) -> dict[str, Any]:
        """Return an invoice (tax bureau, seller or buyer)."""
        caller = authorize(ctx, POLICY, "get_invoice")
        record = invoice(TxLedger(ctx), seller_tax_id, number)[1]
        require_reader(caller.msp_id, record, "read the invoice")
        return record

    @evaluate
    def verify_invoice(
        self, ctx: Context, seller_tax_id: str, number: str, total_gross_fen: int, issue_date: str
    ) -> dict[str, Any]:
        """Check an invoice by number and key fields; anyone on the channel may."""
        authorize(ctx, POLICY, "verify_invoice")
        ledger = TxLedger(ctx)
        return _invoices.verify(ledger, seller_tax_id, number, total_gross_fen, issue_date)

    @evaluate
    def verify_invoice_file(self, ctx: Context, file_hash: str) -> dict[str, Any]:
        """Check an invoice file by its SHA-256; anyone on the channel may."""
        authorize(ctx, POLICY, "verify_invoice")
        return _invoices.verify_file(TxLedger(ctx), file_hash)

    @evaluate
    def get_buyer_personal_data(
        self, ctx: Context, seller_tax_id: str, number: str
    ) -> dict[str, Any]:
        """Return a person buyer's private data (tax bureau or the seller)."""
        caller = authorize(ctx, POLICY, "get_buyer_personal_data")
        ledger = TxLedger(ctx)
        key, record = invoice(ledger, seller_tax_id, number)
        if caller.msp_id not in (TAX_BUREAU, record["seller_msp"]):
            raise forbidden(f"{caller.msp_id} may not read the buyer's personal data")
        raw = ledger.stub.get_private_data(PERSONAL_DATA_COLLECTION, key)
        if not raw:
            return {}
        value: dict[str, Any] = json.loads(raw)
        return value

    @evaluate
    def invoice_history(self, ctx: Context, seller_tax_id: str, number: str) -> list[Any]:
        """Return every version of an invoice (same readers as ``get_invoice``)."""
        record = self.get_invoice(ctx, seller_tax_id, number)
        ledger = TxLedger(ctx)
        return history_of(ledger, ledger.key(INVOICE, record["seller_tax_id"], number))

    @evaluate
    def taxpayer_history(self, ctx: Context, tax_id: str) -> list[Any]:
        """Return every version of a taxpayer record."""
        authorize(ctx, POLICY, "get_taxpayer")
        ledger = TxLedger(ctx)
        return history_of(ledger, ledger.key(TAXPAYER, check_tax_id(tax_id)))

    # --- lists and statistics -----------------------------------------------------------------
    @evaluate
    def list_invoices_by_seller(
        self, ctx: Context, seller_tax_id: str, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Page through a seller's invoices (tax bureau or the seller itself)."""
        caller = authorize(ctx, POLICY, "list_invoices")
        ledger = TxLedger(ctx)
        _invoices.require_own_taxpayer(ledger, caller, seller_tax_id, "list invoices")
        return page_of(ledger, INVOICE, [seller_tax_id], page_size, bookmark, resolve=False)

    @evaluate
    def list_invoices_by_buyer(
        self, ctx: Context, buyer_tax_id: str, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Page through a buyer's invoices (tax bureau or the buyer itself)."""
        caller = authorize(ctx, POLICY, "list_invoices")
        ledger = TxLedger(ctx)
        _invoices.require_own_taxpayer(ledger, caller, buyer_tax_id, "list invoices")
        return page_of(ledger, BY_BUYER, [buyer_tax_id], page_size, bookmark, resolve=True)

    @evaluate
    def list_invoices_by_period(
        self, ctx: Context, period: str, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Page through all invoices issued in month ``YYYYMM`` (tax bureau)."""
        authorize(ctx, POLICY, "list_invoices_by_period")
        ledger = TxLedger(ctx)
        return page_of(ledger, BY_PERIOD, [check_period(period)], page_size, bookmark, resolve=True)

    @evaluate
    def list_invoices_by_status(
        self, ctx: Context, status: str, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Page through all invoices in ``status`` (tax bureau)."""
        authorize(ctx, POLICY, "list_invoices_by_period")
        if status not in INVOICE_STATUSES:
            raise bad_argument(f"status must be one of {INVOICE_STATUSES}")
        return page_of(TxLedger(ctx), BY_STATUS, [status], page_size, bookmark, resolve=True)

    @evaluate
    def get_statistics(self, ctx: Context, tax_id: str, period: str) -> dict[str, Any]:
        """Return a seller's monthly totals (tax bureau or the taxpayer itself)."""
        caller = authorize(ctx, POLICY, "get_statistics")
        ledger = TxLedger(ctx)
        _invoices.require_own_taxpayer(ledger, caller, tax_id, "read statistics")
        return _invoices.load_stats(ledger, tax_id, check_period(period))

    # --- red letters --------------------------------------------------------------------------
    @transaction
    def request_reversal(
        self, ctx: Context, seller_tax_id: str, number: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        """Request a red-letter reversal (seller or buyer)."""
        caller = authorize(ctx, POLICY, "request_reversal")
        ledger = TxLedger(ctx)
        record, created = _reversals.request(ledger, caller, seller_tax_id, number, request)
        if created:
            _reversal_event(ledger, "ReversalRequested", record)
        return record

    @transaction
    def confirm_reversal(
        self, ctx: Context, seller_tax_id: str, number: str, request_id: str
    ) -> dict[str, Any]:
        """Confirm a reversal request (the counterparty)."""
        caller = authorize(ctx, POLICY, "confirm_reversal")
        ledger = TxLedger(ctx)
        ids = (seller_tax_id, number, request_id)
        record = _reversals.decide(ledger, caller, ids, accept=True, reason="")
        _reversal_event(ledger, "ReversalConfirmed", record)
        return record

    @transaction
    def reject_reversal(
        self, ctx: Context, seller_tax_id: str, number: str, request_id: str, reason: str
    ) -> dict[str, Any]:
        """Reject a reversal request with a reason (the counterparty)."""
        caller = authorize(ctx, POLICY, "reject_reversal")
        ledger = TxLedger(ctx)
        ids = (seller_tax_id, number, request_id)
        record = _reversals.decide(ledger, caller, ids, accept=False, reason=reason)
        _reversal_event(ledger, "ReversalRejected", record)
        return record

    @transaction
    def issue_red_invoice(
        self,
        ctx: Context,
        seller_tax_id: str,
        number: str,
        request_id: str,
        red: dict[str, Any],
    ) -> dict[str, Any]:
        """Issue the negative invoice of a confirmed reversal (the seller)."""
        caller = authorize(ctx, POLICY, "issue_red_invoice")
        ledger = TxLedger(ctx)
        ids = (seller_tax_id, number, request_id)
        record, created = _reversals.issue_red(ledger, caller, ids, red)
        if created:
            _invoice_event(ledger, "RedInvoiceIssued", record)
        return record

    @evaluate
    def get_reversal(
        self, ctx: Context, seller_tax_id: str, number: str, request_id: str
    ) -> dict[str, Any]:
        """Return a reversal request (same readers as the invoice)."""
        self.get_invoice(ctx, seller_tax_id, number)
        ledger = TxLedger(ctx)
        key = _reversals.reversal_key(ledger, seller_tax_id, number, request_id)
        return ledger.require(key, "reversal", f"{seller_tax_id}/{number}/{request_id}")

    @evaluate
    def list_reversals(
        self, ctx: Context, seller_tax_id: str, number: str, page_size: int, bookmark: str
    ) -> dict[str, Any]:
        """Page through an invoice's reversal requests (same readers as the invoice)."""
        self.get_invoice(ctx, seller_tax_id, number)
        ledger = TxLedger(ctx)
        parts = [seller_tax_id, number]
        return page_of(ledger, REVERSAL, parts, page_size, bookmark, resolve=False)

    @evaluate
    def reversal_history(
        self, ctx: Context, seller_tax_id: str, number: str, request_id: str
    ) -> list[Any]:
        """Return every version of a reversal request."""
        self.get_invoice(ctx, seller_tax_id, number)
        ledger = TxLedger(ctx)
        return history_of(
            ledger, _reversals.reversal_key(ledger, seller_tax_id, number, request_id)
        )

    # --- reimbursement and deduction -----------------------------------------------------------
    @transaction
    def lock_reimbursement(
        self, ctx: Context, seller_tax_id: str, number: str, claim_ref: str
    ) -> dict[str, Any]:
        """Lock an invoice for reimbursement (buyer's finance department)."""
        caller = authorize(ctx, POLICY, "lock_reimbursement")
        ledger = TxLedger(ctx)
        record = _reimbursement.lock(ledger, caller, seller_tax_id, number, claim_ref)
        _invoice_event(ledger, "ReimbursementLocked", record)
        return record

    @transaction
    def complete_reimbursement(
        self, ctx: Context, seller_tax_id: str, number: str
    ) -> dict[str, Any]:
        """Mark a locked invoice reimbursed (the locking company)."""
        caller = authorize(ctx, POLICY, "complete_reimbursement")
        ledger = TxLedger(ctx)
        record = _reimbursement.finish(ledger, caller, seller_tax_id, number, None)
        _invoice_event(ledger, "InvoiceReimbursed", record)
        return record

    @transaction
    def release_reimbursement(
        self, ctx: Context, seller_tax_id: str, number: str, reason: str
    ) -> dict[str, Any]:
        """Release a reimbursement lock with a reason (the locking company)."""
        caller = authorize(ctx, POLICY, "release_reimbursement")
        ledger = TxLedger(ctx)
        record = _reimbursement.finish(ledger, caller, seller_tax_id, number, reason)
        _invoice_event(ledger, "ReimbursementReleased", record)
        return record

    @transaction
    def mark_deducted(self, ctx: Context, seller_tax_id: str, number: str) -> dict[str, Any]:
        """Mark an invoice's input VAT deducted (the enterprise buyer), once."""
        caller = authorize(ctx, POLICY, "mark_deducted")
        ledger = TxLedger(ctx)
        record = _reimbursement.deduct(ledger, caller, seller_tax_id, number)
        _invoice_event(ledger, "InvoiceDeducted", record)
        return record


def _reversal_event(ledger: TxLedger, name: str, record: dict[str, Any]) -> None:
    _event(
        ledger,
        name,
        record,
        "net_fen",
        "number",
        "request_id",
        "seller_tax_id",
        "status",
        "tax_fen",
    )
