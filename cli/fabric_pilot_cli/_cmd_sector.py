"""Sector commands: ``invoice`` (tax_invoice), ``meter`` and ``cert`` (energy_metering),
``evidence`` (court_evidence). Most are one :class:`Tx` line each; see :mod:`._sector`."""

from __future__ import annotations

import click

from . import _cmd_bulk, _cmd_evidence, _cmd_invoice_verify, _cmd_meter_read
from ._sector import FILE_TEXT, INT, JSON, Arg, Tx, add_tx, group_path, selector_list

__all__ = ["ENERGY", "TAX", "register"]

TAX = "tax_invoice"
ENERGY = "energy_metering"

INVOICE_COLUMNS = (
    "number", "seller_tax_id", "buyer_tax_id", "kind", "status", "total_gross_fen", "issued_at",
)  # fmt: skip
_SELLER = Arg("seller_tax_id")
_NUMBER = Arg("number")
_INVOICE = (_SELLER, _NUMBER)
_EX_INV = "91350100M000100Y43 24312000000000000001"

INVOICE_TXS = (
    Tx(("invoice", "issue"), "issue_invoice", (Arg("invoice", JSON),), True,
       "Issue an invoice from a JSON document.", "invoice.json", transient="buyer_personal"),
    Tx(("invoice", "get"), "get_invoice", _INVOICE, False, "Show an invoice.", _EX_INV),
    Tx(("invoice", "history"), "invoice_history", _INVOICE, False,
       "Show every version of an invoice.", _EX_INV),
    Tx(("invoice", "private"), "get_buyer_personal_data", _INVOICE, False,
       "Show a person buyer's private data.", _EX_INV),
    Tx(("invoice", "stats"), "get_statistics", (Arg("tax_id"), Arg("period")), False,
       "Show a seller's monthly totals.", "91350100M000100Y43 202611"),
    Tx(("invoice", "deduct"), "mark_deducted", _INVOICE, True,
       "Mark an invoice's input VAT deducted.", _EX_INV),
    Tx(("invoice", "red-letter", "request"), "request_reversal", (*_INVOICE, Arg("request", JSON)),
       True, "Request a red-letter reversal.", f"{_EX_INV} request.json"),
    Tx(("invoice", "red-letter", "confirm"), "confirm_reversal", (*_INVOICE, Arg("request_id")),
       True, "Confirm a reversal request.", f"{_EX_INV} R1"),
    Tx(("invoice", "red-letter", "reject"), "reject_reversal",
       (*_INVOICE, Arg("request_id"), Arg("reason")), True, "Reject a reversal request.",
       f"{_EX_INV} R1 'goods were delivered'"),
    Tx(("invoice", "red-letter", "issue"), "issue_red_invoice",
       (*_INVOICE, Arg("request_id"), Arg("red", JSON)), True,
       "Issue the red invoice of a confirmed reversal.", f"{_EX_INV} R1 red.json"),
    Tx(("invoice", "red-letter", "show"), "get_reversal", (*_INVOICE, Arg("request_id")), False,
       "Show a reversal request.", f"{_EX_INV} R1"),
    Tx(("invoice", "red-letter", "list"), "list_reversals", _INVOICE, False,
       "List an invoice's reversal requests.", _EX_INV, paged=True,
       columns=("request_id", "reason", "status", "net_fen", "tax_fen")),
    Tx(("invoice", "reimburse", "lock"), "lock_reimbursement", (*_INVOICE, Arg("claim_ref")),
       True, "Lock an invoice for reimbursement.", f"{_EX_INV} CLAIM-7"),
    Tx(("invoice", "reimburse", "complete"), "complete_reimbursement", _INVOICE, True,
       "Mark a locked invoice reimbursed.", _EX_INV),
    Tx(("invoice", "reimburse", "release"), "release_reimbursement", (*_INVOICE, Arg("reason")),
       True, "Release a reimbursement lock.", f"{_EX_INV} 'claim withdrawn'"),
    Tx(("invoice", "taxpayer", "register"), "register_taxpayer", (Arg("taxpayer", JSON),), True,
       "Register a taxpayer (tax bureau).", "taxpayer.json"),
    Tx(("invoice", "taxpayer", "get"), "get_taxpayer", (Arg("tax_id"),), False,
       "Show a taxpayer.", "91350100M000100Y43"),
    Tx(("invoice", "taxpayer", "history"), "taxpayer_history", (Arg("tax_id"),), False,
       "Show every version of a taxpayer.", "91350100M000100Y43"),
    Tx(("invoice", "taxpayer", "suspend"), "suspend_taxpayer", (Arg("tax_id"), Arg("reason")),
       True, "Suspend a taxpayer.", "91350100M000100Y43 audit"),
    Tx(("invoice", "taxpayer", "reinstate"), "reinstate_taxpayer",
       (Arg("tax_id"), Arg("reason")), True, "Reinstate a taxpayer.", "91350100M000100Y43 ok"),
    Tx(("invoice", "taxpayer", "set-quota"), "set_quota", (Arg("tax_id"), Arg("quota_fen", INT)),
       True, "Set a taxpayer's monthly quota (fen).", "91350100M000100Y43 100000000"),
)  # fmt: skip

