"""Database access: one engine per service, a unit of work per transaction, the outbox written in it.

PostgreSQL goes through psycopg2 made cooperative by psycogreen (psycopg 3 would block the eventlet hub);
SQLite (embedded mode) gets WAL, full fsync, and one writer at a time per file.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, event, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.orm import Session

from shared import metrics
from shared.clock import utcnow
from shared.connection_pool import LingeringPool
from shared.events import CATALOGUE, Event, new_event
from shared.group_commit import GroupCommit
from shared.messaging_tables import MessagingTables

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def is_sqlite(engine_or_url) -> bool:
    url = getattr(engine_or_url, "url", engine_or_url)
    return str(url).startswith("sqlite")


def engine_for(url: str) -> Engine:
    """One engine (and pool) per URL per process."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _make_engine(url)
            _engines[url] = engine
        return engine


def dispose_all() -> None:
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _make_engine(url: str) -> Engine:
    if is_sqlite(url):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # Deferred BEGIN: readers never wait for the writer (WAL); writers in this process take
            # the write lock below, so only another process (the CLI) can ever make a writer wait.
            conn.exec_driver_sql("BEGIN")

        engine._sodsong_write_lock = _green_lock()
        return engine
    kept, limit = pool_sizes()
    engine = create_engine(url, poolclass=LingeringPool, pool_size=limit, max_overflow=0, pool_use_lifo=True,
                           pool_timeout=60, pool_recycle=1800)
    engine.pool.configure(kept=kept)
    _ping_when_idle(engine)
    _wait_for_a_slot(engine)
    return engine


def pool_sizes() -> tuple[int, int]:
    """(kept, limit): the PostgreSQL connections one process keeps open when idle (SODSONG_DB_POOL_SIZE, 4), and
    the most it opens: those + SODSONG_DB_MAX_OVERFLOW (6), open while a burst reuses them and closed after a few
    idle seconds (shared.connection_pool). Small, because connections are held only for a transaction and a
    deployment of many processes must stay under PostgreSQL's max_connections (100 by default); a worker that
    finds every connection taken waits its turn."""
    kept = int(os.environ.get("SODSONG_DB_POOL_SIZE", "4"))
    return kept, kept + int(os.environ.get("SODSONG_DB_MAX_OVERFLOW", "6"))


# PostgreSQL refuses a new connection while every slot is taken (max_connections, or a database's or role's
# CONNECTION LIMIT; SQLSTATE 53300) and while it starts up (57P03). Both pass within moments, as other processes
# finish their transactions, so a new connection waits and asks again (for up to CONNECT_WAIT_SECONDS) instead of
# failing the transaction that needed it: a tip being filed, an event being consumed. The server's message is the
# only sign (psycopg2 gives no SQLSTATE for a refused connection).
CONNECT_WAIT_SECONDS = 10.0
_SLOT_TAKEN = ("too many clients", "too many connections", "remaining connection slots are reserved",
               "the database system is starting up")


def _slot_taken(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(sign in text for sign in _SLOT_TAKEN)


def _wait_for_a_slot(engine: Engine) -> None:
    @event.listens_for(engine, "do_connect")
    def _connect(dialect, _record, cargs, cparams):
        deadline = time.monotonic() + CONNECT_WAIT_SECONDS
        pause = 0.05
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except dialect.loaded_dbapi.OperationalError as exc:
                if not _slot_taken(exc) or time.monotonic() + pause > deadline:
                    raise
                pool = engine.pool
                if isinstance(pool, LingeringPool) and pool.shed_for_a_slot():
                    continue  # an idle connection of this process held a slot: it is free now
            time.sleep(pause)  # green under eventlet: other workers run meanwhile
            pause = min(pause * 2, 0.5)


# A connection that waited in the pool longer than this is pinged before use (a restarted or failed-over
# database has closed it). One used a moment ago is not: pinging on every checkout was one more round trip per
# transaction. If the database goes away meanwhile, the next statement fails as an outage (the event goes back
# to the queue, shared.reliable) and SQLAlchemy discards every connection made before the failure.
PING_AFTER_IDLE_SECONDS = 2.0


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn, record, proxy):
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # a new connection, or one just used
        try:
            ok = engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            if engine.dialect.is_disconnect(exc, dbapi_conn, None):
                raise DisconnectionError("connection went away while idle") from exc
            raise
        if ok is False:
            raise DisconnectionError("connection went away while idle")


