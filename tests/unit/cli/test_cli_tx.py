"""``tx``, ``blocks`` and ``events`` against a fake SDK session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_fakes import CommitError, Detail, EndorseError


def test_submit_passes_args_transient_and_orgs(tmp_path: Path, run, ledger) -> None:
    (tmp_path / "secret.json").write_text('{"name": "Li"}')
    result = run("tx", "submit", "basic", "CreateAsset", "a1", "blue", "--transient",
                 "buyer=@secret.json", "--transient", "note=hi", "--endorsing-org", "Org1MSP",
                 "-o", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    call = ledger.calls[0]
    assert (call.kind, call.chaincode, call.function, call.args) == (
        "submit", "basic", "CreateAsset", ["a1", "blue"],
    )  # fmt: skip
    assert call.transient == {"buyer": b'{"name": "Li"}', "note": b"hi"}
    assert call.endorsing_orgs == ("Org1MSP",)
    out = json.loads(result.stdout)
    assert out["transaction_id"] == "tx1"
    assert out["status"] == "VALID"
    assert out["result"] == {"function": "CreateAsset", "args": ["a1", "blue"]}
    assert ledger.sessions[0].closed


def test_submit_async_and_transient_file(tmp_path: Path, run, ledger) -> None:
    (tmp_path / "t.json").write_text('{"k": {"a": 1}, "s": "v"}')
    result = run("tx", "submit", "basic", "F", "x", "--async", "--transient", "@t.json",
                 "-o", "json")  # fmt: skip
    assert json.loads(result.stdout)["status"] == "SUBMITTED"
    assert ledger.calls[0].transient == {"k": b'{"a":1}', "s": b"v"}


def test_bad_transient_is_usage_error(run, ledger) -> None:
    result = run("tx", "submit", "basic", "F", "--transient", "novalue")
    assert result.exit_code == 2
    assert "KEY=VALUE" in result.stderr
    assert ledger.calls == []


def test_evaluate_table_output(run, ledger) -> None:
    ledger.results["ReadAsset"] = {"id": "a1", "color": "blue"}
    result = run("tx", "evaluate", "basic", "ReadAsset", "a1")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["FIELD", "VALUE"]
    assert lines[2].split() == ["color", "blue"]


def test_endorsement_refusal_is_exit_4_with_chaincode_message(run, ledger) -> None:
    ledger.errors["F"] = EndorseError(
        "failed to endorse",
        details=[Detail("peer0", "Org1MSP", "chaincode response 500, TOTALS_MISMATCH: sum")],
    )
    result = run("tx", "submit", "cc", "F")
    assert result.exit_code == 4
    assert result.stderr.strip() == "Error: refused by the chaincode: TOTALS_MISMATCH: sum"


def test_not_found_from_chaincode_is_exit_3(run, ledger) -> None:
    ledger.errors["G"] = EndorseError(
        "evaluate failed", details=[Detail("p", "Org1MSP", "NOT_FOUND: invoice x")]
    )
    assert run("tx", "evaluate", "cc", "G").exit_code == 3


def test_commit_error_is_exit_5_with_code_name(run, ledger) -> None:
    ledger.errors["F"] = CommitError("tx9", "MVCC_READ_CONFLICT")
    result = run("tx", "submit", "cc", "F")
    assert result.exit_code == 5
    assert "MVCC_READ_CONFLICT" in result.stderr and "tx9" in result.stderr


def test_unavailable_is_exit_6(run, ledger) -> None:
    ledger.errors["F"] = EndorseError("connection refused", code="UNAVAILABLE")
    result = run("tx", "submit", "cc", "F")
    assert result.exit_code == 6
    assert "Traceback" not in result.output


def test_unexpected_error_is_exit_1(run, ledger) -> None:
    ledger.errors["F"] = RuntimeError("boom")
    result = run("tx", "submit", "cc", "F")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: RuntimeError: boom"


def test_tx_show(run, ledger) -> None:
    result = run("tx", "show", "abc", "-o", "json")
    assert json.loads(result.stdout) == {
        "transaction_id": "abc", "validation": "VALID", "block_number": 3,
    }  # fmt: skip


def test_blocks_list_defaults_to_last_blocks(run, ledger) -> None:
    result = run("blocks", "list", "--count", "2", "-o", "json")
    rows = json.loads(result.stdout)
    assert [row["number"] for row in rows] == [3, 4]
    assert [row["invalid"] for row in rows] == [0, 1]
    ranged = json.loads(run("blocks", "list", "--from", "1", "--count", "10", "-o", "json").stdout)
    assert [row["number"] for row in ranged] == [1, 2, 3, 4]


def test_blocks_show_table_and_missing(run, ledger) -> None:
    table = run("blocks", "show", "2")
    assert "MVCC_READ_CONFLICT" in table.stdout
    assert run("blocks", "show", "9").exit_code == 3


def test_events_listen_prints_json_lines_and_acknowledges(run, ledger) -> None:
    ledger.events = [
        {"block_number": n, "transaction_id": f"t{n}", "event_name": "E", "payload": {"n": n}}
        for n in range(5)
    ]
    result = run("events", "listen", "--chaincode", "cc", "--from", "1", "--count", "2")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["transaction_id"] for line in lines] == ["t1", "t2"]
    assert ledger.acknowledged == ["t1", "t2"]


def test_events_listen_without_chaincode_prints_blocks(run, ledger) -> None:
    result = run("events", "listen", "--from", "2", "--count", "2")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["number"] for line in lines] == [2, 3]
    assert all(line["transactions"] for line in lines)
    assert ledger.acknowledged == ["block-2", "block-3"]


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("chaincode response 500, Failed to get transaction with id x, error no such "
         "transaction ID [x] in index", 3),
        ("Failed to get block number 9, error no such block number [9] in index", 3),
        ("no peers available to evaluate chaincode nope in channel c", 3),
        ("chaincode response 500, NOT_FOUND: invoice x", 3),
        ("chaincode response 500, FORBIDDEN: not the seller", 4),
    ],
)  # fmt: skip
def test_peer_messages_map_to_not_found_or_refused(message: str, code: int) -> None:
    from fabric_pilot_cli._errors import describe

    error = EndorseError("endorse failed", code="UNKNOWN", details=[Detail("p", "O", message)])
    assert describe(error).exit_code == code


def test_sdk_typed_rejection_is_mapped() -> None:
    from fabric_pilot_cli._errors import describe
    from fabric_pilot_gateway.sectors import ChaincodeRejectedError, RecordNotFoundError

    refused = describe(ChaincodeRejectedError("ALREADY_LOCKED", "invoice is locked"))
    assert (refused.exit_code, refused.message) == (
        4, "refused by the chaincode: ALREADY_LOCKED: invoice is locked",
    )  # fmt: skip
    assert describe(RecordNotFoundError("NOT_FOUND", "no invoice")).exit_code == 3


def test_an_endorsement_mismatch_is_not_a_refusal() -> None:
    from fabric_pilot_cli._errors import EXIT_REFUSED, EXIT_UNAVAILABLE, describe
    from fabric_pilot_gateway import EndorsementMismatchError, ErrorDetail

    error = EndorsementMismatchError(
        "failed to assemble transaction: ProposalResponsePayloads do not match",
        code="ABORTED",
        details=[ErrorDetail("127.0.0.1:9051", "Org2MSP", "")],
        transaction_id="tx9",
        attempts=3,
    )
    failure = describe(error)
    assert failure.exit_code == EXIT_UNAVAILABLE != EXIT_REFUSED
    assert "different results 3 times" in failure.message
    assert "tx9" in failure.message and "127.0.0.1:9051 (Org2MSP)" in failure.message


def test_a_commit_timeout_says_what_is_safe() -> None:
    from fabric_pilot_cli._errors import EXIT_UNAVAILABLE, describe
    from fabric_pilot_gateway import CommitTimeoutError

    error = CommitTimeoutError(
        "transaction t1 has no commit status after 60 s: safe: resubmit the same signed "
        "transaction",
        transaction_id="t1",
        waited=60.0,
        resubmissions=11,
    )
    failure = describe(error)
    assert failure.exit_code == EXIT_UNAVAILABLE
    assert failure.message.startswith("no commit status: transaction t1")
    assert "same signed transaction" in failure.message


def test_a_stop_signal_while_an_event_is_printed_waits_for_its_checkpoint(
    run, ledger, monkeypatch
) -> None:
    import os
    import signal

    from cli_fakes import FakeSession

    def block_events(self, start_block, checkpoint_file):
        for number in range(5):

            def acknowledge(n: int = number) -> None:
                if n == 2:  # the listener is told to stop between printing and checkpointing
                    os.kill(os.getpid(), signal.SIGINT)
                    for _ in range(1000):  # the handler runs between these bytecodes
                        pass
                ledger.acknowledged.append(f"block-{n}")

            yield self.block(number), acknowledge

    monkeypatch.setattr(FakeSession, "block_events", block_events)
    result = run("events", "listen")
    assert result.exit_code == 130, result.output
    printed = [json.loads(line)["number"] for line in result.stdout.splitlines()]
    assert printed == [0, 1, 2]
    assert ledger.acknowledged == ["block-0", "block-1", "block-2"]  # resume after 2: no repeat
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
