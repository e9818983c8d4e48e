"""The composition root's registry: the consumers it lists are the service classes' own, and a process that runs
one service imports that service only."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from shared.config import SERVICES
from shared.reliable import subscriptions_of
from sodsong import registry

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("service", SERVICES)
def test_the_listed_consumers_are_the_service_classes_own(service):
    entry = registry.entry(service)
    assert set(entry.subscriptions()) == set(subscriptions_of(entry.service_class(), service)), (
        "a consumer was added, renamed or removed: list it in sodsong/registry.py")


@pytest.mark.parametrize("service", SERVICES)
def test_each_entry_names_parts_that_exist(service):
    entry = registry.entry(service)
    assert entry.service_class().name == service
    assert (entry.migrations_dir / "env.py").is_file()
    assert entry.metadata().tables
    assert entry.blind_index == entry.service_class().db.blind_index
    for kind in ("cli", "cli_ops", "cli_backup", "cli_restore"):
        for name, path in getattr(entry, kind).items():
            assert registry.resolve(path).name == name, path


# `sodsong run --service intake`, up to the point where the containers would start: the command is parsed, the
# migrations run (SQLite), the containers are built; then the process reports which services it imported.
RUN_ONE = """
import json, sys
from sodsong import cli, runner

def build_only(config, services, migrate=True):
    runner.registry.migrate_all(config, services)
    runner.build_containers(config, services)
    loaded = sorted({n.split(".")[1] for n in sys.modules if n.startswith("services.") and n.count(".") >= 1})
    print("LOADED " + json.dumps(loaded))
    return 0

cli.run_services = build_only
cli.main(["run", "--service", sys.argv[1]])
"""


@pytest.mark.parametrize("service", ["intake", "audit"])
def test_running_one_service_imports_no_other(service, tmp_path):
    env = {"SODSONG_DATA_DIR": str(tmp_path / "data"), "SODSONG_KEYS_DIR": str(tmp_path / "keys"),
           "SODSONG_AMQP_URI": "memory://localhost/", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", RUN_ONE, service], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    line = next((x for x in done.stdout.splitlines() if x.startswith("LOADED ")), None)
    assert line, done.stdout + done.stderr
    assert json.loads(line[len("LOADED "):]) == [service]
