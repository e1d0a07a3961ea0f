"""The README's main job (scripts/demo) on a real pilot network."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fabric_pilot_demo import run_demo
from fabric_pilot_network.fabric_home import FabricHome
from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.processes import is_running

pytestmark = pytest.mark.e2e


def test_demo_deploys_every_sector_and_commits_one_transaction_each(
    fabric_home: FabricHome, tmp_path: Path
) -> None:
    lines: list[str] = []
    run_demo(tmp_path / "demo", keep=False, say=lines.append)
    transcript = "\n".join(lines)
    for name, channel in (
        ("tax_invoice", "tax"),
        ("energy_metering", "energy"),
        ("court_evidence", "justice"),
    ):
        assert re.search(rf"deployed {name} on {channel} in \d+\.\ds", transcript)
    assert re.search(r"\[tax\] invoice 26440000000000000001 issued \(113000 fen", transcript)
    assert "verified authentic=True" in transcript
    assert re.search(r"\[energy\] meter SZ-PV-0001 registered; signed reading #1", transcript)
    assert re.search(r"\[justice\] evidence EV-2026-0001 registered .*match=True", transcript)
    assert lines[-1] == "network down"
    assert not (tmp_path / "demo").exists()


def test_demo_keep_leaves_the_network_running_until_down(
    fabric_home: FabricHome, tmp_path: Path
) -> None:
    lines: list[str] = []
    run_demo(tmp_path / "kept", keep=True, say=lines.append)
    network = FabricNetwork.load(tmp_path / "kept")
    records = list(network.processes.values())
    assert len(records) == 3 + 7 + 3  # orderers, peers, chaincode servers
    assert all(is_running(record) for record in records)
    network.down()
    assert not any(is_running(record) for record in records)
