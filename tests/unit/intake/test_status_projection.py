"""The tipster's status follows the case: the headline is the case's state at the highest case version heard,
whatever order the events arrive in, and the timeline is short and human (no repeats, no refused hand-overs)."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.casework.domain.lifecycle import tipster_label
from services.intake import crypto
from services.intake.usecases import projection
from services.intake.models import Base, TimelineEntry, Tip
from services.intake.repository import IntakeRepository
from shared.events import new_event

T0 = datetime(2026, 11, 3, 2, 0, tzinfo=timezone.utc)
PACC = {"code": "PACC-R2", "name_th": "สำนักงาน ป.ป.ท. เขต 2", "name_en": "PACC Region 2"}
NACC = {"code": "NACC-23", "name_th": "สำนักงาน ป.ป.ช. ประจำจังหวัดตราด", "name_en": "NACC Trat"}
DAMRONG = {"code": "DAMRONGTHAM-23", "name_th": "ศูนย์ดำรงธรรมจังหวัดตราด", "name_en": "Damrongtham Centre Trat"}
REF = "SS-PROJ-0001"
KEYRING = crypto.from_settings({"current": "a", "keys": {"a": base64.b64encode(b"\x07" * 32).decode()}})


def _facts(agency):
    return {"reference": REF, "tipster_id": "tp_x", "channel": "web", "language": "th", "category": "bribery",
            "description": "เจ้าหน้าที่เรียกรับเงิน", "location": {"province_code": "23"},
            "accused": {"official_type": "local_executive"}, "submitted_at": T0}


def routed(minute, agency, hop, triage=False):
    return new_event("tip.routed", {
        "reference": REF, "agency": agency, "triage": triage, "rule": "r", "rules_version": "v",
        "reasons": {"th": "เหตุผล", "en": "reason"}, "decided_at": T0 + timedelta(minutes=minute),
        "tip": _facts(agency), "hop": hop, "kind": "automatic" if hop == 0 else "transfer"}, correlation_id=REF)


def opened(minute, agency, version, triage=False):
    at = T0 + timedelta(minutes=minute)
    return new_event("case.opened", {
        "reference": REF, "case_id": "c1", "office": agency, "category": "bribery", "province_code": "23",
        "status": "received", "acknowledge_due": at, "feedback_due": at, "opened_at": at, "triage": triage,
        "case_version": version}, correlation_id=REF)


def changed(minute, office, source, to, version, resolution=None, why=None):
    closure = None
    if to == "closed":
        closure = {"resolution": resolution, "resolution_label": {"th": "ไม่มีมูล", "en": "unsubstantiated"},
                   "reason_th": why, "reason_en": None}
    return new_event("case.status_changed", {
        "reference": REF, "case_id": "c1", "office_code": office["code"], "from_status": source, "to_status": to,
        "tipster_label": tipster_label(to, resolution), "changed_at": T0 + timedelta(minutes=minute),
        "case_version": version, "closure": closure, "office": office}, correlation_id=REF)


# A case's whole life, in the order casework lived it: opened at PACC-R2, acknowledged, a transfer routing
# refused, a transfer to NACC that was accepted (re-opened there), worked, closed, reopened, closed again.
LIFE = [
    routed(1, PACC, 0),
    opened(2, PACC, 1),
    changed(3, PACC, "received", "acknowledged", 2),
    changed(4, PACC, "acknowledged", "transferred", 3),
    changed(5, PACC, "transferred", "acknowledged", 4),       # refused by routing
    changed(6, PACC, "acknowledged", "transferred", 5),
    routed(7, NACC, 1),
    changed(8, NACC, "transferred", "received", 6),
    opened(8, NACC, 7),
    changed(9, NACC, "received", "acknowledged", 8),
    changed(10, NACC, "acknowledged", "under_review", 9),
    changed(11, NACC, "under_review", "closed", 10, "unsubstantiated", "ตรวจแล้วไม่พบหลักฐาน"),
    changed(12, NACC, "closed", "under_review", 11),
    changed(13, NACC, "under_review", "closed", 12, "unsubstantiated", "สอบพยานเพิ่มแล้ว ยังไม่พบการเรียกรับเงิน"),
]


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s


def _new_tip(session) -> Tip:
    tip = Tip(id="t1", reference=REF, receipt_locator="abcd", receipt_hash="h", tipster_id="tp_x", channel="web",
              language="th", category="bribery", province_code="23", facts_json="{}", submitted_at=T0,
              status="submitted", status_rank=0, updated_at=T0, case_version=0)
    session.add(tip)
    session.add(TimelineEntry(tip_id="t1", source_event_id="submitted", status="submitted", label_th="ได้รับ",
                              label_en="Received", at=T0))
    session.flush()
    return tip


def _deliver(session, events):
    uow = SimpleNamespace(session=session, repo=IntakeRepository(session))
    handlers = {"tip.routed": projection.on_tip_routed, "case.opened": projection.on_case_opened,
                "case.status_changed": lambda u, e: projection.on_case_status_changed(u, e, keyring=KEYRING)}
    seen = set()
    for event in events:
        if event.id in seen:
            continue  # the inbox: one event is applied once
        seen.add(event.id)
        handlers[event.type](uow, event)
        session.flush()


def _view(session, tip):
    return projection.status_view(IntakeRepository(session), tip, KEYRING)


def test_the_headline_follows_the_case_through_transfers_refusals_and_reopening(session):
    tip = _new_tip(session)
    expect = {1: "routed", 2: "received", 3: "acknowledged", 4: "transferred", 5: "acknowledged",
              6: "transferred", 7: "transferred", 8: "received", 9: "received", 10: "acknowledged",
              11: "under_review", 12: "closed", 13: "under_review", 14: "closed"}
    for n, event in enumerate(LIFE, start=1):
        _deliver(session, [event])
        assert tip.status == expect[n], (n, event.type)
    view = _view(session, tip)
    assert view["agency"]["code"] == "NACC-23"
    assert view["closure"] == {"resolution": "unsubstantiated",
                               "resolution_label": {"th": "ไม่มีมูล", "en": "unsubstantiated"},
                               "reason": {"th": "สอบพยานเพิ่มแล้ว ยังไม่พบการเรียกรับเงิน", "en": None}}


def test_the_timeline_is_short_and_human(session):
    tip = _new_tip(session)
    _deliver(session, LIFE)
    lines = _view(session, tip)["timeline"]
    assert [line["status"] for line in lines] == [
        "submitted", "routed", "received", "acknowledged", "transferred", "received", "acknowledged",
        "under_review", "closed", "under_review", "closed"]
    # each "received" says which office received it; the refused transfer left no line
    received = [line["label"]["th"] for line in lines if line["status"] == "received"]
    assert received == ["สำนักงาน ป.ป.ท. เขต 2 ได้รับเรื่องของท่านแล้ว",
                        "สำนักงาน ป.ป.ช. ประจำจังหวัดตราด ได้รับเรื่องของท่านแล้ว"]


def test_questions_are_lines_of_their_own_and_do_not_hide_a_repeat(session):
    tip = _new_tip(session)
    _deliver(session, LIFE[:3])
    for n in (1, 2):
        question = new_event("case.question_asked", {
            "reference": REF, "case_id": "c1", "office_code": "PACC-R2", "question_id": f"q{n}",
            "text": f"คำถามข้อที่ {n}", "asked_at": T0 + timedelta(minutes=3, seconds=n)}, correlation_id=REF)
        uow = SimpleNamespace(session=session, repo=IntakeRepository(session))
        projection.on_question_asked(uow, question, KEYRING)
    _deliver(session, LIFE[3:5])  # a transfer routing refused: back to "acknowledged"
    statuses = [line["status"] for line in _view(session, tip)["timeline"]]
    assert statuses == ["submitted", "routed", "received", "acknowledged", "question", "question"]


def test_a_reopened_case_shows_no_closure_and_a_late_closing_event_changes_nothing(session):
    tip = _new_tip(session)
    _deliver(session, LIFE[:13])  # ... closed, then reopened
    assert tip.status == "under_review" and _view(session, tip)["closure"] is None
    late = changed(11, NACC, "under_review", "closed", 10, "unsubstantiated", "ตรวจแล้วไม่พบหลักฐาน")
    _deliver(session, [late])  # the first closing again (a redelivery under a new id)
    assert tip.status == "under_review" and _view(session, tip)["closure"] is None


def test_triage_kept_at_the_coordinating_office_shows_no_transfer(session):
    tip = _new_tip(session)
    _deliver(session, [routed(1, DAMRONG, 0, triage=True), opened(2, DAMRONG, 1, triage=True),
                       changed(3, DAMRONG, "received", "transferred", 2), routed(4, DAMRONG, 1),
                       changed(5, DAMRONG, "transferred", "received", 3), opened(5, DAMRONG, 4)])
    view = _view(session, tip)
    assert view["status"] == "received" and view["agency"]["code"] == "DAMRONGTHAM-23"
    assert [line["status"] for line in view["timeline"]] == ["submitted", "triage", "received"]


ENGINE = create_engine("sqlite://")
Base.metadata.create_all(ENGINE)


@settings(max_examples=60, deadline=None)
@given(order=st.permutations(range(len(LIFE))), repeats=st.lists(st.integers(0, len(LIFE) - 1), max_size=4))
def test_any_delivery_order_ends_at_the_case_state(order, repeats):
    """Out of order, with redeliveries: the headline, the office and the closure end where the case is."""
    with Session(ENGINE) as session:
        tip = _new_tip(session)
        events = [LIFE[i] for i in order] + [LIFE[i] for i in repeats]
        _deliver(session, events)
        view = _view(session, tip)
        assert view["status"] == "closed" and tip.case_version == 12
        assert view["agency"]["code"] == "NACC-23"
        assert view["closure"]["reason"]["th"] == "สอบพยานเพิ่มแล้ว ยังไม่พบการเรียกรับเงิน"
        statuses = [line["status"] for line in view["timeline"]]
        assert statuses == ["submitted", "routed", "received", "acknowledged", "transferred", "received",
                            "acknowledged", "under_review", "closed", "under_review", "closed"]
        session.rollback()  # the next example starts from an empty database


@pytest.mark.parametrize("order", ["as_lived", "reversed"])
def test_the_public_statistics_moments_whatever_order_the_events_come_in(session, order):
    """First acknowledged (at PACC-R2, minute 3) and closed (the last closing, minute 13), also when late events
    arrive after newer ones."""
    tip = _new_tip(session)
    _deliver(session, LIFE if order == "as_lived" else list(reversed(LIFE)))
    assert tip.acknowledged_at.replace(tzinfo=timezone.utc) == T0 + timedelta(minutes=3)
    assert tip.closed_at.replace(tzinfo=timezone.utc) == T0 + timedelta(minutes=13)


def test_reopening_clears_the_closing_moment(session):
    tip = _new_tip(session)
    _deliver(session, LIFE[:-1])  # closed at minute 11, then reopened at minute 12
    assert tip.status == "under_review" and tip.closed_at is None
