"""Entry point of the ``fabric-pilot`` command."""

from __future__ import annotations

import os

import click

from . import (
    _cmd_chaincode,
    _cmd_context,
    _cmd_doctor,
    _cmd_identity,
    _cmd_install,
    _cmd_network,
    _cmd_sector,
    _cmd_tx,
    _complete,
)
from ._context import split_identity
from ._errors import exit_codes_help
from ._group import MappedGroup
from ._settings import OUTPUT_FORMATS, resolve_settings

__all__ = ["cli", "main"]

_EPILOG = f"""\b
Exit codes:
{exit_codes_help()}

\b
Settings: flag > FABRIC_PILOT_* environment (FABRIC_PILOT_DIR, _ORG, _USER,
_CHANNEL, _OUTPUT, _DEBUG, _FABRIC_BIN) > config file
(~/.config/fabric-pilot/config.yaml, or FABRIC_PILOT_CONFIG) > default.

\b
Shell completion (bash; use zsh_source / fish_source for zsh / fish):
  eval "$(_FABRIC_PILOT_COMPLETE=bash_source fabric-pilot)"
"""


@click.group(
    cls=MappedGroup, epilog=_EPILOG, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Network folder.")
@click.option(
    "--as",
    "as_",
    metavar="ORG[/USER]",
    shell_complete=_complete.identities,
    help="Act as this organisation (and user).",
)
@click.option("--channel", shell_complete=_complete.channels, help="Channel to use.")
@click.option("--output", "-o", type=click.Choice(OUTPUT_FORMATS), help="table or json.")
@click.option("--debug", is_flag=True, default=None, help="Show tracebacks on errors.")
@click.version_option(package_name="fabric-pilot", prog_name="fabric-pilot")
@click.pass_context
def cli(
    ctx: click.Context,
    *,
    directory: str | None,
    as_: str | None,
    channel: str | None,
    output: str | None,
    debug: bool | None,
) -> None:
    """fabric-pilot: run Hyperledger Fabric 2.5 for real.

    \b
    Example:
      fabric-pilot install
      fabric-pilot network up --topology dev
      fabric-pilot chaincode deploy tax_invoice
      fabric-pilot --as Org1/User1 tx evaluate tax_invoice get_taxpayer 91350100M000100Y43
    """
    org, user = split_identity(as_) if as_ is not None else (None, None)
    flags = {
        "dir": directory,
        "org": org,
        "user": user,
        "channel": channel,
        "output": output,
        "debug": debug,
    }
    ctx.obj = resolve_settings(flags, os.environ)


for _module in (
    _cmd_install,
    _cmd_network,
    _cmd_chaincode,
    _cmd_context,
    _cmd_tx,
    _cmd_sector,
    _cmd_identity,
    _cmd_doctor,
):
    _module.register(cli)


def main() -> None:
    """Run the CLI (console script ``fabric-pilot``)."""
    cli(prog_name="fabric-pilot", auto_envvar_prefix=None)
