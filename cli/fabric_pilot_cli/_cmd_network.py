"""``fabric-pilot network``: up, status, logs, stop, start, down, compose."""

from __future__ import annotations

import time
from pathlib import Path

import click

from . import _fabric
from ._context import dir_option, get_settings, output_option, progress
from ._errors import EXIT_NOT_FOUND, CliError, NotAvailableError
from ._render import emit
from ._settings import Settings, read_config, write_config

__all__ = ["register"]

_STATUS_COLUMNS = ("name", "kind", "pid", "running", "ports", "heights")


@click.group("network")
def network_group() -> None:
    """Run a Fabric network of native processes in one folder.

    \b
    Example:
      fabric-pilot network up --topology dev
      fabric-pilot network status -o json
      fabric-pilot network down
    """


@network_group.command("up")
@click.option("--topology", default="dev", show_default=True, help="Topology name or YAML file.")
@click.option("--ca", is_flag=True, help="Make crypto material with Fabric CA servers.")
@click.option("--base-port", type=click.IntRange(1024, 65000), default=7050, show_default=True)
@click.option(
    "--runtime",
    type=click.Choice(["native", "docker"]),
    default="native",
    show_default=True,
    help="native processes, or Docker containers via compose.",
)
@click.option("--fabric-bin", type=click.Path(file_okay=False), help="Folder of Fabric binaries.")
@dir_option
@click.pass_context
def up(
    ctx: click.Context,
    *,
    topology: str,
    ca: bool,
    base_port: int,
    runtime: str,
    fabric_bin: str | None,
) -> None:
    """Generate crypto, start orderers and peers, create and join the channels.

    \b
    Example:
      fabric-pilot network up --topology raft3 --base-port 8050 --dir /tmp/net
    """
    settings = get_settings(ctx)
    if runtime == "docker":
        raise NotAvailableError(
            "--runtime docker (write a compose project with 'fabric-pilot network compose'"
            " and run 'docker compose up')"
        )
    bin_dir = Path(fabric_bin) if fabric_bin else settings.fabric_bin
    network, source = _fabric.create_network(settings.directory, topology, bin_dir, base_port, ca)
    network.up(progress=progress, source_topology=source)
    directory = settings.directory.resolve()
    write_config(settings.config_file, {"dir": str(directory)})
    click.echo(f"network up in {directory}; profiles in {directory}/profiles")
    click.echo(
        f"current network: {directory} (later commands use it without --dir;"
        f" remembered in {settings.config_file})"
    )


def _forget_current(settings: Settings, directory: Path) -> bool:
    """Drop the remembered network folder when it is ``directory``; True if it was."""
    remembered = read_config(settings.config_file).get("dir")
    if not remembered or Path(str(remembered)).expanduser().resolve() != directory.resolve():
        return False
    write_config(settings.config_file, {"dir": None})
    return True


@network_group.command("status")
@dir_option
@output_option
@click.pass_context
def status(ctx: click.Context) -> None:
    """Show every node: kind, PID, running, ports and channel heights.

    \b
    Example:
      fabric-pilot network status --output json
    """
    settings = get_settings(ctx)
    network = _fabric.load_network(settings.directory)
    rows = [node.to_json() for node in network.status()]
    emit(rows, settings.output, _STATUS_COLUMNS)


@network_group.command("logs")
@click.argument("node")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines (Ctrl-C stops).")
@click.option("-n", "--lines", type=click.IntRange(min=1), default=40, show_default=True)
@dir_option
@click.pass_context
def logs(ctx: click.Context, node: str, follow: bool, lines: int) -> None:
    """Print the last lines of a node's (or chaincode server's) log.

    \b
    Example:
      fabric-pilot network logs peer0.org1.example.com -n 100
      fabric-pilot network logs chaincode-tax_invoice -f
    """
    network = _fabric.load_network(get_settings(ctx).directory)
    click.echo(network.log_tail(node, lines))
    if follow:
        _follow(Path(network.processes[node].log_file))


def _follow(path: Path, poll: float = 0.5) -> None:
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            handle.seek(0, 2)
            while True:
                line = handle.readline()
                if line:
                    click.echo(line, nl=False)
                else:
                    time.sleep(poll)
    except FileNotFoundError as exc:
        raise CliError(f"log file {path} is gone", EXIT_NOT_FOUND) from exc


@network_group.command("stop")
@dir_option
@click.pass_context
def stop(ctx: click.Context) -> None:
    """Stop every process of the network; ledgers and crypto are kept.

    \b
    Example:
      fabric-pilot network stop && fabric-pilot network start
    """
    stopped = _fabric.load_network(get_settings(ctx).directory).stop(progress)
    click.echo(f"stopped {len(stopped)} process(es)")


@network_group.command("start")
@dir_option
@click.pass_context
def start(ctx: click.Context) -> None:
    """Start a stopped network again (nodes, then chaincode servers).

    \b
    Example:
      fabric-pilot network start --dir ./.fabric-pilot/network
    """
    _fabric.load_network(get_settings(ctx).directory).start(progress)
    click.echo("network started")


@network_group.command("down")
@dir_option
@click.pass_context
def down(ctx: click.Context) -> None:
    """Stop every process and delete what fabric-pilot wrote in the network folder.

    Files that fabric-pilot did not write are never deleted (the folder then stays).

    \b
    Example:
      fabric-pilot network down
    """
    settings = get_settings(ctx)
    directory = settings.directory
    kept = _fabric.load_network(directory).down(progress) or []
    if kept:
        click.echo(f"network in {directory} removed; kept what fabric-pilot did not write:"
                   f" {', '.join(kept)}")  # fmt: skip
    else:
        click.echo(f"network in {directory} removed")
    if _forget_current(settings, directory):
        click.echo("no current network now (the next 'network up' sets one)")


@network_group.command("compose")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False),
    default="compose",
    show_default=True,
    help="Where to write compose.yaml and its files.",
)
@dir_option
@click.pass_context
def compose_cmd(ctx: click.Context, output_dir: str) -> None:
    """Write a Docker Compose project equivalent to the network in --dir.

    \b
    Example:
      fabric-pilot network compose --output-dir ./compose
    """
    network = _fabric.load_network(get_settings(ctx).directory)
    written = _fabric.write_compose(network, Path(output_dir))
    click.echo(f"compose project written to {written}")


def register(cli: click.Group) -> None:
    """Add the ``network`` group to ``cli``."""
    cli.add_command(network_group)
