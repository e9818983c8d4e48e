"""Failure handling of event consumers, on the memory transport and on RabbitMQ + PostgreSQL."""
import threading
import time

import pytest
from sqlalchemy import func, select

from services.routing.domain.rules import load_engine
from services.routing.models import Decision
from shared import deadletters
from shared.clock import utcnow
from shared.events import new_event
from tests.support.inprocess import db, environment, publish, running
from tests.support.processes import wait_for

FAST_RETRIES = {"events": {"max_attempts": 3, "backoff_seconds": [0.05, 0.1], "broker_delivery_limit": 20}}


def tip_received(reference: str, description: str = "เจ้าหน้าที่เรียกรับเงินเพื่อออกใบอนุญาต"):
    return new_event("tip.received", {
        "reference": reference, "tipster_id": "tp_test", "channel": "web", "language": "th",
        "category": "bribery", "description": description, "event_date": None, "amount_thb": None,
        "location": {"province_code": "23"}, "accused": {"official_type": "state_official"},
        "submitted_at": utcnow(), "volunteer_id": None,
    }, correlation_id=reference)


class FlakyEngine:
    """The real rule engine, except that it raises on tips whose description says POISON (until healed)."""

    def __init__(self):
        self.real = load_engine()
        self.directory = self.real.directory
        self.poison_calls = 0
        self.healed = False
        self.lock = threading.Lock()

    def decide(self, tip, submitted_at):
        if "POISON" in tip["description"] and not self.healed:
            with self.lock:
                self.poison_calls += 1
            raise RuntimeError("rule engine exploded")
        return self.real.decide(tip, submitted_at)


def decisions(cfg, reference=None):
    with db(cfg, "routing").reading() as s:
        q = select(func.count()).select_from(Decision)
        if reference:
            q = q.where(Decision.reference == reference)
        return s.execute(q).scalar()


@pytest.fixture(params=["memory", "rabbitmq"])
def cfg(request, tmp_path):
    with environment(request.param, tmp_path, FAST_RETRIES) as config:
        yield config


def test_poison_event_is_dead_lettered_after_bounded_retries_and_others_keep_flowing(cfg):
    engine = FlakyEngine()
    with running(cfg, "routing", jurisdiction=engine):
        publish(cfg, tip_received("SS-POIS-0001", "POISON: this tip makes routing raise").to_wire())
        for i in range(3):
            publish(cfg, tip_received(f"SS-GOOD-000{i}").to_wire())

        wait_for(lambda: decisions(cfg) == 3, 10, message="good tips routed")
        letters = wait_for(lambda: deadletters.list_letters(db(cfg, "routing")), 10, message="dead letter")
        assert len(letters) == 1
        letter = letters[0]
        assert letter["correlation_id"] == "SS-POIS-0001"
        assert letter["event_type"] == "tip.received"
        # three attempts; an attempt made in a group commit with the good tips ran the rule engine once in the
        # batch (rolled back) and once alone (shared.group_commit), so the engine saw it three to six times
        assert letter["attempts"] == 3 and 3 <= engine.poison_calls <= 6
        assert "RuntimeError" in letter["error"]
        assert decisions(cfg, "SS-POIS-0001") == 0

        # The operator fixes the cause and redrives: the event goes through its handler once more.
        engine.healed = True
        assert deadletters.set_status(db(cfg, "routing"), letter["id"], "redrive_requested")
        wait_for(lambda: decisions(cfg, "SS-POIS-0001") == 1, 15, message="redriven tip routed")
        wait_for(lambda: deadletters.list_letters(db(cfg, "routing"), "redriven"), 5, message="marked redriven")


def test_a_message_that_is_not_an_event_is_dead_lettered_at_once(cfg):
    with running(cfg, "routing"):
        publish(cfg, {"type": "tip.received", "id": "not-a-uuid", "payload": {}})
        publish(cfg, tip_received("SS-GOOD-0100").to_wire())
        wait_for(lambda: decisions(cfg) == 1, 10, message="good tip routed")
        letters = wait_for(lambda: deadletters.list_letters(db(cfg, "routing")), 10, message="dead letter")
        assert letters[0]["attempts"] == 0 and "not a valid event" in letters[0]["error"]


def test_duplicate_delivery_of_one_event_has_exactly_one_effect(cfg):
    with running(cfg, "routing"):
        event = tip_received("SS-DUPE-0001").to_wire()
        for _ in range(5):
            publish(cfg, event)
        publish(cfg, tip_received("SS-AFTR-0001").to_wire())
        wait_for(lambda: decisions(cfg, "SS-AFTR-0001") == 1, 10, message="later tip routed")
        time.sleep(0.5)
        assert decisions(cfg, "SS-DUPE-0001") == 1
        routing_db = db(cfg, "routing")
        with routing_db.reading() as s:
            outbox = routing_db.tables.outbox
            routed = s.execute(select(func.count()).select_from(outbox).where(
                outbox.c.correlation_id == "SS-DUPE-0001")).scalar()
        assert routed == 1
