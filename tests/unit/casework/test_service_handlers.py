"""casework's event entrypoints, run through the nameko shell with a fake database (no broker, no SQL)."""
from __future__ import annotations

import pytest
from nameko.testing.services import worker_factory

from services.casework.service import Service
from shared.clock import utcnow
from shared.events import new_event
from tests.support.fakes import FakeDatabase
from tests.support.fakes_casework import FakeCaseworkRepository, tip_routed


@pytest.fixture
def service():
    db = FakeDatabase(FakeCaseworkRepository())
    return worker_factory(Service, db=db, config={"SODSONG": {"casework": {"deadlines": {"acknowledge_days": 3}}}})


def test_tip_routed_opens_a_case_once(service):
    event = tip_routed("SS-HAND-0001")
    service.on_tip_routed(event)
    service.on_tip_routed(event)  # redelivered
    [opened] = service.db.uow.emitted("case.opened")
    assert opened.payload["case_version"] == 1
    assert (opened.payload["acknowledge_due"] - opened.payload["opened_at"]).days == 3  # the configured deadline


def test_volunteer_registry_keeps_the_newest_word(service):
    def changed(kind, at):
        return new_event(f"volunteer.{kind}", {"volunteer_id": "vol-01", "at": at}, correlation_id="vol-01")

    now = utcnow()
    service.on_volunteer_changed(changed("registered", now))
    service.on_volunteer_changed(changed("disabled", now.replace(year=now.year - 1)))  # older: ignored
    assert service.db.uow.repo.volunteer("vol-01").active is True
