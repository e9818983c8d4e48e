"""Notify's handlers without a database: recording over a fake unit of work and an in-memory repository."""
from __future__ import annotations

import datetime
import uuid
from unittest import mock

import pytest
from nameko.testing.services import worker_factory

from services.notify import usecases
from services.notify.service import Service
from shared import config as config_mod
from shared.events import new_event
from tests.support.fakes import FakeDatabase
from tests.support.fakes_notify import DuplicateDelivery, InMemoryNotifyRepository

UTC = datetime.timezone.utc


@pytest.fixture
def config(tmp_path):
    cfg = config_mod.load(env={"SODSONG_DATA_DIR": str(tmp_path)})
    cfg["notify"]["office_contacts"] = {"PACC-R2": {"email": "r2@example.org", "file": "PACC-R2"}}
    return cfg


@pytest.fixture
def repo():
    return InMemoryNotifyRepository()


@pytest.fixture
def notify(config, repo):
    database = FakeDatabase(repo)
    return worker_factory(Service, db=database, config={"SODSONG": config}, sender=mock.Mock()), database


def case_opened(reference="SS-UNIT-0001", office="PACC-R2"):
    now = datetime.datetime.now(UTC)
    return new_event("case.opened", {
        "reference": reference, "case_id": str(uuid.uuid4()),
        "office": {"code": office, "name_th": "ศูนย์ต่อต้านการทุจริต ภาค 2", "name_en": "PACC Region 2"},
        "category": "bribery", "province_code": "23", "status": "received",
        "acknowledge_due": now + datetime.timedelta(days=7), "feedback_due": now + datetime.timedelta(days=90),
        "opened_at": now}, reference)


def test_a_new_case_records_one_delivery_per_office_channel_and_wakes_the_sender(notify, repo):
    service, _ = notify
    event = case_opened()
    service.on_case_opened(event)
    rows = sorted(repo.list_rows(), key=lambda r: r["channel"])
    assert [(r["recipient_kind"], r["recipient_id"], r["channel"], r["address"], r["template"], r["status"])
            for r in rows] == [("office", "PACC-R2", "email", "r2@example.org", "office_new_case", "pending"),
                               ("office", "PACC-R2", "file", "PACC-R2", "office_new_case", "pending")]
    assert {r["event_id"] for r in rows} == {event.id}
    service.sender.wakeup.set.assert_called_once_with()


def test_an_event_delivered_again_records_nothing_new(notify, repo):
    service, _ = notify
    event = case_opened()
    service.on_case_opened(event)
    service.on_case_opened(event)  # a redelivery: the inbox drops it, the sender is not woken again
    assert len(repo.deliveries) == 2
    service.sender.wakeup.set.assert_called_once_with()


def test_recording_the_same_event_twice_is_refused_by_the_once_per_recipient_rule(config, repo):
    database = FakeDatabase(repo)
    event = case_opened()
    with database.transaction() as uow:
        usecases.record(uow, event, config)
    with pytest.raises(DuplicateDelivery), database.transaction() as uow:
        usecases.record(uow, event, config)
    assert len(repo.deliveries) == 2


def test_the_daily_summary_is_claimed_once_and_counts_the_days_dead_deliveries(config, repo):
    database = FakeDatabase(repo)
    database.reading = mock.MagicMock()  # the use case reads through service_db.repository(session)
    database.repository = lambda session: repo
    yesterday = datetime.datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    with database.transaction() as uow:
        usecases.record(uow, case_opened(), config)
    for row in repo.deliveries.values():
        row.status, row.updated_at, row.last_error = "dead", yesterday, "550 mailbox unavailable\nmore"
    now = datetime.datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 in Bangkok, after the 08:00 default
    assert usecases.run_daily_summary(database, config, "instance-a", now) == "2 failures, 1 deliveries"
    assert usecases.run_daily_summary(database, config, "instance-b", now) is None
    (summary,) = [d for d in repo.deliveries.values() if d.recipient_kind == "operator"]
    assert summary.event_id == "daily:2026-11-30" and summary.template == "operator_daily_failures"
