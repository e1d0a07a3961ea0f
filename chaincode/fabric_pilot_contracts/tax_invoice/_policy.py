"""Access table of the tax e-invoice contract (MSP, NodeOU, ``pilot.role``).

Record-level checks come on top: an enterprise acts only on invoices where its taxpayer is
the seller or buyer (see :mod:`._parties`).
"""

from __future__ import annotations

from fabric_pilot_contracts._common import Rule

TAX_BUREAU = "TaxBureauMSP"
ENTERPRISES = ("EnterpriseAMSP", "EnterpriseBMSP")
PERSONAL_DATA_COLLECTION = "invoicePersonalData"

_BUREAU_OFFICER = Rule.of([TAX_BUREAU], ["tax_officer"])
_BUREAU_READER = Rule.of([TAX_BUREAU], ["tax_officer", "auditor"])
_SELLER = Rule.of(ENTERPRISES, ["seller", "finance"])
_FINANCE = Rule.of(ENTERPRISES, ["finance"])
_PARTY_READER = Rule.of([TAX_BUREAU, *ENTERPRISES], ["tax_officer", "auditor", "seller", "finance"])

POLICY: dict[str, Rule] = {
    "register_taxpayer": _BUREAU_OFFICER,
    "suspend_taxpayer": _BUREAU_OFFICER,
    "reinstate_taxpayer": _BUREAU_OFFICER,
    "set_quota": _BUREAU_OFFICER,
    "issue_invoice": _SELLER,
    "request_reversal": _SELLER,
    "confirm_reversal": _SELLER,
    "reject_reversal": _SELLER,
    "issue_red_invoice": _SELLER,
    "lock_reimbursement": _FINANCE,
    "complete_reimbursement": _FINANCE,
    "release_reimbursement": _FINANCE,
    "mark_deducted": _FINANCE,
    "get_taxpayer": Rule.of(["*"]),
    "verify_invoice": Rule.of(["*"]),
    "get_invoice": _PARTY_READER,
    "list_invoices": _PARTY_READER,
    "list_invoices_by_period": _BUREAU_READER,
    "get_statistics": _PARTY_READER,
    "get_buyer_personal_data": _PARTY_READER,
}
