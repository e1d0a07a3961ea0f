"""Calls to Fabric's command-line tools as values that can be logged, asserted on and run."""

from __future__ import annotations

import logging
import os
import re
import shlex
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Command",
    "CommandError",
    "CommandResult",
    "Runner",
    "clean_environment",
    "error_reason",
    "orderer_unreachable",
    "run_command",
]

_log = logging.getLogger(__name__)
_FABRIC_ENV_PREFIXES = ("CORE_", "ORDERER_", "FABRIC_", "CONFIGTX_", "OSN_")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def error_reason(result: CommandResult) -> str:
    """The line that says why a tool failed.

    Fabric's tools print ``Error: ...`` and then, for argument errors, their usage text; a
    fatal log line (``... ERRO ... -> reason``) stands in when there is no ``Error:`` line.
    The last line is the fallback, but never a line of the usage text.
    """
    text = _ANSI.sub("", "\n".join((result.stderr, result.stdout)))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return _stated_reason(lines) or _last_line(lines) or f"exit code {result.returncode}"


def _stated_reason(lines: list[str]) -> str | None:
    """The first ``Error:`` line, else the reason of the last fatal log line."""
    errors = [line for line in lines if line.startswith("Error:")]
    if errors:
        return errors[0]
    logged = [line for line in lines if _LOGGED_ERROR.search(line)]
    return logged[-1].split(" -> ", 1)[-1].strip() if logged else None


def _last_line(lines: list[str]) -> str | None:
    """The last line before any usage text."""
    if "Usage:" in lines:
        lines = lines[: lines.index("Usage:")]
    return lines[-1] if lines else None


_LOGGED_ERROR = re.compile(r"\b(ERRO|FATA|PANI|CRIT)\b")


_UNREACHABLE = re.compile(
    r"connection refused|failed to connect|failed to create new connection|connection reset"
    r"|transport is closing|error while dialing|context deadline exceeded|SERVICE_UNAVAILABLE"
    r"|no Raft leader|Unavailable|failed to create deliver client|broadcast client",
    re.IGNORECASE,
)


def orderer_unreachable(error: CommandError) -> bool:
    """True when a tool call failed because its orderer did not answer or had no Raft leader
    (nothing was ordered, so another orderer may be asked)."""
    return bool(_UNREACHABLE.search(error.result.stderr + error.result.stdout))


class CommandError(RuntimeError):
    """A Fabric tool exited non-zero; the message holds the tool's ``Error:`` line."""

    def __init__(self, command: Command, result: CommandResult) -> None:
        super().__init__(f"{command.name} failed: {error_reason(result)}")
        self.command = command
        self.result = result


@dataclass(frozen=True)
class Command:
    """One call of a Fabric tool: argv, extra environment, working directory."""

    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None

    @property
    def name(self) -> str:
        """The tool and its sub-commands, e.g. ``peer lifecycle chaincode install``."""
        words = [Path(self.argv[0]).name]
        for word in self.argv[1:]:
            if word.startswith("-"):
                break
            words.append(word)
        return " ".join(words[:4])

    def __str__(self) -> str:
        settings = " ".join(
            f"{key}={shlex.quote(value)}" for key, value in sorted(self.env.items())
        )
        return f"{settings} {shlex.join(self.argv)}".strip()


@dataclass(frozen=True)
class CommandResult:
    """What a finished command printed and returned."""

    returncode: int
    stdout: str
    stderr: str


Runner = Callable[[Command], CommandResult]


def clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without Fabric settings, plus ``extra``.

    Inherited ``CORE_*``/``ORDERER_*`` variables would silently override generated configs.
    """
    base = {k: v for k, v in os.environ.items() if not k.startswith(_FABRIC_ENV_PREFIXES)}
    return {**base, **extra}


def run_command(command: Command, timeout: float = 120.0) -> CommandResult:
    """Run ``command`` to completion.

    Raises:
        CommandError: the tool exited non-zero.
    """
    _log.debug("running %s", command)
    completed = subprocess.run(
        command.argv,
        env=clean_environment(command.env),
        cwd=command.cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        umask=0o077,  # what Fabric tools write into the network folder is private
    )
    result = CommandResult(completed.returncode, completed.stdout, completed.stderr)
    if completed.returncode != 0:
        raise CommandError(command, result)
    return result
