"""PostgreSQL under eventlet, and the outbox relay with several instances at once."""
import json
import time

import eventlet
from kombu import Connection, Queue, binding
from nameko.extensions import Entrypoint
from nameko.testing.services import entrypoint_hook
from sqlalchemy import text

from services.intake.models import TABLES as INTAKE_TABLES
from services.routing.models import Base as RoutingBase
from shared import topology
from shared.config import nameko_config
from shared.db import ServiceDatabase, engine_for
from shared.dependencies import Database
from shared.outbox import OutboxRelay
from sodsong import registry
from tests.integration.test_reliable_events import tip_received
from tests.support.inprocess import environment


class _Manual(Entrypoint):
    """An entrypoint that only tests call (through entrypoint_hook)."""


manual = _Manual.decorator


class SleepyRouting:
    name = "routing"
    db = Database(RoutingBase.metadata)

    @manual
    def sleep(self):
        with self.db.reading() as session:
            session.execute(text("SELECT pg_sleep(1)"))


def test_two_workers_sleeping_in_postgres_do_not_block_each_other(tmp_path):
    from nameko.containers import ServiceContainer

    with environment("rabbitmq", tmp_path) as cfg:
        registry.migrate("routing", cfg["routing"]["db_url"])
        container = ServiceContainer(SleepyRouting, nameko_config(cfg, "routing"))
        container.start()
        try:
            pool = eventlet.GreenPool()
            started = time.monotonic()
            for _ in range(2):
                def one():
                    with entrypoint_hook(container, "sleep") as hook:
                        hook()
                pool.spawn(one)
            pool.waitall()
            elapsed = time.monotonic() - started
        finally:
            container.stop()
    assert elapsed < 1.6, f"two 1 s sleeps took {elapsed:.2f} s: the driver blocks the eventlet hub"


def test_two_relays_publish_every_outbox_row_exactly_once(tmp_path):
    with environment("rabbitmq", tmp_path) as cfg:
        url = cfg["intake"]["db_url"]
        registry.migrate("intake", url)
        service_db = ServiceDatabase(engine_for(url), INTAKE_TABLES)
        probe = Queue("test.probe", bindings=[binding(topology.EVENTS_EXCHANGE, routing_key="tip.received")],
                      durable=True)
        with Connection(cfg["amqp_uri"]) as conn:
            topology.EVENTS_EXCHANGE(conn.default_channel).declare()
            probe(conn.default_channel).declare()
        total = 300
        for start in range(0, total, 50):
            with service_db.transaction() as uow:
                for i in range(start, start + 50):
                    ev = tip_received(f"SS-RLY-{i:04d}")
                    uow.emit("tip.received", ev.payload, ev.correlation_id)

        relays = [OutboxRelay(service_db, cfg["amqp_uri"], batch=20) for _ in range(2)]
        counts = [0, 0]

        def drain(i):
            while True:
                n = relays[i].publish_pending()
                counts[i] += n
                if n == 0:
                    return

        pool = eventlet.GreenPool()
        for i in range(2):
            pool.spawn(drain, i)
        pool.waitall()

        received = []
        with Connection(cfg["amqp_uri"]) as conn:
            queue = probe(conn.default_channel)
            while (message := queue.get(no_ack=True)) is not None:
                received.append(message.payload if isinstance(message.payload, dict) else json.loads(message.body))
    ids = [m["id"] for m in received]
    assert sum(counts) == total
    assert all(c > 0 for c in counts), f"both relays should have taken part: {counts}"
    assert len(ids) == total and len(set(ids)) == total
