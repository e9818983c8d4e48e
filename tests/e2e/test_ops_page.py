"""The operator page on a real deployment (RabbitMQ + PostgreSQL, a process per service): a backlog for routing,
which is not running, and a dead letter in casework; an operator sees both through GET /api/v1/ops and /ops and
redrives the dead letter from the page; a caseworker finds no such page; nothing shown carries tip content."""
import json
import re

import requests
from kombu import Connection
from sqlalchemy import select

from services.audit.models import ChainEntry
from services.notify import usecases as deliveries
from shared import config as config_mod
from shared import topology
from sodsong.registry import service_db_for
from tests.e2e.test_casework_desk import _desk, _healthy
from tests.integration.notify_service.conftest import dead_delivery
from tests.support.processes import cli, wait_for
from tests.support.tips import tip

PASSWORD = "รหัสผ่าน-ผู้ดูแลระบบ-2569"
LETTER_SECRET = "ข้อความลับในเหตุการณ์ที่เสีย ห้ามแสดง"
ROUTING_QUEUE = "sodsong.routing.on_tip_received"


def _api(dep, username) -> dict:
    r = requests.post(f"{_desk(dep)}/api/v1/session", json={"username": username, "password": PASSWORD}, timeout=30)
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _web(dep, username) -> requests.Session:
    web = requests.Session()
    page = web.get(f"{_desk(dep)}/login", timeout=30)
    login_csrf = re.search(r'name="login_csrf" value="([^"]+)"', page.text).group(1)
    r = web.post(f"{_desk(dep)}/login", data={"username": username, "password": PASSWORD, "login_csrf": login_csrf},
                 allow_redirects=False, timeout=30)
    assert r.status_code == 303 and r.headers["Location"] == "/cases", r.text
    return web


def _backlog_and_letter(data):
    queue = next((q for q in data["queues"]["rows"] if q["queue"] == ROUTING_QUEUE), None)
    letters = [d for d in data["dead_letters"] if d["service"] == "casework"]
    if queue and queue["ready"] == 3 and letters:
        return data
    return None


