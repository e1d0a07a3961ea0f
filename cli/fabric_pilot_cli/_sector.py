"""Sector commands from data: each transaction is a :class:`Tx` spec turned into a click command.

A spec names the command path, the method of the SDK's typed sector client it calls (which is
also the contract transaction's name), that method's keyword arguments (text, integer or a
JSON document from FILE, ``-`` or inline) and optionally a document key that the SDK method
takes as a separate, private argument. Submit or evaluate, encoding, rejections and commit
handling all come from the SDK method.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import _sdk
from ._context import get_settings, network_options, progress
from ._errors import EXIT_USAGE, CliError
from ._inputs import read_document
from ._render import emit

if TYPE_CHECKING:
    from fabric_pilot_gateway.commit import Committed

__all__ = [
    "SDK_METHODS",
    "Arg",
    "Tx",
    "add_tx",
    "call",
    "decode_bookmark",
    "emit_result",
    "encode_bookmark",
    "group_path",
    "pin",
    "selector_list",
]

SDK_METHODS: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
"""Command path -> (chaincode, the methods of the SDK's typed client of it that it calls)."""


def pin(path: tuple[str, ...], chaincode: str, *methods: str) -> None:
    """Declare which SDK sector-client methods the command at ``path`` calls (tested)."""
    SDK_METHODS[path] = (chaincode, methods)


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
    """One SDK sector-client method exposed as a command (``method`` is also the contract
    transaction's name; ``submit`` only says so in the help: the SDK method decides)."""

    path: tuple[str, ...]
    method: str
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


def _private_argument(values: dict[str, Any], key: str | None) -> None:
    """Move a document's ``key`` entry out into the SDK method's argument of that name."""
    if not key:
        return
    for name, value in list(values.items()):
        if isinstance(value, dict) and key in value:
            values[name] = {item: member for item, member in value.items() if item != key}
            values[key] = value[key]
            return


def _report_commit(committed: Committed) -> None:
    progress(f"committed {committed.transaction_id} in block {committed.block_number}")


def call(ctx: click.Context, chaincode: str, method: str, arguments: dict[str, Any]) -> Any:
    """Call ``method`` of the SDK's typed client of ``chaincode``; return its decoded result
    (a submit reports its transaction ID and block on stderr)."""
    settings = get_settings(ctx)
    with closing(_sdk.open_session(settings, chaincode)) as session:
        client = session.sector(chaincode, on_commit=_report_commit)
        return getattr(client, method)(**arguments)


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
    lines = [f"{tx.summary} ({kind}s {tx.method}.)", "", "\b", "Example:"]
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
        values = {arg.param: _convert(arg, params[arg.param]) for arg in tx.args}
        _private_argument(values, tx.transient)
        if tx.paged:
            values["page_size"] = params["page_size"]
            values["bookmark"] = decode_bookmark(params["bookmark"])
        emit_result(ctx, call(ctx, chaincode, tx.method, values), tx.columns)

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
    pin(tx.path, chaincode, tx.method)
    return command


def selector_list(
    root: click.Group,
    *, path: tuple[str, ...], chaincode: str, selectors: dict[str, tuple[str, str]],
    summary: str, example: str, columns: Sequence[str] | None = None,
) -> click.Command:  # fmt: skip
    """A paged ``list`` command with exactly one ``--<selector> VALUE`` choosing the SDK
    method; ``selectors`` maps each option to (method, the method's argument for VALUE)."""

    @click.pass_context
    def callback(ctx: click.Context, /, **params: Any) -> None:
        chosen = [(name, params[name]) for name in selectors if params.get(name)]
        if len(chosen) != 1:
            options = ", ".join(f"--{name}" for name in selectors)
            raise CliError(f"give exactly one of {options}", EXIT_USAGE)
        name, value = chosen[0]
        method, argument = selectors[name]
        arguments = {
            argument: str(value),
            "page_size": params["page_size"],
            "bookmark": decode_bookmark(params["bookmark"]),
        }
        emit_result(ctx, call(ctx, chaincode, method, arguments), columns)

    command = click.Command(
        path[-1], callback=callback, short_help=summary,
        help=f"{summary}\n\n\b\nExample:\n  fabric-pilot {' '.join(path)} {example}",
        params=[click.Option([f"--{name}"], help=f"List by {name} ({method}).")
                for name, (method, _argument) in selectors.items()],
    )  # fmt: skip
    network_options(command)
    _paging(command)
    group_path(root, path[:-1]).add_command(command)
    pin(path, chaincode, *(method for method, _argument in selectors.values()))
    return command