_METER = (Arg("meter_id"),)
METER_TXS = (
    Tx(("meter", "register"), "register_meter", (Arg("meter", JSON),), True,
       "Register a meter from a JSON document.", "meter.json", transient="customer"),
    Tx(("meter", "get"), "get_meter", _METER, False, "Show a meter.", "M-0001"),
    Tx(("meter", "history"), "meter_history", _METER, False, "Show every version of a meter.",
       "M-0001"),
    Tx(("meter", "reading"), "get_reading", (*_METER, Arg("interval_start", INT)), False,
       "Show one reading.", "M-0001 1767225600"),
    Tx(("meter", "readings"), "list_readings", _METER, False, "List a meter's readings.",
       "M-0001 --page-size 20", paged=True,
       columns=("meter_id", "interval_start", "interval_end", "import_wh", "export_wh", "counter")),
    Tx(("meter", "correct"), "correct_reading",
       (*_METER, Arg("interval_start", INT), Arg("correction", JSON)), True,
       "Correct a reading.", "M-0001 1767225600 correction.json"),
    Tx(("meter", "recalibrate"), "recalibrate_meter",
       (*_METER, Arg("calibration_expiry", INT), Arg("calibration_ref")), True,
       "Record a recalibration.", "M-0001 1830297600 CAL-42"),
    Tx(("meter", "decommission"), "decommission_meter", (*_METER, Arg("reason")), True,
       "Decommission a meter.", "M-0001 'replaced'"),
    Tx(("meter", "settle"), "settle_period",
       (Arg("owner_msp"), Arg("period"), Arg("tariff", JSON)), True,
       "Settle a party's month.", "Org1MSP 202610 tariff.json"),
    Tx(("meter", "rotate-key"), "rotate_meter_key", (*_METER, Arg("public_key_pem", FILE_TEXT)),
       True, "Rotate a meter's device key (PEM file).", "M-0001 device-2.pem"),
    Tx(("meter", "replace-device"), "replace_meter_device",
       (*_METER, Arg("replacement", JSON)), True, "Record a device replacement.",
       "M-0001 replacement.json"),
    Tx(("meter", "read-batch"), "record_readings", (Arg("readings", JSON),), True,
       "Record a list of signed readings atomically.", "readings.json"),
    Tx(("meter", "customer"), "get_meter_customer", _METER, False,
       "Show a meter's private customer data.", "M-0001"),
    Tx(("meter", "reading-history"), "reading_history", (*_METER, Arg("interval_start", INT)),
       False, "Show every version of a reading.", "M-0001 1767225600"),
    Tx(("meter", "corrections"), "list_corrections", (*_METER, Arg("interval_start", INT)),
       False, "List the corrections of a reading.", "M-0001 1767225600", paged=True),
    Tx(("meter", "usage"), "list_usage", (Arg("period"), Arg("owner_msp")), False,
       "List a party's monthly usage.", "202610 Org1MSP", paged=True),
    Tx(("meter", "settlement"), "get_settlement", (Arg("owner_msp"), Arg("period")), False,
       "Show a party's settlement of a month.", "Org1MSP 202610"),
    Tx(("cert", "issue"), "issue_certificates", (Arg("request", JSON),), True,
       "Issue green certificates for a meter's period.",
       '\'{"meter_id":"M-0001","period_start":1767225600,"period_end":1769904000}\''),
    Tx(("cert", "transfer"), "transfer_certificate", (Arg("certificate_id"), Arg("to_msp")),
       True, "Transfer a certificate lot.", "GC-M-0001-1 Org2MSP"),
    Tx(("cert", "split"), "split_certificate", (Arg("certificate_id"), Arg("quantities", JSON)),
       True, "Split a certificate lot.", "GC-M-0001-1 '[2,3]'"),
    Tx(("cert", "retire"), "retire_certificate", (Arg("certificate_id"), Arg("claim", JSON)),
       True, "Retire a certificate lot.",
       'GC-M-0001-1 \'{"beneficiary":"ACME","purpose":"scope2"}\''),
    Tx(("cert", "cancel"), "cancel_certificate", (Arg("certificate_id"), Arg("reason")), True,
       "Cancel a certificate lot.", "GC-M-0001-1 'meter fault'"),
    Tx(("cert", "get"), "get_certificate", (Arg("certificate_id"),), False,
       "Show a certificate lot.", "GC-M-0001-1"),
    Tx(("cert", "history"), "certificate_history", (Arg("certificate_id"),), False,
       "Show every version of a certificate lot.", "GC-M-0001-1"),
)  # fmt: skip


