"""Meter readings signed as the device would sign them, checked with the contract's verifier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from fabric_pilot_cli._device import sign_reading
from fabric_pilot_cli._errors import CliError
from fabric_pilot_contracts.energy_metering._signature import verify_reading

READING = {"meter_id": "M-1", "interval_start": 0, "interval_end": 900, "import_wh": 5,
           "export_wh": 120, "counter": 1}  # fmt: skip


def _device_key(path: Path) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))  # fmt: skip
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def test_signature_verifies_with_the_contract(tmp_path: Path) -> None:
    public_pem = _device_key(tmp_path / "m1.pem")
    signed = sign_reading(READING, tmp_path / "m1.pem")
    assert signed["flag"] == "normal"
    verify_reading(public_pem, signed, signed["signature"])
    tampered = {**signed, "export_wh": 121}
    with pytest.raises(Exception, match="not signed"):
        verify_reading(public_pem, tampered, signed["signature"])


def test_signing_errors(tmp_path: Path) -> None:
    _device_key(tmp_path / "m1.pem")
    with pytest.raises(CliError, match="counter"):
        sign_reading({k: v for k, v in READING.items() if k != "counter"}, tmp_path / "m1.pem")
    (tmp_path / "bad.pem").write_text("nope")
    with pytest.raises(CliError, match="cannot load device key"):
        sign_reading(READING, tmp_path / "bad.pem")


def test_meter_read_signs_and_submits(tmp_path: Path, run, ledger) -> None:
    public_pem = _device_key(tmp_path / "M-1.pem")
    result = run("meter", "read", json.dumps(READING), "--sign-with", str(tmp_path))
    assert result.exit_code == 0, result.output
    sent = json.loads(ledger.calls[0].args[0])
    assert (ledger.calls[0].chaincode, ledger.calls[0].function) == (
        "energy_metering", "record_reading",
    )  # fmt: skip
    verify_reading(public_pem, sent, sent["signature"])


def test_meter_import_signs_each_row(tmp_path: Path, run, ledger) -> None:
    ledger.key_of = lambda args: json.loads(args[0])["interval_start"]
    public_pem = _device_key(tmp_path / "key.pem")
    source = tmp_path / "readings.csv"
    header = "meter_id,interval_start,interval_end,import_wh,export_wh,counter\n"
    source.write_text(header + "M-1,0,900,5,120,1\nM-1,900,1800,5,130,2\n")
    result = run(
        "meter", "import", str(source), "--sign-with", str(tmp_path / "key.pem"),
        "--batch-size", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for call in ledger.calls:
        sent = json.loads(call.args[0])
        verify_reading(public_pem, sent, sent["signature"])
    assert [json.loads(call.args[0])["counter"] for call in ledger.calls] == [1, 2]


def _readings_csv(path: Path, count: int) -> Path:
    header = "meter_id,interval_start,interval_end,import_wh,export_wh,counter\n"
    rows = [f"M-1,{i * 900},{i * 900 + 900},5,{100 + i},{i + 1}\n" for i in range(count)]
    path.write_text(header + "".join(rows))
    return path


def test_meter_import_batches_rows_into_record_readings(tmp_path: Path, run, ledger) -> None:
    ledger.key_of = lambda args: args[0]
    source = _readings_csv(tmp_path / "readings.csv", 5)
    result = run("meter", "import", str(source), "--batch-size", "2", "-o", "json")
    assert result.exit_code == 0, result.output
    # full batches go as one record_readings; a lone last row as record_reading
    functions = [call.function for call in ledger.calls]
    assert functions == ["record_readings", "record_readings", "record_reading"]
    assert [len(json.loads(call.args[0])) for call in ledger.calls[:2]] == [2, 2]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["row"] for line in lines] == [1, 2, 3, 4, 5]
    assert {line["status"] for line in lines} == {"ok"}
    journal = (tmp_path / "readings.csv.journal.jsonl").read_text().splitlines()
    assert len(journal) == 5
    rerun = run("meter", "import", str(source), "--batch-size", "2")
    assert rerun.exit_code == 0, rerun.output
    assert len(ledger.calls) == 3  # everything was journaled: nothing submitted again


def test_a_refused_row_is_named_and_its_batch_retried_without_it(
    tmp_path: Path, run, ledger
) -> None:
    ledger.key_of = lambda args: str(json.loads(args[0])["counter"])
    ledger.committed["2"] = "earlier"  # counter 2 holds another reading: a conflict
    ledger.payloads["2"] = json.dumps({"counter": 2, "other": True})
    source = _readings_csv(tmp_path / "readings.csv", 4)
    result = run("meter", "import", str(source), "--batch-size", "4", "-o", "json")
    assert result.exit_code == 4, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["row"], line["status"]) for line in lines] == [
        (1, "ok"), (2, "conflict"), (3, "ok"), (4, "ok"),
    ]  # fmt: skip
    assert [call.function for call in ledger.calls] == ["record_readings"] * 2
    assert [len(json.loads(call.args[0])) for call in ledger.calls] == [4, 3]
    journal = (tmp_path / "readings.csv.journal.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["row"] for line in journal) == [1, 3, 4]


def test_signed_rows_resubmitted_after_a_crash_are_duplicates(tmp_path: Path, run, ledger) -> None:
    ledger.key_of = lambda args: str(json.loads(args[0])["counter"])
    _device_key(tmp_path / "key.pem")
    source = _readings_csv(tmp_path / "readings.csv", 4)
    sign = ("--sign-with", str(tmp_path / "key.pem"), "--batch-size", "1", "--in-flight", "1")
    ledger.crash_after_commit_on_call = 2
    assert run("meter", "import", str(source), *sign).exit_code == 130
    ledger.crash_after_commit_on_call = None
    rerun = run("meter", "import", str(source), *sign, "-o", "json")
    assert rerun.exit_code == 0, rerun.output
    statuses = [json.loads(line)["status"] for line in rerun.stdout.splitlines()]
    assert statuses == ["ok", "duplicate", "ok", "ok"]  # signatures are deterministic


def test_meter_keygen_writes_a_0600_key_and_prints_its_public_pem(tmp_path: Path, run) -> None:
    key_file = tmp_path / "device.pem"
    result = run("meter", "keygen", str(key_file))
    assert result.exit_code == 0, result.output
    assert key_file.stat().st_mode & 0o777 == 0o600
    public_pem = result.stdout
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    signed = sign_reading(READING, key_file)
    verify_reading(public_pem, signed, signed["signature"])
    again = run("meter", "keygen", str(key_file))
    assert again.exit_code == 2
    assert "never overwrites" in again.output
    assert sign_reading(READING, key_file)["signature"]  # the first key is still there


def test_meter_keygen_fills_a_meter_document(tmp_path: Path, run) -> None:
    meter = {"meter_id": "M-9", "capacity_w": 1000, "public_key_pem": "old"}
    result = run("meter", "keygen", str(tmp_path / "m9.pem"), "--meter", json.dumps(meter))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["meter_id"] == "M-9"
    signed = sign_reading(READING, tmp_path / "m9.pem")
    verify_reading(document["public_key_pem"], signed, signed["signature"])
    as_json = json.loads(run("meter", "keygen", str(tmp_path / "k.pem"), "-o", "json").stdout)
    assert as_json["key_file"] == str(tmp_path / "k.pem")
    bad = run("meter", "keygen", str(tmp_path / "x.pem"), "--meter", "[1]")
    assert bad.exit_code == 2
    assert not (tmp_path / "x.pem").exists()
