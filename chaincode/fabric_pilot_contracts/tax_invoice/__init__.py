"""Tax e-invoice (fapiao) chaincode: ``tax_invoice`` on channel ``tax``.

Contract ``TaxInvoiceContract``. Every value is canonical JSON; money is integer fen. Every
write checks MSP, NodeOU (``client``/``admin``) and, with Fabric CA certificates, the
attribute ``pilot.role``. Errors are ``ContractError`` with a stable code; the peer message is
``"CODE: text"``.

Units and arithmetic: ``quantity_milli`` (thousandths of the unit), ``unit_price_fen`` (fen per
whole unit), ``rate_bp`` (VAT basis points: 0, 100, 150, 300, 500, 600, 900, 1300). Per line
``net_fen = round_half_up(quantity_milli * unit_price_fen / 1000)``, ``tax_fen =
round_half_up(net_fen * rate_bp / 10000)``; totals are sums and ``gross = net + tax``.
Invoice numbers are 20 digits (fully digital number, or 12-digit code + 8-digit number).
Tax IDs are unified social credit codes (GB 32100-2015 check character, else ``BAD_TAX_ID``).

Transactions (S = submit, E = evaluate; ``Invoice``/``Taxpayer``/``Reversal`` are the stored
records, ``Page`` is ``{"records": [...], "bookmark": str, "fetched": int}``, ``History`` is
``[{"tx_id", "timestamp", "is_delete", "value"}]``):

Submit transactions (caller; arguments → return; event):

- ``register_taxpayer`` (bureau): taxpayer: {tax_id, name, msp_id, quota_fen,
  invoice_types[]} → Taxpayer; ``TaxpayerRegistered``.
- ``suspend_taxpayer`` / ``reinstate_taxpayer`` (bureau): tax_id: str, reason: str →
  Taxpayer; ``TaxpayerSuspended`` / ``TaxpayerReinstated``.
- ``set_quota`` (bureau): tax_id: str, quota_fen: int → Taxpayer; ``QuotaChanged``.
- ``issue_invoice`` (seller's org): invoice: {number, type, seller_tax_id, buyer, lines[],
  total_net_fen, total_tax_fen, total_gross_fen, payment_ref, file_hash, remark?}, transient
  ``buyer_personal`` → Invoice; ``InvoiceIssued``. Line: {name, tax_code (19 digits),
  quantity_milli, unit_price_fen, net_fen, rate_bp, tax_fen, unit?, specification?}.
- ``request_reversal`` (seller or buyer): seller_tax_id, number, request: {request_id, reason
  (return|discount|error|cancellation), net_fen, tax_fen, note?} → Reversal;
  ``ReversalRequested``.
- ``confirm_reversal`` (counterparty): seller_tax_id, number, request_id → Reversal;
  ``ReversalConfirmed``.
- ``reject_reversal`` (counterparty): seller_tax_id, number, request_id, reason → Reversal;
  ``ReversalRejected``.
- ``issue_red_invoice`` (seller): seller_tax_id, number, request_id, red: {number, file_hash}
  → red Invoice; ``RedInvoiceIssued``.
- ``lock_reimbursement`` (buyer finance): seller_tax_id, number, claim_ref → Invoice;
  ``ReimbursementLocked``.
- ``complete_reimbursement`` (locking company): seller_tax_id, number → Invoice;
  ``InvoiceReimbursed``.
- ``release_reimbursement`` (locking company): seller_tax_id, number, reason → Invoice;
  ``ReimbursementReleased``.
- ``mark_deducted`` (buyer finance): seller_tax_id, number → Invoice; ``InvoiceDeducted``.

Evaluate transactions: ``get_taxpayer(tax_id)``, ``taxpayer_history(tax_id)``,
``get_invoice(seller_tax_id, number)``, ``invoice_history(seller_tax_id, number)``,
``verify_invoice(seller_tax_id, number, total_gross_fen: int, issue_date "YYYY-MM-DD")``,
``verify_invoice_file(file_hash)``, ``get_buyer_personal_data(seller_tax_id, number)``,
``list_invoices_by_seller(seller_tax_id, page_size: int, bookmark)``,
``list_invoices_by_buyer(buyer_tax_id, page_size, bookmark)``,
``list_invoices_by_period(period "YYYYMM", page_size, bookmark)`` (bureau),
``list_invoices_by_status(status, page_size, bookmark)`` (bureau),
``get_statistics(tax_id, period)``, ``get_reversal(seller_tax_id, number, request_id)``,
``list_reversals(seller_tax_id, number, page_size, bookmark)``,
``reversal_history(seller_tax_id, number, request_id)``.

Verification: ``{"authentic": true, status, kind, tx_id, issued_at, reimbursement_status,
deduction_status, number, seller_tax_id, total_gross_fen}`` or ``{"authentic": false,
"reason": "not_found" | "key_fields_mismatch"}``. Statistics: ``{tax_id, period, issued_count,
issued_net_fen, issued_tax_fen, issued_gross_fen, red_count, red_net_fen, red_tax_fen,
red_gross_fen}`` (red sums are negative). The buyer is ``{"tax_id"}`` (a registered taxpayer)
or ``{"person_hash"}`` = SHA-256 hex of ``salt + id_number``; the person's data goes in the
transient field ``buyer_personal`` = ``{"name", "id_number", "salt"}`` into collection
``invoicePersonalData``.

State machines: invoice ``status`` issued → partially_reversed → reversed (by red invoices);
``reimbursement.status`` none → locked → reimbursed, locked → none (release);
``deduction.status`` none → deducted; reversal requested → confirmed | rejected,
confirmed → red_issued (a seller's request on a person's invoice starts confirmed). Reversals
are refused while locked/reimbursed; open requests reserve their amounts.

Errors: BAD_ARGUMENT, BAD_TAX_ID, NOT_FOUND, FORBIDDEN, DUPLICATE_TAXPAYER, DUPLICATE_INVOICE,
DUPLICATE_FILE_HASH, DUPLICATE_REVERSAL, TAXPAYER_SUSPENDED, INVOICE_TYPE_NOT_ALLOWED,
TOTALS_MISMATCH, QUOTA_EXCEEDED, REVERSAL_EXCEEDS_REMAINING, ILLEGAL_TRANSITION,
ALREADY_LOCKED, ALREADY_REIMBURSED, ALREADY_DEDUCTED, NOT_DEDUCTIBLE.

Concurrency: the seller's monthly statistics key is written by each issue (the quota check),
so one seller's issues within one block serialize; two reimbursement claims on one invoice
write the same invoice key, so exactly one commits.
"""

from fabric_pilot_chaincode import ContractChaincode
from fabric_pilot_contracts.tax_invoice._contract import TaxInvoiceContract

CHAINCODE = ContractChaincode(TaxInvoiceContract())

__all__ = ["CHAINCODE", "TaxInvoiceContract"]
