import pytest

from fabric_pilot_chaincode import ContractError
from fabric_pilot_chaincode._keys import (
    create_composite_key,
    partial_composite_range,
    split_composite_key,
    validate_simple_key,
    validate_write_key,
)


def test_composite_key_uses_fabric_format() -> None:
    assert create_composite_key("invoice", ["org1", "42"]) == "\x00invoice\x00org1\x0042\x00"
    assert create_composite_key("t", []) == "\x00t\x00"


def test_split_inverts_create() -> None:
    key = create_composite_key("asset", ["a", "", "ü"])
    assert split_composite_key(key) == ("asset", ["a", "", "ü"])


def test_split_of_plain_key_is_empty() -> None:
    assert split_composite_key("plain") == ("", [])


@pytest.mark.parametrize("bad", ["a\x00b", "x\U0010ffff", "\ud800"])
def test_composite_key_rejects_bad_attributes(bad: str) -> None:
    with pytest.raises(ContractError) as info:
        create_composite_key("t", [bad])
    assert info.value.code == "BAD_KEY"
    with pytest.raises(ContractError):
        create_composite_key(bad, [])


def test_partial_range_ends_with_max_rune() -> None:
    start, end = partial_composite_range("t", ["a"])
    assert start == "\x00t\x00a\x00"
    assert end == start + "\U0010ffff"


def test_simple_key_validation() -> None:
    validate_simple_key("a", "")
    with pytest.raises(ContractError):
        validate_simple_key("a", "\x00t\x00")
    with pytest.raises(ContractError):
        validate_write_key("")
    validate_write_key("k")
