"""The floor plan every service follows (docs/architecture.md): the same rooms in each service, and a domain that
loads no messaging or web framework. (That shared/ imports nothing from the floors above is the layers' test.)"""
from __future__ import annotations

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
