"""Invoice line and total arithmetic, all in integers.

Units: ``quantity_milli`` is the quantity in thousandths of the line's unit, ``unit_price_fen``
the price of one whole unit in fen, ``rate_bp`` the VAT rate in basis points (1300 = 13 %).
Per line ``net_fen = round_half_up(quantity_milli * unit_price_fen / 1000)`` and
``tax_fen = round_half_up(net_fen * rate_bp / 10000)``; the invoice totals are the sums of the
lines and ``total_gross_fen = total_net_fen + total_tax_fen``. Every figure must match exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fabric_pilot_chaincode import ContractError
from fabric_pilot_contracts._common import Fields, round_half_up_div

VAT_RATES_BP = frozenset({0, 100, 150, 300, 500, 600, 900, 1300})
MAX_LINES = 200
MAX_AMOUNT = 10**15
TAX_CODE = re.compile(r"[0-9]{19}")
LINE_FIELDS = (
    "name",
    "net_fen",
    "quantity_milli",
    "rate_bp",
    "tax_code",
    "tax_fen",
    "unit_price_fen",
)
LINE_OPTIONAL = ("specification", "unit")


@dataclass(frozen=True)
class Totals:
    """Checked invoice totals in fen."""

    net_fen: int
    tax_fen: int

    @property
    def gross_fen(self) -> int:
        """Net plus tax."""
        return self.net_fen + self.tax_fen


def _mismatch(what: str, field: str, expected: int, given: int) -> ContractError:
    return ContractError(
        "TOTALS_MISMATCH",
        f"{what}.{field} is {given}, expected {expected}",
        field=field,
        expected=expected,
        given=given,
    )


def check_line(line: Any, index: int) -> Totals:
    """Validate one line item and return its net and tax.

    Raises:
        ContractError: ``BAD_ARGUMENT`` for malformed fields, ``TOTALS_MISMATCH`` for wrong
            arithmetic.
    """
    what = f"invoice.lines[{index}]"
    fields = Fields(line, what, LINE_FIELDS, LINE_OPTIONAL)
    fields.text("name", max_len=200)
    fields.text("tax_code", pattern=TAX_CODE)
    quantity = fields.integer("quantity_milli", 1, MAX_AMOUNT)
    price = fields.integer("unit_price_fen", 0, MAX_AMOUNT)
    net = fields.integer("net_fen", 0, MAX_AMOUNT)
    rate = fields.integer("rate_bp", 0, 10_000)
    tax = fields.integer("tax_fen", 0, MAX_AMOUNT)
    if fields.has("unit"):
        fields.text("unit", max_len=20)
    if fields.has("specification"):
        fields.text("specification", max_len=100)
    if rate not in VAT_RATES_BP:
        raise ContractError("BAD_ARGUMENT", f"{what}.rate_bp {rate} is not a VAT rate")
    expected_net = round_half_up_div(quantity * price, 1000)
    if net != expected_net:
        raise _mismatch(what, "net_fen", expected_net, net)
    expected_tax = round_half_up_div(net * rate, 10_000)
    if tax != expected_tax:
        raise _mismatch(what, "tax_fen", expected_tax, tax)
    return Totals(net, tax)


def check_totals(fields: Fields) -> Totals:
    """Validate all line items and the invoice totals against them.

    Raises:
        ContractError: ``TOTALS_MISMATCH`` when any figure differs by even one fen.
    """
    lines = fields.items("lines", MAX_LINES)
    sums = [check_line(line, index) for index, line in enumerate(lines)]
    totals = Totals(sum(t.net_fen for t in sums), sum(t.tax_fen for t in sums))
    given = {
        "total_gross_fen": fields.integer("total_gross_fen", 0, MAX_AMOUNT),
        "total_net_fen": fields.integer("total_net_fen", 0, MAX_AMOUNT),
        "total_tax_fen": fields.integer("total_tax_fen", 0, MAX_AMOUNT),
    }
    expected = {
        "total_gross_fen": totals.gross_fen,
        "total_net_fen": totals.net_fen,
        "total_tax_fen": totals.tax_fen,
    }
    for name in sorted(expected):
        if given[name] != expected[name]:
            raise _mismatch("invoice", name, expected[name], given[name])
    if totals.gross_fen <= 0:
        raise ContractError("BAD_ARGUMENT", "an invoice must have a positive gross amount")
    return totals
