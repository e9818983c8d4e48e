"""The operator's two actions as JSON for scripts: redrive a dead letter, retry a failed delivery. 202 when
requested, 409 (Thai + English) when the row is not in a state for it, 404 for everyone but operators; every
request, done or refused, is a content-free event, and the service that owns the row consumes a requested one and
acts in its own database (casework itself for its dead letter, notify for its delivery): casework writes no other
service's data."""
from sqlalchemy import select

from services.notify import usecases as deliveries
from shared import deadletters
from sodsong import registry
from tests.integration.casework.conftest import Desk, desk_for, desk_running, outbox
from tests.integration.notify_service.conftest import dead_delivery
from tests.support.inprocess import db, running
from tests.support.processes import wait_for


def _dead_letter(cfg) -> int:
    body = {"type": "tip.routed", "id": "not-an-event", "payload": {"description": "ลับ"}}
    return deadletters.record(db(cfg, "casework"), "sodsong.casework.on_tip_routed", body, "not a valid event", 4)


def _dead_delivery(cfg) -> str:
    registry.migrate("notify", cfg["notify"]["db_url"])
    return dead_delivery(db(cfg, "notify"), cfg)


def _delivery_status(cfg, delivery_id):
    with db(cfg, "notify").reading() as session:
        table = deliveries.TABLE
        return session.execute(select(table.c.status).where(table.c.id == delivery_id)).scalar_one()


def _letters(cfg):
    return {x["id"]: x for x in deadletters.list_letters(db(cfg, "casework"), None)}


def test_an_operator_redrives_and_retries_through_the_api(memory_cfg):
    cfg = memory_cfg
    letter_id = _dead_letter(cfg)
    delivery_id = _dead_delivery(cfg)
    with desk_running(cfg) as (_, base):
        ops = desk_for(base, cfg, "ops", "operator", "SODSONG")

        r = ops.post(f"/api/v1/ops/dead-letters/casework/{letter_id}/redrive")
        assert r.status_code == 202, r.text
        assert r.json()["outcome"] == "requested" and r.json()["message"]["th"].startswith("ขอให้ประมวลผลซ้ำ")
        # casework consumed its own request: its redriver put the letter through the handler (still not an event,
        # so it is dead again, counted twice)
        wait_for(lambda: _letters(cfg)[letter_id]["times_dead"] == 2, 20, message="letter redriven")
        deadletters.set_status(db(cfg, "casework"), letter_id, "discarded")
        again = ops.post(f"/api/v1/ops/dead-letters/casework/{letter_id}/redrive")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "ops.not_redrivable"
        assert again.json()["error"]["message"]["th"] and again.json()["error"]["message"]["en"]

        r = ops.post(f"/api/v1/ops/deliveries/notify/{delivery_id}/retry")
        assert r.status_code == 202, r.text
        assert _delivery_status(cfg, delivery_id) == "dead"  # notify's row: only notify writes it
        with running(cfg, "notify"):  # notify consumes the request waiting in its queue and retries its delivery
            wait_for(lambda: _delivery_status(cfg, delivery_id) != "dead", 20, message="delivery retried")
        unknown = "00000000-0000-0000-0000-000000000000"
        assert ops.post(f"/api/v1/ops/deliveries/notify/{unknown}/retry").status_code == 409
        assert ops.post(f"/api/v1/ops/deliveries/elsewhere/{delivery_id}/retry").status_code == 404
        assert ops.post("/api/v1/ops/dead-letters/nowhere/1/redrive").status_code == 404

    recorded = [(e["type"], e["payload"]["target_id"], e["payload"]["outcome"])
                for e in outbox(cfg) if e["type"].startswith("ops.")]
    assert recorded == [("ops.dead_letter_redrive_requested", str(letter_id), "requested"),
                        ("ops.dead_letter_redrive_requested", str(letter_id), "refused"),
                        ("ops.delivery_retry_requested", delivery_id, "requested"),
                        ("ops.delivery_retry_requested", unknown, "refused")]
    assert "ลับ" not in str(recorded)


def test_no_one_else_can_touch_them_and_no_token_is_401(memory_cfg):
    cfg = memory_cfg
    letter_id = _dead_letter(cfg)
    with desk_running(cfg) as (_, base):
        supervisor = desk_for(base, cfg, "malee", "supervisor")
        unknown = supervisor.post("/api/v1/no-such-endpoint")
        r = supervisor.post(f"/api/v1/ops/dead-letters/casework/{letter_id}/redrive")
        assert (r.status_code, r.text) == (404, unknown.text)
        assert supervisor.post("/api/v1/ops/dead-letters/nowhere/1/redrive").text == unknown.text
        assert Desk(base).post(f"/api/v1/ops/dead-letters/casework/{letter_id}/redrive").status_code == 401
    assert [x["status"] for x in deadletters.list_letters(db(cfg, "casework"), None)] == ["dead"]
    assert [e for e in outbox(cfg) if e["type"].startswith("ops.")] == []
