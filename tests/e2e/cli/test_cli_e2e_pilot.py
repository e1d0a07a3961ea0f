"""The CLI end to end on a real ``pilot`` network: every sector command group, as the pilot's
users, through the Gateway of native Fabric peers."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from _cli_data import (
    QUARTER,
    device_key_files,
    invoice,
    invoice_number,
    meter,
    new_tax_id,
    taxpayer,
    unique,
    write_json,
)
from _cli_support import SECTOR_CHAINCODES, Pilot, block_files, committed_block

pytestmark = pytest.mark.e2e

OFFICER = "TaxBureau/Officer1"
SELLER_A = "EnterpriseA/Seller1"
FINANCE_A = "EnterpriseA/Finance1"
SELLER_B = "EnterpriseB/Seller1"
FINANCE_B = "EnterpriseB/Finance1"
GRID_OPERATOR = "GridOperator/Operator1"
REGISTRY = "GridOperator/Registry1"
GENERATOR = "Generator/Operator1"
JUDGE = "Court/Judge1"
CLERK = "Court/Clerk1"
NOTARY = "Notary/Notary1"
CUSTODIAN = "Notary/Custodian1"


def _register_pair(pilot: Pilot) -> tuple[str, str]:
    """Register a fresh seller (Enterprise A) and buyer (Enterprise B); their tax IDs."""
    seller, buyer = new_tax_id(), new_tax_id()
    for tax_id, msp in ((seller, "EnterpriseAMSP"), (buyer, "EnterpriseBMSP")):
        path = write_json(pilot.files / f"taxpayer-{tax_id}.json", taxpayer(tax_id, msp))
        record = pilot.cli.ok("invoice", "taxpayer", "register", path, as_=OFFICER)
        assert (record["tax_id"], record["status"]) == (tax_id, "active")
    return seller, buyer


def _issue(pilot: Pilot, seller: str, buyer: str, number: str) -> dict[str, Any]:
    path = write_json(pilot.files / f"invoice-{number}.json", invoice(seller, buyer, number))
    record: dict[str, Any] = pilot.cli.ok("invoice", "issue", path, as_=SELLER_A)
    assert (record["number"], record["status"], record["kind"]) == (number, "issued", "blue")
    return record


def test_pilot_network_up_with_sector_chaincodes_committed_and_nodes_in_step(
    pilot: Pilot,
) -> None:
    for name, channel in SECTOR_CHAINCODES.items():
        assert (pilot.deployed[name]["name"], pilot.deployed[name]["channel"]) == (name, channel)
    rows = pilot.cli.ok("chaincode", "list")
    for name, channel in SECTOR_CHAINCODES.items():
        mine = [row for row in rows if row["name"] == name]
        assert mine, rows
        assert all(row["channel"] == channel and row["committed"] for row in mine), mine
        assert {row["sequence"] for row in mine} == {1}
    nodes = pilot.cli.ok("network", "status")
    assert {node["kind"] for node in nodes} == {"orderer", "peer", "chaincode"}
    assert len([node for node in nodes if node["kind"] == "chaincode"]) == len(SECTOR_CHAINCODES)
    assert len([node for node in nodes if node["kind"] == "peer"]) == 7
    assert all(node["running"] for node in nodes), nodes
    for channel in SECTOR_CHAINCODES.values():
        heights = {node["heights"][channel] for node in nodes if channel in node["heights"]}
        assert len(heights) == 1 and heights.pop() > 1, (channel, nodes)


def test_invoice_issue_get_verify_list_and_history(pilot: Pilot) -> None:
    cli, (seller, buyer) = pilot.cli, _register_pair(pilot)
    number = invoice_number(1, f"{uuid.uuid4().int % 10**6:06d}")
    issued = _issue(pilot, seller, buyer, number)

    fetched = cli.ok("invoice", "get", seller, number, as_=FINANCE_B)
    assert fetched["tx_id"] == issued["tx_id"]
    assert fetched["buyer_msp"] == "EnterpriseBMSP"
    day = issued["issued_at"][:10]
    gross = str(issued["total_gross_fen"])
    verdict = cli.ok("invoice", "verify", seller, number, gross, day, as_=FINANCE_B)
    assert verdict["authentic"] is True and verdict["tx_id"] == issued["tx_id"]
    unknown = invoice_number(2, number[:6])
    verdict = cli.fails(
        3, "invoice", "verify", seller, unknown, gross, day, as_=FINANCE_B, message=False
    ).json()
    assert (verdict["authentic"], verdict["reason"]) == (False, "not_found")
    page = cli.ok("invoice", "list", "--seller", seller, as_=OFFICER)
    assert [record["number"] for record in page["records"]] == [number]
    history = cli.ok("invoice", "history", seller, number, as_=SELLER_A)
    assert [entry["tx_id"] for entry in history] == [issued["tx_id"]]


def test_invoice_red_letter_request_confirm_reject_and_reimbursement(pilot: Pilot) -> None:
    cli, (seller, buyer) = pilot.cli, _register_pair(pilot)
    prefix = f"{uuid.uuid4().int % 10**6:06d}"
    reversed_no, reimbursed_no, released_no = (invoice_number(i, prefix) for i in (1, 2, 3))
    for number in (reversed_no, reimbursed_no, released_no):
        _issue(pilot, seller, buyer, number)
    invoice_ids = (seller, reversed_no)

    discount = {"net_fen": 10_000, "reason": "discount", "request_id": "R1", "tax_fen": 1300}
    request = write_json(pilot.files / f"r1-{prefix}.json", discount)
    asked = cli.ok("invoice", "red-letter", "request", *invoice_ids, request, as_=FINANCE_B)
    assert (asked["request_id"], asked["status"], asked["requested_by"]) == (
        "R1", "requested", "buyer",
    )  # fmt: skip
    confirmed = cli.ok("invoice", "red-letter", "confirm", *invoice_ids, "R1", as_=SELLER_A)
    assert confirmed["status"] == "confirmed"
    partial = {"net_fen": 5_000, "reason": "return", "request_id": "R2", "tax_fen": 650}
    cli.ok("invoice", "red-letter", "request", *invoice_ids, json.dumps(partial), as_=SELLER_A)
    rejected = cli.ok(
        "invoice", "red-letter", "reject", *invoice_ids, "R2", "price was right", as_=SELLER_B
    )
    assert (rejected["status"], rejected["decision_reason"]) == ("rejected", "price was right")
    listed = cli.ok("invoice", "red-letter", "list", *invoice_ids, as_=OFFICER)
    statuses = {item["request_id"]: item["status"] for item in listed["records"]}
    assert statuses == {"R1": "confirmed", "R2": "rejected"}
    after = cli.ok("invoice", "get", *invoice_ids, as_=OFFICER)
    assert (after["pending_net_fen"], after["pending_tax_fen"]) == (10_000, 1300)

    locked = cli.ok("invoice", "reimburse", "lock", seller, reimbursed_no, "CLAIM-7", as_=FINANCE_B)
    assert locked["reimbursement"]["status"] == "locked"
    done = cli.ok("invoice", "reimburse", "complete", seller, reimbursed_no, as_=FINANCE_B)
    assert done["reimbursement"]["status"] == "reimbursed"
    cli.ok("invoice", "reimburse", "lock", seller, released_no, "CLAIM-8", as_=FINANCE_B)
    released = cli.ok(
        "invoice", "reimburse", "release", seller, released_no, "claim withdrawn", as_=FINANCE_B
    )
    assert released["reimbursement"] == {
        "last_release_reason": "claim withdrawn", "status": "none",
    }  # fmt: skip
    history = cli.ok("invoice", "history", seller, reimbursed_no, as_=OFFICER)
    assert [entry["value"]["reimbursement"]["status"] for entry in history] == [
        "none", "locked", "reimbursed",
    ]  # fmt: skip


def _reading(meter_id: str, start: int, counter: int, export_wh: int) -> dict[str, Any]:
    return {
        "counter": counter,
        "export_wh": export_wh,
        "import_wh": 0,
        "interval_end": start + QUARTER,
        "interval_start": start,
        "meter_id": meter_id,
    }


def test_meter_register_read_import_readings_and_certificate_lifecycle(pilot: Pilot) -> None:
    cli, meter_id = pilot.cli, unique("PV")
    key_file, public_pem = device_key_files(pilot.files, meter_id)
    document = write_json(
        pilot.files / f"{meter_id}.json", meter(meter_id, "GeneratorMSP", public_pem)
    )
    registered = cli.ok("meter", "register", document, as_=GRID_OPERATOR)
    assert (registered["meter_id"], registered["owner_msp"]) == (meter_id, "GeneratorMSP")

    now = int(time.time())
    first = now - now % QUARTER - 5 * QUARTER
    starts = [first + index * QUARTER for index in range(4)]
    readings = [
        _reading(meter_id, start, n + 1, 400_000 * (n + 1)) for n, start in enumerate(starts)
    ]
    one = write_json(pilot.files / f"{meter_id}-1.json", readings[0])
    recorded = cli.ok("meter", "read", one, "--sign-with", key_file, as_=GENERATOR)
    assert (recorded["counter"], recorded["recorded_by"]) == (1, "GeneratorMSP")
    unsigned = write_json(pilot.files / f"{meter_id}-unsigned.json", readings[1])
    refused = cli.fails(4, "meter", "read", unsigned, as_=GENERATOR)
    assert "BAD_ARGUMENT" in refused.stderr or "BAD_SIGNATURE" in refused.stderr
    batch = write_json(pilot.files / f"{meter_id}-rest.json", readings[1:])
    imported = cli.run("meter", "import", batch, "--sign-with", pilot.files, as_=GRID_OPERATOR)
    assert imported.code == 0, imported.describe()
    rows = [json.loads(line) for line in imported.stdout.splitlines()]
    assert [(row["key"], row["status"]) for row in rows] == [
        (f"{meter_id}/{start}", "ok") for start in starts[1:]
    ]
    listed = cli.ok("meter", "readings", meter_id, as_=GENERATOR)
    assert [(r["interval_start"], r["counter"]) for r in listed["records"]] == [
        (start, n + 1) for n, start in enumerate(starts)
    ]

    request = {"meter_id": meter_id, "period_start": starts[0], "period_end": starts[-1] + QUARTER}
    lot = cli.ok("cert", "issue", json.dumps(request), as_=REGISTRY)
    assert (lot["quantity_mwh"], lot["carry_out_wh"], lot["owner_msp"]) == (
        1,
        600_000,
        "GeneratorMSP",
    )
    cert_id = lot["certificate_id"]
    moved = cli.ok("cert", "transfer", cert_id, "EnterpriseAMSP", as_=GENERATOR)
    assert moved["owner_msp"] == "EnterpriseAMSP"
    claim = {"beneficiary": "Example Software Co.", "purpose": "scope2", "reporting_year": 2026}
    retired = cli.ok("cert", "retire", cert_id, json.dumps(claim), as_=FINANCE_A)
    assert retired["status"] == "retired"
    owned = cli.ok("cert", "list", "--owner", "EnterpriseAMSP", as_=FINANCE_A)
    assert {r["certificate_id"]: r["status"] for r in owned["records"]}.get(cert_id) == "retired"
    by_meter = cli.ok("cert", "list", "--meter", meter_id, as_=GENERATOR)
    assert [r["certificate_id"] for r in by_meter["records"]] == [cert_id]
    again = cli.fails(4, "cert", "transfer", cert_id, "EnterpriseBMSP", as_=FINANCE_A)
    assert "CERTIFICATE_RETIRED" in again.stderr or "ILLEGAL_TRANSITION" in again.stderr


def _assert_only_the_hash_on_disk(directory: Path, digest: str, secret: str) -> None:
    """The peers' raw block files of ``justice`` hold the evidence hash, never the content.

    The notary's peer (the gateway of the registration) has certainly committed the block; the
    other peers may still be catching up, so the hash is required in its files only.
    """
    ledgers = block_files(directory, "justice")
    notary = [path for path in ledgers if "peer0.notary." in str(path)]
    assert notary, ledgers
    assert any(digest.encode() in path.read_bytes() for path in notary)
    for path in ledgers:
        assert secret.encode() not in path.read_bytes(), path


def test_evidence_register_keeps_the_file_off_chain_verify_and_custody(pilot: Pilot) -> None:
    cli, evidence_id, case_id = pilot.cli, unique("EV"), unique("CASE")
    secret = f"confidential contract body {uuid.uuid4().hex} {uuid.uuid4().hex}"
    scan = pilot.files / f"{evidence_id}.txt"
    scan.write_text(secret, encoding="utf-8")
    digest = hashlib.sha256(secret.encode()).hexdigest()

    result = cli.run("evidence", "register", scan, "--id", evidence_id, "--case", case_id,
                     as_=NOTARY)  # fmt: skip
    assert result.code == 0, result.describe()
    record = result.json()
    assert (record["content_hash"], record["size_bytes"]) == (digest, len(secret))
    tx_id, block_number = committed_block(result)
    block = cli.run("blocks", "show", str(block_number), "--channel", "justice", as_=JUDGE)
    assert block.code == 0, block.describe()
    assert tx_id in [item["transaction_id"] for item in block.json()["transactions"]]
    assert secret not in block.stdout
    _assert_only_the_hash_on_disk(pilot.directory, digest, secret)

    verdict = cli.ok("evidence", "verify", scan, "--id", evidence_id, as_=JUDGE)
    assert (verdict["match"], verdict["tx_id"]) == (True, tx_id)
    cli.ok("evidence", "verify", scan, as_=CLERK)
    scan.write_text(secret + ".", encoding="utf-8")
    tampered = cli.fails(3, "evidence", "verify", scan, "--id", evidence_id, as_=JUDGE,
                         message=False)  # fmt: skip
    assert tampered.json()["match"] is False

    sent = cli.ok("evidence", "custody", "transfer", evidence_id, "2", "--to", "CourtMSP",
                  "--reason", "hearing", as_=NOTARY)  # fmt: skip
    assert (sent["seq"], sent["kind"]) == (2, "transfer_started")
    wrong = cli.fails(4, "evidence", "custody", "accept", evidence_id, "3", as_=CUSTODIAN)
    assert "NOT_RECEIVER" in wrong.stderr
    accepted = cli.ok("evidence", "custody", "accept", evidence_id, "3", as_=CLERK)
    assert (accepted["seq"], accepted["kind"]) == (3, "transfer_accepted")
    chain = cli.ok("evidence", "custody", "history", evidence_id, as_=JUDGE)
    assert [(entry["seq"], entry["kind"]) for entry in chain["records"]] == [
        (1, "registered"), (2, "transfer_started"), (3, "transfer_accepted"),
    ]  # fmt: skip
    current = cli.ok("evidence", "get", evidence_id, as_=JUDGE)
    assert current["custodian"]["msp_id"] == "CourtMSP"
    assert current["case_id"] == case_id


def test_evidence_receipt_exported_verifies_offline_and_tampering_is_caught(
    pilot: Pilot,
) -> None:
    cli, evidence_id = pilot.cli, unique("EV")
    scan = pilot.files / f"{evidence_id}.bin"
    scan.write_bytes(uuid.uuid4().bytes * 64)
    registered = cli.run("evidence", "register", scan, "--id", evidence_id, as_=NOTARY)
    assert registered.code == 0, registered.describe()
    tx_id, block_number = committed_block(registered)

    exported = cli.run("evidence", "receipt", "export", evidence_id, as_=JUDGE, output=None)
    assert exported.code == 0, exported.describe()
    receipt = pilot.files / f"{evidence_id}.receipt.json"
    receipt.write_text(exported.stdout, encoding="utf-8")
    unpinned = cli.run("evidence", "receipt", "verify", receipt)
    assert unpinned.code == 0, unpinned.describe()
    assert unpinned.json()["trust"] == "none"
    assert "no trust anchors given" in unpinned.stderr
    anchors = cli.run("evidence", "receipt", "anchors", as_=JUDGE, output=None)
    assert anchors.code == 0, anchors.describe()
    anchors_file = pilot.files / "justice-anchors.json"
    anchors_file.write_text(anchors.stdout, encoding="utf-8")
    published = json.loads(anchors.stdout)
    assert {"CourtMSP", "NotaryMSP"} <= set(published["root_fingerprints"])
    proof = cli.ok("evidence", "receipt", "verify", receipt, "--anchors", anchors_file)
    assert (proof["transaction_id"], proof["block_number"]) == (tx_id, block_number)
    assert proof["record"]["evidence_id"] == evidence_id
    assert proof["trust"] == "genesis_block_hash+root_fingerprints"
    assert proof["genesis_block_hash"] == published["genesis_block_hash"]
    assert proof["state_endorser_msp_ids"] == ["CourtMSP", "NotaryMSP"]
    wrong_genesis = cli.fails(3, "evidence", "receipt", "verify", receipt,
                              "--genesis-hash", "ab" * 32)  # fmt: skip
    assert "trust_anchors" in wrong_genesis.stderr
    wrong_root = cli.fails(3, "evidence", "receipt", "verify", receipt,
                           "--root-fingerprint", f"CourtMSP={'cd' * 32}")  # fmt: skip
    assert "certificate_chain" in wrong_root.stderr

    unsigned_part = json.loads(exported.stdout)
    unsigned_part["config_block"]["transactions_filter"] = "Cw=="
    receipt.write_text(json.dumps(unsigned_part), encoding="utf-8")
    rejected = cli.fails(3, "evidence", "receipt", "verify", receipt, "--anchors", anchors_file)
    assert "format" in rejected.stderr

    forged = json.loads(exported.stdout)
    forged_text = json.dumps(forged).replace(registered.json()["content_hash"], "0" * 64)
    assert forged_text != json.dumps(forged)
    receipt.write_text(forged_text, encoding="utf-8")
    rejected = cli.fails(3, "evidence", "receipt", "verify", receipt)
    assert "receipt does not verify" in rejected.stderr


def test_refusals_unknown_ids_and_bad_input_map_to_exit_codes_and_change_nothing(
    pilot: Pilot,
) -> None:
    cli, (seller, buyer) = pilot.cli, _register_pair(pilot)
    stranger = new_tax_id()
    document = write_json(pilot.files / f"tp-{stranger}.json", taxpayer(stranger, "EnterpriseAMSP"))
    refused = cli.fails(4, "invoice", "taxpayer", "register", document, as_=SELLER_A)
    assert len(refused.error_lines()) == 1, refused.describe()
    assert "FORBIDDEN" in refused.stderr
    cli.fails(3, "invoice", "taxpayer", "get", stranger, as_=OFFICER)
    cli.fails(3, "tx", "evaluate", "no_such_chaincode", "anything", "--channel", "tax", as_=OFFICER)
    cli.fails(3, "tx", "show", "0" * 64, "--channel", "tax", as_=OFFICER)

    prefix = f"{uuid.uuid4().int % 10**6:06d}"
    broken_no, locked_no = invoice_number(1, prefix), invoice_number(2, prefix)
    broken = pilot.files / f"broken-{prefix}.json"
    broken.write_text(json.dumps(invoice(seller, buyer, broken_no))[:-25], encoding="utf-8")
    bad_json = cli.fails(2, "invoice", "issue", broken, as_=SELLER_A)
    assert len(bad_json.error_lines()) == 1, bad_json.describe()
    assert broken.name in bad_json.stderr and "not valid JSON" in bad_json.stderr
    cli.fails(3, "invoice", "get", seller, broken_no, as_=OFFICER)

    issued = _issue(pilot, seller, buyer, locked_no)
    missing = cli.fails(2, "invoice", "reimburse", "lock", seller, locked_no, as_=FINANCE_B)
    errors = [line for line in missing.error_lines() if line.startswith("Error")]
    assert len(errors) == 1 and "CLAIM_REF" in errors[0], missing.describe()
    history = cli.ok("invoice", "history", seller, locked_no, as_=OFFICER)
    assert [entry["tx_id"] for entry in history] == [issued["tx_id"]]
    assert history[0]["value"]["reimbursement"]["status"] == "none"


def _journal(path: Path) -> list[dict[str, Any]]:
    """The journal's complete lines (a line torn by the kill is left out)."""
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries


