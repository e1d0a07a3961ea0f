"""Property-based tests of key encoding, canonical JSON and ledger ordering."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fabric_pilot_chaincode import (
    Context,
    Contract,
    ContractChaincode,
    canonical_json,
    canonical_loads,
    evaluate,
    transaction,
)
from fabric_pilot_chaincode._keys import create_composite_key, split_composite_key
from fabric_pilot_chaincode.memory import MemoryLedger
from fabric_pilot_chaincode.testing import make_test_identity

CREATOR = make_test_identity("Org1MSP", "prop")
_safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\U0010ffff"),
    max_size=8,
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=10,
)


@given(_safe_text, st.lists(_safe_text, max_size=4))
def test_composite_keys_round_trip(object_type: str, attributes: list[str]) -> None:
    key = create_composite_key(object_type, attributes)
    assert split_composite_key(key) == (object_type, attributes)


@given(_json)
def test_canonical_json_round_trips_and_is_stable(value: Any) -> None:
    encoded = canonical_json(value)
    assert canonical_loads(encoded) == value
    assert canonical_json(canonical_loads(encoded)) == encoded


class Pages(Contract):
    name = "Pages"

    @transaction
    def put_all(self, ctx: Context, keys: list[str]) -> None:
        for key in keys:
            ctx.stub.put_state(key, b"v")

    @evaluate
    def walk(self, ctx: Context, size: int) -> list[str]:
        seen: list[str] = []
        bookmark = ""
        while True:
            page, meta = ctx.stub.get_state_by_range_with_pagination("", "", size, bookmark)
            seen.extend(kv.key for kv in page)
            bookmark = meta.bookmark
            if not bookmark:
                return seen


@settings(max_examples=40, deadline=None)
@given(st.sets(_safe_text.filter(bool), max_size=12), st.integers(min_value=1, max_value=5))
def test_pagination_visits_keys_in_utf8_byte_order(keys: set[str], size: int) -> None:
    ledger = MemoryLedger()
    ledger.deploy("pages", ContractChaincode(Pages()))
    assert ledger.invoke("pages", "put_all", canonical_json(sorted(keys)), creator=CREATOR).ok
    walked = canonical_loads(ledger.evaluate("pages", "walk", str(size), creator=CREATOR).payload)
    expected = sorted((k for k in keys if k >= "\x01"), key=lambda k: k.encode("utf-8"))
    assert walked == expected
