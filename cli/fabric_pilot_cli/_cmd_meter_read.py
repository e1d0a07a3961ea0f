"""``fabric-pilot meter read``: record one reading, optionally signing it as the meter;
``fabric-pilot meter keygen``: make a device key pair for a meter."""

from __future__ import annotations

from pathlib import Path

import click

from ._context import get_settings, network_options, output_option
from ._device import generate_device_key, sign_reading, signing_key_for
from ._errors import EXIT_USAGE, CliError
from ._inputs import read_document
from ._render import emit
from ._sector import call, emit_result, group_path, pin

__all__ = ["register"]


def register(cli: click.Group, chaincode: str) -> None:
    """Add ``meter read`` to ``cli``."""

    @click.command("read")
    @click.argument("reading")
    @click.option(
        "--sign-with",
        type=click.Path(exists=True),
        help="Sign as the meter: a P-256 key file or a folder of <meter_id>.pem.",
    )
    @network_options
    @click.pass_context
    def read(ctx: click.Context, /, reading: str, sign_with: str | None) -> None:
        """Record one reading (JSON: FILE, - or inline); it must be signed by the meter.

        \b
        Example:
          fabric-pilot meter read reading.json
          fabric-pilot meter read '{"meter_id":"M-1","interval_start":0,...}' --sign-with m1.pem
        """
        document = read_document(reading)
        if not isinstance(document, dict):
            raise CliError("a reading must be a JSON object", EXIT_USAGE)
        if sign_with:
            key = signing_key_for(Path(sign_with), str(document.get("meter_id", "")))
            document = sign_reading(document, key)
        emit_result(ctx, call(ctx, chaincode, "record_reading", {"reading": document}))

    group_path(cli, ("meter",)).add_command(read)
    pin(("meter", "read"), chaincode, "record_reading")
    group_path(cli, ("meter",)).add_command(_keygen_command())


def _keygen_command() -> click.Command:
    @click.command("keygen")
    @click.argument("key_file", type=click.Path(dir_okay=False))
    @click.option(
        "--meter",
        "meter_file",
        help="A meter registration document (FILE, - or inline JSON): print it with"
        " public_key_pem set to the new key, ready for 'meter register'.",
    )
    @output_option
    @click.pass_context
    def keygen(ctx: click.Context, /, key_file: str, meter_file: str | None) -> None:
        """Write a new ECDSA P-256 device key to KEY_FILE (mode 0600; never overwritten).

        Prints the public key PEM (what register_meter and rotate-key take), or with --meter
        the meter document carrying it. Readings are then signed with --sign-with KEY_FILE.

        \b
        Example:
          fabric-pilot meter keygen sz-pv-0001.pem --meter meter.json > my-meter.json
          fabric-pilot --as GridOperator/Operator1 meter register my-meter.json
        """
        meter = read_document(meter_file) if meter_file else None
        if meter is not None and not isinstance(meter, dict):
            raise CliError("--meter must be a JSON object", EXIT_USAGE)
        public_pem = generate_device_key(Path(key_file))
        if meter is not None:
            emit({**meter, "public_key_pem": public_pem}, "json")
        elif get_settings(ctx).output == "json":
            emit({"key_file": key_file, "public_key_pem": public_pem}, "json")
        else:
            click.echo(public_pem, nl=False)

    return keygen
