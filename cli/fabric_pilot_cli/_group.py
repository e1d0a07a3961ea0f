"""A click group that turns every exception into a one-line message and an exit code.

With ``-o json`` the error is one JSON object on stderr: ``{"error": message, "exit_code":
code, "detail": {"type": class name, ...the error's typed fields}}``.
"""

from __future__ import annotations

import json
from typing import Any

import click

from ._context import SETTINGS_KEY
from ._errors import EXIT_UNAVAILABLE, describe
from ._settings import Settings

__all__ = ["MappedGroup"]


_DETAIL_FIELDS = (
    "transaction_id",
    "code",
    "rejection_code",
    "code_name",
    "status",
    "check",
    "attempts",
)


def _settings(ctx: click.Context) -> Settings | None:
    settings = ctx.meta.get(SETTINGS_KEY, ctx.find_root().obj)  # the innermost option wins
    return settings if isinstance(settings, Settings) else None


def _json_output(ctx: click.Context) -> bool:
    settings = _settings(ctx)
    return settings is not None and settings.output == "json"


def _detail(exc: BaseException) -> dict[str, Any]:
    """The error's class and typed fields (never parsed from its message)."""
    detail: dict[str, Any] = {"type": type(exc).__name__}
    for name in _DETAIL_FIELDS:
        value = getattr(exc, name, None)
        if isinstance(value, str | int) and not isinstance(value, bool):
            detail[name] = value
    peers = getattr(exc, "details", None)
    if isinstance(peers, list) and peers:
        detail["peers"] = [
            {"address": peer.address, "msp_id": peer.msp_id, "message": peer.message}
            for peer in peers
            if hasattr(peer, "address")
        ]
    return detail


def report_error(ctx: click.Context, message: str, exit_code: int, exc: BaseException) -> None:
    """Print an error (text, or one JSON object with ``-o json``) to stderr and exit."""
    if _json_output(ctx):
        document = {"error": message, "exit_code": exit_code, "detail": _detail(exc)}
        click.echo(json.dumps(document, sort_keys=True, ensure_ascii=False), err=True)
    else:
        click.echo(f"Error: {message}", err=True)
    ctx.exit(exit_code)


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
        except click.exceptions.ClickException as exc:
            if not _json_output(ctx):
                raise
            report_error(ctx, exc.format_message(), exc.exit_code, exc)
        except (click.exceptions.Exit, click.Abort):
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
            report_error(ctx, message, failure.exit_code, exc)
