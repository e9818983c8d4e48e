"""Tips filed while PostgreSQL's connection slots are all taken (PostgreSQL, a role with a CONNECTION LIMIT).

A burst can leave intake's pool wanting more connections than the server has free: a new connection is then
refused ("too many connections"). Such a refusal passes within moments, so the connection waits for a slot and
every valid tip is filed; what still cannot be filed is refused as ServiceBusy (503 with Retry-After, "nothing
was stored"), never as an unexplained error, and no tip that was answered 201 is missing afterwards."""
from __future__ import annotations

import uuid
from contextlib import contextmanager

import eventlet
import psycopg2
import pytest
from sqlalchemy import func, select

from services.intake.domain.errors import ServiceBusy
from services.intake.models import Tip
from shared import db as shared_db
from tests.integration.intake.conftest import make_app, make_config
from tests.support.environments import PG_ADMIN
from tests.support.tips import tip

pytestmark = pytest.mark.real


@contextmanager
def limited_database(slots: int):
    """A fresh database owned by a role that may hold at most `slots` connections at once (a superuser would be
    exempt), as its URL and a function that changes the limit."""
    name = f"sodsong_test_busy_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True

    def set_limit(n: int) -> None:
        with admin.cursor() as cur:
            cur.execute(f'ALTER ROLE "{name}" CONNECTION LIMIT {int(n)}')

    with admin.cursor() as cur:
        cur.execute(f'CREATE ROLE "{name}" LOGIN CONNECTION LIMIT {int(slots)}')
        cur.execute(f'CREATE DATABASE "{name}" OWNER "{name}"')
    host = PG_ADMIN.split("@", 1)[1].rsplit("/", 1)[0]
    try:
        yield f"postgresql://{name}@{host}/{name}", set_limit
    finally:
        shared_db.dispose_all()
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cur.execute(f'DROP ROLE IF EXISTS "{name}"')
        admin.close()


@pytest.fixture
def small_slots(tmp_path, monkeypatch):
    # the pool may open more connections than the server lets this role have: the burst runs out of slots
    monkeypatch.setenv("SODSONG_DB_POOL_SIZE", "1")
    monkeypatch.setenv("SODSONG_DB_MAX_OVERFLOW", "11")
    with limited_database(slots=3) as (url, set_limit):
        yield make_app(make_config(tmp_path, url)), set_limit


def stored_tips(app) -> set[str]:
    with app.db.reading() as s:
        return set(s.execute(select(Tip.reference)).scalars())


def file_concurrently(app, n: int) -> list:
    def one(i):
        try:
            return app.file_tip(tip(description=f"เรียกรับเงินค่าออกใบอนุญาต ห้าพันบาท เรื่องที่ {i}"))
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            return exc
    pool = eventlet.GreenPool(n)
    return list(pool.imap(one, range(n)))


def test_a_burst_larger_than_the_free_connection_slots_files_every_tip(small_slots):
    app, _ = small_slots
    outcomes = file_concurrently(app, 24)
    failures = [type(o).__name__ for o in outcomes if isinstance(o, Exception)]
    assert failures == []
    references = {body["reference"] for status, body, _ in outcomes}
    assert all(status == 201 for status, _, _ in outcomes) and len(references) == 24
    assert references <= stored_tips(app)


def test_no_slot_at_all_is_busy_with_a_wait_and_stores_nothing(small_slots, monkeypatch):
    app, set_limit = small_slots
    monkeypatch.setattr(shared_db, "CONNECT_WAIT_SECONDS", 0.5)
    before = len(stored_tips(app))
    shared_db.dispose_all()  # no connection kept: each tip needs a new one
    set_limit(0)
    try:
        outcomes = file_concurrently(app, 6)
    finally:
        set_limit(3)
    assert {type(o).__name__ for o in outcomes} == {"ServiceBusy"}
    assert all(o.detail["retry_after_seconds"] > 0 for o in outcomes if isinstance(o, ServiceBusy))
    with app.db.reading() as s:
        assert s.execute(select(func.count()).select_from(Tip)).scalar() == before
