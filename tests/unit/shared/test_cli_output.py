"""How the commands print rows: JSON with --json, else tab-separated lines."""
import json

import click
from click.testing import CliRunner

from shared.cli_output import echo_rows, echo_table

ROWS = [{"id": "a", "n": 1, "note": None}, {"id": "ข", "n": 2}]


def _run(fn, *args, **kwargs) -> str:
    @click.command()
    def command():
        fn(*args, **kwargs)
    result = CliRunner().invoke(command)
    assert result.exit_code == 0, result.output
    return result.output


def test_rows_as_json_or_one_line_each():
    assert json.loads(_run(echo_rows, ROWS, True, str)) == ROWS
    assert _run(echo_rows, ROWS, False, lambda r: f"{r['id']}:{r['n']}") == "a:1\nข:2\n"


def test_a_table_has_a_header_and_says_when_it_is_empty():
    assert _run(echo_table, ROWS, False, ["id", "note"]) == "id\tnote\na\tNone\nข\t\n"
    assert _run(echo_table, ROWS, False, ["id", "note"], cell=lambda v: "" if v is None else str(v)) == \
        "id\tnote\na\t\nข\t\n"
    assert _run(echo_table, [], False, ["id"], empty="(ไม่มี / none)") == "(ไม่มี / none)\n"
    assert json.loads(_run(echo_table, ROWS, True, ["id"])) == ROWS