def test_an_operator_sees_the_backlog_and_redrives_a_dead_letter(real_deployment):
    dep = real_deployment
    dep.cli("db", "upgrade")  # every service's tables, so routing shows as silent rather than not set up
    dep.start("intake", "casework")
    for username, role, office in (("ops-somsri", "operator", "SODSONG"), ("somchai", "caseworker", "PACC-R2")):
        cli(dep.env, "users", "add", "--username", username, "--office", office, "--role", role,
            input_text=PASSWORD + "\n")
    for _ in range(3):
        assert dep.intake.submit(tip()).status_code == 201
    with Connection(dep.env["SODSONG_AMQP_URI"]) as conn:  # not an event: casework dead-letters it at once
        conn.Producer(serializer="json").publish(
            {"type": "tip.routed", "id": "garbage", "payload": {"description": LETTER_SECRET}},
            exchange=topology.EVENTS_EXCHANGE, routing_key="tip.routed")
    wait_for(lambda: _healthy(dep), 30, message="casework answering")

    operator = _api(dep, "ops-somsri")
    data = wait_for(lambda: _backlog_and_letter(requests.get(f"{_desk(dep)}/api/v1/ops", headers=operator,
                                                             timeout=30).json()),
                    20, message="backlog of 3 for routing and casework's dead letter on /api/v1/ops")
    assert data["mode"] == "real" and data["queues"]["available"]
    routing_queue = next(q for q in data["queues"]["rows"] if q["queue"] == ROUTING_QUEUE)
    assert "no-consumers" in routing_queue["flags"]
    letter, = [d for d in data["dead_letters"] if d["service"] == "casework"]
    assert letter["event_type"] == "tip.routed" and letter["status"] == "dead"
    assert "not a valid event" in letter["error"]
    services = {s["service"]: s for s in data["services"]}
    assert services["casework"]["alive"] >= 1 and "dead-letters" in services["casework"]["flags"]
    assert services["routing"]["alive"] == 0 and "no-heartbeat" in services["routing"]["flags"]
    assert services["intake"]["unpublished"] == 0
    flags = {(f["flag"], f["subject"]) for f in data["flags"]}
    assert {("no-consumers", ROUTING_QUEUE), ("dead-letters", "casework"), ("no-heartbeat", "routing")} <= flags
    assert {s["source"] for s in data["deliveries"]["by_source"]} == {"notify", "intake"}

    raw = requests.get(f"{_desk(dep)}/api/v1/ops", headers=operator, timeout=30).text
    for secret in (tip()["description"], LETTER_SECRET, '"body"', "description"):
        assert secret not in raw, secret

    # a caseworker: no such page, exactly like a URL the desk does not have
    caseworker = _api(dep, "somchai")
    unknown = requests.get(f"{_desk(dep)}/api/v1/no-such-endpoint", headers=caseworker, timeout=30)
    r = requests.get(f"{_desk(dep)}/api/v1/ops", headers=caseworker, timeout=30)
    assert (r.status_code, r.text) == (404, unknown.text)
    caseworker_web = _web(dep, "somchai")
    unknown = caseworker_web.get(f"{_desk(dep)}/no-such-page", timeout=30)
    r = caseworker_web.get(f"{_desk(dep)}/ops", timeout=30)
    assert (r.status_code, r.text) == (404, unknown.text)
    assert "/ops" not in caseworker_web.get(f"{_desk(dep)}/cases", timeout=30).text  # no link to it either

    # the operator's page: Thai first, reloads itself, no script and nothing from elsewhere
    web = _web(dep, "ops-somsri")
    page = web.get(f"{_desk(dep)}/ops", timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.text
    assert '<meta http-equiv="refresh" content="10; url=/ops">' in html
    for heading in ("สถานะระบบ", "บริการ", "คิวข้อความ", "เหตุการณ์ค้าง (dead letter)", "การส่งแจ้งเตือน"):
        assert heading in html, heading
    assert f'data-queue="{ROUTING_QUEUE}"' in html and 'data-flag="no-consumers"' in html
    assert "<script" not in html and not re.search(r'(src|href)="(https?:)?//', html)
    assert tip()["description"] not in html and LETTER_SECRET not in html

    summary_link = web.get(f"{_desk(dep)}/ops/notifications", allow_redirects=False, timeout=30)  # notify's link
    assert summary_link.status_code == 303 and summary_link.headers["Location"] == "/ops#deliveries"

    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    action = f"/ops/dead-letters/casework/{letter['id']}/redrive"
    assert f'action="{action}"' in html
    assert web.post(f"{_desk(dep)}{action}", data={"csrf": "wrong"}, allow_redirects=False,
                    timeout=30).status_code == 403
    done = web.post(f"{_desk(dep)}{action}", data={"csrf": csrf}, allow_redirects=False, timeout=30)
    assert done.status_code == 303 and done.headers["Location"] == "/ops?ok=ops.redrive_requested"
    assert "ขอให้ประมวลผลซ้ำแล้ว" in web.get(f"{_desk(dep)}{done.headers['Location']}", timeout=30).text
    # still not an event: casework's redriver puts it through the handler and it comes back dead, counted twice
    again = wait_for(lambda: [x for x in dep.cli_json("ops", "dlq", "list", "--service", "casework")
                              if x["id"] == letter["id"] and x["times_dead"] == 2], 20,
                     message="redriven letter dead again")
    assert again[0]["status"] == "dead"
    refused = web.post(f"{_desk(dep)}/ops/dead-letters/casework/999999/redrive", data={"csrf": csrf},
                       allow_redirects=False, timeout=30)
    assert refused.headers["Location"] == "/ops?error=ops.not_redrivable"

    # both attempts are on record, content-free, as casework events (the audit service chains them)
    casework_db = service_db_for("casework", config_mod.load(env=dep.env))
    outbox = casework_db.tables.outbox
    with casework_db.reading() as session:
        bodies = [json.loads(b) for b in session.execute(select(outbox.c.body).where(
            outbox.c.event_type == "ops.dead_letter_redrive_requested").order_by(outbox.c.seq)).scalars()]
    assert [(b["payload"]["service"], b["payload"]["target_id"], b["payload"]["outcome"]) for b in bodies] == [
        ("casework", str(letter["id"]), "requested"), ("casework", "999999", "refused")]
    assert bodies[0]["actor"]["kind"] == "user" and bodies[0]["correlation_id"].startswith("user:")
    assert set(bodies[0]["payload"]) == {"user_id", "office_code", "role", "service", "target_id", "outcome", "at"}


def _delivery(config, delivery_id):
    table = deliveries.TABLE
    with service_db_for("notify", config).reading() as session:
        return session.execute(select(table.c.status, table.c.updated_at).where(table.c.id == delivery_id)).one()


def test_the_operators_requests_travel_as_events_to_the_services_that_own_the_rows(real_deployment):
    """Casework's page writes nothing in routing's or notify's database: it publishes the request, routing redrives
    its own dead letter and notify retries its own delivery, and audit chains both requests."""
    dep = real_deployment
    dep.cli("db", "upgrade")
    config = config_mod.load(env=dep.env)
    delivery_id = dead_delivery(service_db_for("notify", config), config)
    dep.start("casework", "routing", "notify", "audit")
    cli(dep.env, "users", "add", "--username", "ops-somsri", "--office", "SODSONG", "--role", "operator",
        input_text=PASSWORD + "\n")
    with Connection(dep.env["SODSONG_AMQP_URI"]) as conn:  # not an event: routing dead-letters it at once
        conn.Producer(serializer="json").publish({"type": "tip.received", "id": "garbage-for-routing"},
                                                 exchange=topology.EVENTS_EXCHANGE, routing_key="tip.received")
    letter, = wait_for(lambda: dep.cli_json("ops", "dlq", "list", "--service", "routing"), 30,
                       message="routing's dead letter")
    wait_for(lambda: _healthy(dep), 30, message="casework answering")
    operator = _api(dep, "ops-somsri")

    r = requests.post(f"{_desk(dep)}/api/v1/ops/dead-letters/routing/{letter['id']}/redrive", headers=operator,
                      timeout=30)
    assert r.status_code == 202, r.text
    again = wait_for(lambda: [x for x in dep.cli_json("ops", "dlq", "list", "--service", "routing")
                              if x["id"] == letter["id"] and x["times_dead"] == 2], 30,
                     message="routing redrove its letter (still not an event: dead again, counted twice)")
    assert again[0]["status"] == "dead"

    before = _delivery(config, delivery_id)
    assert before.status == "dead"
    r = requests.post(f"{_desk(dep)}/api/v1/ops/deliveries/notify/{delivery_id}/retry", headers=operator,
                      timeout=30)
    assert r.status_code == 202, r.text
    wait_for(lambda: _delivery(config, delivery_id).updated_at != before.updated_at, 30,
             message="notify retried its delivery")

    audit_db = service_db_for("audit", config)

    def chained():
        with audit_db.reading() as session:
            return sorted(session.execute(select(ChainEntry.event_type, ChainEntry.actor_kind).where(
                ChainEntry.event_type.like("ops.%"))).all())

    assert wait_for(chained, 30, message="the requests in the audit chain") == [
        ("ops.dead_letter_redrive_requested", "user"), ("ops.delivery_retry_requested", "user")]

