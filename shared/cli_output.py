"""How the `sodsong` commands print rows: JSON with `--json`, else tab-separated lines for a terminal."""
from __future__ import annotations

import json
from collections.abc import Callable

import click


def echo_rows(rows: list[dict], as_json: bool, line: Callable[[dict], str]) -> None:
    """The rows as one line of JSON, or one `line(row)` each."""
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(line(row))


def echo_table(rows: list[dict], as_json: bool, columns: list[str], *, empty: str = "(none)",
               cell: Callable[[object], str] = str) -> None:
    """The rows as indented JSON, or a header of `columns` and a tab-separated line per row (`empty` for none)."""
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, default=str, indent=1))
        return
    if not rows:
        click.echo(empty)
        return
    click.echo("\t".join(columns))
    for row in rows:
        click.echo("\t".join(cell(row.get(c, "")) for c in columns))
