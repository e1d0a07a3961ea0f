"""``fabric-pilot network``: up, status, logs, stop, start, down (native or Docker)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from . import _complete, _fabric
from ._context import dir_option, get_settings, output_option, progress
from ._errors import EXIT_NOT_FOUND, CliError
from ._render import emit, emit_done, emit_json_line
from ._settings import Settings, read_config, write_config

__all__ = ["register"]

_STATUS_COLUMNS = ("name", "kind", "pid", "running", "ports", "heights")


@click.group("network")
def network_group() -> None:
    """Run a Fabric network in one folder: native processes, or containers (--runtime docker).

    \b
    Example:
      fabric-pilot network up --topology dev
      fabric-pilot network status -o json
      fabric-pilot network down
    """


@network_group.command("up")
@click.option(
    "--topology",
    default="dev",
    show_default=True,
    shell_complete=_complete.topologies,
    help="Topology name or YAML file.",
)
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
@output_option
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

    With --runtime docker the folder becomes a compose project (compose.yaml, .env, crypto,
    configs) that 'docker compose' runs; every other command works on it unchanged.

    \b
    Example:
      fabric-pilot network up --topology raft3 --base-port 8050 --dir /tmp/net
      fabric-pilot network up --runtime docker --base-port 27050 --dir /tmp/dnet
    """
    settings = get_settings(ctx)
    bin_dir = Path(fabric_bin) if fabric_bin else settings.fabric_bin
    if runtime == "docker":
        network, source = _fabric.create_network(
            settings.directory, topology, bin_dir, base_port, ca, runtime="docker"
        )
    else:
        network, source = _fabric.create_network(
            settings.directory, topology, bin_dir, base_port, ca
        )
    network.up(progress=progress, source_topology=source)
    directory = settings.directory.resolve()
    write_config(settings.config_file, {"dir": str(directory)})
    text = (
        f"network up in {directory}; profiles in {directory}/profiles\n"
        f"current network: {directory} (later commands use it without --dir;"
        f" remembered in {settings.config_file})"
    )
    data = {"directory": str(directory), "profiles": str(directory / "profiles"), "current": True}
    emit_done(settings.output, text, data)


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
@click.argument("node", shell_complete=_complete.nodes)
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines (Ctrl-C stops).")
@click.option("-n", "--lines", type=click.IntRange(min=1), default=40, show_default=True)
@dir_option
@output_option
@click.pass_context
def logs(ctx: click.Context, node: str, follow: bool, lines: int) -> None:
    """Print the last lines of a node's (or chaincode server's) log.

    \b
    Example:
      fabric-pilot network logs peer0.org1.example.com -n 100
      fabric-pilot network logs chaincode-tax_invoice -f
    """
    settings = get_settings(ctx)
    network = _fabric.load_network(settings.directory)
    tail = network.log_tail(node, lines)
    emit_done(settings.output, tail, {"node": node, "lines": tail.splitlines()})
    follow_logs = getattr(network, "follow_logs", None)  # containers: from the engine
    if follow and follow_logs is not None:
        for chunk in follow_logs(node):
            click.echo(chunk, nl=False)
    elif follow:
        _follow(Path(network.processes[node].log_file), node, settings.output)


def _follow(path: Path, node: str, output: str, poll: float = 0.5) -> None:
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            handle.seek(0, 2)
            while True:
                line = handle.readline()
                if not line:
                    time.sleep(poll)
                elif output == "json":
                    emit_json_line({"node": node, "line": line.rstrip("\n")})
                else:
                    click.echo(line, nl=False)
    except FileNotFoundError as exc:
        raise CliError(f"log file {path} is gone", EXIT_NOT_FOUND) from exc


@network_group.command("stop")
@dir_option
@output_option
@click.pass_context
def stop(ctx: click.Context) -> None:
    """Stop every process of the network; ledgers and crypto are kept.

    \b
    Example:
      fabric-pilot network stop && fabric-pilot network start
    """
    settings = get_settings(ctx)
    stopped = _fabric.load_network(settings.directory).stop(progress)
    text = f"stopped {len(stopped)} process(es)"
    emit_done(settings.output, text, {"stopped": sorted(str(name) for name in stopped)})


@network_group.command("start")
@dir_option
@output_option
@click.pass_context
def start(ctx: click.Context) -> None:
    """Start a stopped network again (nodes, then chaincode servers).

    \b
    Example:
      fabric-pilot network start --dir ./.fabric-pilot/network
    """
    settings = get_settings(ctx)
    _fabric.load_network(settings.directory).start(progress)
    emit_done(
        settings.output, "network started", {"directory": str(settings.directory), "started": True}
    )


@network_group.command("down")
@dir_option
@output_option
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
    text = f"network in {directory} removed"
    if kept:
        text += f"; kept what fabric-pilot did not write: {', '.join(kept)}"
    forgotten = _forget_current(settings, directory)
    if forgotten:
        text += "\nno current network now (the next 'network up' sets one)"
    data = {"directory": str(directory), "removed": True, "kept": kept, "forgot_current": forgotten}
    emit_done(settings.output, text, data)


def register(cli: click.Group) -> None:
    """Add the ``network`` group to ``cli``."""
    cli.add_command(network_group)
