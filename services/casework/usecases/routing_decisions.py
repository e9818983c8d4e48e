"""Casework's use cases that react to events."""
from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from services.casework.usecases import search
from services.casework.usecases.case_reading import change_status
from services.casework.deadlines import due_dates, settings_for
from services.casework.domain.lifecycle import (
    ACKNOWLEDGED, HANDED_OVER, INVESTIGATING, RECEIVED, SYSTEM, UNDER_REVIEW, check,
)
from services.casework.models import Case, CaseEvent, DuplicateCandidate, Handover
from shared.events import utcnow
from shared.logging import get_logger

log = get_logger(__name__)


def open_case(uow, event, deadlines: dict) -> None:
    """`tip.routed`: open the case in the decided office's inbox — or, for a case this office handed over,
    move it to the office routing has now decided on."""
    p = event.payload
    existing = uow.session.execute(select(Case).where(Case.reference == p["reference"])).scalar_one_or_none()
    if existing is not None:
        _reroute(uow, event, existing, deadlines)
        return
    tip = p["tip"]
    now = utcnow()
    limits = settings_for(deadlines, p["agency"]["code"])
    ack_due, feedback_due = due_dates(now, limits["acknowledge_days"], limits["feedback_months"])
    case = Case(
        id=str(uuid.uuid4()), reference=p["reference"], office_code=p["agency"]["code"],
        office_name_th=p["agency"]["name_th"], office_name_en=p["agency"]["name_en"], triage=p["triage"],
        status=RECEIVED, category=tip["category"], province_code=tip["location"]["province_code"],
        facts_json=json.dumps(_facts(tip), ensure_ascii=False, default=str),
        routing_rule=p["rule"], routing_reasons_json=json.dumps(p["reasons"], ensure_ascii=False),
        opened_at=now, acknowledge_due=ack_due, feedback_due=feedback_due, updated_at=now,
        volunteer_id=(str(tip["volunteer_id"])[:80] if tip.get("volunteer_id") else None),
        feedback_extended=False, transfer_count=0, status_changed_at=now, version=0,
    )
    uow.session.add(case)
    uow.session.flush()
    search.index_case(uow.session, case)
    uow.session.add(CaseEvent(case_id=case.id, kind="opened", actor="system", at=now, detail_json=json.dumps(
        {"office": p["agency"]["code"], "rule": p["rule"], "triage": p["triage"]})))
    _announce_opened(uow, event, case, now)


def _reroute(uow, event, case: Case, deadlines: dict) -> None:
    p = event.payload
    if case.status not in HANDED_OVER:
        # a replayed or late decision for a case that is not waiting for one: nothing to move
        log.info("case.routing_decision_ignored", status=case.status)
        return
    now = utcnow()
    previous, previous_status = case.office_code, case.status
    case.office_code = p["agency"]["code"]
    case.office_name_th = p["agency"]["name_th"]
    case.office_name_en = p["agency"]["name_en"]
    case.triage = p["triage"]
    case.routing_rule = p["rule"]
    case.routing_reasons_json = json.dumps(p["reasons"], ensure_ascii=False)
    case.assignee_id = None
    case.acknowledged_at = None
    limits = settings_for(deadlines, case.office_code)
    case.acknowledge_due, _ = due_dates(now, limits["acknowledge_days"], limits["feedback_months"])
    # the feedback deadline is the tipster's: it keeps running from the first opening
    uow.session.add(CaseEvent(case_id=case.id, kind="rerouted", actor="system", at=now, detail_json=json.dumps(
        {"from_office": previous, "to_office": case.office_code, "rule": p["rule"], "triage": p["triage"]})))
    check(previous_status, RECEIVED, SYSTEM, reason="routing")
    change_status(uow, case, RECEIVED, actor=None, actor_label="system", reason="routing", now=now,
                  causation=event, kind="transition")
    pending = _pending_handover(uow.session, case, previous)
    if pending is not None:
        pending.outcome = "accepted" if case.office_code != previous else "kept"
        pending.to_office = case.office_code
        pending.to_office_name_th, pending.to_office_name_en = case.office_name_th, case.office_name_en
        pending.decided_at = now
    _announce_opened(uow, event, case, now)


def _pending_handover(session, case: Case, from_office: str) -> Handover | None:
    return session.execute(select(Handover).where(Handover.case_id == case.id, Handover.from_office == from_office,
                                                  Handover.outcome == "pending")
                           .order_by(Handover.id.desc()).limit(1)).scalar_one_or_none()


