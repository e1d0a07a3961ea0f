"""A click group that turns every exception into a one-line message and an exit code."""

from __future__ import annotations

from typing import Any

import click

from ._context import SETTINGS_KEY
from ._errors import EXIT_UNAVAILABLE, describe
from ._settings import Settings

__all__ = ["MappedGroup"]


def _debug(ctx: click.Context) -> bool:
    root = ctx.find_root()
    settings = root.obj
    return isinstance(settings, Settings) and settings.debug


def _unavailable_message(ctx: click.Context, message: str) -> str:
    """A stopped (or partly stopped) network in --dir explains an unavailable network."""
    settings = ctx.meta.get(SETTINGS_KEY, ctx.find_root().obj)  # the innermost --dir wins
    if not isinstance(settings, Settings):
        return message
    from . import _fabric

    try:
        hint = _fabric.stopped_hint(settings.directory)
    except Exception:  # the original failure matters more than the diagnosis
        return message
    if hint is None:
        return message
    return hint if hint.startswith("network is stopped") else f"{message} ({hint})"


class MappedGroup(click.Group):
    """Group whose sub-groups share the error mapping; tracebacks only with ``--debug``."""

    group_class = type

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; map non-click exceptions to exit codes."""
        if ctx.parent is not None:
            return super().invoke(ctx)
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            if _debug(ctx):
                raise
            failure = describe(exc)
            message = failure.message
            if failure.exit_code == EXIT_UNAVAILABLE:
                message = _unavailable_message(ctx, message)
            click.echo(f"Error: {message}", err=True)
            ctx.exit(failure.exit_code)
