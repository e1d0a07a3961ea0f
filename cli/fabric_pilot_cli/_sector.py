"""Sector commands from data: each transaction is a :class:`Tx` spec turned into a click command.

A spec names the command path, the chaincode function, its arguments (text, integer or a JSON
document from FILE, ``-`` or inline), whether it is submitted or evaluated, and optionally a
document key that travels as transient (private) data instead of as an argument.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from . import _sdk
from ._context import get_settings, network_options, progress
from ._errors import EXIT_USAGE, CliError
from ._inputs import json_text, read_document
from ._render import emit

__all__ = [
    "Arg",
    "Tx",
    "add_tx",
    "call",
    "decode_bookmark",
    "emit_result",
    "encode_bookmark",
    "group_path",
    "selector_list",
]

TEXT = "text"
INT = "int"
JSON = "json"
FILE_TEXT = "file"


@dataclass(frozen=True)
class Arg:
    """A positional argument: its metavar name and kind (text, int, json)."""

    name: str
    kind: str = TEXT

    @property
    def param(self) -> str:
        """The Python parameter name click gives it."""
        return self.name.lower().replace("-", "_")


@dataclass(frozen=True)
class Tx:
    """One chaincode transaction exposed as a command."""

    path: tuple[str, ...]
    function: str
    args: tuple[Arg, ...] = ()
    submit: bool = False
    summary: str = ""
    example: str = ""
    transient: str | None = None
    paged: bool = False
    columns: tuple[str, ...] | None = None


def group_path(root: click.Group, path: Sequence[str]) -> click.Group:
    """The (nested) group at ``path``, created on first use."""
    group = root
    for name in path:
        existing = group.commands.get(name)
        if not isinstance(existing, click.Group):
            existing = click.Group(name, help=f"{name} commands.")
            group.add_command(existing)
        group = existing
    return group


def _convert(arg: Arg, value: Any) -> Any:
    if arg.kind == JSON:
        return read_document(str(value))
    if arg.kind == FILE_TEXT:
        return Path(str(value)).read_text(encoding="utf-8")
    return str(value)


def _split_transient(
    values: list[Any], key: str | None
) -> tuple[list[str], dict[str, bytes] | None]:
    """Arguments as text; a document's ``key`` entry moves to the transient map."""
    transient: dict[str, bytes] | None = None
    texts: list[str] = []
    for value in values:
        document = value
        if key and isinstance(value, dict) and key in value:
            transient = {key: json_text(value[key]).encode()}
            document = {name: item for name, item in value.items() if name != key}
        texts.append(json_text(document))
    return texts, transient


def call(
    ctx: click.Context, chaincode: str, function: str, args: list[str], *,
    submit: bool, transient: dict[str, bytes] | None = None,
) -> Any:  # fmt: skip
    """Submit or evaluate ``function``; return the decoded result (plus tx ID when submitted)."""
    settings = get_settings(ctx)
    with closing(_sdk.open_session(settings, chaincode)) as session:
        if submit:
            outcome = session.submit(chaincode, function, args, transient=transient)
            progress(f"committed {outcome.transaction_id} in block {outcome.block_number}")
            return _sdk.decode_result(outcome.result)
        return _sdk.decode_result(session.evaluate(chaincode, function, args, transient=transient))


def encode_bookmark(bookmark: str) -> str:
    """A bookmark safe on a command line (ledger bookmarks may hold NUL characters)."""
    if bookmark.isprintable():
        return bookmark
    return "b64:" + base64.urlsafe_b64encode(bookmark.encode()).decode()


