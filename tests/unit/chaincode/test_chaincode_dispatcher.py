import logging
from typing import Any

import pytest

from fabric_pilot_chaincode import (
    Context,
    Contract,
    ContractChaincode,
    ContractError,
    canonical_loads,
    evaluate,
    transaction,
)
from fabric_pilot_chaincode.memory import MemoryLedger
from fabric_pilot_chaincode.testing import make_test_identity

CREATOR = make_test_identity("Org1MSP", "alice")


class Calculator(Contract):
    name = "Calculator"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def before_transaction(self, ctx: Context) -> None:
        self.calls.append("before")

    def after_transaction(self, ctx: Context, result: Any) -> None:
        self.calls.append(f"after:{result!r}")

    @transaction
    def add(self, ctx: Context, a: int, b: int = 10) -> int:
        return a + b

    @evaluate
    def echo(
        self, ctx: Context, text: str, raw: bytes, flag: bool, doc: dict[str, Any]
    ) -> dict[str, Any]:
        return {"text": text, "raw": raw.hex(), "flag": flag, "doc": doc}

    @evaluate
    def items(self, ctx: Context, values: list[int], anything: Any) -> list[Any]:
        return [*values, anything]

    @evaluate
    def who(self, ctx: Context) -> str:
        return ctx.client_identity.msp_id

    @evaluate
    def nothing(self, ctx: Context) -> None:
        return None

    @transaction
    def fail(self, ctx: Context) -> None:
        raise ContractError("NOT_FOUND", "no such thing", key="k")

    @transaction
    def crash(self, ctx: Context, secret: str) -> None:
        raise KeyError(secret)

    @evaluate
    def floaty(self, ctx: Context) -> Any:
        return {"x": 1.5}

    def helper(self, ctx: Context) -> str:
        return "not callable"


class Second(Contract):
    name = "Second"

    @evaluate
    def ping(self, ctx: Context) -> str:
        return "pong"

    def unknown_transaction(self, ctx: Context) -> Any:
        return "fallback"


@pytest.fixture
def ledger() -> MemoryLedger:
    ledger = MemoryLedger()
    ledger.deploy("calc", ContractChaincode(Calculator(), Second()))
    return ledger


def call(ledger: MemoryLedger, function: str, *args: str | bytes) -> tuple[int, str, bytes]:
    result = ledger.evaluate("calc", function, *args, creator=CREATOR)
    return result.status, result.message, result.payload


def test_int_conversion_defaults_and_qualified_names(ledger: MemoryLedger) -> None:
    assert call(ledger, "add", "2", "3") == (200, "", b"5")
    assert call(ledger, "Calculator:add", "-7") == (200, "", b"3")


@pytest.mark.parametrize("bad", ["abc", "1.5", " 1", "1 ", "", "١٢"])
def test_int_conversion_is_strict(ledger: MemoryLedger, bad: str) -> None:
    status, message, payload = call(ledger, "add", bad)
    assert status == 500
    expected = "BAD_ARGUMENT: argument 'a' of Calculator:add must be an integer, got"
    assert message.startswith(expected)
    assert payload == b""


def test_mixed_conversions(ledger: MemoryLedger) -> None:
    status, _, payload = call(ledger, "echo", "héllo", b"\x00\xff", "true", '{"n":[1]}')
    assert status == 200
    expected = {"text": "héllo", "raw": "00ff", "flag": True, "doc": {"n": [1]}}
    assert canonical_loads(payload) == expected
    assert call(ledger, "items", "[1,2]", '"s"')[2] == b'[1,2,"s"]'


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("x", b"", "yes", "{}"), "argument 'flag' of Calculator:echo must be a boolean"),
        ((b"\xff", b"", "true", "{}"), "argument 'text' of Calculator:echo must be valid UTF-8"),
        (("x", b"", "true", "[]"), "argument 'doc' of Calculator:echo must be a JSON object"),
        (("x", b"", "true", '{"a":1.0}'), "argument 'doc' of Calculator:echo must be a JSON"),
        (("x", b"", "true"), "missing argument 'doc' of Calculator:echo"),
        (("x", b"", "true", "{}", "extra"), "Calculator:echo takes at most 4 argument(s), got 5"),
    ],
)
def test_argument_errors_name_the_argument(
    ledger: MemoryLedger, args: tuple[str | bytes, ...], fragment: str
) -> None:
    status, message, _ = call(ledger, "echo", *args)
    assert status == 500
    assert message.startswith("BAD_ARGUMENT: ")
    assert fragment in message


