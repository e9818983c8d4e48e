"""intake's floor plan holds: the domain is plain Python (no nameko, kombu, eventlet, werkzeug, SQLAlchemy), the use
cases know nothing of nameko or HTTP, and only the repository (besides models and migrations) touches a session."""
from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import services.intake.domain as domain

INTAKE = Path(__file__).resolve().parents[3] / "services" / "intake"


def _loaded_after_importing(modules: list[str], watched: set[str]) -> list[str]:
    code = ("import importlib, sys\n"
            f"for name in {modules!r}:\n    importlib.import_module(name)\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {watched!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return eval(out.stdout.strip().splitlines()[-1])  # noqa: S307 - our own printed list


def test_the_domain_loads_no_framework_and_no_database():
    modules = [f"services.intake.domain.{m.name}" for m in pkgutil.iter_modules(domain.__path__)]
    assert "services.intake.domain.errors" in modules
    assert _loaded_after_importing(modules, {"nameko", "kombu", "eventlet", "werkzeug", "sqlalchemy"}) == []


def test_the_use_cases_know_no_nameko_and_no_http():
    modules = [f"services.intake.usecases.{p.stem}" for p in (INTAKE / "usecases").glob("*.py")]
    assert _loaded_after_importing(modules, {"nameko", "kombu", "werkzeug"}) == []


def test_only_the_repository_touches_a_session_in_the_use_cases_domain_and_web():
    touching = re.compile(r"\.session\b|(?<![.\w])(select|update|delete|insert)\("
                          r"|import sqlalchemy|from sqlalchemy import")
    offenders = [f"{path.relative_to(INTAKE)}:{n}" for folder in ("domain", "usecases", "web")
                 for path in sorted((INTAKE / folder).glob("*.py"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if touching.search(line)]
    assert offenders == []
