"""Casework's use cases that react to events."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from services.casework.deadlines import due_dates
from services.casework.models import Case, CaseEvent
from shared.events import utcnow


def open_case(uow, event, deadlines: dict) -> None:
    p = event.payload
    tip = p["tip"]
    now = utcnow()
    ack_due, feedback_due = due_dates(now, int(deadlines.get("acknowledge_days", 7)),
                                      int(deadlines.get("feedback_months", 3)))
    case = Case(
        id=str(uuid.uuid4()), reference=p["reference"], office_code=p["agency"]["code"],
        office_name_th=p["agency"]["name_th"], office_name_en=p["agency"]["name_en"], triage=p["triage"],
        status="received", category=tip["category"], province_code=tip["location"]["province_code"],
        facts_json=json.dumps(_facts(tip), ensure_ascii=False, default=str),
        routing_rule=p["rule"], routing_reasons_json=json.dumps(p["reasons"], ensure_ascii=False),
        opened_at=now, acknowledge_due=ack_due, feedback_due=feedback_due, updated_at=now,
    )
    uow.session.add(case)
    uow.session.add(CaseEvent(case_id=case.id, kind="opened", actor="system", at=now, detail_json=json.dumps(
        {"office": p["agency"]["code"], "rule": p["rule"], "triage": p["triage"]})))
    uow.emit("case.opened", {
        "reference": p["reference"], "case_id": case.id, "office": p["agency"], "category": case.category,
        "province_code": case.province_code, "status": case.status, "acknowledge_due": ack_due,
        "feedback_due": feedback_due, "opened_at": now,
    }, correlation_id=event.correlation_id, causation=event)


def _facts(tip: dict) -> dict:
    keep = ("tipster_id", "channel", "language", "category", "description", "event_date", "amount_thb",
            "location", "accused", "submitted_at", "volunteer_id")
    return {k: tip.get(k) for k in keep}


def inbox(session, office_code: str, status: str | None = None) -> list[Case]:
    query = select(Case).where(Case.office_code == office_code).order_by(Case.opened_at)
    if status:
        query = query.where(Case.status == status)
    return list(session.execute(query).scalars())
