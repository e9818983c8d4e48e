"""sodsong.ops_view against seeded SQLite databases (one per service, as in embedded mode): dead letters, an
unpublished outbox row, failed and dead deliveries and notices, heartbeats; and never a body, a description, an
address or a recipient's id in what it gathers."""
import json
import uuid
from datetime import timedelta
from queue import Queue

import pytest
from kombu.transport import memory
from sqlalchemy import insert, select

from shared import broker_status, deadletters, heartbeats
from shared import config as config_mod
from shared.clock import utcnow
from shared.config import SERVICES
from sodsong import ops_view, registry
from sodsong.registry import service_db_for

SECRET = "เจ้าหน้าที่เรียกรับเงินสามแสนบาท ที่ห้องประชุมชั้นสอง"
ADDRESS = "sarabun.office@pacc.go.th"
TIPSTER_ID = "tp_9f2c1e7d"


@pytest.fixture
def cfg(tmp_path):
    config = config_mod.load(env={"SODSONG_DATA_DIR": str(tmp_path), "SODSONG_AMQP_URI": "memory://localhost/"})
    for service in SERVICES:
        db = service_db_for(service, config)
        registry.entry(service).metadata().create_all(db.engine)
    return config


def _db(cfg, service):
    return service_db_for(service, cfg)


def _delivery(cfg, status, **values):
    from services.notify.usecases import TABLE

    now = utcnow()
    row = dict(id=str(uuid.uuid4()), event_id=str(uuid.uuid4()), reference="SS-OPSV-0001", recipient_kind="office",
               recipient_id="PACC-R2", channel="email", address=ADDRESS, template="office_new_case", language="th",
               context_json=json.dumps({"reference": "SS-OPSV-0001", "note": SECRET}, ensure_ascii=False),
               status=status, attempts=3, next_attempt_at=now, created_at=now, updated_at=now, **values)
    db = _db(cfg, "notify")
    with db.transaction() as uow:
        uow.session.execute(insert(TABLE).values(**row))
    return row["id"]


def _notice(cfg, status, last_error):
    from services.intake.tipster_notices import default_table

    now = utcnow()
    row = dict(id=str(uuid.uuid4()), event_id=str(uuid.uuid4()), tip_id=str(uuid.uuid4()), reference="SS-OPSV-0001",
               recipient_kind="tipster", recipient_id=TIPSTER_ID, contact_kind="sms", channel="sms",
               template="tipster_update", language="th", context_json="{}", status=status, attempts=6,
               last_error=last_error, next_attempt_at=now, created_at=now, updated_at=now)
    db = _db(cfg, "intake")
    with db.transaction() as uow:
        uow.session.execute(insert(default_table()).values(**row))
    return row["id"]


@pytest.fixture
def seeded(cfg):
    routing = _db(cfg, "routing")
    body = {"id": str(uuid.uuid4()), "type": "tip.received", "correlation_id": "SS-OPSV-0001",
            "payload": {"description": SECRET, "reporter": {"email": ADDRESS}}}
    letter = deadletters.record(routing, "sodsong.routing.on_tip_received", body,
                                f"ValueError: cannot route {ADDRESS} (call 0812345678)\nTraceback: {SECRET}", 4)
    gone = deadletters.record(routing, "sodsong.routing.on_tip_received", {"id": "old", "type": "tip.received"},
                              "KeyError: x", 4)
    deadletters.set_status(routing, gone, "discarded")

    intake = _db(cfg, "intake")
    with intake.transaction() as uow:
        uow.session.execute(insert(intake.tables.outbox).values(
            event_id=str(uuid.uuid4()), event_type="tip.received", correlation_id="SS-OPSV-0002",
            body=json.dumps({"payload": {"description": SECRET}}, ensure_ascii=False),
            created_at=utcnow() - timedelta(seconds=125)))
        uow.session.execute(insert(intake.tables.outbox).values(
            event_id=str(uuid.uuid4()), event_type="tip.received", correlation_id="SS-OPSV-0003", body="{}",
            created_at=utcnow() - timedelta(hours=1), published_at=utcnow()))

    heartbeats.beat(_db(cfg, "casework"), "host:1", utcnow())
    heartbeats.beat(_db(cfg, "routing"), "host:2", utcnow() - timedelta(minutes=20))
    _age_heartbeat(cfg, "routing", "host:2", minutes=10)  # routing's only instance went quiet ten minutes ago

    return {
        "letter": letter,
        "failed": _delivery(cfg, "failed", last_error=f"SMTPRecipientsRefused: {ADDRESS} 550\nTraceback: {SECRET}"),
        "dead": _delivery(cfg, "dead", last_error="permanent: channel 'line' is not configured"),
        "sent": _delivery(cfg, "sent"),
        "notice": _notice(cfg, "dead", "permanent: no contact for sms (erased)"),
    }


