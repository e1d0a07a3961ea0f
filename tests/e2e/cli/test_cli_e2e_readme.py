"""A new user's first session, from README.md alone: the commands of "Using it" run as written
(only ``--base-port`` is added so the test network cannot clash with another one; the network
folder is the default one, inside an empty working folder)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from _cli_support import Cli, force_down, isolated_env

from fabric_pilot_network.fabric_home import FabricHome
from fabric_pilot_network.ports import free_base_port
from fabric_pilot_network.topology import load_topology

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[3] / "README.md"
TRANSACTION_GROUPS = {"tx", "invoice", "meter", "cert", "evidence"}
GLOBAL_OPTIONS = {"--dir", "--as", "--channel", "--output", "-o"}


def readme_commands() -> list[list[str]]:
    """The commands of the first bash block under "## Using it", comments stripped."""
    section = README.read_text(encoding="utf-8").split("## Using it", 1)[1]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line, comments=True) for line in block.splitlines()]
    return [command for command in commands if command]


def command_words(command: list[str]) -> list[str]:
    """The command path and its arguments: ``fabric-pilot`` and global options left out."""
    words: list[str] = []
    rest = command[1:]
    while rest:
        word, rest = rest[0], rest[1:]
        if word in GLOBAL_OPTIONS and not words:
            rest = rest[1:]
        elif word != "--debug" or words:
            words.append(word)
    return words


def _with_base_port(args: list[str], base_port: int) -> list[str]:
    if "--base-port" in args:
        index = args.index("--base-port")
        return [*args[:index], *args[index + 2 :], "--base-port", str(base_port)]
    return [*args, "--base-port", str(base_port)]


def _topology(args: list[str]) -> str:
    return args[args.index("--topology") + 1] if "--topology" in args else "dev"


def test_readme_session_covers_a_whole_first_session() -> None:
    commands = readme_commands()
    assert all(command[0] == "fabric-pilot" for command in commands), commands
    verbs = [tuple(command_words(command)[:2]) for command in commands]
    assert verbs[0] == ("network", "up") and verbs[-1] == ("network", "down"), verbs
    assert ("network", "status") in verbs and ("chaincode", "deploy") in verbs, verbs
    transactions = [verb for verb in verbs if verb[0] in TRANSACTION_GROUPS]
    assert transactions, f"README 'Using it' shows no transaction: {commands}"


def test_readme_commands_work_as_written(fabric_home: FabricHome, tmp_path: Path) -> None:
    user_folder = tmp_path / "newcomer"
    user_folder.mkdir()
    cli = Cli(isolated_env(tmp_path, fabric_home.bin_dir), cwd=user_folder)
    network_folder = user_folder / ".fabric-pilot" / "network"
    try:
        for command in readme_commands():
            args = command[1:]
            if command_words(command)[:2] == ["network", "up"]:
                args = _with_base_port(args, free_base_port(load_topology(_topology(args))))
            result = cli.run(*args, output=None)
            assert result.code == 0, result.describe()
            if command_words(command)[:2] == ["network", "status"] and "json" in args:
                nodes = json.loads(result.stdout)
                assert nodes and all(node["running"] for node in nodes), nodes
        assert not network_folder.exists()
    finally:
        if network_folder.exists():
            cli.run("network", "down", output=None)
            force_down(network_folder)


def readme_pilot_walkthrough() -> str:
    """The bash block of "Using it" that walks the pilot's sectors (it starts with ``S=``)."""
    section = README.read_text(encoding="utf-8").split("## Using it", 1)[1].split("\n## ", 1)[0]
    blocks = [part.split("```", 1)[0] for part in section.split("```bash")[1:]]
    (walkthrough,) = [block for block in blocks if block.lstrip().startswith("S=")]
    return walkthrough


def test_readme_pilot_walkthrough_runs_as_written(fabric_home: FabricHome, tmp_path: Path) -> None:
    """Run from the repository root as the README assumes; only --base-port is added and the
    network folder is put in tmp (FABRIC_PILOT_DIR) so nothing lands in the checkout."""
    script = readme_pilot_walkthrough()
    base_port = free_base_port(load_topology("pilot"))
    up = "fabric-pilot network up --topology pilot"
    assert up in script
    script = script.replace(up, f"{up} --base-port {base_port}")
    script = script.replace("> receipt.json", f"> {tmp_path / 'receipt.json'}")
    script = script.replace("verify receipt.json", f"verify {tmp_path / 'receipt.json'}")
    script = script.replace("> anchors.json", f"> {tmp_path / 'anchors.json'}")
    script = script.replace("--anchors anchors.json", f"--anchors {tmp_path / 'anchors.json'}")
    env = isolated_env(tmp_path, fabric_home.bin_dir)
    network_folder = tmp_path / "network"
    env["FABRIC_PILOT_DIR"] = str(network_folder)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    try:
        done = subprocess.run(
            ["bash", "-e", "-c", script], cwd=README.parent, env=env,
            capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        assert "authentic" in done.stdout and "yes" in done.stdout
        assert json.loads((tmp_path / "receipt.json").read_text())["format"]
        assert "no trust anchors" not in done.stderr
        assert not network_folder.exists()
    finally:
        if network_folder.exists():
            force_down(network_folder)
