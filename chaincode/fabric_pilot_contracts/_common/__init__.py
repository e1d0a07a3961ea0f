"""Shared helpers for the sector contracts: access policy, ledger records, validation."""

from fabric_pilot_contracts._common._access import Caller, Rule, authorize, caller_of
from fabric_pilot_contracts._common._errors import (
    bad_argument,
    forbidden,
    illegal_transition,
    not_found,
    row_error,
)
from fabric_pilot_contracts._common._ledger import (
    MAX_PAGE_SIZE,
    TxLedger,
    history_of,
    page_of,
)
from fabric_pilot_contracts._common._values import (
    Fields,
    check_page_size,
    month_of,
    round_half_up_div,
    sha256_hex,
)

__all__ = [
    "MAX_PAGE_SIZE",
    "Caller",
    "Fields",
    "Rule",
    "TxLedger",
    "authorize",
    "bad_argument",
    "caller_of",
    "check_page_size",
    "forbidden",
    "history_of",
    "illegal_transition",
    "month_of",
    "not_found",
    "page_of",
    "round_half_up_div",
    "row_error",
    "sha256_hex",
]
