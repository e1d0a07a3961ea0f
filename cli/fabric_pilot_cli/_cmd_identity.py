"""``fabric-pilot identity``: register, enroll, list and revoke users with the org's Fabric CA."""

from __future__ import annotations

from typing import Any

import click

from . import _fabric, _sdk
from ._context import get_settings, org_options, progress
from ._errors import EXIT_USAGE, CliError
from ._render import emit

__all__ = ["register"]


@click.group("identity", short_help="Fabric CA users: register, enroll, ...")
def identity_group() -> None:
    """Users of an organisation's Fabric CA (networks started with --ca).

    Commands act as the org's Admin (a registrar) unless --as ORG/USER names another.

    \b
    Example:
      fabric-pilot identity register clerk1 --attr pilot.role=clerk --as Org1
      fabric-pilot identity enroll clerk1 SECRET --as Org1
      fabric-pilot --as Org1/clerk1 whoami
    """


def _attribute(text: str) -> tuple[str, str, bool]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise CliError(f"--attr expects NAME=VALUE, not {text!r}", EXIT_USAGE)
    return name, value, True


@identity_group.command("register")
@click.argument("name")
@click.option("--secret", help="Enrolment secret (default: the CA makes one).")
@click.option("--type", "type_", default="client", show_default=True)
@click.option("--affiliation", default="", help="Affiliation (default: none).")
@click.option(
    "--attr",
    "attrs",
    multiple=True,
    metavar="NAME=VALUE",
    help="Attribute put in enrolment certificates (repeatable).",
)
@click.option("--max-enrollments", type=int, help="How often the secret may be used.")
@org_options
@click.pass_context
def register_cmd(
    ctx: click.Context, /, *, name: str, secret: str | None, type_: str, affiliation: str,
    attrs: tuple[str, ...], max_enrollments: int | None,
) -> None:  # fmt: skip
    """Register NAME with the org's CA and print its enrolment secret.

    \b
    Example:
      fabric-pilot identity register officer2 --attr pilot.role=officer --secret s3cret
    """
    settings = get_settings(ctx)
    attributes = [_attribute(text) for text in attrs]
    ca = _sdk.open_ca(settings)
    issued = ca.register(name, secret=secret, type_=type_, affiliation=affiliation,
                         attributes=attributes, max_enrollments=max_enrollments)  # fmt: skip
    emit({"name": name, "org": ca.identity.org, "secret": issued}, settings.output)


@identity_group.command("enroll")
@click.argument("name")
@click.argument("secret")
@click.option(
    "--attr",
    "attrs",
    multiple=True,
    metavar="NAME",
    help="Attribute to request in the certificate (repeatable).",
)
@org_options
@click.pass_context
def enroll_cmd(ctx: click.Context, /, *, name: str, secret: str, attrs: tuple[str, ...]) -> None:
    """Enrol NAME and store its MSP folder in DIR/wallet/ORG/NAME/msp (usable with --as ORG/NAME).

    \b
    Example:
      fabric-pilot identity enroll officer2 s3cret --as Org1
    """
    settings = get_settings(ctx)
    ca = _sdk.open_ca(settings)
    msp = ca.enroll(name, secret, list(attrs))
    emit({"name": name, "org": ca.identity.org, "msp_dir": str(msp)}, settings.output)


@identity_group.command("list")
@org_options
@click.pass_context
def list_cmd(ctx: click.Context) -> None:
    """List the identities registered with the org's CA.

    \b
    Example:
      fabric-pilot identity list --as Org2 -o json
    """
    settings = get_settings(ctx)
    emit(_sdk.open_ca(settings).list_identities(), settings.output)


@identity_group.command("revoke")
@click.argument("name")
@click.option("--reason", default="", help="Revocation reason (e.g. keycompromise).")
@click.option(
    "--ca-only",
    is_flag=True,
    help="Revoke at the CA only; peers accept NAME until the CA's CRL reaches the channels.",
)
@org_options
@click.pass_context
def revoke_cmd(ctx: click.Context, /, *, name: str, reason: str, ca_only: bool) -> None:
    """Revoke every certificate of NAME at the CA and make the peers refuse them.

    The CA's new certificate revocation list (CRL) then goes into the org's MSP on every
    channel the org is on: one channel config update per channel, signed by the org's Admin,
    replacing an older CRL of the same CA. The command returns once every running peer of each
    channel has the new config block, and prints that block per channel. With --ca-only the
    channels are left as they are; a later revoke without it publishes the CA's whole CRL.

    \b
    Example:
      fabric-pilot identity revoke officer2 --reason keycompromise --as Org1
      fabric-pilot identity revoke officer3 --ca-only
    """
    settings = get_settings(ctx)
    ca = _sdk.open_ca(settings)
    org = ca.identity.org
    network = None
    if not ca_only:  # checked before the CA revokes anything
        network = _fabric.load_network(settings.directory)
        _fabric.check_channel_update(network, org)
    revocation = ca.revoke(name, reason)
    channels: list[dict[str, Any]] = []
    if network is not None:
        crl = revocation.crl
        if not crl:
            progress(f"{name} had no certificate left to revoke; publishing the CA's CRL")
            crl = ca.crl()
        channels = _fabric.publish_crl(network, org, crl, progress)
    emit({"name": name, "org": org, **revocation.to_json(), "channels": channels}, settings.output)


def register(cli: click.Group) -> None:
    """Add the ``identity`` group to ``cli``."""
    cli.add_command(identity_group)
