"""Two routing instances' duplicate indexes over one database (SQLite, and PostgreSQL): each sees the tips the
other routed, a check runs once per tip, and an instance that starts later catches up on unchecked tips."""
from __future__ import annotations

import json
from contextlib import ExitStack
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from services.routing.domain.duplicates import candidate_reasons
from services.routing.models import RoutedTip
from services.routing.repository import RoutingRepository
from services.routing.usecases import decisions as handlers
from services.routing.usecases.duplicate_watch import DuplicateWatch
from shared.clock import utcnow
from shared.events import new_event
from sodsong import registry
from tests.support.inprocess import db, environment

ACCUSED = {"official_type": "local_executive", "name": "นายสมชาย ใจดี", "organization": "อบต.เกาะช้าง"}
TEXTS = [
    "นายก อบต.เกาะช้าง เรียกรับเงินจากผู้รับเหมาโครงการก่อสร้างถนนคอนกรีต 50,000 บาท เพื่อให้ได้งาน",
    "ผู้รับเหมาถูกนายกองค์การบริหารส่วนตำบลเกาะช้างเรียกเงิน 50000 บาท แลกกับการได้งานสร้างถนนคอนกรีตในหมู่บ้าน",
    "นายก อบต. เกาะช้าง เรียกเงิน 50,000 บาท จากผู้รับเหมาสร้างถนนคอนกรีต ถ้าไม่จ่ายจะไม่ได้งาน",
    "ผู้รับเหมาสร้างถนนคอนกรีตต้องจ่ายเงิน 50000 บาท ให้นายก อบต.เกาะช้าง จึงจะได้งาน",
]


def _received(ref, text):
    return new_event("tip.received", {
        "reference": ref, "tipster_id": "tp_x", "channel": "web", "language": "th", "category": "bribery",
        "description": text, "event_date": None, "amount_thb": None, "location": {"province_code": "23"},
        "accused": ACCUSED, "submitted_at": utcnow(), "volunteer_id": None,
    }, correlation_id=ref)


def route(routing_db, engine, ref, text):
    event = _received(ref, text)
    with routing_db.transaction() as uow:
        handlers.route_new_tip(uow, event, engine)
    return event


def announced(routing_db, ref):
    outbox = routing_db.tables.outbox
    with routing_db.reading() as s:
        return [json.loads(b)["payload"] for b in s.execute(select(outbox.c.body).where(
            outbox.c.correlation_id == ref, outbox.c.event_type == "tip.duplicates_found")).scalars()]


def test_two_instances_see_each_others_tips_and_check_each_tip_once(routing_db, engine):
    a, b = DuplicateWatch(routing_db, RoutingRepository), DuplicateWatch(routing_db, RoutingRepository)
    a.ensure_loaded()
    b.ensure_loaded()

    route(routing_db, engine, "SS-AAAA-0001", TEXTS[0])  # routed by instance A
    assert a.check("SS-AAAA-0001") == []
    route(routing_db, engine, "SS-BBBB-0002", TEXTS[1])  # routed by instance B, which never indexed the first
    found = b.check("SS-BBBB-0002")
    assert [c["reference"] for c in found] == ["SS-AAAA-0001"]
    assert b.check("SS-BBBB-0002") is None and a.check("SS-BBBB-0002") is None  # once per tip
    assert len(announced(routing_db, "SS-BBBB-0002")) == 1

    # two tips routed at the same moment on the two instances, then checked: each sees the other
    route(routing_db, engine, "SS-AAAA-0003", TEXTS[2])
    route(routing_db, engine, "SS-BBBB-0004", TEXTS[3])
    assert "SS-BBBB-0004" in [c["reference"] for c in a.check("SS-AAAA-0003")]
    assert "SS-AAAA-0003" in [c["reference"] for c in b.check("SS-BBBB-0004")]
    assert len(a) == len(b) == 4


