"""Run the ``fabric-pilot`` CLI as a subprocess, isolated from the user's home and config."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabric_pilot_network.network import FabricNetwork
from fabric_pilot_network.ports import free_base_port
from fabric_pilot_network.topology import load_topology

__all__ = [
    "SECTOR_CHAINCODES",
    "Cli",
    "CliResult",
    "Pilot",
    "block_files",
    "committed_block",
    "force_down",
    "isolated_env",
    "running_network",
]

CALL_TIMEOUT = 300
_COMMITTED = re.compile(r"committed (\w+) in block (\d+)")


SECTOR_CHAINCODES = {"tax_invoice": "tax", "energy_metering": "energy", "court_evidence": "justice"}


def isolated_env(root: Path, fabric_bin: Path) -> dict[str, str]:
    """The environment of every CLI call: HOME, XDG and config file inside ``root``.

    Other ``FABRIC_PILOT_*`` variables of the caller are dropped so that nothing of the user's
    setup leaks in; the Fabric binaries come from the fixture that checked them.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("FABRIC_PILOT_")}
    home, xdg = root / "home", root / "xdg"
    home.mkdir(parents=True, exist_ok=True)
    xdg.mkdir(parents=True, exist_ok=True)
    env.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(xdg),
            "FABRIC_PILOT_CONFIG": str(xdg / "fabric-pilot" / "config.yaml"),
            "FABRIC_PILOT_FABRIC_BIN": str(fabric_bin),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@dataclass(frozen=True)
class CliResult:
    """Exit code and output of one CLI call."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """Stdout parsed as JSON."""
        return json.loads(self.stdout)

    def describe(self) -> str:
        """Everything about the call, for assertion messages."""
        return (
            f"fabric-pilot {' '.join(self.args)} -> exit {self.code}\n"
            f"--- stdout ---\n{self.stdout[-3000:]}\n--- stderr ---\n{self.stderr[-3000:]}"
        )

    def error_lines(self) -> list[str]:
        """The non-empty stderr lines; a JSON error object (``-o json``) reads as the
        ``Error: message`` line it stands for, once its exit code is checked."""
        return [_error_text(line, self.code) for line in self.stderr.splitlines() if line.strip()]


def _error_text(line: str, exit_code: int) -> str:
    if not line.startswith('{"detail"'):
        return line
    document = json.loads(line)
    assert document["exit_code"] == exit_code, line
    assert isinstance(document["detail"]["type"], str), line
    return f"Error: {document['error']}"


class Cli:
    """``fabric-pilot`` as a subprocess, with global ``--dir`` and JSON output."""

    def __init__(self, env: dict[str, str], cwd: Path, directory: Path | None = None) -> None:
        self.env = env
        self.cwd = cwd
        self.directory = directory

    def argv(self, args: tuple[str, ...], as_: str | None, output: str | None) -> list[str]:
        """The full command line of a call."""
        command = [sys.executable, "-m", "fabric_pilot_cli"]
        if self.directory is not None:
            command += ["--dir", str(self.directory)]
        if as_:
            command += ["--as", as_]
        if output:
            command += ["--output", output]
        return command + list(args)

    def run(
        self, *args: str | Path, as_: str | None = None, output: str | None = "json",
        stdin: str | None = None,
    ) -> CliResult:  # fmt: skip
        """Run one command and return its result (whatever the exit code)."""
        texts = tuple(str(arg) for arg in args)
        done = subprocess.run(
            self.argv(texts, as_, output), cwd=self.cwd, env=self.env, input=stdin,
            capture_output=True, text=True, timeout=CALL_TIMEOUT, check=False,
        )  # fmt: skip
        return CliResult(texts, done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str | Path, as_: str | None = None) -> Any:
        """Run a command that must succeed; its JSON output."""
        result = self.run(*args, as_=as_)
        assert result.code == 0, result.describe()
        return result.json() if result.stdout.strip() else None

    def fails(
        self, code: int, *args: str | Path, as_: str | None = None, message: bool = True
    ) -> CliResult:
        """Run a command that must exit with ``code``, with no traceback and (unless
        ``message`` is False: a verdict printed on stdout) an error message on stderr."""
        result = self.run(*args, as_=as_)
        assert result.code == code, result.describe()
        assert "Traceback" not in result.stderr, result.describe()
        assert not message or result.error_lines(), result.describe()
        return result

    @contextmanager
    def started(
        self, *args: str | Path, as_: str | None = None, log: Path
    ) -> Iterator[subprocess.Popen[bytes]]:
        """A command running in the background (stdout and stderr into ``log``); killed on
        exit from the block if it is still running."""
        texts = tuple(str(arg) for arg in args)
        with log.open("wb") as sink:
            process = subprocess.Popen(
                self.argv(texts, as_, "json"), cwd=self.cwd, env=self.env,
                stdout=sink, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                yield process
            finally:
                if process.poll() is None:
                    process.kill()
                process.wait(timeout=CALL_TIMEOUT)


@dataclass(frozen=True)
class Pilot:
    """A running ``pilot`` network driven by the CLI, and a folder for input files."""

    cli: Cli
    directory: Path
    files: Path
    deployed: dict[str, Any]


def committed_block(result: CliResult) -> tuple[str, int]:
    """Transaction ID and block number of a submit, from its progress line on stderr."""
    match = _COMMITTED.search(result.stderr)
    assert match, result.describe()
    return match.group(1), int(match.group(2))


def block_files(directory: Path, channel: str) -> list[Path]:
    """Every peer's block files of ``channel`` in the network folder."""
    pattern = f"data/*/production/ledgersData/chains/chains/{channel}/blockfile_*"
    return sorted(directory.glob(pattern))


def force_down(directory: Path) -> None:
    """Last resort when ``network down`` failed: stop the processes through the manager."""
    if (directory / "network.json").exists():
        FabricNetwork.load(directory).down()


@contextmanager
def running_network(cli: Cli, topology: str, *extra: str) -> Iterator[CliResult]:
    """``network up`` with the CLI on a free port range; ``network down`` afterwards, always."""
    assert cli.directory is not None
    base_port = free_base_port(load_topology(topology))
    try:
        up = cli.run(
            "network", "up", "--topology", topology, "--base-port", str(base_port), *extra,
            output=None,
        )  # fmt: skip
        assert up.code == 0, up.describe()
        yield up
    finally:
        down = cli.run("network", "down", output=None)
        if down.code != 0:
            force_down(cli.directory)
