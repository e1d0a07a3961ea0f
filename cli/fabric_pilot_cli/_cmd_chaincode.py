"""``fabric-pilot chaincode``: package, deploy, list."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import click

from . import _complete, _fabric
from ._context import dir_option, get_settings, output_option, progress
from ._render import emit, emit_done

__all__ = ["register"]

_LIST_COLUMNS = ("channel", "org", "name", "version", "sequence", "installed", "package_id")


@click.group("chaincode")
def chaincode_group() -> None:
    """Package, deploy (chaincode-as-a-service) and list chaincode.

    \b
    Example:
      fabric-pilot chaincode list --available
      fabric-pilot chaincode deploy tax_invoice
    """


@chaincode_group.command("package")
@click.argument("name", shell_complete=_complete.chaincodes)
@dir_option
@output_option
@click.pass_context
def package(ctx: click.Context, name: str) -> None:
    """Write NAME's CCaaS package (.tar.gz) into the current folder and print its package ID.

    The package points at the chaincode server address the network gives NAME (a deployed
    chaincode keeps its port), so the ID equals the one ``deploy`` installs.

    \b
    Example:
      fabric-pilot chaincode package tax_invoice
    """
    settings = get_settings(ctx)
    network = _fabric.load_network(settings.directory)
    definition = _fabric.load_definition(name)
    data, identifier, address = _fabric.package_chaincode(network, definition)
    target = Path.cwd() / f"{definition.label}.tar.gz"
    target.write_bytes(data)
    progress(f"wrote {target} (server address {address})")
    result = {"package_id": identifier, "file": str(target), "address": address}
    emit_done(settings.output, identifier, result)


@chaincode_group.command("deploy")
@click.argument("name", shell_complete=_complete.chaincodes)
@click.option("--channel", help="Channel (default: the definition's).")
@click.option("--version", "version", help="Version (default: the definition's).")
@click.option("--policy", help="Endorsement signature policy, e.g. \"OR('Org1MSP.peer')\".")
@click.option(
    "--collections",
    type=click.Path(exists=True, dir_okay=False),
    help="Private data collections (YAML/JSON list, or a definition file).",
)
@dir_option
@output_option
@click.pass_context
def deploy(
    ctx: click.Context,
    *,
    name: str,
    channel: str | None,
    version: str | None,
    policy: str | None,
    collections: str | None,
) -> None:
    """Deploy or upgrade chaincode NAME (a definition in network-config/chaincode or a file).

    \b
    Example:
      fabric-pilot chaincode deploy tax_invoice --version 1.1
      fabric-pilot chaincode deploy energy_metering --policy "AND('Org1MSP.peer','Org2MSP.peer')"
    """
    settings = get_settings(ctx)
    definition = _fabric.load_definition(name)
    definition = definition.replace(channel=channel, version=version, endorsement_policy=policy)
    if collections:
        loaded = _fabric.load_collections(Path(collections))
        definition = dataclasses.replace(definition, collections=loaded)
    network = _fabric.load_network(settings.directory)
    result = _fabric.deploy_chaincode(network, definition, progress)
    emit(result.to_json(), settings.output)


@chaincode_group.command("list")
@click.option("--available", is_flag=True, help="List the shipped definitions instead.")
@dir_option
@output_option
@click.pass_context
def list_cmd(ctx: click.Context, available: bool) -> None:
    """List committed chaincode per channel and org (or the shipped definitions).

    \b
    Example:
      fabric-pilot chaincode list -o json
      fabric-pilot chaincode list --available
    """
    settings = get_settings(ctx)
    if available:
        rows = [_definition_row(item) for item in _fabric.available_definitions()]
        emit(rows, settings.output, ("name", "channel", "version", "server", "policy"))
        return
    network = _fabric.load_network(settings.directory)
    emit(_fabric.list_chaincodes(network), settings.output, _LIST_COLUMNS)


def _definition_row(definition: Any) -> dict[str, Any]:
    return {
        "name": definition.name,
        "channel": definition.channel,
        "version": definition.version,
        "server": definition.server,
        "policy": definition.endorsement_policy,
        "collections": [collection.name for collection in definition.collections],
    }


def register(cli: click.Group) -> None:
    """Add the ``chaincode`` group to ``cli``."""
    cli.add_command(chaincode_group)
