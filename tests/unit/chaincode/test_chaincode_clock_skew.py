"""Issue 13 item 14: the chaincode server refuses proposals stamped too far from its clock."""

from __future__ import annotations

import time

import pytest
from chaincode_fake_peer import FakePeer, FakeWorld, make_signed_proposal, transaction_message
from test_chaincode_shim_protocol import CREATOR, response_of, run_transaction

from fabric_pilot_chaincode._clock import clock_skew_error, max_clock_skew_from
from fabric_pilot_chaincode._config import ConfigError, load_config
from fabric_pilot_chaincode._types import TxTimestamp

NOW = 1_800_000_000.0


@pytest.fixture
def max_clock_skew() -> float:
    return 300.0


def _call(peer: FakePeer, world: FakeWorld, offset: float) -> tuple[int, str]:
    stamp = int(time.time() + offset)
    proposal = make_signed_proposal(CREATOR, tx_id=f"tx{offset}", seconds=stamp)
    reply = run_transaction(
        peer, world, transaction_message(f"tx{offset}", [b"info"], proposal=proposal)
    )
    response = response_of(reply)
    return response.status, response.message


@pytest.mark.parametrize(
    ("offset", "side"),
    [(45 * 86400, "ahead of"), (-3600, "behind"), (-31 * 86400, "behind"), (301 + 5, "ahead of")],
)
def test_proposals_outside_the_window_are_refused_before_the_contract_runs(
    peer: FakePeer, world: FakeWorld, offset: float, side: str
) -> None:
    status, message = _call(peer, world, offset)
    assert status == 500
    assert message.startswith("CLOCK_SKEW: ") and side in message and "300 s" in message


@pytest.mark.parametrize("offset", [0, 240, -240])
def test_proposals_inside_the_window_run(peer: FakePeer, world: FakeWorld, offset: float) -> None:
    status, message = _call(peer, world, offset)
    assert status == 200, message


def test_window_comes_from_the_environment_and_zero_turns_it_off() -> None:
    assert max_clock_skew_from({}) == 300.0
    assert max_clock_skew_from({"CHAINCODE_MAX_CLOCK_SKEW": "60"}) == 60.0
    base = {"CHAINCODE_SERVER_ADDRESS": "127.0.0.1:1", "CHAINCODE_ID": "x:1"}
    assert load_config({**base, "CHAINCODE_MAX_CLOCK_SKEW": "0"}).max_clock_skew == 0.0
    for bad in ("-1", "soon", "inf", "nan"):
        with pytest.raises(ConfigError, match="CHAINCODE_MAX_CLOCK_SKEW"):
            load_config({**base, "CHAINCODE_MAX_CLOCK_SKEW": bad})
    assert clock_skew_error(TxTimestamp(0, 0), 0.0, now=lambda: NOW) is None
    assert clock_skew_error(TxTimestamp(int(NOW) + 300, 0), 300.0, now=lambda: NOW) is None
    assert clock_skew_error(TxTimestamp(int(NOW) + 301, 0), 300.0, now=lambda: NOW)
