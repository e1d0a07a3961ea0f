"""Every command has --help with an example; the root help documents exit codes and completion."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from fabric_pilot_cli._errors import EXIT_CODES
from fabric_pilot_cli.main import cli


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        paths.append(path)
        if isinstance(command, click.Group):
            paths += _all_commands(command, path)
    return paths


COMMANDS = _all_commands(cli)


def test_the_required_commands_exist() -> None:
    required = {
        ("install",), ("network", "up"), ("network", "status"), ("network", "logs"),
        ("network", "stop"), ("network", "start"), ("network", "down"),
        ("chaincode", "package"), ("chaincode", "deploy"), ("chaincode", "list"), ("use",),
        ("whoami",), ("tx", "submit"), ("tx", "evaluate"), ("tx", "show"), ("blocks", "list"),
        ("blocks", "show"), ("events", "listen"), ("invoice", "issue"), ("invoice", "get"),
        ("invoice", "verify"), ("invoice", "list"), ("invoice", "history"),
        ("invoice", "red-letter", "request"), ("invoice", "red-letter", "confirm"),
        ("invoice", "red-letter", "reject"), ("invoice", "reimburse", "lock"),
        ("invoice", "reimburse", "complete"), ("invoice", "reimburse", "release"),
        ("invoice", "import"), ("meter", "register"), ("meter", "read"), ("meter", "import"),
        ("meter", "readings"), ("cert", "issue"), ("cert", "transfer"), ("cert", "retire"),
        ("cert", "list"), ("evidence", "register"), ("evidence", "verify"),
        ("evidence", "custody", "transfer"), ("evidence", "custody", "accept"),
        ("evidence", "custody", "history"), ("evidence", "receipt", "export"),
        ("evidence", "receipt", "verify"), ("identity", "register"), ("identity", "enroll"),
        ("identity", "list"), ("identity", "revoke"), ("doctor",),
    }  # fmt: skip
    assert required <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_has_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    example = result.output.split("Example:", 1)[1].split("Options:", 1)[0]
    assert f"fabric-pilot {path[0]}" in example or "fabric-pilot --" in example


def test_root_help_documents_exit_codes_and_completion() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    for code, text in EXIT_CODES.items():
        assert f"{code}  {text}" in result.output
    assert "_FABRIC_PILOT_COMPLETE=bash_source fabric-pilot" in result.output


def test_completion_script_is_generated() -> None:
    result = CliRunner().invoke(
        cli, [], prog_name="fabric-pilot", env={"_FABRIC_PILOT_COMPLETE": "bash_source"}
    )
    assert "_fabric_pilot_completion" in result.output


def test_unknown_command_is_usage_error() -> None:
    assert CliRunner().invoke(cli, ["nope"]).exit_code == 2
