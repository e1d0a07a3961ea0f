"""Shared helpers for the sector contract unit tests: identities and a ledger driver."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from fabric_pilot_chaincode import ContractChaincode, TxTimestamp, canonical_json
from fabric_pilot_chaincode.memory import MemoryLedger
from fabric_pilot_chaincode.testing import make_test_identity
from fabric_pilot_contracts.tax_invoice._uscc import check_character

_IDENTITIES: dict[tuple[str, str, str, str | None], bytes] = {}


def identity(msp_id: str, pilot_role: str | None, node_ou: str = "client", name: str = "") -> bytes:
    """Return (cached) creator bytes; ``pilot_role`` None means a cryptogen-style cert."""
    cache_key = (msp_id, node_ou, name, pilot_role)
    if cache_key not in _IDENTITIES:
        common_name = name or f"{pilot_role or node_ou}@{msp_id.lower()}"
        attributes = None if pilot_role is None else {"pilot.role": pilot_role}
        _IDENTITIES[cache_key] = make_test_identity(msp_id, common_name, node_ou, attributes)
    return _IDENTITIES[cache_key]


def uscc(body: str) -> str:
    """Complete a 17-character credit code body with its GB 32100 check character."""
    return body + check_character(body)


def encode(value: Any) -> str | bytes:
    """Encode one transaction argument like a client SDK would."""
    if isinstance(value, dict | list):
        return canonical_json(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def round_half_up(numerator: int, denominator: int) -> int:
    """Reference rounding independent of the contract code (Decimal ROUND_HALF_UP)."""
    quotient = Decimal(numerator) / Decimal(denominator)
    return int(quotient.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class ChaincodeFailedError(AssertionError):
    """A call expected to succeed failed."""


@dataclass
class Driver:
    """Drive one chaincode deployed on a MemoryLedger."""

    name: str
    chaincode: ContractChaincode
    channel: str
    ledger: MemoryLedger = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = MemoryLedger(self.channel)
        self.ledger.deploy(self.name, self.chaincode)

    def snapshot(self) -> tuple[dict[str, bytes], int]:
        """Committed world state and number of events."""
        keys = self.ledger.keys(self.name)
        return {key: self.ledger.state(key, self.name) for key in keys}, len(self.ledger.events)

    def ok(
        self,
        who: bytes,
        function: str,
        *args: Any,
        transient: dict[str, bytes] | None = None,
        at: int | None = None,
    ) -> Any:
        """Submit and return the decoded payload; fail the test on an error."""
        result = self.ledger.invoke(
            self.name,
            function,
            *map(encode, args),
            creator=who,
            transient=transient,
            timestamp=None if at is None else TxTimestamp(at, 0),
        )
        if result.status != 200:
            raise ChaincodeFailedError(f"{function} failed: {result.message}")
        return json.loads(result.payload) if result.payload else None

    def read(self, who: bytes, function: str, *args: Any) -> Any:
        """Evaluate and return the decoded payload."""
        result = self.ledger.evaluate(self.name, function, *map(encode, args), creator=who)
        if result.status != 200:
            raise ChaincodeFailedError(f"{function} failed: {result.message}")
        return json.loads(result.payload) if result.payload else None

    def fails(
        self,
        who: bytes,
        function: str,
        *args: Any,
        transient: dict[str, bytes] | None = None,
        at: int | None = None,
    ) -> str:
        """Submit a call that must fail; check nothing changed and return the error code."""
        before = self.snapshot()
        result = self.ledger.invoke(
            self.name,
            function,
            *map(encode, args),
            creator=who,
            transient=transient,
            timestamp=None if at is None else TxTimestamp(at, 0),
        )
        assert result.status == 500, f"{function} unexpectedly succeeded"
        assert self.snapshot() == before, f"{function} changed state although it failed"
        assert not result.message.startswith("INTERNAL"), result.message
        return result.message.split(":", 1)[0]

    def read_fails(self, who: bytes, function: str, *args: Any) -> str:
        """Evaluate a call that must fail and return the error code."""
        result = self.ledger.evaluate(self.name, function, *map(encode, args), creator=who)
        assert result.status == 500, f"{function} unexpectedly succeeded"
        assert not result.message.startswith("INTERNAL"), result.message
        return result.message.split(":", 1)[0]

    def last_event(self) -> tuple[str, dict[str, Any]]:
        """Name and decoded payload of the latest committed event."""
        _tx, name, payload = self.ledger.events[-1]
        return name, json.loads(payload)


Setup = Callable[[Driver], None]
WriteCase = tuple[str, Setup, tuple[Any, ...], set[str]]


def access_matrix(cases: Iterable[WriteCase], actors: Iterable[str]) -> list[Any]:
    """pytest params (function, setup, args, actor, admitted): every write by every actor."""
    return [
        pytest.param(function, setup, args, actor, actor in allowed, id=f"{function}-{actor}")
        for function, setup, args, allowed in cases
        for actor in actors
    ]


def check_write_access(
    driver: Driver,
    creators: Mapping[str, bytes],
    case: tuple[str, Setup, tuple[Any, ...], str, bool],
) -> str | None:
    """Run one matrix case: an admitted actor succeeds; anyone else fails and changes nothing.

    Returns:
        None when admitted, else the error code (the caller checks which codes it accepts).
    """
    function, setup, args, actor, admitted = case
    setup(driver)
    if admitted:
        driver.ok(creators[actor], function, *args)
        return None
    return driver.fails(creators[actor], function, *args)
