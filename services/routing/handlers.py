"""Routing's use cases: decide the competent office for a new tip and announce it."""
from __future__ import annotations

import json

from services.routing.models import Decision, RoutedTip
from shared.events import utcnow


def route_new_tip(uow, event, engine) -> None:
    facts = dict(event.payload)
    submitted_at = facts["submitted_at"]
    tip_for_rules = _rules_view(facts)
    decision = engine.decide(tip_for_rules, submitted_at)
    office_code = decision.agency if not decision.triage else decision.coordinator
    office = engine.directory.office(office_code)
    now = utcnow()
    uow.session.add(RoutedTip(
        reference=facts["reference"], province_code=facts["location"]["province_code"],
        facts_json=json.dumps(tip_for_rules, ensure_ascii=False, default=str),
        submitted_at=submitted_at, current_agency=office_code,
    ))
    uow.session.add(Decision(
        reference=facts["reference"], hop=0, kind="automatic", agency_code=office_code,
        triage=decision.triage, rule=decision.rule, rules_version=decision.rules_version,
        reasons_th=decision.reasons["th"], reasons_en=decision.reasons["en"], statute=decision.statute,
        decided_at=now,
    ))
    uow.emit("tip.routed", {
        "reference": facts["reference"],
        "agency": {"code": office.code, "name_th": office.name_th, "name_en": office.name_en},
        "triage": decision.triage,
        "rule": decision.rule,
        "rules_version": decision.rules_version,
        "reasons": decision.reasons,
        "statute": decision.statute,
        "decided_at": now,
        "tip": facts,
    }, correlation_id=event.correlation_id, causation=event)


def _rules_view(facts: dict) -> dict:
    """The tip in the public API's shape, which the rule engine reads."""
    return {
        "category": facts["category"],
        "description": facts["description"],
        "event_date": facts["event_date"].isoformat() if facts.get("event_date") else None,
        "location": dict(facts["location"]),
        "accused": dict(facts["accused"]),
    }