def decode_bookmark(text: str) -> str:
    """Undo :func:`encode_bookmark`.

    Raises:
        CliError: a ``b64:`` bookmark is not valid base64 (exit 2).
    """
    if not text.startswith("b64:"):
        return text
    try:
        return base64.b64decode(text[4:].encode(), altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise CliError(f"invalid bookmark {text!r}", EXIT_USAGE) from exc


def emit_result(ctx: click.Context, result: Any, columns: Sequence[str] | None = None) -> None:
    """Print a result. A page (``records`` + ``bookmark``) prints its records as a table and
    the next ``--bookmark`` on stderr; in JSON it gains ``next_bookmark`` (command-line safe)."""
    output = get_settings(ctx).output
    is_page = isinstance(result, dict) and "records" in result and "bookmark" in result
    if is_page and result.get("bookmark"):
        result = {**result, "next_bookmark": encode_bookmark(str(result["bookmark"]))}
    if output == "table" and is_page:
        emit(result["records"], output, columns)
        if result.get("bookmark") and len(result["records"]):
            progress(f"more: --bookmark {result['next_bookmark']}")
        return
    emit(result, output)


def _check_page_size(_ctx: click.Context, _param: click.Parameter, value: int) -> int:
    from fabric_pilot_gateway.sectors._limits import check_page_size

    try:
        return check_page_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _paging(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option("--bookmark", default="", help="Continue after this bookmark.")(
        function
    )
    return click.option(
        "--page-size", type=int, default=50, show_default=True, callback=_check_page_size,
        help="Records per page (at most the contracts' limit).",
    )(function)  # fmt: skip


def _help(tx: Tx) -> str:
    kind = "Submit" if tx.submit else "Evaluate"
    lines = [f"{tx.summary} ({kind}s {tx.function}.)", "", "\b", "Example:"]
    lines.append(f"  fabric-pilot {' '.join(tx.path)} {tx.example}".rstrip())
    if any(arg.kind == JSON for arg in tx.args):
        lines += ["", "JSON arguments take a FILE, - (stdin) or inline JSON."]
    if tx.transient:
        lines += [f"A '{tx.transient}' key in the document is sent as private transient data."]
    return "\n".join(lines)


def _click_type(arg: Arg) -> Any:
    if arg.kind == INT:
        return click.INT
    if arg.kind == FILE_TEXT:
        return click.Path(exists=True, dir_okay=False)
    return click.STRING


def add_tx(root: click.Group, chaincode: str, tx: Tx) -> click.Command:
    """Create the command for ``tx`` under ``root``."""

    @click.pass_context
    def callback(ctx: click.Context, /, **params: Any) -> None:
        values = [_convert(arg, params[arg.param]) for arg in tx.args]
        args, transient = _split_transient(values, tx.transient)
        if tx.paged:
            args += [str(params["page_size"]), decode_bookmark(params["bookmark"])]
        result = call(ctx, chaincode, tx.function, args, submit=tx.submit, transient=transient)
        emit_result(ctx, result, tx.columns)

    command = click.Command(
        tx.path[-1], callback=callback, help=_help(tx), short_help=tx.summary,
        params=[
            click.Argument([arg.param], metavar=arg.name.upper(), type=_click_type(arg))
            for arg in tx.args
        ],
    )  # fmt: skip
    network_options(command)
    if tx.paged:
        _paging(command)
    group_path(root, tx.path[:-1]).add_command(command)
    return command


def selector_list(
    root: click.Group,
    *, path: tuple[str, ...], chaincode: str, selectors: dict[str, str],
    summary: str, example: str, columns: Sequence[str] | None = None,
) -> click.Command:  # fmt: skip
    """A paged ``list`` command with exactly one ``--<selector> VALUE`` choosing the function."""

    @click.pass_context
    def callback(ctx: click.Context, /, **params: Any) -> None:
        chosen = [(name, params[name]) for name in selectors if params.get(name)]
        if len(chosen) != 1:
            options = ", ".join(f"--{name}" for name in selectors)
            raise CliError(f"give exactly one of {options}", EXIT_USAGE)
        name, value = chosen[0]
        args = [str(value), str(params["page_size"]), decode_bookmark(params["bookmark"])]
        emit_result(ctx, call(ctx, chaincode, selectors[name], args, submit=False), columns)

    command = click.Command(
        path[-1], callback=callback, short_help=summary,
        help=f"{summary}\n\n\b\nExample:\n  fabric-pilot {' '.join(path)} {example}",
        params=[click.Option([f"--{name}"], help=f"List by {name} ({function}).")
                for name, function in selectors.items()],
    )  # fmt: skip
    network_options(command)
    _paging(command)
    group_path(root, path[:-1]).add_command(command)
    return command
