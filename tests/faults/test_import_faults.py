"""A bulk import killed halfway and resumed: every row on the ledger once, peers in step.

Runs on its own ``pilot`` network (module scope: the raft3 module's network is down by then).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _cli_data import invoice, invoice_number, new_tax_id, taxpayer, write_json
from _faults_support import Figures, record, wait_agreement, wait_until

from fabric_pilot_network.chaincode import deploy
from fabric_pilot_network.chaincode_definitions import load_definition
from fabric_pilot_network.fabric_home import FabricHome
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.ports import free_base_port
from fabric_pilot_network.topology import load_topology

pytestmark = [pytest.mark.e2e, pytest.mark.faults]

OFFICER, SELLER = "TaxBureau/Officer1", "EnterpriseA/Seller1"
ROWS = 60


@pytest.fixture(scope="module")
def pilot(
    fabric_home: FabricHome, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FabricNetwork]:
    """A ``pilot`` network with ``tax_invoice`` deployed."""
    plan = load_topology("pilot")
    network = FabricNetwork.create(
        tmp_path_factory.mktemp("faults-pilot"), plan, fabric_home, free_base_port(plan)
    )
    try:
        network.up()
        deploy(network, load_definition("tax_invoice"))
        yield network
    finally:
        network.down(keep_logs=True)


def _cli(network: FabricNetwork, work: Path, *args: str | Path, as_: str) -> list[str]:
    argv = [sys.executable, "-m", "fabric_pilot_cli", "--dir", str(network.directory)]
    return [*argv, "--as", as_, "--output", "json", *(str(arg) for arg in args)]


def _env(work: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FABRIC_PILOT_")}
    env["FABRIC_PILOT_CONFIG"] = str(work / "config.yaml")
    return env


def _run(network: FabricNetwork, work: Path, *args: str | Path, as_: str) -> Any:
    done = subprocess.run(
        _cli(network, work, *args, as_=as_), env=_env(work), cwd=work,
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{args} -> {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def _journal(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue  # the line the kill tore
    return entries


def test_a_killed_import_resumes_and_stores_every_row_once(
    pilot: FabricNetwork, tmp_path: Path
) -> None:
    seller, buyer = new_tax_id(), new_tax_id()
    for tax_id, msp in ((seller, "EnterpriseAMSP"), (buyer, "EnterpriseBMSP")):
        path = write_json(tmp_path / f"taxpayer-{tax_id}.json", taxpayer(tax_id, msp))
        _run(pilot, tmp_path, "invoice", "taxpayer", "register", path, as_=OFFICER)
    prefix = f"{uuid.uuid4().int % 10**6:06d}"
    numbers = [invoice_number(serial, prefix) for serial in range(1, ROWS + 1)]
    source = write_json(tmp_path / "invoices.json", [invoice(seller, buyer, n) for n in numbers])
    journal = source.with_name(source.name + ".journal.jsonl")
    argv = _cli(pilot, tmp_path, "invoice", "import", source, "--batch-size", "2", as_=SELLER)
    with (tmp_path / "import.log").open("wb") as log:
        process = subprocess.Popen(argv, env=_env(tmp_path), cwd=tmp_path, stdout=log, stderr=log)
        try:
            wait_until(lambda: len(_journal(journal)) >= 12, 240, "12 journaled rows")
            process.send_signal(signal.SIGKILL)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=60)
    acknowledged = {entry["key"] for entry in _journal(journal) if entry["status"] == "ok"}
    assert 12 <= len(acknowledged) < ROWS

    started = time.monotonic()
    rerun = _run(pilot, tmp_path, "invoice", "import", source, "--batch-size", "2", as_=SELLER)
    recover = time.monotonic() - started
    rows = [json.loads(line) for line in rerun.stdout.splitlines()]
    resumed_duplicates = [row for row in rows if row["status"] == "duplicate"]
    assert all(row["status"] in ("ok", "duplicate") for row in rows), rows

    listed = _run(
        pilot, tmp_path, "invoice", "list", "--seller", seller, "--page-size", "100", as_=OFFICER
    )
    stored = [record_["number"] for record_ in json.loads(listed.stdout)["records"]]
    keys = {f"{seller}/{number}" for number in stored}
    views = wait_agreement(pilot, channel="tax")
    figures = Figures(
        fault="kill a bulk import (batches of 2), resume it",
        acknowledged=len(acknowledged), lost=len(acknowledged - keys),
        duplicated=len(stored) - len(set(stored)), failed_in_doubt=len(resumed_duplicates),
        failed_but_committed=len(resumed_duplicates), recover_seconds=round(recover, 2),
        height=views[0].height, extra={"rows": ROWS, "stored": len(set(stored))},
    )  # fmt: skip
    record(figures)
    assert sorted(stored) == sorted(numbers)  # every row once: none lost, none twice
    assert figures.lost == 0 and figures.duplicated == 0
    assert sorted(entry["key"] for entry in _journal(journal)) == sorted(
        f"{seller}/{n}" for n in numbers
    )
