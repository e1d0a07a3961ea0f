"""Property-based tests of the tax contract: totals to the fen and reversal limits."""

from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tax_scenario import SELLER_ID, Actors, invoice, line, new_driver, number

from fabric_pilot_contracts._common import round_half_up_div

RATES = st.sampled_from([0, 100, 150, 300, 500, 600, 900, 1300])
LINES = st.lists(
    st.tuples(st.integers(1, 10**7), st.integers(0, 10**7), RATES), min_size=1, max_size=5
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**6))
def test_round_half_up_matches_decimal(numerator: int, denominator: int) -> None:
    from contract_helpers import round_half_up

    assert round_half_up_div(numerator, denominator) == round_half_up(numerator, denominator)


@SETTINGS
@given(LINES, st.sampled_from(["net", "tax", "total"]), st.sampled_from([-1, 1]))
def test_exact_totals_accepted_and_one_fen_off_rejected(
    items: list[tuple[int, int, int]], target: str, delta: int
) -> None:
    lines = [line(quantity, price, rate) for quantity, price, rate in items]
    good = invoice(number(1), lines)
    if good["total_gross_fen"] == 0:
        return
    tax = new_driver(seller_quota=10**15)
    bad = invoice(number(2), [dict(item) for item in lines])
    if target == "total":
        bad["total_gross_fen"] += delta
    else:
        bad["lines"][0][f"{target}_fen"] += delta
    assert tax.fails(Actors.a_seller, "issue_invoice", bad) in {"TOTALS_MISMATCH", "BAD_ARGUMENT"}
    record = tax.ok(Actors.a_seller, "issue_invoice", good)
    assert record["total_gross_fen"] == record["total_net_fen"] + record["total_tax_fen"]


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 60_000), st.integers(0, 8_000)), min_size=1, max_size=6))
def test_reversals_never_exceed_the_invoice(amounts: list[tuple[int, int]]) -> None:
    tax = new_driver()
    tax.ok(Actors.a_seller, "issue_invoice", invoice(number(1), [line(10_000, 10_000)]))
    remaining = [100_000, 13_000]
    for index, (net, vat) in enumerate(amounts):
        request = {"net_fen": net, "reason": "discount", "request_id": f"R{index}", "tax_fen": vat}
        fits = (net, vat) != (0, 0) and net <= remaining[0] and vat <= remaining[1]
        if not fits:
            code = tax.fails(Actors.a_seller, "request_reversal", SELLER_ID, number(1), request)
            assert code in {"REVERSAL_EXCEEDS_REMAINING", "BAD_ARGUMENT", "ILLEGAL_TRANSITION"}
            continue
        tax.ok(Actors.a_seller, "request_reversal", SELLER_ID, number(1), request)
        tax.ok(Actors.b_finance, "confirm_reversal", SELLER_ID, number(1), f"R{index}")
        red = {
            "file_hash": hashlib.sha256(bytes([index])).hexdigest(),
            "number": number(100 + index),
        }
        tax.ok(Actors.a_seller, "issue_red_invoice", SELLER_ID, number(1), f"R{index}", red)
        remaining = [remaining[0] - net, remaining[1] - vat]
    record = tax.read(Actors.officer, "get_invoice", SELLER_ID, number(1))
    assert [record["remaining_net_fen"], record["remaining_tax_fen"]] == remaining
    assert record["remaining_net_fen"] >= 0
    assert record["remaining_tax_fen"] >= 0
    expected = (
        "reversed"
        if remaining == [0, 0]
        else ("issued" if remaining == [100_000, 13_000] else "partially_reversed")
    )
    assert record["status"] == expected