def _age_heartbeat(cfg, service, instance, minutes):
    from sqlalchemy import update

    db = _db(cfg, service)
    table = heartbeats._table(db)
    with db.transaction() as uow:
        uow.session.execute(update(table).where(table.c.instance == instance)
                            .values(beat_at=utcnow() - timedelta(minutes=minutes)))


def test_gather_shows_the_backlog_the_dead_letter_and_the_failed_deliveries(cfg, seeded):
    data = ops_view.gather(cfg)
    services = {s["service"]: s for s in data["services"]}

    assert services["intake"]["unpublished"] == 1 and services["intake"]["oldest_age_seconds"] >= 120
    assert "outbox-lag" in services["intake"]["flags"]
    assert services["routing"]["dead_letters"] == {"dead": 1, "redrive_requested": 0, "redriving": 0}
    assert {"dead-letters", "no-heartbeat"} <= set(services["routing"]["flags"])
    assert services["routing"]["instances"][0]["alive"] is False
    assert services["casework"]["alive"] == 1 and services["casework"]["flags"] == []
    assert services["audit"]["flags"] == ["no-heartbeat"] and services["audit"]["note"] == ""

    letter, = data["dead_letters"]  # the discarded one is history, not listed
    assert set(letter) == {"service", "id", "queue", "event_type", "correlation_id", "status", "attempts",
                           "times_dead", "age_seconds", "error"}
    assert (letter["service"], letter["id"], letter["status"], letter["attempts"]) == (
        "routing", seeded["letter"], "dead", 4)
    assert letter["correlation_id"] == "SS-OPSV-0001" and letter["event_type"] == "tip.received"
    assert letter["error"].startswith("ValueError: cannot route") and "Traceback" not in letter["error"]

    deliveries = data["deliveries"]
    by_source = {s["source"]: s["by_state"] for s in deliveries["by_source"]}
    assert by_source["notify"] == {"pending": 0, "sending": 0, "sent": 1, "failed": 1, "dead": 1}
    assert by_source["intake"] == {"pending": 0, "sending": 0, "sent": 0, "failed": 0, "dead": 1}
    assert deliveries["by_state"]["dead"] == 2
    problems = {p["id"]: p for p in deliveries["problems"]}
    assert set(problems) == {seeded["failed"], seeded["dead"], seeded["notice"]}
    for p in problems.values():
        assert set(p) == {"source", "id", "reference", "recipient_kind", "channel", "status", "attempts",
                          "last_error", "updated_at"}
    assert problems[seeded["notice"]]["recipient_kind"] == "tipster"
    assert problems[seeded["failed"]]["last_error"].startswith("SMTPRecipientsRefused:")
    assert problems[seeded["dead"]]["last_error"] == "permanent: channel 'line' is not configured"

    flags = {(f["flag"], f["subject"]) for f in data["flags"]}
    assert {("outbox-lag", "intake"), ("dead-letters", "routing"), ("no-heartbeat", "routing"),
            ("failed-deliveries", "notify"), ("dead-deliveries", "notify"), ("dead-deliveries", "intake")} <= flags
    assert ("no-heartbeat", "casework") not in flags

    assert data["queues"] == {"available": False, "source": "embedded", "note": "embedded: n/a", "rows": []}
    assert data["mode"] == "embedded"
    json.dumps(data)  # JSON-ready as it is