def _kill_after_committed(process: subprocess.Popen[bytes], journal: Path, rows: int) -> None:
    """Poll the journal until it holds ``rows`` committed rows, then SIGKILL the import."""
    deadline = time.monotonic() + 240
    while process.poll() is None and time.monotonic() < deadline:
        if len([entry for entry in _journal(journal) if entry["status"] == "ok"]) >= rows:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    process.wait(timeout=60)


@pytest.mark.parametrize(
    ("sellers", "options"),
    [
        pytest.param(1, ("--batch-size", "1", "--in-flight", "1"), id="one-by-one"),
        pytest.param(3, ("--batch-size", "2", "--in-flight", "8"), id="8-in-flight-batches"),
    ],
)
def test_invoice_import_killed_halfway_resumes_and_stores_every_row_once(
    pilot: Pilot, sellers: int, options: tuple[str, ...]
) -> None:
    cli, (seller, buyer) = pilot.cli, _register_pair(pilot)
    tax_ids = [seller] + [_register_pair(pilot)[0] for _ in range(sellers - 1)]
    prefix = f"{uuid.uuid4().int % 10**6:06d}"
    numbers = [invoice_number(serial, prefix) for serial in range(1, 41)]
    documents = [invoice(tax_ids[n % sellers], buyer, number) for n, number in enumerate(numbers)]
    keys = [f"{document['seller_tax_id']}/{document['number']}" for document in documents]
    source = write_json(pilot.files / f"bulk-{prefix}.json", documents)
    journal = source.with_name(source.name + ".journal.jsonl")
    log = pilot.files / f"bulk-{prefix}.log"
    with cli.started("invoice", "import", source, *options, as_=SELLER_A, log=log) as process:
        _kill_after_committed(process, journal, 5)
    assert process.returncode == -signal.SIGKILL, log.read_text(encoding="utf-8")
    done_before = {entry["key"] for entry in _journal(journal)}
    assert 5 <= len(done_before) < len(numbers)

    rerun = cli.run("invoice", "import", source, *options, as_=SELLER_A)
    assert rerun.code == 0, rerun.describe()
    assert f"{len(numbers)} row(s); {len(done_before)} already in" in rerun.stderr
    assert " rows/s: 40 ok or duplicate, 0 failed" in rerun.stderr
    rows = [json.loads(line) for line in rerun.stdout.splitlines()]
    assert [row["key"] for row in rows] == keys
    skipped = {row["key"] for row in rows if row["message"] == "already done (journal)"}
    assert skipped == done_before
    fresh = [row for row in rows if row["key"] not in done_before]
    assert all(row["status"] in ("ok", "duplicate") for row in fresh), fresh
    # at most the rows in flight at the kill were committed without a journal line
    in_flight = 1 if sellers == 1 else 8 * 2
    assert len([row for row in fresh if row["status"] == "duplicate"]) <= in_flight, fresh

    listed = []
    for tax_id in tax_ids:
        page = cli.ok("invoice", "list", "--seller", tax_id, "--page-size", "100", as_=OFFICER)
        listed += [f"{tax_id}/{record['number']}" for record in page["records"]]
    assert sorted(listed) == sorted(keys)  # every row stored, none twice
    final = _journal(journal)
    assert sorted(entry["key"] for entry in final) == sorted(keys)


