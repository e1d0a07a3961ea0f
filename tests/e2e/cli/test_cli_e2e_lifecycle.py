"""A ``dev`` network through the CLI: a definition for a channel the network lacks is bad
input; after ``network stop`` the nodes and the chaincode server are reported down and every
command against them exits 6 saying the network is stopped; ``network start`` brings the same
ledger back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _cli_support import Cli, running_network

pytestmark = pytest.mark.e2e

USER = "Org1/User1"
ASSET = ("sample_assets", "read_asset", "asset-1")


def _block_lines(cli: Cli, *args: str) -> list[dict[str, Any]]:
    result = cli.run("events", "listen", *args, as_=USER, output=None)
    assert result.code == 0, result.describe()
    return [json.loads(line) for line in result.stdout.splitlines()]


def _blocks_are_listed_and_resumed_from_a_checkpoint(cli: Cli, created: dict[str, Any]) -> None:
    height = int(created["block_number"]) + 1
    checkpoint = cli.cwd / "blocks.checkpoint"
    first = _block_lines(cli, "--from", "0", "--count", "2", "--checkpoint", str(checkpoint))
    assert [block["number"] for block in first] == [0, 1]
    rest = _block_lines(cli, "--count", str(height - 2), "--checkpoint", str(checkpoint))
    assert [block["number"] for block in rest] == list(range(2, height))
    committed = rest[-1]["transactions"]
    assert [(t["transaction_id"], t["validation"]) for t in committed] == [
        (created["transaction_id"], "VALID")
    ]


def test_stopped_network_reports_nodes_down_commands_exit_6_and_start_restores_it(
    isolated_cli: Cli,
) -> None:
    cli = isolated_cli
    with running_network(cli, "dev"):
        wrong = cli.fails(2, "chaincode", "deploy", "tax_invoice")  # its channel is not in dev
        assert len(wrong.error_lines()) == 1 and "channel 'tax'" in wrong.stderr, wrong.describe()
        cli.ok("chaincode", "deploy", "sample_assets")
        created = cli.ok("tx", "submit", "sample_assets", "create_asset", "asset-1", "blue", "5",
                         "300", as_=USER)  # fmt: skip
        assert created["status"] == "VALID"
        _blocks_are_listed_and_resumed_from_a_checkpoint(cli, created)

        stop = cli.run("network", "stop", output=None)
        assert stop.code == 0, stop.describe()
        nodes = cli.ok("network", "status")
        assert {node["kind"] for node in nodes} == {"orderer", "peer", "chaincode"}
        assert not any(node["running"] for node in nodes), nodes
        for command in (
            ("tx", "evaluate", *ASSET),
            ("tx", "submit", "sample_assets", "create_asset", "asset-2", "red", "1", "1"),
            ("blocks", "list"),
        ):
            failed = cli.fails(6, *command, as_=USER)
            # -o json: the error is one JSON object; error_lines checks its exit code
            (line,) = failed.error_lines()
            assert line == "Error: network is stopped: run `fabric-pilot network start`"

        start = cli.run("network", "start", output=None)
        assert start.code == 0, start.describe()
        assert all(node["running"] for node in cli.ok("network", "status"))
        assert cli.ok("tx", "evaluate", *ASSET, as_=USER) == created["result"]
        cli.fails(3, "tx", "evaluate", "sample_assets", "read_asset", "asset-2", as_=USER)
