"""A service's PostgreSQL pool under load: connections opened once are kept (up to the process's limit), never
closed and opened again per transaction; a light load keeps reusing the connection used last."""
import eventlet
from sqlalchemy import event, text

from shared import db as db_mod
from shared.config import normalise_db_url
from shared.connection_pool import LINGER_SECONDS
from shared.db import engine_for
from tests.support.environments import pg_database


def _counting_connections(engine) -> list:
    opened = []
    event.listen(engine, "connect", lambda dbapi_conn, record: opened.append(record))
    return opened


def test_concurrent_transactions_beyond_the_kept_size_do_not_reopen_connections(monkeypatch):
    monkeypatch.setenv("SODSONG_DB_POOL_SIZE", "2")
    monkeypatch.setenv("SODSONG_DB_MAX_OVERFLOW", "4")
    with pg_database() as url:
        db_mod.dispose_all()
        engine = engine_for(normalise_db_url(url))
        opened = _counting_connections(engine)

        def worker(i):
            for j in range(20):
                with engine.begin() as conn:
                    conn.execute(text("SELECT pg_sleep(0.002)"))
                eventlet.sleep(0.001 * ((i + j) % 4))  # workers come back at different moments, as events do

        pool = eventlet.GreenPool(6)
        for i in range(6):
            pool.spawn(worker, i)
        pool.waitall()
        # 120 transactions, up to six at a time: six connections at most (closing the ones beyond two at every
        # return, and opening new ones as the workers came back, opened dozens)
        assert 1 <= len(opened) <= 6
        assert engine.pool.checkedin() == len(opened)
        db_mod.dispose_all()


def test_the_limit_is_both_settings_together_and_a_worker_beyond_it_waits(monkeypatch):
    monkeypatch.setenv("SODSONG_DB_POOL_SIZE", "1")
    monkeypatch.setenv("SODSONG_DB_MAX_OVERFLOW", "1")
    assert db_mod.pool_sizes() == (1, 2)
    with pg_database() as url:
        db_mod.dispose_all()
        engine = engine_for(normalise_db_url(url))
        opened = _counting_connections(engine)
        most = [0]
        inside = [0]

        def worker():
            with engine.begin() as conn:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
                conn.execute(text("SELECT pg_sleep(0.05)"))
                inside[0] -= 1

        pool = eventlet.GreenPool(5)
        for _ in range(5):
            pool.spawn(worker)
        pool.waitall()
        assert most[0] == 2 and len(opened) == 2
        db_mod.dispose_all()


def test_a_light_load_reuses_the_connection_returned_last(monkeypatch):
    monkeypatch.setenv("SODSONG_DB_POOL_SIZE", "4")
    monkeypatch.setenv("SODSONG_DB_MAX_OVERFLOW", "6")
    with pg_database() as url:
        db_mod.dispose_all()
        engine = engine_for(normalise_db_url(url))
        pids = set()
        for _ in range(3):  # a burst opens three connections
            conns = [engine.connect() for _ in range(3)]
            for conn in conns:
                conn.close()
        for _ in range(10):  # then one transaction at a time: always the same (most recently used) connection
            with engine.begin() as conn:
                pids.add(conn.execute(text("SELECT pg_backend_pid()")).scalar())
        assert len(pids) == 1
        db_mod.dispose_all()


def test_connections_beyond_the_kept_ones_are_closed_once_idle_a_while(monkeypatch):
    monkeypatch.setenv("SODSONG_DB_POOL_SIZE", "2")
    monkeypatch.setenv("SODSONG_DB_MAX_OVERFLOW", "4")
    with pg_database() as url:
        db_mod.dispose_all()
        engine = engine_for(normalise_db_url(url))
        engine.pool.configure(kept=2, linger_seconds=0.2)
        conns = [engine.connect() for _ in range(6)]  # a burst
        for conn in conns:
            conn.close()
        assert engine.pool.checkedin() == 6  # kept while a burst may still reuse them
        with engine.begin() as conn:
            conn.execute(text("SELECT 1"))
        assert engine.pool.checkedin() == 6  # not idle long enough yet
        eventlet.sleep(0.3)
        for _ in range(6):  # each return closes the connection idle longest, down to the kept two
            with engine.begin() as conn:
                conn.execute(text("SELECT 1"))
        assert engine.pool.checkedin() == 2
        assert engine.pool.checkedout() == 0
        db_mod.dispose_all()


def test_a_disposed_engine_gets_a_pool_with_the_same_rule(monkeypatch):
    monkeypatch.setenv("SODSONG_DB_POOL_SIZE", "3")
    monkeypatch.setenv("SODSONG_DB_MAX_OVERFLOW", "5")
    with pg_database() as url:
        db_mod.dispose_all()
        engine = engine_for(normalise_db_url(url))
        engine.dispose()  # as after a fork, or by an operator's tool
        pool = engine.pool
        assert (pool.kept, pool.size(), pool.linger_seconds) == (3, 8, LINGER_SECONDS)
        with engine.begin() as conn:
            conn.execute(text("SELECT 1"))
        assert pool.checkedin() == 1
        db_mod.dispose_all()
