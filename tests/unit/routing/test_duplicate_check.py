"""Routing's duplicate check without a database: the use case over the in-memory repository, PyThaiNLP as in
production. Each tip is compared once, after its routing, with the tips routed before it."""
from __future__ import annotations

import contextlib

import pytest

from services.routing.domain.rules import load_engine
from services.routing.usecases import decisions
from services.routing.usecases.duplicate_watch import DuplicateWatch
from shared.clock import utcnow
from shared.events import new_event
from tests.support.fakes import FakeDatabase
from tests.support.fakes_routing import InMemoryRoutingRepository

ACCUSED = {"official_type": "local_executive", "name": "นายสมชาย ใจดี", "organization": "อบต.เกาะช้าง"}
SAME_MATTER = ("นายก อบต.เกาะช้าง เรียกรับเงินจากผู้รับเหมาโครงการก่อสร้างถนนคอนกรีต 50,000 บาท เพื่อให้ได้งาน",
               "ผู้รับเหมาถูกนายกองค์การบริหารส่วนตำบลเกาะช้างเรียกเงิน 50000 บาท แลกกับการได้งานสร้างถนนคอนกรีตในหมู่บ้าน")
OTHER_MATTER = "เจ้าหน้าที่ อบต.เกาะช้าง เบิกค่าเดินทางไปราชการเป็นเท็จหลายครั้งในปีงบประมาณนี้"


class _Database(FakeDatabase):
    @contextlib.contextmanager
    def reading(self):
        yield None  # the in-memory repository needs no session


@pytest.fixture(scope="module")
def engine():
    return load_engine()


@pytest.fixture
def world(engine):
    repo = InMemoryRoutingRepository()
    database = _Database(repo)
    return database, DuplicateWatch(database, lambda _session: repo), engine


def route(world, reference, text):
    database, _, engine = world
    event = new_event("tip.received", {
        "reference": reference, "tipster_id": "tp_x", "channel": "web", "language": "th", "category": "bribery",
        "description": text, "event_date": None, "location": {"province_code": "23"}, "accused": ACCUSED,
        "submitted_at": utcnow(), "volunteer_id": None}, correlation_id=reference)
    database.consume(event, lambda uow, ev: decisions.route_new_tip(uow, ev, engine))


def test_a_tip_about_the_same_matter_names_the_earlier_one_once(world):
    database, watch, _ = world
    route(world, "SS-AAAA-0001", SAME_MATTER[0])
    assert watch.check("SS-AAAA-0001") == []
    route(world, "SS-BBBB-0002", SAME_MATTER[1])
    (found,) = watch.check("SS-BBBB-0002")
    assert found["reference"] == "SS-AAAA-0001" and "same_organization" in found["signals"]
    assert found["reasons"]["th"] and found["reasons"]["en"]
    assert watch.check("SS-BBBB-0002") is None  # once per tip
    (announced,) = database.uow.emitted("tip.duplicates_found")
    assert announced.payload["reference"] == "SS-BBBB-0002"


def test_another_matter_is_no_candidate_and_a_missed_check_is_swept(world):
    database, watch, _ = world
    route(world, "SS-AAAA-0001", SAME_MATTER[0])
    route(world, "SS-CCCC-0003", OTHER_MATTER)
    assert watch.sweep() == 2  # neither was checked: their instance stopped between routing and checking
    assert not database.uow.emitted("tip.duplicates_found")
    assert watch.sweep() == 0
