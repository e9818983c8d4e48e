"""Operator commands against a real broker with a seeded backlog and dead letters, and /metrics."""
import json

import requests
from kombu import Connection

from shared import topology
from tests.support.environments import free_port
from tests.support.processes import wait_for
from tests.support.tips import tip


def _queue(rows, name):
    return next(r for r in rows if r["queue"] == name)


def test_queues_outbox_health_and_dead_letters(real_deployment):
    dep = real_deployment
    metrics_port = free_port()
    dep.env["SODSONG__metrics__http"] = f"127.0.0.1:{metrics_port}"
    dep.start("intake")
    dep.env["SODSONG__metrics__http"] = ""
    for _ in range(3):
        assert dep.intake.submit(tip()).status_code == 201

    routing_queue = "sodsong.routing.on_tip_received"
    rows = wait_for(lambda: (lambda r: r if _queue(r, routing_queue)["ready"] == 3 else None)(
        dep.cli_json("ops", "queues")), 10, message="backlog of 3 for routing")
    assert "no-consumers" in _queue(rows, routing_queue)["flags"]
    assert _queue(rows, "sodsong.intake.on_tip_routed")["consumers"] == 1

    outbox = {r["service"]: r for r in dep.cli_json("ops", "outbox")}
    assert outbox["intake"]["unpublished"] == 0

    unhealthy = dep.cli("ops", "health", "--json", check=False)
    assert unhealthy.returncode == 1
    checks = {c["check"]: c for c in json.loads(unhealthy.stdout)}
    assert checks["broker"]["ok"] and checks["service:intake"]["ok"]
    assert not checks["service:routing"]["ok"]

    # a message that is not an event, waiting for routing
    with Connection(dep.env["SODSONG_AMQP_URI"]) as conn:
        conn.Producer(serializer="json").publish({"type": "tip.received", "id": "garbage"},
                                                 exchange=topology.EVENTS_EXCHANGE, routing_key="tip.received")

    dep.start("routing", "casework", "notify", "audit")
    letters = wait_for(lambda: dep.cli_json("ops", "dlq", "list", "--service", "routing"), 15,
                       message="dead letter listed")
    assert len(letters) == 1
    letter = letters[0]
    assert letter["event_type"] == "tip.received" and "not a valid event" in letter["error"]
    assert "description" not in json.dumps(letter)
    shown = json.loads(dep.cli("ops", "dlq", "show", "--service", "routing", str(letter["id"])).stdout)
    assert shown["envelope"] == {"id": "garbage", "type": "tip.received"}
    assert "not a valid event" in shown["error"] and shown["attempts"] == 0

    wait_for(lambda: dep.cli("ops", "health", check=False).returncode == 0, 20, message="all services healthy")
    rows = dep.cli_json("ops", "queues")
    assert _queue(rows, routing_queue)["ready"] == 0 and _queue(rows, routing_queue)["consumers"] == 1

    # redrive: it is still not an event, so it comes back dead, counted twice
    dep.cli("ops", "dlq", "redrive", "--service", "routing", str(letter["id"]))
    again = wait_for(lambda: [x for x in dep.cli_json("ops", "dlq", "list", "--service", "routing")
                              if x["times_dead"] == 2], 15, message="redriven letter dead again")
    assert again[0]["id"] == letter["id"]
    dep.cli("ops", "dlq", "discard", "--service", "routing", str(letter["id"]))
    assert dep.cli_json("ops", "dlq", "list", "--service", "routing") == []
    assert dep.cli_json("ops", "dlq", "list", "--service", "routing", "--status", "discarded")[0]["id"] == letter["id"]

    exposition = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
    assert 'sodsong_http_requests_total{method="POST",route="/api/v1/tips",service="intake",status="201"} 3.0' \
        in exposition
    assert 'sodsong_events_published_total{event_type="tip.received",service="intake"} 3.0' in exposition
    assert "sodsong_outbox_lag_seconds" in exposition
