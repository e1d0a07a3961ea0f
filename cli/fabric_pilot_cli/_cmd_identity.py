"""``fabric-pilot identity``: register, enroll, list and revoke users with the org's Fabric CA."""

from __future__ import annotations

import click

from . import _sdk
from ._context import get_settings, network_options
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
@network_options
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
@network_options
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
@network_options
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
@network_options
@click.pass_context
def revoke_cmd(ctx: click.Context, /, *, name: str, reason: str) -> None:
    """Revoke every certificate of NAME at the CA.

    Peers reject the identity only once the channel's MSP carries the CA's new CRL (a channel
    configuration update, not done by this command).

    \b
    Example:
      fabric-pilot identity revoke officer2 --reason keycompromise
    """
    settings = get_settings(ctx)
    emit(_sdk.open_ca(settings).revoke(name, reason), settings.output)


def register(cli: click.Group) -> None:
    """Add the ``identity`` group to ``cli``."""
    cli.add_command(identity_group)