def test_nothing_gathered_carries_content_an_address_or_a_recipient(cfg, seeded):
    text = json.dumps(ops_view.gather(cfg), ensure_ascii=False)
    for secret in (SECRET, "สามแสน", ADDRESS, "pacc.go.th", "0812345678", TIPSTER_ID, "PACC-R2", "reporter",
                   "description", "Traceback", "context_json", '"body"', '"address"'):
        assert secret not in text, secret


def test_embedded_queues_are_counted_in_process_and_growth_is_flagged(cfg, monkeypatch):
    routing_queue = "sodsong.routing.on_tip_received"
    monkeypatch.setattr(memory.Channel, "queues", {routing_queue: Queue()})
    history = ops_view.QueueHistory(min_age=0.0)
    first = ops_view.gather(cfg, in_process=True, history=history)["queues"]
    assert first["available"] and first["source"] == "embedded"
    rows = {r["queue"]: r for r in first["rows"]}
    assert set(rows) == set(broker_status.queue_names(registry.subscriptions()))
    assert rows[routing_queue]["ready"] == 0 and rows[routing_queue]["flags"] == []
    assert rows[broker_status.topology.UNROUTABLE_QUEUE]["source"] == "missing"

    memory.Channel.queues[routing_queue].put({"body": SECRET})
    second = ops_view.gather(cfg, in_process=True, history=history)
    row = next(r for r in second["queues"]["rows"] if r["queue"] == routing_queue)
    assert row["ready"] == 1 and row["flags"] == ["growing"] and row["consumers"] is None
    assert {"flag": "growing", "subject": routing_queue} in second["flags"]
    assert SECRET not in json.dumps(second, ensure_ascii=False)


def test_queue_history_compares_with_a_look_old_enough():
    history = ops_view.QueueHistory(min_age=5.0, max_age=60.0)
    assert history.compare_and_add([{"queue": "q", "ready": 1}], now=100.0) is None
    assert history.compare_and_add([{"queue": "q", "ready": 2}], now=102.0) is None  # too recent to compare
    assert history.compare_and_add([{"queue": "q", "ready": 3}], now=107.5) == [{"queue": "q", "ready": 2}]
    assert history.compare_and_add([{"queue": "q", "ready": 3}], now=500.0) is None  # the rest expired


def test_real_mode_queues_come_from_the_broker_and_a_dead_broker_is_a_flag(cfg, monkeypatch):
    real = dict(cfg, amqp_uri="amqp://guest:guest@127.0.0.1:1/")
    rows = [{"queue": "sodsong.routing.on_tip_received", "ready": 3, "unacked": 0, "consumers": 0,
             "publish_rate": None, "deliver_rate": None, "source": "declare"}]
    monkeypatch.setattr(broker_status, "snapshot", lambda config, subscriptions: [dict(r) for r in rows])
    view = ops_view.queues_view(real)
    assert view["available"] and view["source"] == "declare" and view["rows"][0]["flags"] == ["no-consumers"]
    assert ops_view.queue_rows(real)[0]["flags"] == ["no-consumers"]

    def down(config, subscriptions):
        raise ConnectionRefusedError()

    monkeypatch.setattr(broker_status, "snapshot", down)
    data = ops_view.gather(real)
    assert data["queues"] == {"available": False, "source": "unavailable",
                              "note": "unavailable: ConnectionRefusedError", "rows": []}
    assert {"flag": "broker-unavailable", "subject": "broker"} in data["flags"]
    assert data["mode"] == "real"


def test_a_service_whose_database_is_not_set_up_is_shown_as_unavailable(tmp_path):
    config = config_mod.load(env={"SODSONG_DATA_DIR": str(tmp_path), "SODSONG_AMQP_URI": "memory://localhost/"})
    db = service_db_for("casework", config)
    registry.entry("casework").metadata().create_all(db.engine)
    data = ops_view.gather(config)
    services = {s["service"]: s for s in data["services"]}
    assert services["casework"]["note"] == "" and services["casework"]["unpublished"] == 0
    assert services["routing"]["note"].startswith("unavailable: ") and services["routing"]["flags"] == ["unavailable"]
    notify = next(s for s in data["deliveries"]["by_source"] if s["source"] == "notify")
    assert notify["note"].startswith("unavailable: ") and notify["by_state"]["failed"] is None
    intake = next(s for s in data["deliveries"]["by_source"] if s["source"] == "intake")
    assert intake["note"] == "not set up"