def test_import_tells_a_duplicate_from_a_conflict(pilot: Pilot) -> None:
    cli, (seller, buyer) = pilot.cli, _register_pair(pilot)
    prefix = f"{uuid.uuid4().int % 10**6:06d}"
    issued_no, taken_no, new_no = (invoice_number(serial, prefix) for serial in (1, 2, 3))
    issued = _issue(pilot, seller, buyer, issued_no)
    _issue(pilot, seller, buyer, taken_no)
    changed = dict(invoice(seller, buyer, taken_no), payment_ref="PAY-CHANGED")
    rows = [invoice(seller, buyer, issued_no), changed, invoice(seller, buyer, new_no)]
    source = write_json(pilot.files / f"conflict-{prefix}.json", rows)
    result = cli.run("invoice", "import", source, as_=SELLER_A)
    assert result.code == 4, result.describe()
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["status"] for line in lines] == ["duplicate", "conflict", "ok"]
    assert lines[0]["tx_id"] == issued["tx_id"]
    assert "DUPLICATE_INVOICE" in lines[1]["message"]
    journaled = {
        entry["key"] for entry in _journal(source.with_name(source.name + ".journal.jsonl"))
    }
    assert journaled == {f"{seller}/{issued_no}", f"{seller}/{new_no}"}
    again = cli.run("invoice", "import", source, as_=SELLER_A)
    assert again.code == 4  # the conflict is reported again, never marked done


