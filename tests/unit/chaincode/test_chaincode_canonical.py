import pytest

from fabric_pilot_chaincode import canonical_json, canonical_loads


def test_canonical_json_sorts_keys_and_has_no_spaces() -> None:
    assert canonical_json({"b": 1, "a": [True, None, "x"]}) == b'{"a":[true,null,"x"],"b":1}'


def test_canonical_json_keeps_non_ascii_as_utf8() -> None:
    assert canonical_json({"name": "세금계산서"}) == '{"name":"세금계산서"}'.encode()


@pytest.mark.parametrize("value", [1.5, {"a": [0.0]}, [{"x": {"y": 2.25}}]])
def test_canonical_json_rejects_floats_anywhere(value: object) -> None:
    with pytest.raises(TypeError, match="float"):
        canonical_json(value)


@pytest.mark.parametrize("value", [{1, 2}, {"a": object()}, {1: "int key"}])
def test_canonical_json_rejects_non_json_types(value: object) -> None:
    with pytest.raises(TypeError):
        canonical_json(value)


def test_canonical_loads_round_trips() -> None:
    value = {"z": [1, -2, {"k": "v"}], "a": False}
    assert canonical_loads(canonical_json(value)) == value


@pytest.mark.parametrize("data", [b'{"a": 1.0}', b"[1e3]", b"NaN", b"[Infinity]", b"{"])
def test_canonical_loads_rejects_floats_and_garbage(data: bytes) -> None:
    with pytest.raises(ValueError):
        canonical_loads(data)


class _Record(dict[str, object]):
    pass


class _Count(int):
    pass


def test_canonical_json_walks_subclasses_of_json_types_like_the_types() -> None:
    assert canonical_json(_Record(b=_Count(2), a=[True, None])) == b'{"a":[true,null],"b":2}'
    with pytest.raises(TypeError, match="floats"):
        canonical_json({"outer": _Record(inner=(1, 2.5))})
    with pytest.raises(TypeError, match="keys must be str"):
        canonical_json(_Record({1: "x"}))
