"""A desk account's own contacts (casework's account.contacts_changed) are where its assignment and deadline notices
go: notify keeps the latest copy, tells the person, and falls back to the office when it has none."""
from __future__ import annotations

import datetime
import uuid
from unittest import mock

import pytest
from nameko.testing.services import worker_factory

from services.notify.service import Service
from shared import config as config_mod
from shared.events import new_event
from tests.support.fakes import FakeDatabase
from tests.support.fakes_notify import InMemoryNotifyRepository

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LINE_ID = "U" + "0123456789abcdef" * 2


@pytest.fixture
def config(tmp_path):
    cfg = config_mod.load(env={"SODSONG_DATA_DIR": str(tmp_path)})
    cfg["notify"]["channels"]["email"] = {"type": "email", "host": "127.0.0.1", "from": "desk@example.org"}
    cfg["notify"]["channels"]["line"] = {"type": "line", "channel_access_token": "x"}
    return cfg


@pytest.fixture
def notify(config):
    repo = InMemoryNotifyRepository()
    return worker_factory(Service, db=FakeDatabase(repo), config={"SODSONG": config}, sender=mock.Mock()), repo


def contacts(user_id, *, role="caseworker", active=True, email="somchai@pacc.go.th", line=LINE_ID, at=NOW):
    return new_event("account.contacts_changed", {
        "user_id": user_id, "office_code": "PACC-R2", "role": role, "active": active, "staff_email": email,
        "staff_line_id": line, "at": at}, f"user:{user_id}")


def assigned(assignee):
    return new_event("case.assigned", {
        "reference": "SS-UNIT-0001", "case_id": str(uuid.uuid4()), "office_code": "PACC-R2", "assignee_id": assignee,
        "caseworker_name": "สมชาย", "category": "bribery", "province_code": "23", "due_by": NOW,
        "assigned_by": "sup", "assigned_at": NOW}, "SS-UNIT-0001")


def breach():
    return new_event("case.deadline_breached", {
        "reference": "SS-UNIT-0001", "case_id": str(uuid.uuid4()), "office_code": "PACC-R2",
        "deadline": "acknowledge", "due_at": NOW, "assignee_id": None, "caseworker_name": None,
        "escalate_to": "supervisor", "raised_at": NOW}, "SS-UNIT-0001")


def told(repo):
    return sorted((r["recipient_kind"], r["channel"], r["address"]) for r in repo.list_rows())


def test_an_assignment_reaches_the_person_on_their_own_contacts(notify):
    service, repo = notify
    service.on_account_contacts(contacts("u1"))
    service.on_case_assigned(assigned("u1"))
    assert told(repo) == [("caseworker", "email", "somchai@pacc.go.th"), ("caseworker", "line", LINE_ID)]


def test_without_contacts_or_once_disabled_the_office_is_told(notify):
    service, repo = notify
    service.on_case_assigned(assigned("u1"))
    assert told(repo) == [("office", "file", "PACC-R2")]
    service.on_account_contacts(contacts("u2", active=False))
    service.on_case_assigned(assigned("u2"))
    assert [k for k, _, _ in told(repo)] == ["office", "office"]


def test_an_older_announcement_does_not_undo_a_newer_one(notify):
    service, repo = notify
    service.on_account_contacts(contacts("u1", email="new@pacc.go.th", line=None))
    service.on_account_contacts(contacts("u1", email="old@pacc.go.th", at=NOW - datetime.timedelta(hours=1)))
    assert repo.staff_contact("u1").email == "new@pacc.go.th" and repo.staff_contact("u1").line_user_id is None


def test_a_breach_reaches_the_offices_supervisors_accounts(notify):
    service, repo = notify
    service.on_account_contacts(contacts("boss", role="supervisor", email="boss@pacc.go.th", line=None))
    service.on_account_contacts(contacts("u1"))
    service.on_case_deadline(breach())
    assert told(repo) == [("supervisor", "email", "boss@pacc.go.th")]


def test_configured_addresses_still_win(notify, config):
    service, repo = notify
    config["notify"]["staff_contacts"] = {"u1": {"email": "configured@pacc.go.th"}}
    service.on_account_contacts(contacts("u1"))
    service.on_case_assigned(assigned("u1"))
    assert told(repo) == [("caseworker", "email", "configured@pacc.go.th")]