SAMPLES = Path(__file__).resolve().parents[3] / "network-config" / "samples"


def _height(pilot: Pilot, channel: str, as_: str) -> int:
    (newest,) = pilot.cli.ok("blocks", "list", "--count", "1", "--channel", channel, as_=as_)
    return int(newest["number"]) + 1


def test_every_shipped_sample_is_accepted_as_shipped(pilot: Pilot) -> None:
    cli = pilot.cli
    assert {path.name for path in SAMPLES.iterdir()} == {
        "taxpayer_seller.json", "taxpayer_buyer.json", "invoice.json",
        "invoice-26440000000000000001.ofd", "meter.json", "evidence.json",
        "evidence-EV-2026-0001.warc",
    }  # fmt: skip
    for name in ("taxpayer_seller.json", "taxpayer_buyer.json"):
        assert cli.ok("invoice", "taxpayer", "register", SAMPLES / name, as_=OFFICER)["status"]
    issued = cli.ok("invoice", "issue", SAMPLES / "invoice.json", as_=SELLER_A)
    assert issued["number"] == "26440000000000000001"
    ofd = SAMPLES / "invoice-26440000000000000001.ofd"
    assert cli.ok("invoice", "verify", "--file", ofd, as_=FINANCE_B)["authentic"] is True
    meter_sample = json.loads((SAMPLES / "meter.json").read_text(encoding="utf-8"))
    registered = cli.ok("meter", "register", SAMPLES / "meter.json", as_=GRID_OPERATOR)
    assert (registered["meter_id"], registered["status"]) == (meter_sample["meter_id"], "active")
    warc = SAMPLES / "evidence-EV-2026-0001.warc"
    record = cli.ok("evidence", "register", warc, "--id", "EV-2026-0001", "--metadata",
                    SAMPLES / "evidence.json", as_=NOTARY)  # fmt: skip
    assert record["content_hash"] == hashlib.sha256(warc.read_bytes()).hexdigest()
    assert cli.ok("evidence", "verify", warc, "--id", "EV-2026-0001", as_=JUDGE)["match"] is True


