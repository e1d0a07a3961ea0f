"""The one place where results are printed: a table for people, JSON for scripts."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import click
from wcwidth import wcswidth

__all__ = ["display_width", "emit", "emit_done", "emit_json_line", "format_table", "to_text"]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return str(value)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK characters take two; wcwidth decides)."""
    width = wcswidth(text)
    return width if width >= 0 else len(text)  # control characters: count them as one each


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _column_names(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every key of ``rows``, in first-seen order."""
    return list(dict.fromkeys(key for row in rows for key in row))


def _column_widths(lines: Sequence[Sequence[str]]) -> list[int]:
    return [max(display_width(line[index]) for line in lines) for index in range(len(lines[0]))]


def format_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows of dicts as an aligned text table (columns: given order, else first-seen order);
    columns are aligned by display width, so CJK text lines up."""
    if not rows:
        return "(none)"
    names = list(columns) if columns else _column_names(rows)
    cells = [[_cell(row.get(name)) for name in names] for row in rows]
    headers = [name.upper() for name in names]
    widths = _column_widths([headers, *cells])
    lines = [
        "  ".join(_pad(text, width) for text, width in zip(line, widths, strict=True))
        for line in [headers, *cells]
    ]
    return "\n".join(line.rstrip() for line in lines)


def to_text(data: Any, columns: Sequence[str] | None = None) -> str:
    """Human form: list of dicts → table, dict → key/value table, anything else → str."""
    if isinstance(data, Mapping):
        return format_table([{"field": key, "value": value} for key, value in data.items()])
    if isinstance(data, (list, tuple)) and all(isinstance(item, Mapping) for item in data):
        return format_table(data, columns)
    if isinstance(data, (list, tuple)):
        return "\n".join(_cell(item) for item in data)
    return _cell(data)


def emit(data: Any, output: str, columns: Sequence[str] | None = None) -> None:
    """Print ``data`` to stdout as ``output`` (``table`` or ``json``)."""
    if output == "json":
        click.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str))
    else:
        click.echo(to_text(data, columns))


def emit_done(output: str, text: str, data: Mapping[str, Any]) -> None:
    """A command's outcome: ``text`` for people, ``data`` as one JSON object with ``-o json``."""
    if output == "json":
        emit(dict(data), "json")
    else:
        click.echo(text)


def emit_json_line(data: Any) -> None:
    """Print one compact JSON document on its own line (for streams)."""
    click.echo(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str))
