"""``fabric-pilot meter read``: record one reading, optionally signing it as the meter."""

from __future__ import annotations

from pathlib import Path

import click

from ._context import network_options
from ._device import sign_reading, signing_key_for
from ._errors import EXIT_USAGE, CliError
from ._inputs import read_document
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
