"""Routing's handlers straight against its database (SQLite, and PostgreSQL): what a new tip stores, and moving
a tip routed before routing_0002 (whose row kept only the facts the rules read)."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from services.routing.models import Decision, RoutedTip
from services.routing.repository import RoutingRepository
from services.routing.usecases import decisions as handlers
from shared.clock import utcnow
from shared.events import new_event


def outbox(routing_db, event_type):
    table = routing_db.tables.outbox
    with routing_db.reading() as s:
        return [json.loads(body)["payload"] for body in s.execute(
            select(table.c.body).where(table.c.event_type == event_type).order_by(table.c.seq)).scalars()]


def test_a_new_tip_keeps_its_facts_words_and_first_decision(routing_db, engine):
    event = new_event("tip.received", {
        "reference": "SS-NEW0-0001", "tipster_id": "tp_1", "channel": "line", "language": "en",
        "category": "bribery", "description": "เจ้าหน้าที่เรียกรับเงิน 5,000 บาท", "event_date": date(2026, 10, 1),
        "amount_thb": "5000.50", "location": {"province_code": "23"}, "accused": {"official_type": "state_official"},
        "submitted_at": utcnow(), "volunteer_id": None,
    }, correlation_id="SS-NEW0-0001")
    with routing_db.transaction() as uow:
        handlers.route_new_tip(uow, event, engine)
    with routing_db.transaction() as uow:  # the same tip announced again under another event id: no effect
        handlers.route_new_tip(uow, new_event("tip.received", dict(event.payload), "SS-NEW0-0001"), engine)
    with routing_db.reading() as s:
        row = s.get(RoutedTip, "SS-NEW0-0001")
        facts = json.loads(row.facts_json)
        assert (facts["tipster_id"], facts["channel"], facts["amount_thb"], facts["event_date"]) == \
            ("tp_1", "line", "5000.50", "2026-10-01")
        assert {"5000", "บาท"} <= set(json.loads(row.matter_words))
        assert row.recorded_at is not None and row.duplicates_checked_at is None
        (decision,) = s.execute(select(Decision)).scalars().all()
        assert (decision.hop, decision.kind, decision.agency_code, decision.source_event_id) == \
            (0, "automatic", "PACC-R2", event.id)
    (routed,) = outbox(routing_db, "tip.routed")
    assert (routed["hop"], routed["kind"], routed["previous_office"]) == (0, "automatic", None)


def test_a_tip_routed_before_the_upgrade_can_still_be_transferred(routing_db, engine):
    now = utcnow()
    legacy_facts = {"category": "bribery", "description": "เรียกรับเงิน", "event_date": None,
                    "location": {"province_code": "23", "district_code": None, "subdistrict_code": None,
                                 "place": None},
                    "accused": {"official_type": "state_official", "name": None, "position": None,
                                "organization": None}}
    with routing_db.transaction() as uow:
        uow.session.add(RoutedTip(reference="SS-OLD0-0001", province_code="23",
                                  facts_json=json.dumps(legacy_facts), submitted_at=now, current_agency="PACC-R2",
                                  recorded_at=now, duplicates_checked_at=now))
        uow.session.add(Decision(reference="SS-OLD0-0001", hop=0, kind="automatic", agency_code="PACC-R2",
                                 triage=False, rule="r9", rules_version="2026.11-1", reasons_th="ก",
                                 reasons_en="a", statute=None, decided_at=now))
    request = new_event("case.transfer_requested", {
        "reference": "SS-OLD0-0001", "case_id": "c-1", "from_office": "PACC-R2", "mode": "transfer",
        "reason": "ไม่ใช่อำนาจ", "suggested_office": "NACC-23", "hop": 1, "requested_by": "u-1",
        "requested_at": now}, correlation_id="SS-OLD0-0001")
    assert request.payload["supervisor_override"] is False  # the field casework may leave out
    with routing_db.transaction() as uow:
        handlers.transfer(uow, request, engine)
    (routed,) = outbox(routing_db, "tip.routed")
    assert routed["agency"]["code"] == "NACC-23" and routed["tip"]["reference"] == "SS-OLD0-0001"
    assert routed["tip"]["tipster_id"] == "unknown" and routed["tip"]["category"] == "bribery"
    with routing_db.reading() as s:
        assert s.get(RoutedTip, "SS-OLD0-0001").current_agency == "NACC-23"
        history = handlers.history_of(RoutingRepository(s), "SS-OLD0-0001")
        assert [h["agency"] for h in history] == ["PACC-R2", "NACC-23"]


def test_a_request_about_a_tip_routing_never_saw_is_refused(routing_db, engine):
    request = new_event("case.triage_decided", {
        "reference": "SS-NONE-0001", "case_id": "c-9", "office_code": "PACC-R2", "decided_agency": "NACC-23",
        "reason": "x", "decided_by": "u-1", "decided_at": utcnow()}, correlation_id="SS-NONE-0001")
    with routing_db.transaction() as uow:
        handlers.record_triage_decision(uow, request, engine)
    (refused,) = outbox(routing_db, "tip.transfer_refused")
    assert (refused["reason_code"], refused["request"], refused["from_office"], refused["suggested_agency"]) == \
        ("unknown_tip", "triage_decision", "PACC-R2", "NACC-23")