def test_meter_keygen_key_signs_readings_and_impossible_readings_are_refused(
    pilot: Pilot,
) -> None:
    cli, meter_id = pilot.cli, unique("KG")
    key_file = pilot.files / f"{meter_id}.pem"
    template = write_json(
        pilot.files / f"{meter_id}-template.json", meter(meter_id, "GeneratorMSP", "x")
    )
    document = cli.ok("meter", "keygen", key_file, "--meter", template)
    assert key_file.stat().st_mode & 0o777 == 0o600
    cli.ok("meter", "register", write_json(pilot.files / f"{meter_id}.json", document),
           as_=GRID_OPERATOR)  # fmt: skip
    now = int(time.time())
    start = now - now % QUARTER - 4 * QUARTER
    first = write_json(pilot.files / f"{meter_id}-1.json", _reading(meter_id, start, 1, 2_600_000))
    refused = cli.fails(4, "meter", "read", first, "--sign-with", key_file, as_=GENERATOR)
    assert "EXCEEDS_CAPACITY" in refused.stderr  # 5 MW cannot make 2.6 MWh in 15 minutes
    plausible = _reading(meter_id, start, 1, 1_000_000)
    path = write_json(pilot.files / f"{meter_id}-ok.json", plausible)
    assert cli.ok("meter", "read", path, "--sign-with", key_file, as_=GENERATOR)["counter"] == 1
    fake = dict(_reading(meter_id, start + QUARTER, 2, 999_999), flag="rollover")
    path = write_json(pilot.files / f"{meter_id}-rollover.json", fake)
    refused = cli.fails(4, "meter", "read", path, "--sign-with", key_file, as_=GENERATOR)
    assert "EXCEEDS_CAPACITY" in refused.stderr
    assert cli.ok("meter", "get", meter_id, as_=GENERATOR)["last_export_wh"] == 1_000_000