def transfer_refused(uow, event) -> None:
    """`tip.transfer_refused`: routing would not move the tip, so the case stays with this office, in the open
    state it was handed over from; the refusal (and routing's reasons) go on the timeline."""
    p = event.payload
    case = uow.session.execute(select(Case).where(Case.reference == p["reference"])).scalar_one_or_none()
    if case is None or case.office_code != p["from_office"] or case.status not in HANDED_OVER:
        log.info("case.transfer_refusal_ignored", known=case is not None)
        return
    pending = _pending_handover(uow.session, case, case.office_code)
    back_to = pending.from_status if pending is not None else None
    if back_to is None:  # a hand-over from before hand-over records: the state it left, from the timeline
        rows = uow.session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                           CaseEvent.kind == "transition")
                                   .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())).scalars()
        back_to = next((json.loads(r.detail_json).get("from") for r in rows
                        if json.loads(r.detail_json).get("to") == case.status), None)
    if back_to not in (RECEIVED, ACKNOWLEDGED, UNDER_REVIEW, INVESTIGATING):
        back_to = RECEIVED
    # exactly the state it left: a case handed over from `received` is still unacknowledged (the refusal is
    # nobody's acknowledgement), and its deadlines run on as before
    reasons = p["reasons"]
    reason = f"{reasons['th']} / {reasons['en']}"
    check(case.status, back_to, SYSTEM, reason=reason)
    now = utcnow()
    if pending is None or pending.mode != "triage":
        case.transfer_count = max(0, (case.transfer_count or 0) - 1)  # a refused hand-over is not a hop
    if pending is not None:
        pending.outcome, pending.decided_at = "refused", now
        pending.refusal_json = json.dumps(reasons, ensure_ascii=False)
    uow.session.add(CaseEvent(case_id=case.id, kind="transfer_refused", actor="system", at=now, detail_json=json.dumps(
        {"reason_code": p["reason_code"], "reasons": reasons, "request": p.get("request")}, ensure_ascii=False)))
    acknowledged_at = case.acknowledged_at
    change_status(uow, case, back_to, actor=None, actor_label="system", reason=reason, now=now, causation=event)
    case.acknowledged_at = acknowledged_at  # a refusal acknowledges nothing


def duplicates_found(uow, event) -> None:
    """`tip.duplicates_found`: keep routing's candidates (by reference: the case may not be open yet). Being a
    possible duplicate is mutual, so each pair is kept both ways: the earlier case shows the later one too."""
    p = event.payload
    detected = p.get("detected_at") or utcnow()
    for c in p["candidates"]:
        if c["reference"] == p["reference"]:
            continue
        for ref, other in ((p["reference"], c["reference"][:20]), (c["reference"][:20], p["reference"])):
            exists = uow.session.execute(select(DuplicateCandidate.id).where(
                DuplicateCandidate.reference == ref, DuplicateCandidate.candidate_reference == other)).first()
            if exists:
                continue
            uow.session.add(DuplicateCandidate(
                reference=ref, candidate_reference=other, score=float(c["score"]),
                reasons_json=json.dumps(c["reasons"], ensure_ascii=False),
                signals_json=json.dumps(list(c.get("signals") or []), ensure_ascii=False), detected_at=detected))
            uow.session.flush()


def _announce_opened(uow, event, case: Case, now) -> None:
    case.version = (case.version or 0) + 1
    uow.emit("case.opened", {
        "reference": case.reference, "case_id": case.id,
        "office": {"code": case.office_code, "name_th": case.office_name_th, "name_en": case.office_name_en},
        "category": case.category, "province_code": case.province_code, "status": case.status,
        "acknowledge_due": case.acknowledge_due, "feedback_due": case.feedback_due, "opened_at": now,
        "triage": bool(case.triage), "case_version": case.version,
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


def volunteer_changed(uow, event) -> None:
    """intake's volunteer registry, as far as the desk needs it (idempotent; an older event never wins)."""
    from services.casework.models import RegisteredVolunteer
    from shared.events import aware_utc

    payload = event.payload
    at = payload["at"]
    active = event.type == "volunteer.registered"
    row = uow.session.get(RegisteredVolunteer, payload["volunteer_id"], with_for_update=True)
    if row is None:
        uow.session.add(RegisteredVolunteer(volunteer_id=payload["volunteer_id"], active=active, changed_at=at))
    elif aware_utc(row.changed_at) <= at:
        row.active, row.changed_at = active, at