def _green_lock():
    # threading.RLock is green under eventlet's monkey patching, and a real lock elsewhere (CLI, tests).
    return threading.RLock()


class NotTheProducer(ValueError):
    """A service tried to emit an event type that another service produces (shared/events/<producer>.py)."""


def check_producer(service: str, type_: str) -> None:
    spec = CATALOGUE.get(type_)
    if spec is None:
        raise NotTheProducer(f"{type_} is not an event type (shared/events)")
    if spec.producer != service:
        raise NotTheProducer(f"{type_} is produced by {spec.producer}, not {service}")


@dataclass
class UnitOfWork:
    """One transaction of one service: its state changes and the events they cause commit together."""
    session: Session
    tables: MessagingTables
    events: list[Event] = field(default_factory=list)
    repository: Callable[[Session], object] | None = None
    _repo: object | None = field(default=None, repr=False)

    @property
    def repo(self):
        """The service's repository over this transaction's session: the one place use cases reach the data.

        Use cases call `uow.repo.<method>` and `uow.emit`; tests give them a fake unit of work with an in-memory
        repository (tests/support/fakes.py) and need no database.
        """
        if self._repo is None:
            if self.repository is None:
                raise RuntimeError(f"no repository registered for {self.tables.service}")
            self._repo = self.repository(self.session)
        return self._repo

    def emit(self, type_: str, payload: dict, correlation_id: str, *, causation: Event | None = None,
             actor: dict | None = None) -> Event:
        check_producer(self.tables.service, type_)
        ev = new_event(type_, payload, correlation_id, causation=causation, actor=actor)
        wire = ev.to_wire()
        self.session.execute(_insert_into(self.tables.outbox), {
            "event_id": ev.id,
            "event_type": ev.type,
            "correlation_id": ev.correlation_id,
            "body": json.dumps(wire, ensure_ascii=False),
            "created_at": ev.occurred_at,
        })
        self.events.append(ev)
        return ev


