"""Settings precedence: flag > environment > config file > default; ``use`` and ``whoami``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from cli_fakes import write_profiles

from fabric_pilot_cli._settings import DEFAULT_DIR, ConfigFileError, resolve_settings


def test_defaults_when_nothing_is_set(isolated_settings: Path) -> None:
    settings = resolve_settings({}, {"FABRIC_PILOT_CONFIG": str(isolated_settings)})
    assert settings.directory == DEFAULT_DIR
    assert settings.output == "table"
    assert settings.org is None
    assert settings.debug is False


@pytest.mark.parametrize(
    ("flag", "env", "file", "expected"),
    [
        ("flag", "env", "file", "flag"),
        (None, "env", "file", "env"),
        (None, None, "file", "file"),
        (None, None, None, None),
    ],
)
def test_precedence_for_org(
    isolated_settings: Path, flag: str | None, env: str | None, file: str | None,
    expected: str | None,
) -> None:  # fmt: skip
    environ = {"FABRIC_PILOT_CONFIG": str(isolated_settings)}
    if env:
        environ["FABRIC_PILOT_ORG"] = env
    if file:
        isolated_settings.parent.mkdir(parents=True, exist_ok=True)
        isolated_settings.write_text(yaml.safe_dump({"org": file}))
    assert resolve_settings({"org": flag}, environ).org == expected


def test_env_and_file_for_dir_output_and_debug(isolated_settings: Path) -> None:
    isolated_settings.parent.mkdir(parents=True)
    isolated_settings.write_text(yaml.safe_dump({"dir": "/from/file", "output": "json"}))
    environ = {"FABRIC_PILOT_CONFIG": str(isolated_settings), "FABRIC_PILOT_DEBUG": "yes"}
    settings = resolve_settings({}, environ)
    assert settings.directory == Path("/from/file")
    assert settings.output == "json"
    assert settings.debug is True


def test_bad_output_in_config_is_a_usage_error(isolated_settings: Path, run) -> None:
    isolated_settings.parent.mkdir(parents=True)
    isolated_settings.write_text("output: xml\n")
    with pytest.raises(ConfigFileError):
        resolve_settings({}, {"FABRIC_PILOT_CONFIG": str(isolated_settings)})
    result = run("network", "status")
    assert result.exit_code == 2
    assert "output must be table or json" in result.stderr


def test_cli_precedence_end_to_end(tmp_path: Path, isolated_settings: Path, run, monkeypatch,
                                   fake_network) -> None:  # fmt: skip
    isolated_settings.parent.mkdir(parents=True)
    isolated_settings.write_text(yaml.safe_dump({"dir": str(tmp_path / "file-dir")}))
    run("network", "status")
    monkeypatch.setenv("FABRIC_PILOT_DIR", str(tmp_path / "env-dir"))
    run("network", "status")
    run("--dir", str(tmp_path / "global-flag"), "network", "status")
    run("--dir", str(tmp_path / "global-flag"), "network", "status", "--dir",
        str(tmp_path / "command-flag"))  # fmt: skip
    loads = [call for call in fake_network.calls if call.startswith("load:")]
    assert loads == [
        f"load:{tmp_path / 'file-dir'}",
        f"load:{tmp_path / 'env-dir'}",
        f"load:{tmp_path / 'global-flag'}",
        f"load:{tmp_path / 'command-flag'}",
    ]


def test_use_stores_context_and_whoami_reads_it(tmp_path: Path, isolated_settings: Path,
                                                run) -> None:  # fmt: skip
    net = tmp_path / "net"
    write_profiles(net)
    result = run("--dir", str(net), "use", "Org2", "Admin")
    assert result.exit_code == 0, result.output
    stored = yaml.safe_load(isolated_settings.read_text())
    assert stored == {"org": "Org2", "user": "Admin", "dir": str(net.resolve())}
    result = run("whoami", "-o", "json")
    assert result.exit_code == 0, result.output
    who = json.loads(result.stdout)
    assert (who["org"], who["user"], who["msp_id"]) == ("Org2", "Admin", "Org2MSP")
    assert "CN=Admin@org2.example.com" in who["subject"]
    assert who["channel"] == "mychannel"


def test_as_flag_beats_stored_context(tmp_path: Path, run) -> None:
    net = tmp_path / "net"
    write_profiles(net)
    assert run("--dir", str(net), "use", "Org2").exit_code == 0
    result = run("whoami", "--as", "Org1MSP/Admin", "--channel", "tax", "-o", "json")
    who = json.loads(result.stdout)
    assert (who["org"], who["user"], who["channel"]) == ("Org1", "Admin", "tax")


def test_whoami_table_and_unknown_org(tmp_path: Path, run) -> None:
    net = tmp_path / "net"
    write_profiles(net)
    table = run("--dir", str(net), "whoami")
    assert "Org1MSP" in table.stdout and "FIELD" in table.stdout
    missing = run("--dir", str(net), "--as", "Org9", "whoami")
    assert missing.exit_code == 3
    assert "no organisation 'Org9'" in missing.stderr


def test_whoami_without_network_is_unavailable(tmp_path: Path, run) -> None:
    result = run("--dir", str(tmp_path / "nothing"), "whoami")
    assert result.exit_code == 6
    assert "Traceback" not in result.output


@pytest.mark.parametrize("value", ["", " ", "Org1/", "/User1", "Org1/User1/x", "Org 1", " Org1"])
@pytest.mark.parametrize("where", ["global", "command"])
def test_empty_or_malformed_as_is_a_usage_error_not_the_default(
    tmp_path: Path, run, value: str, where: str
) -> None:
    net = tmp_path / "net"
    write_profiles(net)
    assert run("--dir", str(net), "use", "Org2").exit_code == 0
    args = ("--as", value, "whoami") if where == "global" else ("whoami", "--as", value)
    result = run("--dir", str(net), *args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--as expects ORG or ORG/USER" in lines[0], result.stderr
    assert "Traceback" not in result.output
