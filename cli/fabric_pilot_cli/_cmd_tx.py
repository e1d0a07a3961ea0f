"""``fabric-pilot tx``, ``blocks`` and ``events``: raw transactions and the ledger."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Any

import click

from . import _complete, _sdk
from ._context import get_settings, network_options
from ._inputs import transient_map
from ._render import emit, emit_json_line
from ._sdk import decode_result
from ._signals import EventGuard

__all__ = ["register"]


@click.group("tx", short_help="Submit, evaluate or show transactions.")
def tx_group() -> None:
    """Submit or evaluate any transaction function; show a committed transaction.

    \b
    Example:
      fabric-pilot tx evaluate tax_invoice get_taxpayer 91350100M000100Y43
    """


def _tx_options(function: Any) -> Any:
    function = click.option(
        "--endorsing-org", "endorsing_orgs", multiple=True, metavar="MSPID",
        help="Org that must endorse (repeatable).",
    )(function)  # fmt: skip
    function = click.option(
        "--transient", "transient", multiple=True, metavar="KEY=VALUE|@FILE",
        help="Private transient data (repeatable; VALUE may be @file).",
    )(function)  # fmt: skip
    function = click.argument("args", nargs=-1)(function)
    function = click.argument("function")(function)
    return click.argument("chaincode", shell_complete=_complete.chaincodes)(function)


@tx_group.command("submit")
@_tx_options
@click.option("--async", "no_wait", is_flag=True, help="Return once ordered; no commit wait.")
@network_options
@click.pass_context
def submit(
    ctx: click.Context,
    *,
    chaincode: str,
    function: str,
    args: tuple[str, ...],
    transient: tuple[str, ...],
    endorsing_orgs: tuple[str, ...],
    no_wait: bool,
) -> None:
    """Submit CHAINCODE FUNCTION [ARGS...] and wait for the commit (exit 4/5 on failure).

    \b
    Example:
      fabric-pilot tx submit tax_invoice set_quota 91350100M000100Y43 1000000
      fabric-pilot tx submit tax_invoice issue_invoice "$(cat inv.json)" \\
          --transient buyer_personal=@person.json --endorsing-org Org1MSP
    """
    settings = get_settings(ctx)
    private = transient_map(transient)
    with closing(_sdk.open_session(settings, chaincode)) as session:
        outcome = session.submit(
            chaincode, function, list(args), transient=private or None,
            endorsing_orgs=endorsing_orgs, wait=not no_wait,
        )  # fmt: skip
    emit(outcome.to_json(), settings.output)


@tx_group.command("evaluate")
@_tx_options
@network_options
@click.pass_context
def evaluate(
    ctx: click.Context,
    *,
    chaincode: str,
    function: str,
    args: tuple[str, ...],
    transient: tuple[str, ...],
    endorsing_orgs: tuple[str, ...],
) -> None:
    """Evaluate CHAINCODE FUNCTION [ARGS...] on one peer and print the result.

    \b
    Example:
      fabric-pilot tx evaluate tax_invoice get_taxpayer 91350100M000100Y43 -o json
    """
    settings = get_settings(ctx)
    private = transient_map(transient)
    with closing(_sdk.open_session(settings, chaincode)) as session:
        raw = session.evaluate(
            chaincode, function, list(args), transient=private or None,
            endorsing_orgs=endorsing_orgs,
        )  # fmt: skip
    emit(decode_result(raw), settings.output)


@tx_group.command("show")
@click.argument("transaction_id")
@network_options
@click.pass_context
def show(ctx: click.Context, transaction_id: str) -> None:
    """Show a committed transaction: type, creator, chaincode, validation code, block.

    \b
    Example:
      fabric-pilot tx show 3f5c...e1 -o json
    """
    settings = get_settings(ctx)
    with closing(_sdk.open_session(settings)) as session:
        emit(session.transaction(transaction_id), settings.output)


@click.group("blocks")
def blocks_group() -> None:
    """Read blocks of the channel.

    \b
    Example:
      fabric-pilot blocks list --count 5
      fabric-pilot blocks show 3 -o json
    """


def _block_row(block: dict[str, Any]) -> dict[str, Any]:
    functions = sorted({str(tx.get("function", tx["type"])) for tx in block["transactions"]})
    invalid = [tx for tx in block["transactions"] if tx.get("validation", "VALID") != "VALID"]
    return {
        "number": block["number"],
        "transactions": block["transaction_count"],
        "invalid": len(invalid),
        "functions": ",".join(functions),
        "data_hash": block["data_hash"][:16],
    }


@blocks_group.command("list")
@click.option(
    "--from",
    "first",
    type=click.IntRange(min=0),
    help="First block (default: the last --count blocks).",
)
@click.option("--count", type=click.IntRange(min=1), default=10, show_default=True)
@network_options
@click.pass_context
def blocks_list(ctx: click.Context, first: int | None, count: int) -> None:
    """List blocks with their transaction counts.

    \b
    Example:
      fabric-pilot blocks list --from 0 --count 20
    """
    settings = get_settings(ctx)
    with closing(_sdk.open_session(settings)) as session:
        height = int(session.chain_info()["height"])
        start = max(0, height - count) if first is None else first
        numbers = range(start, min(height, start + count))
        rows = [_block_row(session.block(number)) for number in numbers]
    emit(rows, settings.output)


@blocks_group.command("show")
@click.argument("number", type=click.IntRange(min=0))
@network_options
@click.pass_context
def blocks_show(ctx: click.Context, number: int) -> None:
    """Show block NUMBER: hashes and every transaction with its validation code.

    \b
    Example:
      fabric-pilot blocks show 5
    """
    settings = get_settings(ctx)
    with closing(_sdk.open_session(settings)) as session:
        block = session.block(number)
    if settings.output == "json":
        emit(block, "json")
        return
    emit({key: value for key, value in block.items() if key != "transactions"}, "table")
    emit(block["transactions"], "table")


@click.group("events")
def events_group() -> None:
    """Listen to chaincode events or committed blocks (JSON lines on stdout).

    \b
    Example:
      fabric-pilot events listen --chaincode tax_invoice --from 0 --count 10
    """


@events_group.command("listen")
@click.option(
    "--chaincode",
    help="Chaincode whose events to print; without it, every committed block is printed.",
)
@click.option(
    "--from",
    "start_block",
    type=click.IntRange(min=0),
    help="First block (default: the next block).",
)
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False),
    help="Checkpoint file: resume after the last printed event.",
)
@click.option("--count", type=click.IntRange(min=1), help="Stop after this many events.")
@network_options
@click.pass_context
def listen(
    ctx: click.Context,
    *,
    chaincode: str | None,
    start_block: int | None,
    checkpoint: str | None,
    count: int | None,
) -> None:
    """Print chaincode events (or, without --chaincode, committed blocks: number and each
    transaction with its validation code) as JSON lines until Ctrl-C or --count.

    \b
    Example:
      fabric-pilot events listen --chaincode tax_invoice --checkpoint ./events.ckpt
      fabric-pilot events listen --channel tax --from 0 --count 5
    """
    settings = get_settings(ctx)
    checkpoint_file = Path(checkpoint) if checkpoint else None
    printed = 0
    with EventGuard() as guard, closing(_sdk.open_session(settings, chaincode)) as session:
        if chaincode is None:
            events = session.block_events(start_block, checkpoint_file)
        else:
            events = session.chaincode_events(chaincode, start_block, checkpoint_file)
        for event, acknowledge in events:
            with guard.handling():  # a stop signal waits for the checkpoint
                emit_json_line(event)
                acknowledge()
            printed += 1
            if count is not None and printed >= count:
                break


def register(cli: click.Group) -> None:
    """Add ``tx``, ``blocks`` and ``events`` to ``cli``."""
    cli.add_command(tx_group)
    cli.add_command(blocks_group)
    cli.add_command(events_group)
