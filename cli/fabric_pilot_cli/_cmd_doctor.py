"""``fabric-pilot doctor``: is this machine ready to run a network?"""

from __future__ import annotations

import os
from typing import Any

import click

from . import _doctor, _fabric
from ._context import dir_option, get_settings, output_option
from ._render import emit

__all__ = ["register"]


def _fabric_checks(settings: Any) -> list[_doctor.Check]:
    from fabric_pilot_network.fabric_home import resolve_fabric_home

    return _doctor.check_fabric(resolve_fabric_home(settings.fabric_bin, os.environ))


def _port_check(topology: str, base_port: int) -> _doctor.Check:
    from fabric_pilot_network.ports import plan_ports
    from fabric_pilot_network.topology import load_topology

    plan = plan_ports(load_topology(topology), base_port, with_ca=True)
    return _doctor.check_ports(plan.all_ports(), base_port)


def _network_checks(settings: Any, topology: str, base_port: int) -> list[_doctor.Check]:
    """The network in --dir as it is (its own port plan and processes), else a planned one."""
    if not (settings.directory / "network.json").exists():
        return [_port_check(topology, base_port)]
    network = _fabric.load_network(settings.directory)
    statuses = network.status(with_heights=False)
    checks = _doctor.check_processes(statuses, settings.directory)
    checks.append(_doctor.check_network_ports(statuses))
    return checks + _doctor.check_tls(network)


@click.command("doctor", short_help="Check this machine and the network.")
@click.option("--docker", "with_docker", is_flag=True, help="Also check Docker and compose.")
@click.option(
    "--topology", default="dev", show_default=True,
    help="Port plan to check when --dir holds no network yet.",
)  # fmt: skip
@click.option(
    "--base-port", type=click.IntRange(1024, 65000), default=7050, show_default=True,
    help="Base port of that plan (a network in --dir is checked on its own ports).",
)  # fmt: skip
@click.option("--fabric-bin", type=click.Path(file_okay=False), help="Fabric binaries to check.")
@dir_option
@output_option
@click.pass_context
def doctor(
    ctx: click.Context, /, *, with_docker: bool, topology: str, base_port: int,
    fabric_bin: str | None,
) -> None:  # fmt: skip
    """Check Go, Fabric binaries, the network in --dir (every process up, its own ports, TLS),
    the clock (and Docker); without a network there, that a planned network's ports are free.

    Prints check / status / detail / fix; exit 0 only if nothing failed (warnings pass).

    \b
    Example:
      fabric-pilot doctor
      fabric-pilot doctor --docker --base-port 8050 -o json
    """
    settings = get_settings(ctx)
    if fabric_bin:
        from ._context import override

        settings = override(settings, "fabric_bin", fabric_bin)
    checks = [_doctor.check_go(), *_fabric_checks(settings)]
    checks += _network_checks(settings, topology, base_port)
    checks.append(_doctor.check_clock())
    if with_docker:
        checks += _doctor.check_docker()
    emit([check.to_json() for check in checks], settings.output,
         ("check", "status", "detail", "fix"))  # fmt: skip
    if any(check.status == "fail" for check in checks):
        ctx.exit(1)


def register(cli: click.Group) -> None:
    """Add ``doctor`` to ``cli``."""
    cli.add_command(doctor)
