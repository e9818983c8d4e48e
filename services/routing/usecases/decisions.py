"""Routing's decisions about a tip: the competent office for a new tip, a triage officer's decision, a tip an
office hands on — each recorded through the repository (`uow.repo`) and announced (`tip.routed`), or refused
(`tip.transfer_refused`)."""
from __future__ import annotations

import json
from datetime import datetime

from services.routing.domain.duplicates import words_json
from services.routing.domain.transfers import MAX_TRANSFERS, Move, Refusal, Stop, plan_transfer, plan_triage_decision
from shared.clock import aware_utc, utcnow
from shared.events import TipFacts
from shared.logging import get_logger

log = get_logger(__name__)
_TIP_FACTS = TipFacts()  # made once: a schema holds no state between calls


def route_new_tip(uow, event, engine) -> None:
    facts = dict(event.payload)
    reference = facts["reference"]
    submitted_at = facts["submitted_at"]
    tip_for_rules = rules_view(facts)
    decision = engine.decide(tip_for_rules, submitted_at)
    office_code = decision.agency if not decision.triage else decision.coordinator
    office = engine.directory.office(office_code)
    now = utcnow()
    if not uow.repo.add_tip(
        reference=reference, province_code=facts["location"]["province_code"],
        facts_json=json.dumps(_TIP_FACTS.dump(facts), ensure_ascii=False),
        submitted_at=submitted_at, current_agency=office_code, matter_words=words_json(tip_for_rules),
        recorded_at=now,
    ):
        # the same tip announced again under another event id: it has its decision already
        log.info("routing.tip_already_routed")
        return
    uow.repo.add_decision(
        reference=reference, hop=0, kind="automatic", agency_code=office_code,
        triage=decision.triage, rule=decision.rule, rules_version=decision.rules_version,
        reasons_th=decision.reasons["th"], reasons_en=decision.reasons["en"], statute=decision.statute,
        decided_at=now, source_event_id=event.id,
    )
    uow.emit("tip.routed", {
        "reference": reference,
        "agency": {"code": office.code, "name_th": office.name_th, "name_en": office.name_en},
        "triage": decision.triage,
        "rule": decision.rule,
        "rules_version": decision.rules_version,
        "reasons": decision.reasons,
        "statute": decision.statute,
        "decided_at": now,
        "tip": facts,
        "hop": 0,
        "kind": "automatic",
        "previous_office": None,
    }, correlation_id=event.correlation_id, causation=event)


def record_triage_decision(uow, event, engine) -> None:
    """`case.triage_decided`: the coordinator's triage officer named the competent office."""
    p = event.payload
    tip = uow.repo.locked_tip(p["reference"])
    history = uow.repo.stops(p["reference"]) if tip is not None else []
    plan = plan_triage_decision(engine, history, office_code=p["office_code"], decided=p["decided_agency"],
                                reason=p["reason"], supervisor_override=bool(p.get("supervisor_override")),
                                tip=rules_view(json.loads(tip.facts_json)) if tip is not None else None)
    if isinstance(plan, Refusal):
        _refuse(uow, event, plan, from_office=p["office_code"], suggested=p["decided_agency"],
                request="triage_decision")
        return
    _move(uow, event, engine, tip, history, plan, decided_by=p["decided_by"], reason=p["reason"])


def transfer(uow, event, engine, max_transfers: int = MAX_TRANSFERS) -> None:
    """`case.transfer_requested`: an office is not competent (or refers the tip on); move it or say why not."""
    p = event.payload
    tip = uow.repo.locked_tip(p["reference"])
    history = uow.repo.stops(p["reference"]) if tip is not None else []
    facts = json.loads(tip.facts_json) if tip is not None else {}
    plan = plan_transfer(engine, history, rules_view(facts) if tip is not None else {},
                         tip.submitted_at if tip is not None else utcnow(),
                         from_office=p["from_office"], suggested=p.get("suggested_office"), reason=p["reason"],
                         mode=p.get("mode") or "transfer",
                         supervisor_override=bool(p.get("supervisor_override")), max_transfers=max_transfers)
    if isinstance(plan, Refusal):
        _refuse(uow, event, plan, from_office=p["from_office"], suggested=p.get("suggested_office"),
                request="transfer")
        return
    _move(uow, event, engine, tip, history, plan, decided_by=p["requested_by"], reason=p["reason"])


def history_of(repo, reference: str) -> list[dict]:
    """Every decision about a tip, in hop order (for operators and tests)."""
    return [{"hop": d.hop, "kind": d.kind, "agency": d.agency_code, "triage": d.triage, "rule": d.rule,
             "previous_agency": d.previous_agency, "decided_by": d.decided_by,
             "supervisor_override": bool(d.supervisor_override), "decided_at": d.decided_at}
            for d in repo.decisions(reference)]


# --- helpers ---------------------------------------------------------------------------------------------------

def _move(uow, event, engine, tip, history: list[Stop], plan: Move, *, decided_by: str,
          reason: str) -> None:
    previous = history[-1]
    hop = previous.hop + 1
    office = engine.directory.office(plan.agency)
    now = utcnow()
    uow.repo.add_decision(
        reference=tip.reference, hop=hop, kind=plan.kind, agency_code=plan.agency, triage=plan.triage,
        rule=plan.rule, rules_version=engine.rules_version, reasons_th=plan.reasons["th"],
        reasons_en=plan.reasons["en"], statute=plan.statute, decided_at=now, previous_agency=previous.agency,
        decided_by=decided_by, request_reason=reason, supervisor_override=plan.override_used,
        source_event_id=event.id,
    )
    tip.current_agency = plan.agency
    uow.emit("tip.routed", {
        "reference": tip.reference,
        "agency": {"code": office.code, "name_th": office.name_th, "name_en": office.name_en},
        "triage": plan.triage,
        "rule": plan.rule,
        "rules_version": engine.rules_version,
        "reasons": plan.reasons,
        "statute": plan.statute,
        "decided_at": now,
        "tip": _announced_facts(tip),
        "hop": hop,
        "kind": plan.kind,
        "previous_office": previous.agency,
    }, correlation_id=event.correlation_id, causation=event)


def _refuse(uow, event, refusal: Refusal, *, from_office: str, suggested: str | None, request: str) -> None:
    p = event.payload
    log.info("routing.request_refused", request=request, reason_code=refusal.code)
    uow.emit("tip.transfer_refused", {
        "reference": p["reference"], "case_id": p["case_id"], "from_office": from_office,
        "suggested_agency": suggested, "reason_code": refusal.code, "reasons": refusal.reasons,
        "request": request, "refused_at": utcnow(),
    }, correlation_id=event.correlation_id, causation=event)


def _announced_facts(tip) -> dict:
    stored = json.loads(tip.facts_json)
    if "tipster_id" not in stored:
        # a row written before routing_0002 kept only what the rules read; the envelope's other required
        # fields get neutral values (no service reads them from a re-routing)
        stored = {**stored, "reference": tip.reference, "tipster_id": "unknown", "channel": "web",
                  "language": "th", "submitted_at": _iso(tip.submitted_at)}
    return _TIP_FACTS.load(stored)


def _iso(moment: datetime) -> str:
    return aware_utc(moment).isoformat()


def rules_view(facts: dict) -> dict:
    """The tip in the public API's shape, which the rule engine reads."""
    event_date = facts.get("event_date")
    return {
        "category": facts["category"],
        "description": facts["description"],
        "event_date": event_date.isoformat() if hasattr(event_date, "isoformat") else event_date,
        "location": dict(facts["location"]),
        "accused": dict(facts["accused"]),
    }
