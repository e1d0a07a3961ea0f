"""``fabric-pilot use`` and ``fabric-pilot whoami``: the current context."""

from __future__ import annotations

import dataclasses

import click

from ._context import as_option, dir_option, get_settings, output_option
from ._profiles import resolve_identity
from ._render import emit, emit_done
from ._settings import write_config

__all__ = ["register"]


@click.command("use", short_help="Set the current org and user.")
@click.argument("org")
@click.argument("user", required=False)
@dir_option
@click.option("--channel", help="Also remember this channel.")
@output_option
@click.pass_context
def use(ctx: click.Context, org: str, user: str | None, channel: str | None) -> None:
    """Make ORG (and USER) the current identity; stored in the config file.

    The network folder (--dir, or the current one) is stored too, so later commands work from
    any folder. The identity is checked against the network's profiles first.

    \b
    Example:
      fabric-pilot use Org2 User1
      fabric-pilot --dir /tmp/net use Org1
    """
    settings = get_settings(ctx)
    settings = dataclasses.replace(
        settings, org=org, user=user, channel=channel or settings.channel
    )
    info = resolve_identity(settings)
    updates = {
        "org": info.org,
        "user": user,
        "dir": str(info.directory),
        "channel": channel,
    }
    write_config(settings.config_file, updates)
    text = f"now acting as {info.org}/{info.user} ({info.msp_id}) on {info.directory}"
    data = {"org": info.org, "user": info.user, "msp_id": info.msp_id,
            "directory": str(info.directory), "channel": channel}  # fmt: skip
    emit_done(settings.output, text, data)


@click.command("whoami", short_help="Show the current identity.")
@dir_option
@as_option
@output_option
@click.pass_context
def whoami(ctx: click.Context) -> None:
    """Show the current identity: MSP ID, user, certificate subject, org, channel, network.

    \b
    Example:
      fabric-pilot whoami
      fabric-pilot --as Org2 whoami -o json
    """
    settings = get_settings(ctx)
    emit(resolve_identity(settings).to_json(), settings.output)


def register(cli: click.Group) -> None:
    """Add ``use`` and ``whoami`` to ``cli``."""
    cli.add_command(use)
    cli.add_command(whoami)
