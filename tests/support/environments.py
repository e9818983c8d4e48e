"""Isolated environments for tests: a fresh RabbitMQ vhost and PostgreSQL database, or a temp data dir.

Nothing here skips: when the broker or the database is missing, the test that needs it fails.

What makes them cheap (the suite makes a hundred or more of each):
- vhosts come from a pool filled two at a time by one `rabbitmqctl import_definitions` (each rabbitmqctl call
  boots an Erlang VM, a second or more); a used vhost is deleted in the background and waited for at exit;
- a PostgreSQL database is a copy (CREATE DATABASE ... TEMPLATE) of one migrated once per test process with every
  service's migrations, so the services' own `migrate` at start finds nothing to do; migrations from an empty
  database still run every time (they make the template), and a test that needs an empty database asks for one;
- SQLite: the same, a migrated file per service copied into a fresh data directory (`seed_sqlite`).
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg2

PG_ADMIN = os.environ.get("SODSONG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("SODSONG_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672")
# vhosts made per rabbitmqctl call; few, since every vhost holds some of the broker's file handles until it is gone
VHOST_BATCH = 2
DELETIONS_AT_ONCE = 1  # vhost deletions under way in the background, one at a time (concurrent deletions under load
# once left RabbitMQ 3.10 stuck stopping the deleted vhosts' supervisors); the next waits for it
TEMPLATE_PREFIX = "sodsong_test_template_"

_lock = threading.Lock()
_vhosts_ready: list[str] = []
_deletions: list[subprocess.Popen] = []
_templates: dict[str, str] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


def _make_vhosts(count: int) -> list[str]:
    names = [f"sodsong-test-{uuid.uuid4().hex[:10]}" for _ in range(count)]
    definitions = {"vhosts": [{"name": n} for n in names],
                   "permissions": [{"user": "guest", "vhost": n, "configure": ".*", "write": ".*", "read": ".*"}
                                   for n in names]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(definitions, f)
    os.chmod(f.name, 0o644)  # the broker reads the file itself (as its own user); it holds only vhost names
    try:
        _rabbitmqctl("import_definitions", f.name)
    finally:
        os.unlink(f.name)
    return names


def _take_vhost() -> str:
    with _lock:
        if not _vhosts_ready:
            _vhosts_ready.extend(_make_vhosts(VHOST_BATCH))
        return _vhosts_ready.pop()


def _delete_vhost_later(name: str) -> None:
    with _lock:
        _deletions[:] = [p for p in _deletions if p.poll() is None]
        while len(_deletions) >= DELETIONS_AT_ONCE:
            _deletions.pop(0).wait(120)
        _deletions.append(subprocess.Popen(["rabbitmqctl", "-q", "delete_vhost", name], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL))


@atexit.register
def _clean_up_vhosts():
    with _lock:
        unused, _vhosts_ready[:] = list(_vhosts_ready), []
    for name in unused:
        _delete_vhost_later(name)
    for proc in list(_deletions):
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def rabbit_vhost():
    name = _take_vhost()
    try:
        yield f"{AMQP_BASE}/{name}", name
    finally:
        _delete_vhost_later(name)


def _admin():
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    return admin


def _migrate_with_cli(env: dict) -> None:
    from tests.support.processes import cli

    cli({**{k: v for k, v in os.environ.items() if not k.startswith("SODSONG")}, "SODSONG_LOG_LEVEL": "WARNING",
         **env}, "db", "upgrade")


def migrated_template() -> str:
    """A PostgreSQL database with every service's migrations, made once per test process (by `sodsong db upgrade`,
    in its own process, so no connection to it stays open: a template being read cannot be copied)."""
    with _lock:
        if "postgres" in _templates:
            return _templates["postgres"]
        name = f"{TEMPLATE_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:6]}"
        _drop_orphaned_templates()
        admin = _admin()
        try:
            with admin.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
            with tempfile.TemporaryDirectory() as data_dir:
                _migrate_with_cli({"SODSONG_DB_URL": f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}",
                                   "SODSONG_DATA_DIR": data_dir})
        except BaseException:
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            raise
        finally:
            admin.close()
        _templates["postgres"] = name
        atexit.register(_drop_database, name)
        return name


def _drop_orphaned_templates() -> None:
    """Templates of test runs that were killed before their exit handlers ran (their process is gone)."""
    admin = _admin()
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (TEMPLATE_PREFIX + "%",))
            names = [row[0] for row in cur.fetchall()]
    finally:
        admin.close()
    for name in names:
        pid = name[len(TEMPLATE_PREFIX):].split("_")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            _drop_database(name)


def _drop_database(name: str) -> None:
    admin = _admin()
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    finally:
        admin.close()


@contextmanager
def pg_database(migrated: bool = True):
    """A fresh database: every service's tables in place (a copy of the migrated template), or empty."""
    name = f"sodsong_test_{uuid.uuid4().hex[:10]}"
    template = f' TEMPLATE "{migrated_template()}"' if migrated else ""
    admin = _admin()
    try:
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"{template}')
    finally:
        admin.close()
    base = PG_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        _drop_database(name)


def sqlite_template() -> Path:
    """A directory holding `<service>.db` for every service, migrated once per test process."""
    with _lock:
        if "sqlite" not in _templates:
            where = Path(tempfile.mkdtemp(prefix="sodsong-test-template-"))
            atexit.register(shutil.rmtree, where, True)
            _migrate_with_cli({"SODSONG_DATA_DIR": str(where)})
            _templates["sqlite"] = str(where)
        return Path(_templates["sqlite"])


def seed_sqlite(data_dir, services=None) -> None:
    """Put a migrated SQLite file per service into `data_dir` (embedded mode's files, as `sodsong run` would leave
    them after its migrations: owner-only). A file already there is left alone."""
    from shared.config import SERVICES

    template = sqlite_template()
    data_dir = Path(data_dir)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for service in services or SERVICES:
        source, target = template / f"{service}.db", data_dir / f"{service}.db"
        if target.exists():
            continue
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            shutil.copyfileobj(src, out)


def base_env(data_dir, intake_port, casework_port, amqp_uri=None, db_url=None, extra=None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODSONG")}
    env.update({
        "SODSONG_DATA_DIR": str(data_dir),
        "SODSONG__intake__http": f"127.0.0.1:{intake_port}",
        "SODSONG__casework__http": f"127.0.0.1:{casework_port}",
        "SODSONG__metrics__http": "",
        "SODSONG_LOG_LEVEL": "INFO",
        # cheaper receipt hashing keeps big test runs quick; production parameters are tested in unit tests
        "SODSONG__intake__argon2": "{time_cost: 1, memory_cost_kib: 8192, parallelism: 1}",
        # every test tip comes from 127.0.0.1: the per-client filing limit is tested on its own (test_edge_abuse)
        "SODSONG__intake__filing_limit": "{tips: 100000, window_seconds: 600}",
        "PYTHONUNBUFFERED": "1",
    })
    if amqp_uri:
        env["SODSONG_AMQP_URI"] = amqp_uri
    if db_url:
        env["SODSONG_DB_URL"] = db_url
    env.update(extra or {})
    return env
