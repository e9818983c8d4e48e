"""Least privilege on the bus, against the real RabbitMQ: each service connects as a user of its own that can
use only its own queues and publish only the event types it produces; the whole journey still works; an event
whose type another service produces is refused on receipt and dead-lettered."""
import json
import uuid

import pytest
from amqp.exceptions import AccessRefused
from kombu import Connection, Queue, binding

from shared import broker_users, topology
from shared import config as config_mod
from shared.config import SERVICES
from tests.support.deployment import Deployment
from tests.support.processes import wait_for
from tests.support.tips import tip


@pytest.fixture
def least_privilege(tmp_path):
    from contextlib import ExitStack

    prefix = f"t{uuid.uuid4().hex[:8]}-"  # broker users are per broker, not per vhost: names of this test's own
    # the users go only after the services have stopped (else they spend the teardown retrying a refused login)
    with ExitStack() as users, ExitStack() as stack:
        dep = Deployment("real", tmp_path, stack, extra_env={"SODSONG__broker__user_prefix": prefix})
        config = config_mod.load(env=dep.env)
        users.callback(broker_users.remove, config)
        dep.cli("broker", "setup", "--users", "--vhost", dep.vhost)
        for service in SERVICES:
            password, _ = broker_users.password_for(config, service, env={})
            dep.env[f"SODSONG_AMQP_URI_{service.upper()}"] = broker_users.uri_for(
                dep.env["SODSONG_AMQP_URI"], config, service, password)
        yield dep, config


def _as(dep, service):
    return Connection(dep.env[f"SODSONG_AMQP_URI_{service.upper()}"], transport_options={"confirm_publish": True})


def _refused(action):
    with pytest.raises(AccessRefused) as info:
        action()
    return str(info.value)


def test_notify_cannot_read_routings_queue_nor_publish_tip_routed(least_privilege):
    dep, config = least_privilege
    with _as(dep, "notify") as conn:
        message = _refused(lambda: conn.channel().basic_get("sodsong.routing.on_tip_received"))
        assert "sodsong.routing.on_tip_received" in message
    with _as(dep, "notify") as conn:
        message = _refused(lambda: conn.Producer(serializer="json").publish(
            {"type": "tip.routed"}, exchange=topology.EVENTS_EXCHANGE_REF, routing_key="tip.routed"))
        assert "tip.routed" in message
    with _as(dep, "notify") as conn:  # nor listen to everything through a queue of its own
        _refused(lambda: Queue("sodsong.notify.everything", durable=True,
                               bindings=[binding(topology.EVENTS_EXCHANGE_REF, routing_key="#")])(conn.channel())
                 .declare())
    with _as(dep, "notify") as conn:  # nor touch the shared exchange
        _refused(lambda: conn.channel().exchange_delete(topology.EVENTS_EXCHANGE.name))
    with _as(dep, "notify") as conn:  # what it is for still works
        conn.Producer(serializer="json").publish({"type": "notification.sent"}, exchange=topology.EVENTS_EXCHANGE_REF,
                                                 routing_key="notification.sent", user_id=topology.service_user(
                                                     "notify", config))
    with _as(dep, "routing") as conn:
        assert conn.channel().basic_get("sodsong.routing.on_tip_received") is None  # allowed, and empty


def test_the_journey_runs_under_per_service_users_and_a_forged_event_is_dead_lettered(least_privilege):
    dep, config = least_privilege
    dep.start()
    response = dep.intake.submit(tip())
    assert response.status_code == 201, response.text
    reference = response.json()["reference"]
    dep.wait_status(response.json()["receipt"], lambda s: s["status"] != "submitted", timeout=30)
    wait_for(lambda: "case.opened" in {e["event_type"] for e in dep.audit_trail(reference)}, 30,
             message="case opened under least privilege")

    # Someone with the administrator's (shared) credentials sends tip.routed claiming to be notify, and another
    # says nothing about who sends: casework refuses both and keeps them as dead letters.
    forged, unsigned = _copy_of_routed(config, reference), _copy_of_routed(config, reference)
    with Connection(dep.env["SODSONG_AMQP_URI"], transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer(serializer="json")
        producer.publish(forged, exchange=topology.EVENTS_EXCHANGE_REF, routing_key="tip.routed", app_id="notify")
        producer.publish(unsigned, exchange=topology.EVENTS_EXCHANGE_REF, routing_key="tip.routed")
    letters = wait_for(lambda: (lambda rows: rows if len(rows) >= 2 else None)(
        [r for r in dep.cli_json("ops", "dlq", "list", "--service", "casework") if r["event_type"] == "tip.routed"]),
        20, message="forged events dead-lettered")
    errors = sorted(r["error"] for r in letters)
    assert any("comes only from routing, but notify sent it" in e for e in errors)
    assert any("without saying who sent it" in e for e in errors)
    office = forged["payload"]["agency"]["code"]
    cases = [c["reference"] for c in dep.office_cases(office)]
    assert reference in cases and forged["correlation_id"] not in cases and unsigned["correlation_id"] not in cases


def _copy_of_routed(config, reference):
    """routing's real tip.routed for the tip, as a new event for a tip that does not exist."""
    from sqlalchemy import select

    from sodsong.registry import service_db_for

    db = service_db_for("routing", config)
    outbox = db.tables.outbox
    with db.reading() as session:
        body = json.loads(session.execute(select(outbox.c.body).where(
            outbox.c.correlation_id == reference, outbox.c.event_type == "tip.routed")).scalars().first())
    fake = f"SS-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}"
    body.update(id=str(uuid.uuid4()), correlation_id=fake)
    body["payload"]["reference"] = fake
    return body


