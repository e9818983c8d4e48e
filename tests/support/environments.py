"""Isolated environments for tests: a fresh RabbitMQ vhost and PostgreSQL database, or a temp data dir.

Nothing here skips: when the broker or the database is missing, the test that needs it fails.
"""
from __future__ import annotations

import os
import socket
import subprocess
import uuid
from contextlib import contextmanager

import psycopg2

PG_ADMIN = os.environ.get("SODSONG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("SODSONG_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rabbitmqctl(*args):
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def rabbit_vhost():
    name = f"sodsong-test-{uuid.uuid4().hex[:10]}"
    _rabbitmqctl("add_vhost", name)
    _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield f"{AMQP_BASE}/{name}", name
    finally:
        subprocess.run(["rabbitmqctl", "delete_vhost", name], capture_output=True, timeout=60)


@contextmanager
def pg_database():
    name = f"sodsong_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


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
