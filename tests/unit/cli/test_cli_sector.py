"""Sector commands map to the right chaincode, function and arguments."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest


def test_invoice_issue_moves_buyer_personal_to_transient(tmp_path: Path, run, ledger) -> None:
    document = {"number": "1", "seller_tax_id": "S", "buyer_personal": {"name": "Li"}}
    (tmp_path / "inv.json").write_text(json.dumps(document))
    result = run("invoice", "issue", "inv.json")
    assert result.exit_code == 0, result.output
    call = ledger.calls[0]
    assert (call.chaincode, call.function) == ("tax_invoice", "issue_invoice")
    assert json.loads(call.args[0]) == {"number": "1", "seller_tax_id": "S"}
    assert call.transient == {"buyer_personal": b'{"name":"Li"}'}
    assert "committed tx1" in result.stderr


def test_invoice_issue_from_stdin(run, ledger) -> None:
    result = run("invoice", "issue", "-", stdin='{"number": "2"}')
    assert result.exit_code == 0, result.output
    assert json.loads(ledger.calls[0].args[0]) == {"number": "2"}
    assert ledger.calls[0].transient is None


def test_invalid_json_is_usage_error(tmp_path: Path, run, ledger) -> None:
    (tmp_path / "bad.json").write_text("{nope")
    result = run("invoice", "issue", "bad.json")
    assert result.exit_code == 2
    assert ledger.calls == []


@pytest.mark.parametrize(
    ("argv", "function", "args", "kind"),
    [
        (["invoice", "get", "S", "N"], "get_invoice", ["S", "N"], "evaluate"),
        (["invoice", "history", "S", "N"], "invoice_history", ["S", "N"], "evaluate"),
        (["invoice", "red-letter", "confirm", "S", "N", "R1"], "confirm_reversal",
         ["S", "N", "R1"], "submit"),
        (["invoice", "red-letter", "reject", "S", "N", "R1", "late"], "reject_reversal",
         ["S", "N", "R1", "late"], "submit"),
        (["invoice", "red-letter", "request", "S", "N", '{"request_id":"R1"}'],
         "request_reversal", ["S", "N", '{"request_id":"R1"}'], "submit"),
        (["invoice", "reimburse", "lock", "S", "N", "C7"], "lock_reimbursement",
         ["S", "N", "C7"], "submit"),
        (["invoice", "reimburse", "complete", "S", "N"], "complete_reimbursement", ["S", "N"],
         "submit"),
        (["invoice", "reimburse", "release", "S", "N", "why"], "release_reimbursement",
         ["S", "N", "why"], "submit"),
        (["invoice", "taxpayer", "set-quota", "T", "500"], "set_quota", ["T", "500"], "submit"),
        (["meter", "readings", "M1", "--page-size", "5"], "list_readings", ["M1", "5", ""],
         "evaluate"),
        (["meter", "reading", "M1", "1767225600"], "get_reading", ["M1", "1767225600"],
         "evaluate"),
        (["cert", "transfer", "GC-1", "Org2MSP"], "transfer_certificate", ["GC-1", "Org2MSP"],
         "submit"),
        (["cert", "retire", "GC-1", '{"beneficiary": "A"}'], "retire_certificate",
         ["GC-1", '{"beneficiary":"A"}'], "submit"),
    ],
)  # fmt: skip
def test_sector_mapping(run, ledger, *, argv, function, args, kind) -> None:
    result = run(*argv)
    assert result.exit_code == 0, result.output
    call = ledger.calls[0]
    assert (call.function, call.args, call.kind) == (function, args, kind)


def test_meter_commands_use_energy_chaincode(run, ledger) -> None:
    run("meter", "get", "M1")
    run("cert", "get", "GC-1")
    assert [call.chaincode for call in ledger.calls] == ["energy_metering", "energy_metering"]
    assert [session.chaincode for session in ledger.sessions] == [
        "energy_metering", "energy_metering",
    ]  # fmt: skip


def test_int_argument_is_validated(run, ledger) -> None:
    result = run("invoice", "taxpayer", "set-quota", "T", "lots")
    assert result.exit_code == 2
    assert ledger.calls == []


def test_list_needs_exactly_one_selector(run, ledger) -> None:
    assert run("invoice", "list").exit_code == 2
    assert run("invoice", "list", "--seller", "S", "--buyer", "B").exit_code == 2
    ledger.results["list_invoices_by_period"] = {
        "records": [{"number": "1", "status": "issued"}], "bookmark": "bm2", "fetched": 1,
    }  # fmt: skip
    result = run("invoice", "list", "--period", "202611", "--bookmark", "bm1")
    assert result.exit_code == 0, result.output
    assert ledger.calls[0].args == ["202611", "50", "bm1"]
    header = result.stdout.splitlines()[0].split()
    assert header[:2] == ["NUMBER", "SELLER_TAX_ID"]
    assert "issued" in result.stdout.splitlines()[1]
    assert "--bookmark bm2" in result.stderr
    as_json = run("invoice", "list", "--period", "202611", "-o", "json")
    assert json.loads(as_json.stdout)["bookmark"] == "bm2"


def test_cert_list_by_meter(run, ledger) -> None:
    run("cert", "list", "--meter", "M1")
    assert (ledger.calls[0].function, ledger.calls[0].args) == (
        "list_certificates_by_meter", ["M1", "50", ""],
    )  # fmt: skip


def test_invoice_verify_by_fields_and_by_file(tmp_path: Path, run, ledger) -> None:
    ledger.results["verify_invoice"] = {"authentic": True, "status": "issued"}
    ok = run("invoice", "verify", "S", "N", "113000", "2026-11-23")
    assert ok.exit_code == 0
    assert ledger.calls[0].args == ["S", "N", "113000", "2026-11-23"]
    (tmp_path / "f.pdf").write_bytes(b"%PDF fapiao")
    ledger.results["verify_invoice_file"] = {"authentic": False, "reason": "not_found"}
    missing = run("invoice", "verify", "--file", "f.pdf", "-o", "json")
    assert missing.exit_code == 3
    assert ledger.calls[1].args == [hashlib.sha256(b"%PDF fapiao").hexdigest()]
    assert json.loads(missing.stdout)["reason"] == "not_found"
    assert run("invoice", "verify", "S").exit_code == 2


def test_as_flag_reaches_the_session(run, ledger) -> None:
    run("invoice", "get", "S", "N", "--as", "Org2/Admin", "--channel", "tax")
    settings = ledger.sessions[0].settings
    assert (settings.org, settings.user, settings.channel) == ("Org2", "Admin", "tax")


def test_bookmarks_with_nul_round_trip(run, ledger) -> None:
    raw = "\x00invoice\x00S\x00N2\x00"
    ledger.results["list_invoices_by_seller"] = {"records": [{"number": "1"}], "bookmark": raw}
    first = run("invoice", "list", "--seller", "S")
    hint = first.stderr.split("--bookmark ", 1)[1].split()[0]
    assert hint.startswith("b64:")
    as_json = json.loads(run("invoice", "list", "--seller", "S", "-o", "json").stdout)
    assert as_json["bookmark"] == raw
    assert as_json["next_bookmark"] == hint
    run("invoice", "list", "--seller", "S", "--bookmark", hint)
    assert ledger.calls[-1].args == ["S", "50", raw]
    assert run("invoice", "list", "--seller", "S", "--bookmark", "b64:!!").exit_code == 2