def test_hooks_run_around_transactions(ledger: MemoryLedger) -> None:
    contract = ledger.chaincode("calc").contracts["Calculator"]
    assert isinstance(contract, Calculator)
    call(ledger, "add", "1", "1")
    assert contract.calls == ["before", "after:2"]


def test_return_encodings(ledger: MemoryLedger) -> None:
    assert call(ledger, "who") == (200, "", b"Org1MSP")
    assert call(ledger, "nothing") == (200, "", b"")


def test_contract_error_becomes_500_with_message(ledger: MemoryLedger) -> None:
    assert call(ledger, "fail") == (500, "NOT_FOUND: no such thing", b"")


def test_unexpected_exception_is_internal_and_logged_without_message(
    ledger: MemoryLedger, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        assert call(ledger, "crash", "secret-ledger-value") == (500, "INTERNAL: KeyError", b"")
        assert call(ledger, "floaty") == (500, "INTERNAL: TypeError", b"")
    assert "KeyError" in caplog.text
    assert "secret-ledger-value" not in caplog.text


def test_unknown_functions(ledger: MemoryLedger) -> None:
    status, message, _ = call(ledger, "helper")
    assert status == 500
    assert message == "UNKNOWN_TRANSACTION: function 'helper' is not a transaction of Calculator"
    assert call(ledger, "Second:whatever") == (200, "", b"fallback")
    assert call(ledger, "Second:ping") == (200, "", b"pong")
    assert call(ledger, "Nope:ping")[1] == "UNKNOWN_CONTRACT: contract 'Nope' is not known"


def test_metadata_describes_contracts(ledger: MemoryLedger) -> None:
    status, _, payload = call(ledger, "org.hyperledger.fabric:GetMetadata")
    assert status == 200
    metadata = canonical_loads(payload)
    assert list(metadata["contracts"]) == ["Calculator", "Second"]
    calc = metadata["contracts"]["Calculator"]
    assert calc["default"] is True
    assert "default" not in metadata["contracts"]["Second"]
    transactions = {tx["name"]: tx for tx in calc["transactions"]}
    assert "helper" not in transactions
    assert transactions["add"]["tag"] == ["SUBMIT"]
    assert transactions["echo"]["tag"] == ["EVALUATE"]
    assert transactions["add"]["parameters"] == [
        {"name": "a", "schema": {"type": "integer", "format": "int64"}},
        {"name": "b", "schema": {"type": "integer", "format": "int64"}},
    ]
    assert transactions["add"]["returns"] == {"type": "integer", "format": "int64"}
    assert "returns" not in transactions["nothing"]
    assert [p["schema"] for p in transactions["echo"]["parameters"]] == [
        {"type": "string"},
        {"type": "string", "format": "byte"},
        {"type": "boolean"},
        {"type": "object"},
    ]


def test_init_without_function_succeeds(ledger: MemoryLedger) -> None:
    from fabric_pilot_chaincode._memory_stub import MemoryStub, TxContext
    from fabric_pilot_chaincode._types import TxTimestamp

    tx = TxContext("t", "ch", TxTimestamp(1), CREATOR, {})
    chaincode = ledger.chaincode("calc")
    assert chaincode.init(MemoryStub(ledger, "calc", [], tx)).status == 200
    assert chaincode.init(MemoryStub(ledger, "calc", [b"add", b"1"], tx)).payload == b"11"


def test_construction_errors() -> None:
    class BadType(Contract):
        @transaction
        def f(self, ctx: Context, x: float) -> None:
            return None

    with pytest.raises(TypeError):
        ContractChaincode(BadType())
    with pytest.raises(ValueError):
        ContractChaincode()
    with pytest.raises(ValueError):
        ContractChaincode(Second(), Second())
