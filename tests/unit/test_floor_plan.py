"""The floor plan every service follows (docs/architecture.md): the same rooms in each service, a domain that
loads no messaging or web framework, and a basement (shared/) that imports nothing from the floors above."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "routing", "casework", "notify", "audit")
ROOMS = ("service.py", "models.py", "repository.py", "domain", "migrations")
FRAMEWORKS = ("nameko", "kombu", "eventlet", "werkzeug")

_IMPORT_EACH = """
import importlib, json, sys
forbidden = {frameworks!r}
found = {{}}
for name in {modules!r}:
    importlib.import_module(name)
    loaded = sorted(f for f in forbidden if f in sys.modules)
    if loaded:
        found[name] = loaded
        break
print(json.dumps(found))
"""


def test_every_service_directory_is_listed():
    on_disk = {p.parent.name for p in (ROOT / "services").glob("*/service.py")}
    assert on_disk == set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_has_the_rooms_of_the_floor_plan(service):
    home = ROOT / "services" / service
    missing = [room for room in ROOMS if not (home / room).exists()]
    assert not missing, f"services/{service} lacks {', '.join(missing)}"


def _domain_modules(service: str) -> list[str]:
    domain = ROOT / "services" / service / "domain"
    return sorted(".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                  for path in domain.rglob("*.py"))


@pytest.mark.parametrize("service", SERVICES)
def test_the_domain_loads_no_messaging_or_web_framework(service):
    modules = _domain_modules(service)
    assert modules, f"services/{service}/domain holds no module"
    script = _IMPORT_EACH.format(frameworks=FRAMEWORKS, modules=modules)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert not found, f"importing {next(iter(found))} loaded {', '.join(next(iter(found.values())))}"


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
    return out


def test_the_basement_imports_nothing_from_the_floors_above():
    found = [f"{path.relative_to(ROOT)}:{line} imports {name}"
             for path in sorted((ROOT / "shared").rglob("*.py"))
             for line, name in _imported_modules(path)
             if name.split(".")[0] in ("services", "sodsong")]
    assert not found, "\n".join(found)