class ServiceDatabase:
    """A service's handle on its own database (plain Python; the nameko DependencyProvider wraps it)."""

    def __init__(self, engine: Engine, tables: MessagingTables, on_commit_with_events=None,
                 repository: Callable[[Session], object] | None = None):
        self.engine = engine
        self.tables = tables
        self._on_events = on_commit_with_events
        self.repository = repository
        self._groups: dict[str, GroupCommit] = {}

    @contextlib.contextmanager
    def transaction(self):
        lock = getattr(self.engine, "_sodsong_write_lock", None)
        with (lock if lock is not None else contextlib.nullcontext()):
            with Session(self.engine, expire_on_commit=False) as session:
                uow = UnitOfWork(session, self.tables, repository=self.repository)
                try:
                    yield uow
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        if uow.events and self._on_events:
            self._on_events()

    @contextlib.contextmanager
    def statements(self):
        """A transaction of Core statements on a connection, without an ORM session (the outbox relay's: it runs
        a claim and a marking statement per pass and needs no unit of work); committed unless it raises."""
        lock = getattr(self.engine, "_sodsong_write_lock", None)
        with (lock if lock is not None else contextlib.nullcontext()):
            with self.engine.begin() as connection:
                yield connection

    @contextlib.contextmanager
    def reading(self):
        """A session for queries only; nothing it does is committed."""
        with Session(self.engine) as session:
            try:
                yield session
            finally:
                session.rollback()

    def consume(self, event: Event, handler: str, effect) -> bool:
        """Run `effect(uow, event)` once per (event id, handler): the effect and the inbox row commit together.

        Returns False when this handler has already processed the event (a redelivery or a replay).
        """
        inbox = self.tables.inbox
        try:
            with self.transaction() as uow:
                # One round trip claims the event: the row is inserted unless it is there. A concurrent delivery
                # of the same event waits on this row's key until this transaction ends, then finds it there.
                claimed = uow.session.execute(insert_if_absent(self.engine, inbox), {
                    "event_id": event.id, "handler": handler, "event_type": event.type,
                    "correlation_id": event.correlation_id, "processed_at": utcnow(),
                }).rowcount
                if not claimed:
                    _count_duplicate(self.tables.service, handler)
                    return False
                effect(uow, event)
            return True
        except IntegrityError:
            # Two deliveries of one event raced; if the other one won, this one is a duplicate.
            with self.reading() as session:
                if session.execute(select(inbox.c.event_id).where(
                        inbox.c.event_id == event.id, inbox.c.handler == handler)).first():
                    _count_duplicate(self.tables.service, handler)
                    return False
            raise

    def consume_many(self, events: list[Event], handler: str, effect) -> list[bool]:
        """`consume` for several events in one transaction: one statement claims them all, then
        `effect(uow, events)` runs once for those not processed before (in order). Whether each was claimed."""
        inbox, now = self.tables.inbox, utcnow()
        firsts, seen = [], set()
        for ev in events:
            if ev.id not in seen:  # the same event twice in one batch: the second is a repeat
                seen.add(ev.id)
                firsts.append(ev)
        # claimed in the order of their ids: two batches claiming some of the same events (two instances, a
        # redelivery) wait for each other instead of deadlocking
        rows = [dict(event_id=ev.id, handler=handler, event_type=ev.type, correlation_id=ev.correlation_id,
                     processed_at=now) for ev in sorted(firsts, key=lambda ev: ev.id)]
        with self.transaction() as uow:
            # executemany (one INSERT … VALUES (…), (…) RETURNING on the wire; a statement compiled once)
            claim = insert_if_absent(self.engine, inbox).returning(inbox.c.event_id)
            new_ids = set(uow.session.execute(claim, rows).scalars())
            claimed = [ev for ev in firsts if ev.id in new_ids]
            if claimed:
                effect(uow, claimed)
        outcome, untaken = [], {ev.id for ev in claimed}
        for ev in events:  # True for the first of each claimed event only
            outcome.append(ev.id in untaken)
            untaken.discard(ev.id)
            if not outcome[-1]:
                _count_duplicate(self.tables.service, handler)
        return outcome

    def consume_together(self, event: Event, handler: str, effect) -> bool:
        """`consume` in a group commit with the events other workers of `handler` hold (shared.group_commit):
        `effect(uow, events)` takes a list. Returns once the transaction holding this event has committed."""
        group = self._groups.get(handler)
        if group is None:
            group = self._groups.setdefault(handler, GroupCommit(self, handler))
        return group.consume(event, effect)


# The statements every event runs are made once per table: building one cost more than executing it.
def insert_if_absent(bind, table, index_elements=None):
    """INSERT … ON CONFLICT DO NOTHING (PostgreSQL and SQLite alike) on the primary key, or on the unique columns
    `index_elements`; `rowcount` says whether the row went in. `bind`: an engine, a connection or a session.

    Made once per table and dialect: execute it with the row as parameters (`session.execute(stmt, row)`), so
    SQLAlchemy finds it compiled instead of building and keying a new statement for every row."""
    if hasattr(bind, "get_bind"):
        bind = bind.get_bind()
    return _if_absent(bind.dialect.name, table, tuple(index_elements) if index_elements else None)


@functools.cache
def _if_absent(dialect_name: str, table, index_elements):
    dialect = pg_insert if dialect_name == "postgresql" else sqlite_insert
    return dialect(table).on_conflict_do_nothing(index_elements=list(index_elements) if index_elements else None)


@functools.cache
def _insert_into(table):
    """A plain INSERT into `table`, made once (executed with the row as parameters: found compiled)."""
    return insert(table)


def _count_duplicate(service, handler):
    metrics.EVENTS_DUPLICATE.labels(service, handler).inc()


