"""Bad input is refused on the client: one line, exit 2, and nothing sent to the network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fabric_pilot_contracts._common import MAX_PAGE_SIZE as CONTRACT_PAGE_LIMIT
from fabric_pilot_contracts.court_evidence._evidence import (
    MAX_PERSONAL_BYTES as CONTRACT_PERSONAL_LIMIT,
)
from fabric_pilot_gateway.sectors import MAX_PAGE_SIZE, MAX_PERSONAL_BYTES, check_rfc3339


def test_client_limits_are_the_contracts_limits() -> None:
    assert MAX_PAGE_SIZE == CONTRACT_PAGE_LIMIT
    assert MAX_PERSONAL_BYTES == CONTRACT_PERSONAL_LIMIT


@pytest.mark.parametrize("size", ["0", "101", "1000"])
def test_page_size_beyond_the_contract_limit_is_a_usage_error(run, ledger, size: str) -> None:
    result = run("evidence", "list", "C-88", "--page-size", size)
    assert result.exit_code == 2, result.output
    assert "between 1 and 100" in result.output
    assert ledger.calls == []


def test_page_size_at_the_limit_is_sent(run, ledger) -> None:
    ledger.results["list_evidence_by_case"] = {"records": [], "bookmark": "", "fetched": 0}
    assert run("evidence", "list", "C-88", "--page-size", "100").exit_code == 0
    assert ledger.calls[0].args[1] == "100"


@pytest.mark.parametrize("when", ["yesterday", "2026-11-20", "2026-02-30T08:00:00Z", "now"])
def test_evidence_capture_time_must_be_rfc3339(tmp_path: Path, run, ledger, when: str) -> None:
    (tmp_path / "scan.pdf").write_bytes(b"%PDF")
    result = run("evidence", "register", "scan.pdf", "--id", "EV-1", "--captured-at", when)
    assert result.exit_code == 2, result.output
    assert "--captured-at" in result.output
    assert "RFC 3339" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert ledger.calls == []


@pytest.mark.parametrize("when", ["2026-11-20T08:00:00Z", "2026-11-20T16:00:00.5+08:00"])
def test_rfc3339_capture_times_are_accepted(when: str) -> None:
    assert check_rfc3339(when) == when


def test_evidence_personal_data_has_a_size_limit(tmp_path: Path, run, ledger) -> None:
    (tmp_path / "scan.pdf").write_bytes(b"%PDF")
    personal = json.dumps({"note": "x" * MAX_PERSONAL_BYTES})
    result = run("evidence", "register", "scan.pdf", "--id", "EV-1", "--personal", personal)
    assert result.exit_code == 2, result.output
    assert "--personal" in result.output
    assert f"at most {MAX_PERSONAL_BYTES}" in result.output
    assert ledger.calls == []


@pytest.mark.parametrize("batch_size", ["1", "50"])
def test_meter_import_with_a_non_key_file_fails_once(
    tmp_path: Path, run, ledger, batch_size: str
) -> None:
    source = tmp_path / "readings.csv"
    header = "meter_id,interval_start,interval_end,import_wh,export_wh,counter\n"
    source.write_text(header + "M-1,0,900,5,120,1\nM-1,900,1800,5,130,2\nM-2,0,900,1,1,1\n")
    not_a_key = tmp_path / "notes.txt"
    not_a_key.write_text("this is not a key\n")
    result = run(
        "meter", "import", str(source), "--sign-with", str(not_a_key), "--batch-size", batch_size
    )
    assert result.exit_code == 2, result.output
    assert "cannot load device key" in result.output
    assert result.output.count("cannot load device key") == 1
    assert ledger.calls == []
    assert not (tmp_path / "readings.csv.journal.jsonl").exists()
