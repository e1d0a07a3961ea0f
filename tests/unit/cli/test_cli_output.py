"""-o json everywhere (errors included), display-width tables, rounded durations, completion."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from cli_fakes import write_profiles
from click.shell_completion import ShellComplete

from fabric_pilot_cli._render import display_width, format_table
from fabric_pilot_cli.main import cli


def _leaves(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _leaves(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def test_every_command_takes_output() -> None:
    missing = []
    for path in _leaves(cli):
        command = cli
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        if not any("--output" in getattr(param, "opts", ()) for param in command.params):
            missing.append(" ".join(path))
    assert missing == []


def test_an_error_with_json_output_is_one_json_object(tmp_path: Path, run) -> None:
    result = run("-o", "json", "--dir", str(tmp_path / "none"), "network", "status")
    assert result.exit_code == 6
    error = json.loads(result.stderr)
    assert error["exit_code"] == 6
    assert "no network in" in error["error"]
    assert error["detail"]["type"] == "NoNetworkError"
    assert result.stdout == ""


def test_a_usage_error_with_json_output_is_json_too(tmp_path: Path, run) -> None:
    write_profiles(tmp_path / "net")
    result = run("--dir", str(tmp_path / "net"), "-o", "json", "invoice", "verify", "S")
    assert result.exit_code == 2
    error = json.loads(result.stderr)
    assert error["exit_code"] == 2 and error["detail"]["type"] == "UsageError"


def test_a_rejection_in_json_carries_its_typed_fields(run, ledger) -> None:
    from cli_fakes import Detail, EndorseError

    ledger.errors["F"] = EndorseError(
        "failed", details=[Detail("peer0", "Org1MSP", "chaincode response 500, FORBIDDEN: no")]
    )
    result = run("-o", "json", "tx", "submit", "cc", "F")
    error = json.loads(result.stderr)
    assert (result.exit_code, error["exit_code"]) == (4, 4)
    assert error["detail"]["type"] == "ChaincodeRejectedError"
    assert error["detail"]["rejection_code"] == "FORBIDDEN"
    assert error["detail"]["peers"][0]["msp_id"] == "Org1MSP"


def test_cjk_cells_align_by_display_width() -> None:
    rows = [{"name": "厦门能源有限公司", "id": 1}, {"name": "ACME", "id": 22}]
    lines = format_table(rows).splitlines()
    assert display_width("厦门") == 4
    columns = {
        display_width(line[: line.index(str(row["id"]))])
        for line, row in zip(lines[1:], rows, strict=True)
    }
    assert len(columns) == 1  # the ID column starts at the same screen column on every row


def test_deploy_seconds_are_rounded() -> None:
    from fabric_pilot_network.chaincode import DeployResult

    fields = DeployResult.__dataclass_fields__
    values = {name: ("x" if name != "seconds" else 6.123456) for name in fields}
    values["sequence"] = 1
    assert DeployResult(**values).to_json()["seconds"] == 6.1  # type: ignore[arg-type]


def _complete(args: list[str], incomplete: str) -> list[str]:
    completion = ShellComplete(cli, {}, "fabric-pilot", "_FABRIC_PILOT_COMPLETE")
    return [item.value for item in completion.get_completions(args, incomplete)]


def test_completion_names_topologies_chaincodes_identities_and_channels(tmp_path: Path) -> None:
    net = tmp_path / "net"
    write_profiles(net)
    assert "pilot" in _complete(["network", "up", "--topology"], "")
    assert "tax_invoice" in _complete(["chaincode", "deploy"], "ta")
    assert _complete(["--dir", str(net), "--as"], "Org1") == ["Org1", "Org1/Admin", "Org1/User1"]
    assert _complete(["--dir", str(net), "--channel"], "") == ["mychannel", "tax"]


@pytest.mark.parametrize(
    "args", [["network", "logs"], ["--dir", "/nonexistent", "network", "logs"]]
)
def test_completion_of_nodes_without_a_network_completes_nothing(args: list[str]) -> None:
    assert _complete(args, "") == []
