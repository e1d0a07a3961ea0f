"""Click plumbing shared by every command: settings on ``ctx.obj``, per-command overrides,
progress messages on stderr."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import _complete
from ._errors import EXIT_USAGE, CliError
from ._settings import OUTPUT_FORMATS, Settings

__all__ = [
    "as_option",
    "dir_option",
    "get_settings",
    "network_options",
    "org_options",
    "output_option",
    "override",
    "progress",
    "split_identity",
]

F = TypeVar("F", bound=Callable[..., Any])


def split_identity(value: str) -> tuple[str, str | None]:
    """``ORG`` or ``ORG/USER`` → (org, user).

    Raises:
        CliError: the value, the org or the user is empty or holds blanks, or the user holds a
            ``/`` (exit 2). An empty ``--as`` never means the default identity.
    """
    org, slash, user = value.partition("/")
    parts = [org, user] if slash else [org]
    if any(not part or part != part.strip() or " " in part or "/" in part for part in parts):
        raise CliError(f"--as expects ORG or ORG/USER, not {value!r}", EXIT_USAGE)
    return org, user or None


def override(settings: Settings, key: str, value: Any) -> Settings:
    """A copy of ``settings`` with one command-line flag applied (flags beat everything)."""
    if value is None:
        return settings
    if key == "as":
        org, user = split_identity(str(value))
        return dataclasses.replace(settings, org=org, user=user or settings.user)
    converted: Any = Path(value).expanduser() if key in ("directory", "fabric_bin") else value
    changes: dict[str, Any] = {key: converted}
    return dataclasses.replace(settings, **changes)


SETTINGS_KEY = "fabric_pilot.settings"


def _store(key: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        ctx.obj = override(get_settings(ctx), key, value)
        ctx.meta[SETTINGS_KEY] = ctx.obj  # meta is shared by every context of the invocation

    return callback


def get_settings(ctx: click.Context) -> Settings:
    """The resolved settings of this invocation."""
    settings = ctx.obj
    if not isinstance(settings, Settings):
        settings = Settings()
        ctx.obj = settings
    return settings


def output_option(function: F) -> F:
    """``--output table|json`` on one command (overrides the global option)."""
    return click.option(
        "--output",
        "-o",
        type=click.Choice(OUTPUT_FORMATS),
        expose_value=False,
        callback=_store("output"),
        help="Output format (default: global --output, FABRIC_PILOT_OUTPUT, config, table).",
    )(function)


def dir_option(function: F) -> F:
    """``--dir DIR``: the network folder."""
    return click.option(
        "--dir",
        "directory",
        type=click.Path(file_okay=False),
        expose_value=False,
        is_eager=True,
        callback=_store("directory"),
        help="Network folder (default: FABRIC_PILOT_DIR, else the current network that the last"
        " 'network up' or 'use' remembered, else ./.fabric-pilot/network).",
    )(function)


def _as_only(function: F) -> F:
    return click.option(
        "--as",
        "as_",
        metavar="ORG[/USER]",
        shell_complete=_complete.identities,
        expose_value=False,
        callback=_store("as"),
        help="Act as this organisation (and user) for this call only.",
    )(function)


def as_option(function: F) -> F:
    """``--as ORG[/USER]`` and ``--channel NAME``: who acts, and where."""
    function = click.option(
        "--channel",
        "channel",
        shell_complete=_complete.channels,
        expose_value=False,
        callback=_store("channel"),
        help="Channel (default: context, else the first channel of the org's profile).",
    )(function)
    return _as_only(function)


def network_options(function: F) -> F:
    """``--dir``, ``--as``, ``--channel`` and ``--output`` for commands that use a network."""
    return output_option(as_option(dir_option(function)))


def org_options(function: F) -> F:
    """``--dir``, ``--as`` and ``--output`` for commands that act for an org, not on a channel."""
    return output_option(_as_only(dir_option(function)))


def progress(message: str) -> None:
    """Print a progress message to stderr."""
    click.echo(message, err=True)
