"""Routing's decisions, as the desk takes them: a tip routed to an office opens its case there (or moves a case
this office handed over), a refused hand-over comes back, and possible duplicates are kept.

How many times a tip may be transferred is routing's alone: the desk counts only the transfers routing made
(`tip.routed` with kind "transfer"), so a refused hand-over never counted and nothing is taken back.
"""
from __future__ import annotations

import json

from services.casework.domain.deadlines import due_dates, settings_for
from services.casework.domain.lifecycle import (
    ACKNOWLEDGED,
    HANDED_OVER,
    INVESTIGATING,
    RECEIVED,
    SYSTEM,
    UNDER_REVIEW,
    check,
)
from services.casework.usecases.case_actions import change_status
from shared.clock import utcnow
from shared.logging import get_logger

log = get_logger(__name__)


def open_case(uow, event, deadlines: dict) -> None:
    """`tip.routed`: open the case in the decided office's inbox — or, for a case this office handed over,
    move it to the office routing has now decided on."""
    p = event.payload
    tip = p["tip"]
    now = utcnow()
    limits = settings_for(deadlines, p["agency"]["code"])
    ack_due, feedback_due = due_dates(now, limits["acknowledge_days"], limits["feedback_months"])
    # the case goes in unless the reference has one already (no look-up first: a new tip is the usual event);
    # version 1 from the start, as case.opened announces it
    case = uow.repo.add_case(
        reference=p["reference"], office_code=p["agency"]["code"],
        office_name_th=p["agency"]["name_th"], office_name_en=p["agency"]["name_en"], triage=p["triage"],
        status=RECEIVED, category=tip["category"], province_code=tip["location"]["province_code"],
        facts_json=json.dumps(_facts(tip), ensure_ascii=False, default=str),
        routing_rule=p["rule"], routing_reasons_json=json.dumps(p["reasons"], ensure_ascii=False),
        opened_at=now, acknowledge_due=ack_due, feedback_due=feedback_due, updated_at=now,
        volunteer_id=(str(tip["volunteer_id"])[:80] if tip.get("volunteer_id") else None),
        feedback_extended=False, transfer_count=0, status_changed_at=now, version=1,
    )
    if case is None:
        _reroute(uow, event, uow.repo.case_by_reference(p["reference"]), deadlines)
        return
    uow.repo.record(case, "opened", "system", now, {"office": p["agency"]["code"], "rule": p["rule"],
                                                    "triage": p["triage"]})
    _announce_opened(uow, event, case, now)


def _reroute(uow, event, case, deadlines: dict) -> None:
    p = event.payload
    if case.status not in HANDED_OVER:
        # a replayed or late decision for a case that is not waiting for one: nothing to move
        log.info("case.routing_decision_ignored", status=case.status)
        return
    now = utcnow()
    previous, previous_status = case.office_code, case.status
    pending = uow.repo.pending_handover(case, previous)
    if _is_transfer(p, pending):
        case.transfer_count = (case.transfer_count or 0) + 1
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
    uow.repo.record(case, "rerouted", "system", now, {"from_office": previous, "to_office": case.office_code,
                                                      "rule": p["rule"], "triage": p["triage"]})
    check(previous_status, RECEIVED, SYSTEM, reason="routing")
    change_status(uow, case, RECEIVED, actor=None, actor_label="system", reason="routing", now=now,
                  causation=event, kind="transition")
    if pending is not None:
        pending.outcome = "accepted" if case.office_code != previous else "kept"
        pending.to_office = case.office_code
        pending.to_office_name_th, pending.to_office_name_en = case.office_name_th, case.office_name_en
        pending.decided_at = now
    case.version = (case.version or 0) + 1
    _announce_opened(uow, event, case, now)


def _is_transfer(payload: dict, pending) -> bool:
    """Did routing count this move as a transfer? Its `kind` says so; a decision announced without one (from
    before kinds were announced) was a transfer unless it answered a triage decision."""
    if payload.get("kind"):
        return payload["kind"] == "transfer"
    return pending is None or pending.mode != "triage"


def transfer_refused(uow, event) -> None:
    """`tip.transfer_refused`: routing would not move the tip, so the case stays with this office, in the open
    state it was handed over from; the refusal (and routing's reasons) go on the timeline."""
    p = event.payload
    case = uow.repo.case_by_reference(p["reference"])
    if case is None or case.office_code != p["from_office"] or case.status not in HANDED_OVER:
        log.info("case.transfer_refusal_ignored", known=case is not None)
        return
    pending = uow.repo.pending_handover(case, case.office_code)
    back_to = pending.from_status if pending is not None else None
    if back_to is None:  # a hand-over from before hand-over records: the state it left, from the timeline
        back_to = next((d.get("from") for d in uow.repo.transitions(case) if d.get("to") == case.status), None)
    if back_to not in (RECEIVED, ACKNOWLEDGED, UNDER_REVIEW, INVESTIGATING):
        back_to = RECEIVED
    # exactly the state it left: a case handed over from `received` is still unacknowledged (the refusal is
    # nobody's acknowledgement), and its deadlines run on as before
    reasons = p["reasons"]
    reason = f"{reasons['th']} / {reasons['en']}"
    check(case.status, back_to, SYSTEM, reason=reason)
    now = utcnow()
    if pending is not None:
        pending.outcome, pending.decided_at = "refused", now
        pending.refusal_json = json.dumps(reasons, ensure_ascii=False)
    uow.repo.record(case, "transfer_refused", "system", now,
                    {"reason_code": p["reason_code"], "reasons": reasons, "request": p.get("request")})
    acknowledged_at = case.acknowledged_at
    change_status(uow, case, back_to, actor=None, actor_label="system", reason=reason, now=now, causation=event)
    case.acknowledged_at = acknowledged_at  # a refusal acknowledges nothing


def duplicates_found(uow, event) -> None:
    """`tip.duplicates_found`: keep routing's candidates (by reference: the case may not be open yet). Being a
    possible duplicate is mutual, so each pair is kept both ways: the earlier case shows the later one too."""
    p = event.payload
    detected = p.get("detected_at") or utcnow()
    pairs = []
    for c in p["candidates"]:
        if c["reference"] == p["reference"]:
            continue
        reasons = json.dumps(c["reasons"], ensure_ascii=False)
        signals = json.dumps(list(c.get("signals") or []), ensure_ascii=False)
        for ref, other in ((p["reference"], c["reference"][:20]), (c["reference"][:20], p["reference"])):
            pairs.append({"reference": ref, "candidate_reference": other, "score": float(c["score"]),
                          "reasons_json": reasons, "signals_json": signals, "detected_at": detected})
    uow.repo.add_duplicate_pairs(pairs)  # each pair unless kept already


def _announce_opened(uow, event, case, now) -> None:
    uow.emit("case.opened", {
        "reference": case.reference, "case_id": case.id,
        "office": {"code": case.office_code, "name_th": case.office_name_th, "name_en": case.office_name_en},
        "category": case.category, "province_code": case.province_code, "status": case.status,
        "acknowledge_due": case.acknowledge_due, "feedback_due": case.feedback_due, "opened_at": now,
        "triage": bool(case.triage), "case_version": case.version,
    }, correlation_id=event.correlation_id, causation=event)


def _facts(tip: dict) -> dict:
    keep = ("tipster_id", "channel", "language", "category", "description", "event_date", "amount_thb",
            "location", "accused", "submitted_at", "volunteer_id", "media_url")
    return {k: tip.get(k) for k in keep}
