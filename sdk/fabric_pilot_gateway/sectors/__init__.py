"""Typed clients of the fabric-pilot sector chaincodes.

Each client wraps a :class:`~fabric_pilot_gateway.Contract` and offers one method per
contract transaction, with keyword arguments::

    contract = gateway.get_network("tax").get_contract("tax_invoice")
    invoices = TaxInvoices(contract)
    record = invoices.issue_invoice(invoice={...})
    try:
        invoices.lock_reimbursement(seller_tax_id=..., number=..., claim_ref="C-1")
    except ChaincodeRejectedError as error:
        print(error.rejection_code)   # e.g. "ALREADY_LOCKED"

Object arguments are sent as canonical JSON (sorted keys, compact, no floats), results are
decoded from JSON. Writes are submitted and wait for commit; reads are evaluated.

Every method is safe to call from many threads at once. To keep many transactions in flight,
hand the calls to :func:`fabric_pilot_gateway.bulk.pipelined` with a lane per hot key (calls
in one lane run in order, lanes run in parallel)::

    from functools import partial
    from fabric_pilot_gateway.bulk import Job, pipelined

    jobs = [Job(batch[0]["seller_tax_id"], partial(invoices.issue_invoices, invoices=batch))
            for batch in batches]
    for outcome in pipelined(jobs, in_flight=16):
        print(outcome.error or outcome.value["created"])
"""

from ._client import Record, SectorClient
from ._codec import canonical_json, decode_result, encode_arg, encode_args
from ._court import CourtEvidence, export_evidence_receipt
from ._energy import EnergyMetering
from ._errors import ChaincodeRejectedError, RecordNotFoundError, rejection_from
from ._limits import (
    MAX_PAGE_SIZE,
    MAX_PERSONAL_BYTES,
    check_page_size,
    check_personal_size,
    check_rfc3339,
)
from ._readings import SIGNED_READING_FIELDS, reading_message, sign_reading
from ._tax import TaxInvoices

__all__ = [
    "ChaincodeRejectedError",
    "CourtEvidence",
    "EnergyMetering",
    "MAX_PAGE_SIZE",
    "MAX_PERSONAL_BYTES",
    "Record",
    "RecordNotFoundError",
    "SIGNED_READING_FIELDS",
    "SectorClient",
    "TaxInvoices",
    "canonical_json",
    "check_page_size",
    "check_personal_size",
    "check_rfc3339",
    "decode_result",
    "encode_arg",
    "encode_args",
    "export_evidence_receipt",
    "reading_message",
    "rejection_from",
    "sign_reading",
]