def test_the_cli_rows_keep_their_shape(cfg, seeded):
    letter, = ops_view.dead_letter_rows(cfg, "routing")
    assert list(letter) == ["service", "id", "queue", "event_type", "correlation_id", "status", "attempts",
                            "times_dead", "age_seconds", "error"]
    assert ADDRESS in letter["error"]  # the CLI prints the stored first line as it is, as before
    assert [r["status"] for r in ops_view.dead_letter_rows(cfg, "routing", None)] == ["dead", "discarded"]
    outbox = ops_view.outbox_rows(cfg)
    assert [r["service"] for r in outbox] == list(SERVICES)
    assert list(outbox[0]) == ["service", "unpublished", "oldest_age_seconds", "note"]
    assert outbox[0]["unpublished"] == 1 and outbox[0]["note"] == ""


def _delivery_status(cfg, delivery_id):
    from services.notify.usecases import TABLE

    with _db(cfg, "notify").reading() as session:
        return session.execute(select(TABLE.c.status).where(TABLE.c.id == delivery_id)).scalar()


def test_the_page_asks_whether_an_action_applies_and_writes_nothing(cfg, seeded):
    """The actions themselves are events the owning service consumes (tests/unit/shared/test_operator_actions.py)."""
    assert ops_view.redrivable(cfg, "routing", seeded["letter"])
    assert not ops_view.redrivable(cfg, "casework", seeded["letter"])  # not casework's
    assert not ops_view.redrivable(cfg, "nonsense", seeded["letter"])
    assert [x["status"] for x in deadletters.list_letters(_db(cfg, "routing"), None)] == ["dead", "discarded"]

    assert ops_view.retryable(cfg, "notify", seeded["failed"])
    assert ops_view.retryable(cfg, "notify", seeded["dead"])
    assert not ops_view.retryable(cfg, "notify", seeded["sent"])
    assert ops_view.retryable(cfg, "intake", seeded["notice"])
    assert not ops_view.retryable(cfg, "intake", seeded["failed"])  # a notify id is not intake's
    assert not ops_view.retryable(cfg, "elsewhere", seeded["dead"])
    assert _delivery_status(cfg, seeded["failed"]) == "failed"


def test_a_letter_the_service_was_asked_to_redrive_is_no_longer_flagged(cfg, seeded):
    routing = _db(cfg, "routing")
    with routing.transaction() as uow:
        assert deadletters.request_redrive(uow.session, routing.tables.dead_letters, seeded["letter"])
    assert not ops_view.redrivable(cfg, "routing", seeded["letter"])  # no longer dead
    data = ops_view.gather(cfg)
    assert next(s for s in data["services"] if s["service"] == "routing")["dead_letters"]["redrive_requested"] == 1
    assert "dead-letters" not in next(s for s in data["services"] if s["service"] == "routing")["flags"]


@pytest.mark.parametrize("raw, expected", [
    ("SMTPRecipientsRefused: {'somchai.k@example.co.th': (550, b'no')}",
     "SMTPRecipientsRefused: {'[…]': (550, b'no')}"),
    ("HTTP 400 to +66812345678", "HTTP 400 to […]"),
    ("sms to 081-234-5678 failed", "sms to […] failed"),
    ("LINE push to U4af4980629e8c0d7b1e0e0a4c0a3f3b1 refused", "LINE push to […] refused"),
    ("HTTP 503 after 2.5 s at 2025-03-05T10:00:00", "HTTP 503 after 2.5 s at 2025-03-05T10:00:00"),
    (None, ""),
])
def test_scrub(raw, expected):
    assert ops_view.scrub(raw) == expected
