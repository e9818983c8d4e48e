"""An operator's redrive and retry reach the owning service as events, and only that service acts, in its own
database (shared.operator_actions): against SQLite, the handlers called as nameko would call them."""
import uuid

import pytest
from sqlalchemy import insert, select

from services.notify.usecases import TABLE
from shared import config as config_mod
from shared import deadletters
from shared.clock import utcnow
from shared.dependencies import WorkerDatabase
from shared.events import new_event
from shared.operator_actions import REDRIVE_REQUESTED, RETRY_REQUESTED, RedrivesOnRequest, RetriesDeliveriesOnRequest
from sodsong import registry

OPERATOR = {"kind": "user", "id": "u-ops"}


@pytest.fixture
def cfg(tmp_path):
    config = config_mod.load(env={"SODSONG_DATA_DIR": str(tmp_path), "SODSONG_AMQP_URI": "memory://localhost/"})
    for service in ("routing", "notify"):
        registry.entry(service).metadata().create_all(registry.service_db_for(service, config).engine)
    return config


def _request(type_, service, target_id, outcome="requested"):
    return new_event(type_, {"user_id": "u-ops", "office_code": None, "role": "operator", "service": service,
                             "target_id": str(target_id), "outcome": outcome, "at": utcnow()},
                     "user:u-ops", actor=OPERATOR)


def _service(cls, name, db, handler, **attrs):
    svc = type(f"{name.title()}Service", (cls,), {"name": name, **attrs})()
    svc.db = WorkerDatabase(db, handler)
    return svc


def _letter(db) -> int:
    return deadletters.record(db, "sodsong.routing.on_tip_received", {"id": "x", "type": "tip.received"}, "E", 4)


def test_the_named_service_marks_its_dead_letter_for_its_redriver(cfg):
    routing = registry.service_db_for("routing", cfg)
    letter = _letter(routing)
    svc = _service(RedrivesOnRequest, "routing", routing, "on_redrive_requested")

    svc.on_redrive_requested(_request(REDRIVE_REQUESTED, "casework", letter))  # another service's letter
    svc.on_redrive_requested(_request(REDRIVE_REQUESTED, "routing", letter, outcome="refused"))  # the page refused
    assert [x["status"] for x in deadletters.list_letters(routing, None)] == ["dead"]

    asked = _request(REDRIVE_REQUESTED, "routing", letter)
    svc.on_redrive_requested(asked)
    assert [x["status"] for x in deadletters.list_letters(routing, None)] == ["redrive_requested"]
    assert deadletters.claim_redrives(routing)[0]["id"] == letter  # what the service's redriver then picks up
    svc.on_redrive_requested(asked)  # delivered twice: the inbox absorbs it
    assert [x["status"] for x in deadletters.list_letters(routing, None)] == ["redriving"]


def test_notify_sends_its_failed_delivery_again_when_asked(cfg):
    notify = registry.service_db_for("notify", cfg)
    now = utcnow()
    delivery = str(uuid.uuid4())
    with notify.transaction() as uow:
        uow.session.execute(insert(TABLE).values(
            id=delivery, event_id=str(uuid.uuid4()), reference="SS-OPSA-0001", recipient_kind="office",
            recipient_id="PACC-R2", channel="email", address="office@example.org", template="office_new_case",
            language="th", context_json="{}", status="dead", attempts=6, next_attempt_at=now, created_at=now,
            updated_at=now))
    svc = _service(RetriesDeliveriesOnRequest, "notify", notify, "on_delivery_retry_requested",
                   delivery_ledger=lambda self: TABLE)

    svc.on_delivery_retry_requested(_request(RETRY_REQUESTED, "intake", delivery))  # intake's notices, not ours
    with notify.reading() as session:
        assert session.execute(select(TABLE.c.status).where(TABLE.c.id == delivery)).scalar() == "dead"

    svc.on_delivery_retry_requested(_request(RETRY_REQUESTED, "notify", delivery))
    with notify.reading() as session:
        row = session.execute(select(TABLE.c.status, TABLE.c.attempts).where(TABLE.c.id == delivery)).one()
    assert (row.status, row.attempts) == ("pending", 0)


def test_every_service_consumes_redrive_requests_and_the_ledger_owners_retry_requests():
    for name, entry in registry.SERVICES.items():
        cls = entry.service_class()
        assert issubclass(cls, RedrivesOnRequest), name
        assert issubclass(cls, RetriesDeliveriesOnRequest) == (name in ("notify", "intake")), name
