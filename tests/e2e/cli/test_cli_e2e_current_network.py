"""The network folder through the CLI: ``up`` refuses a folder holding someone's files and
remembers the folder it used, later commands use it from anywhere without ``--dir``, ``down``
keeps what fabric-pilot did not write and forgets the folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from _cli_support import Cli, force_down, isolated_env

from fabric_pilot_network.fabric_home import FabricHome
from fabric_pilot_network.ports import free_base_port
from fabric_pilot_network.topology import load_topology

pytestmark = pytest.mark.e2e


def test_up_refuses_a_folder_with_someone_elses_files(
    fabric_home: FabricHome, tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "important.txt").write_text("do not delete")
    cli = Cli(isolated_env(tmp_path, fabric_home.bin_dir), cwd=tmp_path, directory=folder)
    refused = cli.fails(2, "network", "up")
    assert len(refused.error_lines()) == 1, refused.describe()
    assert "important.txt" in refused.stderr and "not empty" in refused.stderr
    assert [child.name for child in folder.iterdir()] == ["important.txt"]


def test_up_remembers_the_folder_and_later_commands_use_it_without_dir(
    fabric_home: FabricHome, tmp_path: Path
) -> None:
    folder = tmp_path / "net"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = isolated_env(tmp_path, fabric_home.bin_dir)
    with_dir = Cli(env, cwd=tmp_path, directory=folder)
    without_dir = Cli(env, cwd=elsewhere)
    base_port = str(free_base_port(load_topology("dev")))
    try:
        up = with_dir.run("network", "up", "--base-port", base_port, output=None)
        assert up.code == 0, up.describe()
        assert f"current network: {folder.resolve()}" in up.stdout
        nodes = without_dir.ok("network", "status")
        assert {node["kind"] for node in nodes} == {"orderer", "peer"}
        assert all(node["running"] for node in nodes), nodes
        (folder / "notes.txt").write_text("mine")
        down = without_dir.run("network", "down", output=None)
        assert down.code == 0, down.describe()
        assert "kept what fabric-pilot did not write: notes.txt" in down.stdout
        assert [child.name for child in folder.iterdir()] == ["notes.txt"]
        gone = without_dir.fails(6, "network", "status")
        assert "no network in .fabric-pilot/network" in gone.stderr  # forgotten: the default
    finally:
        if (folder / "network.json").exists():
            force_down(folder)
