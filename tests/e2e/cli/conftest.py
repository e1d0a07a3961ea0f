"""Fixtures: the CLI as a subprocess in an isolated home, and a ``pilot`` network it runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli_support import SECTOR_CHAINCODES, Cli, Pilot, isolated_env, running_network

from fabric_pilot_network.fabric_home import FabricHome


@pytest.fixture(scope="module")
def pilot(fabric_home: FabricHome, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pilot]:
    """``network up --topology pilot`` and ``chaincode deploy`` of the three sector chaincodes,
    all through the CLI; ``network down`` at the end of the module, whatever happened."""
    root = tmp_path_factory.mktemp("cli-pilot")
    files = root / "files"
    files.mkdir()
    cli = Cli(isolated_env(root, fabric_home.bin_dir), cwd=files, directory=root / "net")
    with running_network(cli, "pilot"):
        deployed = {name: cli.ok("chaincode", "deploy", name) for name in SECTOR_CHAINCODES}
        yield Pilot(cli, root / "net", files, deployed)


@pytest.fixture
def isolated_cli(fabric_home: FabricHome, tmp_path: Path) -> Cli:
    """The CLI in an isolated home, acting in ``tmp_path/net``."""
    work = tmp_path / "work"
    work.mkdir()
    return Cli(isolated_env(tmp_path, fabric_home.bin_dir), cwd=work, directory=tmp_path / "net")
