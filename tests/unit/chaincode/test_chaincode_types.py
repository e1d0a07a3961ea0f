import pytest

from fabric_pilot_chaincode import ChaincodeResponse, TxTimestamp


@pytest.mark.parametrize(
    ("seconds", "nanos", "expected"),
    [
        (1795463584, 0, "2026-11-23T19:53:04Z"),
        (1795463584, 123456789, "2026-11-23T19:53:04.123456789Z"),
        (1795463584, 120000000, "2026-11-23T19:53:04.12Z"),
        (0, 1, "1970-01-01T00:00:00.000000001Z"),
    ],
)
def test_iso_formats_rfc3339_utc(seconds: int, nanos: int, expected: str) -> None:
    assert TxTimestamp(seconds, nanos).iso() == expected


def test_epoch_millis_truncates_nanos() -> None:
    assert TxTimestamp(10, 999_999_999).epoch_millis() == 10_999
    assert TxTimestamp(10, 999_999_999).epoch_nanos() == 10_999_999_999


def test_timestamp_is_frozen() -> None:
    stamp = TxTimestamp(1, 2)
    with pytest.raises(AttributeError):
        stamp.seconds = 3  # type: ignore[misc]


def test_response_ok_threshold() -> None:
    assert ChaincodeResponse(200, "", b"").ok
    assert not ChaincodeResponse(500, "x", b"").ok
