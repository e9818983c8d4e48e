"""ruff over the repository and mypy over the plain-Python rooms, as configured in pyproject.toml: a finding fails
the suite (CI runs it with the rest)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The basement's framework-free modules that are typed along with every service's domain/.
TYPED_SHARED = ("shared/clock.py", "shared/vocabulary.py", "shared/geography.py", "shared/keys.py")


def typed_paths() -> list[str]:
    domains = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "services").glob("*/domain") if p.is_dir())
    return domains + [path for path in TYPED_SHARED if (ROOT / path).exists()]


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = _run(str(BIN / "ruff"), "check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_the_domain_packages():
    paths = typed_paths()
    assert any(p.startswith("services/") for p in paths)
    result = _run(sys.executable, "-m", "mypy", "--cache-dir", "/dev/null", *paths)
    assert result.returncode == 0, result.stdout + result.stderr
