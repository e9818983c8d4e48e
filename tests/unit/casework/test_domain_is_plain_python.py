"""services/casework/domain/ is plain Python: importing all of it loads no nameko, kombu, eventlet or werkzeug,
and no SQLAlchemy session (checked in a fresh interpreter, since this one has loaded them already)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CHECK = """
import importlib, pkgutil, sys
import services.casework.domain as domain
for module in pkgutil.iter_modules(domain.__path__):
    importlib.import_module("services.casework.domain." + module.name)
print(" ".join(sorted(m for m in ("nameko", "kombu", "eventlet", "werkzeug", "sqlalchemy.orm") if m in sys.modules)))
"""


def test_the_domain_loads_no_infrastructure():
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
