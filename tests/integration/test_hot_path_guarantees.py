"""The cheaper hot paths keep their guarantees on PostgreSQL: the one-statement inbox claim runs an effect once
however many deliveries race, a pooled connection the database dropped while idle is replaced before use, the relay
marks exactly the rows the broker confirmed, and audit's chain keys follow a rotated key file."""
import time

import eventlet
import psycopg2
from kombu import Connection, Queue, binding
from sqlalchemy import select, text

from services.audit import usecases as audit_usecases
from services.audit.domain import chain
from services.audit.models import TABLES as AUDIT_TABLES
from services.audit.repository import AuditRepository
from services.intake.models import TABLES as INTAKE_TABLES
from shared import db as db_mod
from shared import keys as keys_mod
from shared import topology
from shared.db import ServiceDatabase, engine_for
from shared.outbox import OutboxRelay
from sodsong import registry
from tests.integration.test_reliable_events import tip_received
from tests.support.inprocess import environment


def test_racing_deliveries_of_one_event_have_one_effect_and_the_chain_stays_linked(tmp_path):
    with environment("rabbitmq", tmp_path) as cfg:
        url = cfg["audit"]["db_url"]
        registry.migrate("audit", url)
        audit_db = ServiceDatabase(engine_for(url), AUDIT_TABLES, repository=AuditRepository)
        keys = chain.ChainKeys("k1", {"k1": b"k" * 32})
        first = tip_received("SS-RACE-HEAD")  # the head row exists before the race (as in any running chain)
        audit_db.consume(first, "record", lambda uow, ev: audit_usecases.append(uow, ev, keys))
        events = [tip_received(f"SS-RACE-{i:04d}") for i in range(12)]
        outcomes, errors = [], []

        def deliver(event):
            def effect(uow, ev):
                eventlet.sleep(0.01)  # hold the claim while the twin deliveries arrive
                audit_usecases.append(uow, ev, keys)
            try:
                outcomes.append(audit_db.consume(event, "record", effect))
            except Exception as exc:  # noqa: BLE001 - the test reports it
                errors.append(exc)

        pool = eventlet.GreenPool(8)
        for event in events:
            for _ in range(3):  # each event delivered three times at once
                pool.spawn(deliver, event)
        pool.waitall()

        assert errors == []
        assert outcomes.count(True) == len(events) and outcomes.count(False) == 2 * len(events)
        with audit_db.reading() as session:
            verdict = audit_usecases.verify(AuditRepository(session), keys)
            chained = session.execute(text("SELECT count(DISTINCT event_id), count(*) FROM audit_chain")).one()
        assert verdict.ok, verdict
        assert tuple(chained) == (len(events) + 1, len(events) + 1)


def test_a_connection_dropped_while_idle_is_replaced_before_use(tmp_path, monkeypatch):
    monkeypatch.setattr(db_mod, "PING_AFTER_IDLE_SECONDS", 0.2)
    with environment("rabbitmq", tmp_path) as cfg:
        url = cfg["intake"]["db_url"]
        registry.migrate("intake", url)
        db_mod.dispose_all()
        service_db = ServiceDatabase(engine_for(url), INTAKE_TABLES)
        with service_db.reading() as session:
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        admin = psycopg2.connect(url.replace("postgresql+psycopg2:", "postgresql:"))
        admin.autocommit = True
        with admin.cursor() as cur:  # the database drops the pooled connection
            cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
        admin.close()
        time.sleep(0.5)
        with service_db.reading() as session:  # pinged (idle long enough), found dead, replaced: no error
            assert session.execute(text("SELECT pg_backend_pid()")).scalar() != pid
        db_mod.dispose_all()


def test_the_relay_marks_the_confirmed_batch_in_one_statement(tmp_path):
    with environment("rabbitmq", tmp_path) as cfg:
        url = cfg["intake"]["db_url"]
        registry.migrate("intake", url)
        service_db = ServiceDatabase(engine_for(url), INTAKE_TABLES)
        probe = Queue("test.hot.probe", bindings=[binding(topology.EVENTS_EXCHANGE, routing_key="tip.received")],
                      durable=True)
        with Connection(cfg["amqp_uri"]) as conn:
            topology.EVENTS_EXCHANGE(conn.default_channel).declare()
            probe(conn.default_channel).declare()
        with service_db.transaction() as uow:
            for i in range(25):
                ev = tip_received(f"SS-BAT-{i:04d}")
                uow.emit("tip.received", ev.payload, ev.correlation_id)
        relay = OutboxRelay(service_db, cfg["amqp_uri"], batch=10)
        assert [relay.publish_pending() for _ in range(4)] == [10, 10, 5, 0]
        outbox = INTAKE_TABLES.outbox
        with service_db.reading() as session:
            rows = session.execute(select(outbox.c.published_at, outbox.c.attempts)).all()
        assert len(rows) == 25 and all(r.published_at is not None and r.attempts == 1 for r in rows)
        with Connection(cfg["amqp_uri"]) as conn:
            queue = probe(conn.default_channel)
            got = 0
            while queue.get(no_ack=True) is not None:
                got += 1
        assert got == 25


def test_chain_keys_follow_a_rotated_key_file(tmp_path):
    config = {"data_dir": str(tmp_path), "keys_dir": str(tmp_path / "keys")}
    first = chain.chain_keys(config)
    assert chain.chain_keys(config) is first  # unchanged file: not parsed again
    path = keys_mod.key_file(config, chain.KEYRING_NAME)
    settings = keys_mod.keyring_settings(config, chain.KEYRING_NAME)
    settings = {"current": "k2", "keys": {**settings["keys"], "k2": keys_mod.new_key()}}
    keys_mod.write_key_file(path, settings)
    rotated = chain.chain_keys(config)
    assert rotated.current == "k2" and first.current in rotated.keys
