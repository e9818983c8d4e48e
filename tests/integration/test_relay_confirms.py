"""The relay publishes a batch with pipelined confirms and marks only what the broker confirmed: a message the
broker refuses stays unpublished, and a connection the broker closes in the middle of a batch loses nothing (the
rows whose confirms never came are published again on a fresh connection; consumers' inboxes absorb repeats)."""
import subprocess

import pytest
from kombu import Connection, Queue, binding
from sqlalchemy import select

from services.intake.models import TABLES as INTAKE_TABLES
from shared import topology
from shared.confirms import PipelinedPublisher
from shared.db import ServiceDatabase, engine_for
from shared.outbox import BrokerUnavailable, OutboxRelay
from sodsong import registry
from tests.integration.test_reliable_events import tip_received
from tests.support.inprocess import environment

OUTBOX = INTAKE_TABLES.outbox


def _setup(cfg, events: int, prefix: str, **queue_arguments) -> tuple[ServiceDatabase, Queue, list[str]]:
    url = cfg["intake"]["db_url"]
    registry.migrate("intake", url)
    service_db = ServiceDatabase(engine_for(url), INTAKE_TABLES)
    probe = Queue("test.relay.probe", bindings=[binding(topology.EVENTS_EXCHANGE, routing_key="tip.received")],
                  durable=True, queue_arguments=queue_arguments or None)
    with Connection(cfg["amqp_uri"], connect_timeout=30) as conn:
        topology.EVENTS_EXCHANGE(conn.default_channel).declare()
        probe(conn.default_channel).declare()
    ids = []
    with service_db.transaction() as uow:
        for i in range(events):
            ev = tip_received(f"SS-{prefix}-{i:04d}")
            ids.append(uow.emit("tip.received", ev.payload, ev.correlation_id).id)
    return service_db, probe, ids


def _received(cfg, probe: Queue) -> list[str]:
    got = []
    with Connection(cfg["amqp_uri"], connect_timeout=30) as conn:
        queue = probe(conn.default_channel)
        while (message := queue.get(no_ack=True)) is not None:
            got.append(message.properties["message_id"])
            assert message.payload["id"] == message.properties["message_id"]
    return got


def _marked(service_db) -> dict[str, tuple]:
    with service_db.reading() as session:
        rows = session.execute(select(OUTBOX.c.event_id, OUTBOX.c.published_at, OUTBOX.c.last_error)).all()
    return {r.event_id: (r.published_at, r.last_error) for r in rows}


def test_a_message_the_broker_refuses_is_not_marked(tmp_path):
    with environment("rabbitmq", tmp_path) as cfg:
        # the queue takes 5 messages and the broker nacks the rest (reject-publish): confirms say so per message
        service_db, probe, ids = _setup(cfg, 12, "NACK", **{"x-max-length": 5, "x-overflow": "reject-publish"})
        relay = OutboxRelay(service_db, cfg["amqp_uri"], batch=50)
        try:
            assert relay.publish_pending() == 5
            marked = _marked(service_db)
            published = {i for i, (at, _) in marked.items() if at is not None}
            assert published == set(ids[:5])
            assert all(marked[i] == (None, "refused by the broker") for i in ids[5:])
            assert _received(cfg, probe) == ids[:5]  # the queue is empty again: the rest go out now
            assert relay.publish_pending() == 5  # the queue is full again after 5 of the 7
            assert _received(cfg, probe) == ids[5:10]
            assert relay.publish_pending() == 2
            assert relay.publish_pending() == 0
        finally:
            relay.close()
        assert _received(cfg, probe) == ids[10:]
        assert all(at is not None for at, _ in _marked(service_db).values())


def _close_own_connection(publisher: PipelinedPublisher) -> None:
    """Close, on the broker, the relay's own connection (found by its vhost and client port)."""
    sock = publisher._connection.connection.sock
    port = str(sock.getsockname()[1])
    vhost = publisher._connection.virtual_host
    listing = subprocess.run(["rabbitmqctl", "list_connections", "-q", "--no-table-headers", "pid", "vhost",
                              "peer_port"], check=True, capture_output=True, text=True, timeout=60).stdout
    pids = [line.split("\t")[0] for line in listing.splitlines()
            if line.split("\t")[1:] == [vhost, port]]
    assert len(pids) == 1, listing
    subprocess.run(["rabbitmqctl", "close_connection", pids[0], "test: dropped mid-batch"], check=True,
                   capture_output=True, timeout=60)


@pytest.mark.parametrize("cut_after", [1, 10])
def test_a_connection_closed_mid_batch_loses_nothing_and_marks_only_confirmed_rows(tmp_path, monkeypatch,
                                                                                     cut_after):
    with environment("rabbitmq", tmp_path) as cfg:
        service_db, probe, ids = _setup(cfg, 30, "CUT")
        relay = OutboxRelay(service_db, cfg["amqp_uri"], batch=50)
        sent = []
        real_send = PipelinedPublisher._send

        def send_then_cut(self, producer, message):
            real_send(self, producer, message)
            sent.append(message.message_id)
            if len(sent) == cut_after:
                _close_own_connection(self)

        monkeypatch.setattr(PipelinedPublisher, "_send", send_then_cut)
        try:
            with pytest.raises(BrokerUnavailable):
                relay.publish_pending()
            first_round = _received(cfg, probe)
            marked = {i for i, (at, _) in _marked(service_db).items() if at is not None}
            assert marked <= set(first_round), "a row was marked that the broker never had"
            assert len(marked) < len(ids)

            monkeypatch.setattr(PipelinedPublisher, "_send", real_send)
            assert relay.publish_pending() == len(ids) - len(marked)  # a fresh connection takes the rest
            assert relay.publish_pending() == 0
        finally:
            relay.close()
        second_round = _received(cfg, probe)
        assert set(first_round) | set(second_round) == set(ids)  # lost = 0
        assert set(second_round) == set(ids) - marked  # only what was not confirmed is sent again
        assert all(at is not None for at, _ in _marked(service_db).values())


def test_the_relay_keeps_its_connection_between_batches_and_replaces_a_dead_one(tmp_path):
    with environment("rabbitmq", tmp_path) as cfg:
        service_db, probe, ids = _setup(cfg, 3, "KEEP")
        relay = OutboxRelay(service_db, cfg["amqp_uri"], batch=1)
        try:
            assert relay.publish_pending() == 1
            first = relay.publisher._connection
            assert relay.publish_pending() == 1
            assert relay.publisher._connection is first  # no new connection per batch
            _close_own_connection(relay.publisher)
            outcomes = []
            for _ in range(3):  # the dead connection fails at most one batch, then a fresh one is made
                try:
                    outcomes.append(relay.publish_pending())
                except BrokerUnavailable:
                    outcomes.append("unavailable")
            assert outcomes in ([1, 0, 0], ["unavailable", 1, 0])
            assert relay.publisher._connection is not first
        finally:
            relay.close()
        assert sorted(set(_received(cfg, probe))) == sorted(ids)