def test_an_instance_starting_later_builds_from_stored_words_and_checks_what_was_missed(routing_db, engine):
    route(routing_db, engine, "SS-AAAA-0001", TEXTS[0])
    DuplicateWatch(routing_db, RoutingRepository).check("SS-AAAA-0001")
    route(routing_db, engine, "SS-AAAA-0002", TEXTS[1])  # its instance stopped before checking it
    with routing_db.reading() as s:
        row = s.get(RoutedTip, "SS-AAAA-0002")
        assert row.duplicates_checked_at is None and json.loads(row.matter_words)
    later = DuplicateWatch(routing_db, RoutingRepository)
    later.ensure_loaded()
    assert len(later) == 2
    assert later.sweep() == 1
    (found,) = announced(routing_db, "SS-AAAA-0002")
    assert [c["reference"] for c in found["candidates"]] == ["SS-AAAA-0001"]
    assert later.sweep() == 0


def test_rows_older_than_the_window_are_not_loaded(routing_db, engine):
    route(routing_db, engine, "SS-OLDD-0001", TEXTS[0])
    with routing_db.transaction() as uow:
        uow.session.execute(update(RoutedTip).values(submitted_at=utcnow() - timedelta(days=400)))
    watch = DuplicateWatch(routing_db, RoutingRepository)
    watch.ensure_loaded()
    assert len(watch) == 0


def test_candidate_reasons_in_both_languages():
    reasons = candidate_reasons(("same_province", "same_organization", "similar_text", "within_180_days"), 0.5)
    assert reasons["th"] == "จังหวัดเดียวกัน, หน่วยงานของผู้ถูกกล่าวหาตรงกัน, เนื้อหาคล้ายกัน (คะแนน 0.50), " \
                            "แจ้งห่างกันไม่เกิน 180 วัน"
    assert reasons["en"] == "same province, same organisation of the accused, similar description (score 0.50), " \
                            "submitted within 180 days of each other"


# -- PostgreSQL: a refresh reads only the rows of transactions unfinished at the previous read -----------------------

@pytest.fixture
def pg_routing_db(tmp_path):
    with environment("rabbitmq", tmp_path) as cfg:
        registry.migrate("routing", cfg["routing"]["db_url"])
        yield db(cfg, "routing")


def _count_reads(monkeypatch):
    reads = []
    real = RoutingRepository.references_written_since

    def counted(self, xmin):
        found, mark = real(self, xmin)
        reads.append(len(found))
        return found, mark
    monkeypatch.setattr(RoutingRepository, "references_written_since", counted)
    return reads


def test_a_refresh_does_not_read_again_the_rows_it_has_seen(pg_routing_db, engine, monkeypatch):
    watch = DuplicateWatch(pg_routing_db, RoutingRepository)
    watch.ensure_loaded()
    reads = _count_reads(monkeypatch)
    for i in range(12):
        route(pg_routing_db, engine, f"SS-MANY-{i:04d}", TEXTS[i % 4])
        watch.check(f"SS-MANY-{i:04d}")
    # each refresh reads about the one tip routed since the last (a time window would read every earlier one again:
    # 1 + 2 + … + 12 = 78 rows); a transaction running elsewhere on the server meanwhile holds the mark back and
    # may add a few
    assert len(reads) == 12 and sum(reads) <= 36 and reads[-1] <= 6, reads
    with pg_routing_db.reading() as s:
        assert None not in s.execute(select(RoutedTip.recorded_xid)).scalars().all()  # the server fills it in


def test_a_tip_committed_after_a_refresh_began_is_read_by_the_next(pg_routing_db, engine):
    watch = DuplicateWatch(pg_routing_db, RoutingRepository)
    watch.ensure_loaded()
    other_instance = ExitStack()
    uow = other_instance.enter_context(pg_routing_db.transaction())  # another instance routes a tip, slowly
    handlers.route_new_tip(uow, _received("SS-SLOW-0001", TEXTS[0]), engine)
    route(pg_routing_db, engine, "SS-FAST-0002", TEXTS[1])
    assert watch.check("SS-FAST-0002") == []  # the slow tip is not committed yet: not visible
    other_instance.close()  # now it is
    route(pg_routing_db, engine, "SS-LATE-0003", TEXTS[2])
    found = [c["reference"] for c in watch.check("SS-LATE-0003")]
    assert "SS-SLOW-0001" in found and "SS-FAST-0002" in found
    assert len(watch) == 3
