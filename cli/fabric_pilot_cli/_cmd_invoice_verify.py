"""``fabric-pilot invoice verify``: by key fields, or by the invoice file's SHA-256."""

from __future__ import annotations

from pathlib import Path

import click

from ._context import network_options
from ._errors import EXIT_NOT_FOUND
from ._inputs import sha256_file
from ._sector import call, emit_result, group_path, pin

__all__ = ["register"]


def register(cli: click.Group, chaincode: str) -> None:
    """Add ``invoice verify`` to ``cli``."""

    @click.command("verify")
    @click.argument("seller_tax_id", required=False)
    @click.argument("number", required=False)
    @click.argument("total_gross_fen", type=int, required=False)
    @click.argument("issue_date", required=False)
    @click.option(
        "--file",
        "invoice_file",
        type=click.Path(exists=True, dir_okay=False),
        help="Verify an invoice file by its SHA-256 (hashed locally).",
    )
    @network_options
    @click.pass_context
    def verify(
        ctx: click.Context,
        *,
        seller_tax_id: str | None,
        number: str | None,
        total_gross_fen: int | None,
        issue_date: str | None,
        invoice_file: str | None,
    ) -> None:
        """Check an invoice is authentic; exit 3 when it is not.

        Give SELLER_TAX_ID NUMBER TOTAL_GROSS_FEN ISSUE_DATE (YYYY-MM-DD), or --file PATH.

        \b
        Example:
          fabric-pilot invoice verify 91350100M000100Y43 24312000000000000001 113000 2026-11-23
          fabric-pilot invoice verify --file fapiao.pdf
        """
        if invoice_file:
            digest, _size = sha256_file(Path(invoice_file))
            result = call(ctx, chaincode, "verify_invoice_file", {"file_hash": digest})
        else:
            fields = (seller_tax_id, number, total_gross_fen, issue_date)
            if any(value is None for value in fields):
                raise click.UsageError(
                    "give SELLER_TAX_ID NUMBER TOTAL_GROSS_FEN ISSUE_DATE or --file"
                )
            arguments = {
                "seller_tax_id": seller_tax_id,
                "number": number,
                "total_gross_fen": total_gross_fen,
                "issue_date": issue_date,
            }
            result = call(ctx, chaincode, "verify_invoice", arguments)
        emit_result(ctx, result)
        if isinstance(result, dict) and result.get("authentic") is False:
            ctx.exit(EXIT_NOT_FOUND)

    group_path(cli, ("invoice",)).add_command(verify)
    pin(("invoice", "verify"), chaincode, "verify_invoice", "verify_invoice_file")
