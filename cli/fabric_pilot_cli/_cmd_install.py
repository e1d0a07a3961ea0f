"""``fabric-pilot install``: Fabric binaries into the per-user cache."""

from __future__ import annotations

from pathlib import Path

import click

from . import _fabric
from ._context import get_settings, progress

__all__ = ["register"]


@click.command("install", short_help="Install the Fabric 2.5 binaries.")
@click.option(
    "--fabric-bin",
    type=click.Path(file_okay=False),
    help="Use (and check) Fabric binaries already in this folder instead.",
)
@click.pass_context
def install(ctx: click.Context, fabric_bin: str | None) -> None:
    """Install Fabric 2.5 binaries, sample configs and the CCaaS builder (exit 7 on failure).

    \b
    Example:
      fabric-pilot install
      fabric-pilot install --fabric-bin ~/fabric/bin
    """
    settings = get_settings(ctx)
    bin_dir = Path(fabric_bin) if fabric_bin else settings.fabric_bin
    home = _fabric.install_fabric(bin_dir, progress)
    click.echo(f"Fabric binaries ready in {home}")


def register(cli: click.Group) -> None:
    """Add ``install`` to ``cli``."""
    cli.add_command(install)
