"""A click group that turns every exception into a one-line message and an exit code."""

from __future__ import annotations

from typing import Any

import click

from ._errors import describe
from ._settings import Settings

__all__ = ["MappedGroup"]


def _debug(ctx: click.Context) -> bool:
    root = ctx.find_root()
    settings = root.obj
    return isinstance(settings, Settings) and settings.debug


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
            click.echo(f"Error: {failure.message}", err=True)
            ctx.exit(failure.exit_code)