_SUBGROUPS = (
    ("red-letter", "Red-letter reversals."),
    ("reimburse", "Reimbursement locks."),
    ("taxpayer", "Taxpayers (tax bureau)."),
)


def _group(name: str, summary: str, example: str) -> click.Group:
    return click.Group(name, help=f"{summary}\n\n\b\nExample:\n  {example}", short_help=summary)


def register(cli: click.Group) -> None:
    """Add ``invoice``, ``meter``, ``cert`` and ``evidence`` to ``cli``."""
    cli.add_command(
        _group(
            "invoice",
            "Tax e-invoices (chaincode tax_invoice).",
            "fabric-pilot invoice get 91350100M000100Y43 24312000000000000001",
        )
    )
    cli.add_command(
        _group(
            "meter",
            "Energy meters and readings (chaincode energy_metering).",
            "fabric-pilot meter readings M-0001",
        )
    )
    cli.add_command(_group("cert", "Green certificates (chaincode energy_metering).",
                           "fabric-pilot cert list --owner Org1MSP"))  # fmt: skip
    for tx in INVOICE_TXS:
        add_tx(cli, TAX, tx)
    for tx in METER_TXS:
        add_tx(cli, ENERGY, tx)
    for name, summary in _SUBGROUPS:
        example = f"fabric-pilot invoice {name} --help"
        group_path(cli, ("invoice", name)).help = f"{summary}\n\n\b\nExample:\n  {example}"
    selector_list(
        cli,
        path=("invoice", "list"),
        chaincode=TAX,
        selectors={
            "seller": ("list_invoices_by_seller", "seller_tax_id"),
            "buyer": ("list_invoices_by_buyer", "buyer_tax_id"),
            "period": ("list_invoices_by_period", "period"),
            "status": ("list_invoices_by_status", "status"),
        },
        summary="List invoices by seller, buyer, period (YYYYMM) or status.",
        example="--seller 91350100M000100Y43 --page-size 20",
        columns=INVOICE_COLUMNS,
    )
    selector_list(
        cli,
        path=("cert", "list"),
        chaincode=ENERGY,
        selectors={
            "owner": ("list_certificates_by_owner", "owner_msp"),
            "meter": ("list_certificates_by_meter", "meter_id"),
        },
        summary="List certificate lots by owner MSP or by meter.",
        example="--owner Org1MSP",
        columns=("certificate_id", "meter_id", "owner_msp", "quantity_mwh", "status"),
    )
    _cmd_invoice_verify.register(cli, TAX)
    _cmd_bulk.register(cli)
    _cmd_evidence.register(cli)
    _cmd_meter_read.register(cli, ENERGY)
