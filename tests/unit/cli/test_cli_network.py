"""``network`` and ``chaincode`` commands against a fake network manager."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fabric_pilot_cli import _fabric


def test_network_up_passes_options(tmp_path: Path, run, fake_network) -> None:
    result = run("network", "up", "--topology", "raft3", "--base-port", "8050", "--ca",
                 "--dir", str(tmp_path / "n"), "--fabric-bin", "/opt/fabric/bin")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"create:{tmp_path / 'n'}:raft3:/opt/fabric/bin:8050:True" in fake_network.calls
    assert "up:None" in fake_network.calls
    assert "fake network is up" in result.stderr


def test_network_up_uses_default_dir(run, fake_network) -> None:
    assert run("network", "up").exit_code == 0
    assert fake_network.calls[0] == "create:.fabric-pilot/network:dev:None:7050:False"


def test_status_table_and_json(run, fake_network) -> None:
    table = run("network", "status")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["NAME", "KIND", "PID", "RUNNING", "PORTS", "HEIGHTS"]
    assert "orderer0.example.com" in lines[1] and "yes" in lines[1]
    as_json = run("network", "status", "--output", "json")
    rows = json.loads(as_json.stdout)
    assert [row["running"] for row in rows] == [True, False]
    assert rows[1]["heights"] == {"mychannel": 4}
    global_json = run("-o", "json", "network", "status")
    assert json.loads(global_json.stdout) == rows


def test_stop_start_down(run, fake_network) -> None:
    assert "stopped 1 process" in run("network", "stop").stdout
    assert run("network", "start").exit_code == 0
    assert run("network", "down").exit_code == 0
    assert [c for c in fake_network.calls if not c.startswith("load")] == ["stop", "start", "down"]


def test_logs_of_known_and_unknown_node(run, fake_network) -> None:
    result = run("network", "logs", "peer0.org1.example.com", "-n", "7")
    assert result.stdout.strip() == "peer0.org1.example.com:7"
    missing = run("network", "logs", "peer9")
    assert missing.exit_code == 3
    assert missing.stderr.startswith("Error: no process called 'peer9'")


def test_no_network_maps_to_exit_6(run, monkeypatch) -> None:
    from fabric_pilot_network.errors import NoNetworkError

    def missing(directory: Path):
        raise NoNetworkError(f"no network in {directory} (run 'fabric-pilot network up')")

    monkeypatch.setattr(_fabric, "load_network", missing)
    result = run("network", "status")
    assert result.exit_code == 6
    assert "Traceback" not in result.output


def test_debug_shows_the_exception(run, monkeypatch) -> None:
    from fabric_pilot_network.errors import NoNetworkError as NetworkError

    def missing(directory: Path):
        raise NetworkError("no network in x")

    monkeypatch.setattr(_fabric, "load_network", missing)
    result = run("--debug", "network", "status")
    assert isinstance(result.exception, NetworkError)


def test_fabric_missing_maps_to_exit_7(run, monkeypatch) -> None:
    from fabric_pilot_network.errors import FabricHomeError

    def broken(*args, **kwargs):
        raise FabricHomeError("Fabric binaries incomplete: /x/peer is missing")

    monkeypatch.setattr(_fabric, "create_network", broken)
    result = run("network", "up")
    assert result.exit_code == 7
    assert "peer is missing" in result.stderr


def test_docker_runtime_plans_a_docker_network(run, fake_network) -> None:
    result = run("network", "up", "--runtime", "docker", "--base-port", "27050")
    assert result.exit_code == 0, result.output
    assert "runtime:docker" in fake_network.calls
    assert any(call.endswith(":27050:False") for call in fake_network.calls)


def test_docker_runtime_without_engine_is_exit_6(run, fake_network, monkeypatch) -> None:
    from fabric_pilot_network.errors import DockerRuntimeError

    def broken(*args, **kwargs):
        raise DockerRuntimeError("cannot reach the Docker engine: connection refused")

    monkeypatch.setattr(_fabric, "create_network", broken)
    result = run("network", "up", "--runtime", "docker")
    assert result.exit_code == 6
    assert result.stderr.strip().endswith("cannot reach the Docker engine: connection refused")


def test_chaincode_deploy_with_overrides(run, fake_network) -> None:
    result = run("chaincode", "deploy", "tax_invoice", "--channel", "tax", "--version", "2.0",
                 "--policy", "OR('Org1MSP.peer')", "-o", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "name": "tax_invoice", "channel": "tax", "version": "2.0", "sequence": 1,
    }  # fmt: skip
    deployed = next(call for call in fake_network.calls if call.startswith("deploy:"))
    assert "endorsement_policy=\"OR('Org1MSP.peer')\"" in deployed


def test_chaincode_list_and_available(run, fake_network) -> None:
    listed = run("chaincode", "list", "-o", "json")
    assert json.loads(listed.stdout)[0]["package_id"] == "a_1.0:ff"
    available = run("chaincode", "list", "--available")
    names = [line.split()[0] for line in available.stdout.splitlines()[1:]]
    assert names == ["a", "b"]


def test_chaincode_unknown_definition_is_not_found(run, fake_network, monkeypatch) -> None:
    from fabric_pilot_network.errors import UnknownChaincodeError

    def unknown(name: str):
        raise UnknownChaincodeError(f"unknown chaincode {name!r} (known: a)")

    monkeypatch.setattr(_fabric, "load_definition", unknown)
    assert run("chaincode", "deploy", "nope").exit_code == 3


def test_chaincode_package_writes_file_and_prints_id(tmp_path: Path, run, fake_network,
                                                     monkeypatch) -> None:  # fmt: skip
    monkeypatch.setattr(
        _fabric, "package_chaincode", lambda net, d: (b"archive", f"{d.label}:abc", "x:1")
    )
    result = run("chaincode", "package", "tax_invoice")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "tax_invoice_1.0:abc"
    assert (tmp_path / "tax_invoice_1.0.tar.gz").read_bytes() == b"archive"


def test_collections_file_in_fabric_format(tmp_path: Path) -> None:
    path = tmp_path / "collections.json"
    path.write_text(json.dumps([{
        "name": "private", "policy": "OR('Org1MSP.member')", "requiredPeerCount": 1,
        "maxPeerCount": 2, "blockToLive": 10, "memberOnlyRead": True,
        "endorsementPolicy": {"signaturePolicy": "OR('Org1MSP.peer')"},
    }]))  # fmt: skip
    (collection,) = _fabric.load_collections(path)
    assert collection.to_fabric()["maxPeerCount"] == 2
    assert collection.endorsement_policy == "OR('Org1MSP.peer')"
    path.write_text('[{"name": "x", "policy": "p", "bogus": 1}]')
    with pytest.raises(ValueError, match=r"collections\[0\]"):
        _fabric.load_collections(path)


def test_deploy_with_collections(tmp_path: Path, run, fake_network) -> None:
    (tmp_path / "c.yaml").write_text("- {name: pdc, policy: \"OR('Org1MSP.member')\"}\n")
    result = run("chaincode", "deploy", "a", "--collections", "c.yaml")
    assert result.exit_code == 0, result.output
    deployed = next(call for call in fake_network.calls if call.startswith("deploy:"))
    assert "name='pdc'" in deployed


@pytest.mark.parametrize(
    ("error_class", "message", "code"),
    [
        ("NoNetworkError", "no network in /x (run 'fabric-pilot network up')", 6),
        ("NetworkExistsError", "/x already holds a network; run 'fabric-pilot network down'", 2),
        ("UnknownProcessError", "no process called 'p' (known: none)", 3),
        ("NodeNotRunningError", "peer0 is not running (run 'fabric-pilot network start')", 6),
        ("NetworkError", "peer0 exited during start-up:\nlog line", 1),
        # The class decides, not the words: a plain NetworkError saying "no network" is 1.
        ("NetworkError", "no network in /x", 1),
    ],
)
def test_network_errors_map_to_exit_codes(error_class: str, message: str, code: int) -> None:
    from fabric_pilot_cli._errors import describe
    from fabric_pilot_network import errors

    failure = describe(getattr(errors, error_class)(message))
    assert failure.exit_code == code
    assert "\n" not in failure.message


def test_up_remembers_the_folder_and_later_commands_use_it_until_down(
    tmp_path: Path, run, fake_network, isolated_settings: Path
) -> None:
    import yaml

    folder = (tmp_path / "elsewhere" / "net").resolve()
    result = run("network", "up", "--dir", str(folder))
    assert result.exit_code == 0, result.output
    assert f"current network: {folder}" in result.stdout
    assert yaml.safe_load(isolated_settings.read_text())["dir"] == str(folder)
    assert run("network", "status").exit_code == 0
    assert fake_network.calls[-2:] == [f"load:{folder}", "status"]
    down = run("network", "down")
    assert down.exit_code == 0
    assert f"load:{folder}" in fake_network.calls
    assert "no current network now" in down.stdout
    assert "dir" not in (yaml.safe_load(isolated_settings.read_text()) or {})


def test_up_into_a_foreign_folder_is_a_usage_error_and_remembers_nothing(
    tmp_path: Path, run, fake_network, isolated_settings: Path, monkeypatch
) -> None:
    from fabric_pilot_network.folder import FolderNotEmptyError

    def refuse(progress, source_topology=None) -> None:
        raise FolderNotEmptyError(f"{tmp_path} is not empty and was not made by fabric-pilot")

    monkeypatch.setattr(fake_network, "up", refuse)
    result = run("network", "up", "--dir", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: {tmp_path} is not empty and was not made by fabric-pilot"
    )
    assert not isolated_settings.exists()
