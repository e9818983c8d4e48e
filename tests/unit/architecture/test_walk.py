"""docs/architecture.md walks one tip through the code, file by file: every file and name it gives must exist."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "architecture.md"
NAMED = re.compile(r"`((?:services|shared|sodsong)/[\w/]+\.py)`\s+`([\w.]+)`")
FILE = re.compile(r"`((?:services|shared|sodsong|tests)/[\w/]+\.py)`")


def _walk() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## The walk of one tip, file by file")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _defines(path: Path, dotted: str) -> bool:
    scope = ast.parse(path.read_text(encoding="utf-8")).body
    for part in dotted.split("."):
        found = next((n for n in scope if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                      and n.name == part), None)
        if found is None:
            return False
        scope = found.body
    return True


def test_the_walk_names_enough_steps():
    named = NAMED.findall(_walk().replace("\n", " "))
    assert len(named) >= 20, named
    services = {path.split("/")[1] for path, _ in named if path.startswith("services/")}
    assert services == {"intake", "routing", "casework", "notify", "audit"}


def test_every_file_in_the_walk_exists():
    for path in FILE.findall(_walk()):
        assert (ROOT / path).is_file(), path


def test_every_name_in_the_walk_is_defined_where_it_says():
    missing = [f"{path} {name}" for path, name in NAMED.findall(_walk().replace("\n", " "))
               if not _defines(ROOT / path, name)]
    assert not missing, missing
