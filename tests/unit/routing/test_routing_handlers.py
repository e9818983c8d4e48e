"""Routing's handlers without a database: the nameko shell over a fake unit of work and an in-memory repository,
and the real rule engine (plain Python)."""
from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from nameko.testing.services import worker_factory

from services.routing.domain.rules import load_engine
from services.routing.service import Service
from services.routing.usecases.decisions import history_of
from shared.clock import utcnow
from shared.events import new_event
from tests.support.fakes import FakeDatabase
from tests.support.fakes_routing import InMemoryRoutingRepository


@pytest.fixture(scope="module")
def engine():
    return load_engine()


@pytest.fixture
def repo():
    return InMemoryRoutingRepository()


@pytest.fixture
def routing(engine, repo):
    database = FakeDatabase(repo)
    service = worker_factory(Service, db=database, jurisdiction=engine, duplicates=mock.Mock(),
                             config={"SODSONG": {"routing": {"max_transfers": 1}}})
    return service, database


def tip_received(reference="SS-UNIT-0001", **accused):
    return new_event("tip.received", {
        "reference": reference, "tipster_id": "tp_1", "channel": "web", "language": "th",
        "category": "bribery", "description": "เจ้าหน้าที่เรียกรับเงิน 5,000 บาท", "event_date": date(2026, 10, 1),
        "location": {"province_code": "23"},
        "accused": {"official_type": "state_official", **accused},
        "submitted_at": utcnow(), "volunteer_id": None,
    }, correlation_id=reference)


def transfer_requested(reference, from_office, suggested):
    return new_event("case.transfer_requested", {
        "reference": reference, "case_id": "c-1", "from_office": from_office, "mode": "transfer",
        "reason": "ไม่ใช่อำนาจหน้าที่", "suggested_office": suggested, "hop": 1, "requested_by": "u-1",
        "requested_at": utcnow(),
    }, correlation_id=reference)


def test_a_received_tip_is_routed_to_the_competent_office(routing, repo):
    service, database = routing
    event = tip_received()
    service.on_tip_received(event)
    (routed,) = database.uow.emitted("tip.routed")
    assert routed.payload["agency"]["code"] == "PACC-R2" and routed.payload["triage"] is False
    assert (routed.payload["hop"], routed.payload["kind"], routed.causation_id) == (0, "automatic", event.id)
    assert repo.tip("SS-UNIT-0001").current_agency == "PACC-R2"
    assert [h["agency"] for h in history_of(repo, "SS-UNIT-0001")] == ["PACC-R2"]
    service.duplicates.check.assert_called_once_with("SS-UNIT-0001", causation=event)


def test_the_same_event_twice_and_the_same_tip_again_route_it_once(routing, repo):
    service, database = routing
    event = tip_received()
    service.on_tip_received(event)
    service.on_tip_received(event)  # a redelivery: the inbox
    service.on_tip_received(new_event("tip.received", dict(event.payload), event.correlation_id))  # announced again
    assert len(database.uow.emitted("tip.routed")) == 1 and len(repo.decided) == 1


def test_an_accused_who_works_in_the_competent_office_goes_to_its_overseer(routing):
    service, database = routing
    service.on_tip_received(tip_received(position="นิติกร", organization="สำนักงาน ป.ป.ท. เขต 2"))
    (routed,) = database.uow.emitted("tip.routed")
    assert routed.payload["agency"]["code"] == "NACC-23"
    assert routed.payload["rule"] == "r5-pacc-excluded-officials"


def test_a_transfer_moves_the_tip_and_one_more_is_refused_at_the_limit(routing, repo):
    service, database = routing  # max_transfers: 1
    service.on_tip_received(tip_received())
    service.on_transfer_requested(transfer_requested("SS-UNIT-0001", "PACC-R2", "NACC-23"))
    moved = database.uow.emitted("tip.routed")[-1]
    assert (moved.payload["agency"]["code"], moved.payload["hop"], moved.payload["previous_office"]) == \
        ("NACC-23", 1, "PACC-R2")
    assert repo.tip("SS-UNIT-0001").current_agency == "NACC-23"

    service.on_transfer_requested(transfer_requested("SS-UNIT-0001", "NACC-23", "PACC-R2"))
    (refused,) = database.uow.emitted("tip.transfer_refused")
    assert (refused.payload["reason_code"], refused.payload["request"]) == ("hop_limit", "transfer")
    assert [h["agency"] for h in history_of(repo, "SS-UNIT-0001")] == ["PACC-R2", "NACC-23"]


def test_a_transfer_of_a_tip_routing_never_saw_is_refused(routing):
    service, database = routing
    service.on_transfer_requested(transfer_requested("SS-NONE-0001", "PACC-R2", "NACC-23"))
    (refused,) = database.uow.emitted("tip.transfer_refused")
    assert refused.payload["reason_code"] == "unknown_tip"
    assert not database.uow.emitted("tip.routed")