def test_evidence_retry_with_a_copy_returns_the_record_and_bad_input_changes_nothing(
    pilot: Pilot,
) -> None:
    cli, evidence_id = pilot.cli, unique("EV")
    original = pilot.files / f"{evidence_id}.bin"
    original.write_bytes(uuid.uuid4().bytes * 8)
    first = cli.run("evidence", "register", original, "--id", evidence_id, as_=NOTARY)
    assert first.code == 0, first.describe()
    copy_folder = pilot.files / f"{evidence_id}-copy"
    copy_folder.mkdir()
    copy = copy_folder / original.name
    copy.write_bytes(original.read_bytes())
    os.utime(copy, (time.time() - 86_400, time.time() - 86_400))  # another mtime
    again = cli.run("evidence", "register", copy, "--id", evidence_id, as_=NOTARY)
    assert again.code == 0, again.describe()
    assert again.json() == first.json()  # the stored record, same tx ID: nothing was written
    height = _height(pilot, "justice", NOTARY)
    for bad in (
        ("--captured-at", "yesterday"),
        ("--personal", json.dumps({"note": "x" * 5_000})),
    ):
        refused = cli.fails(2, "evidence", "register", original, "--id", unique("EV"), *bad,
                            as_=NOTARY)  # fmt: skip
        assert len(refused.error_lines()) == 1, refused.describe()
    listed = cli.fails(2, "evidence", "list", "C-1", "--page-size", "101", as_=JUDGE)
    assert "between 1 and 100" in listed.stderr
    outsider = cli.fails(2, "meter", "get", "SZ-PV-0001", as_=JUDGE)
    assert "org Court is not a member of channel energy" in outsider.stderr
    assert _height(pilot, "justice", NOTARY) == height
