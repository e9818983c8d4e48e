"""What staff do to a case: move it (and propose, approve or reject a closure), hand it over (transfer, referral,
triage decision), write a note, ask the tipster a question, assign it, extend its feedback deadline.

Each use case takes a unit of work (`uow.repo`, `uow.emit`), the caller (a policy Principal) and plain values;
every case is found through the caller's policy scope, and every change commits with its events.
"""
from __future__ import annotations

import json
import re
from datetime import datetime

from services.casework.domain import lifecycle, policy
from services.casework.domain.deadlines import extended_feedback_due
from services.casework.domain.errors import Forbidden, TransitionError
from services.casework.domain.lifecycle import (
    ACKNOWLEDGED,
    CLOSED,
    HANDED_OVER,
    INVESTIGATING,
    OPEN_STATES,
    REFERRED,
    TRANSFERRED,
    UNDER_REVIEW,
)
from services.casework.usecases.access import find_case
from services.casework.usecases.case_reading import DeskSettings, iso, office_of
from shared.clock import aware_utc as aware

MAX_REASON, MAX_NOTE = 2000, 5000
OFFICE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")


def clean(value, limit: int) -> str:
    """A reason or a note as kept: trimmed, at most `limit` characters."""
    return str(value or "").strip()[:limit]


def _log(uow, case, kind: str, actor: str, now: datetime, **detail) -> None:
    uow.repo.record(case, kind, actor, now, detail)


def change_status(uow, case, to: str, *, actor: dict | None, actor_label: str, reason: str | None, now: datetime,
                  resolution: str | None = None, causation=None, kind: str = "transition",
                  closure_reason: dict | None = None) -> None:
    """Move a case and tell everyone: the timeline line and `case.status_changed` commit together. The case's
    version goes up by one, and the event carries it, so intake can order what it hears."""
    source = case.status
    case.version = (case.version or 0) + 1
    case.status = to
    case.status_changed_at = now
    case.updated_at = now
    if to in (ACKNOWLEDGED, UNDER_REVIEW, INVESTIGATING, CLOSED) and case.acknowledged_at is None:
        case.acknowledged_at = now
    closure = None
    if to == CLOSED:
        case.closed_at = now
        case.resolution = resolution
        case.closure_reason_json = json.dumps(closure_reason, ensure_ascii=False) if closure_reason else None
        if closure_reason:
            closure = {"resolution": resolution, "resolution_label": dict(lifecycle.RESOLUTIONS[resolution]),
                       "reason_th": closure_reason["th"], "reason_en": closure_reason.get("en")}
        if case.feedback_given_at is None:
            case.feedback_given_at = now  # the outcome is the feedback
    elif source == CLOSED:
        case.closed_at = None
        case.resolution = None
        case.closure_reason_json = None
    case.pending_closure_json = None
    detail = {"from": source, "to": to, "reason": reason}
    if resolution:
        detail["resolution"] = resolution
    if closure_reason:
        detail["tipster_reason"] = closure_reason
    _log(uow, case, kind, actor_label, now, **detail)
    uow.emit("case.status_changed", {
        "reference": case.reference, "case_id": case.id, "office_code": case.office_code, "from_status": source,
        "to_status": to, "tipster_label": lifecycle.tipster_label(to, resolution), "changed_at": now,
        "case_version": case.version, "closure": closure, "office": office_of(case),
    }, correlation_id=case.reference, causation=causation, actor=actor)


def tipster_closure_reason(th: str | None, en: str | None) -> dict | None:
    th, en = clean(th, MAX_REASON), clean(en, MAX_REASON)
    return {"th": th, "en": en or None} if th else None


def transition(uow, principal: policy.Principal, reference: str, *, to: str, reason: str | None,
               resolution: str | None = None, suggested_office: str | None = None, now: datetime,
               settings: DeskSettings, supervisor_override: bool = False, tipster_reason: str | None = None,
               tipster_reason_en: str | None = None) -> dict:
    """Move a case. Closing (or proposing to close) needs, besides the staff's reason, a reason written for the
    tipster in Thai (English optional): it is what the tipster reads on the status page. A supervisor's closure
    also approves a caseworker's proposal (the proposal goes with the move)."""
    if to not in lifecycle.STATES:
        raise TransitionError("case.unknown_state", state=to)
    case = find_case(uow.repo, principal, reference, "transition", for_update=True)
    reason = clean(reason, MAX_REASON)
    closure_reason = tipster_closure_reason(tipster_reason, tipster_reason_en)
    if to != CLOSED and closure_reason:
        raise TransitionError("case.tipster_reason_only_when_closing")
    if to in HANDED_OVER:
        return _handover(uow, principal, case, mode="transfer" if to == TRANSFERRED else "refer", reason=reason,
                         suggested_office=suggested_office, now=now, supervisor_override=supervisor_override)
    if suggested_office:
        raise TransitionError("case.office_only_when_handing_over")
    decision = lifecycle.check(case.status, to, principal.role, reason=reason, resolution=resolution)
    if to == CLOSED and closure_reason is None:
        raise TransitionError("case.tipster_reason_required")
    if decision.proposal_only:
        proposal = {"resolution": resolution, "reason": reason, "tipster_reason": closure_reason,
                    "by": principal.user_id, "at": iso(now)}
        case.pending_closure_json = json.dumps(proposal, ensure_ascii=False)
        case.updated_at = now
        _log(uow, case, "closure_proposed", principal.user_id, now, resolution=resolution, reason=reason)
        return {"reference": case.reference, "status": case.status, "pending_closure": proposal}
    change_status(uow, case, to, actor=principal.actor, actor_label=principal.user_id, reason=reason, now=now,
                  resolution=resolution, closure_reason=closure_reason)
    return {"reference": case.reference, "status": case.status, "resolution": case.resolution}


def reject_closure(uow, principal: policy.Principal, reference: str, *, reason: str | None,
                   now: datetime) -> dict:
    """A supervisor rejects a closure proposal: the proposal goes, the case stays in the state it is in (a
    proposal never changed it), and the rejection is on the timeline and announced (`case.closure_rejected`)."""
    case = find_case(uow.repo, principal, reference, "decide_closure", for_update=True)
    reason = clean(reason, MAX_REASON)
    if not reason:
        raise TransitionError("case.reason_required")
    if case.pending_closure_json is None:
        raise TransitionError("case.no_closure_proposal")
    proposal = json.loads(case.pending_closure_json)
    case.pending_closure_json = None
    case.updated_at = now
    _log(uow, case, "closure_rejected", principal.user_id, now, resolution=proposal.get("resolution"),
         proposed_by=proposal.get("by"), reason=reason)
    uow.emit("case.closure_rejected", {
        "reference": case.reference, "case_id": case.id, "office_code": case.office_code, "status": case.status,
        "proposed_resolution": proposal.get("resolution") or "", "proposed_by": proposal.get("by") or "",
        "reason": reason, "rejected_by": principal.user_id, "rejected_at": now,
    }, correlation_id=case.reference, actor=principal.actor)
    return {"reference": case.reference, "status": case.status, "pending_closure": None}


# -- hand-overs: routing decides, and answers with tip.routed (moved) or tip.transfer_refused (stays) ---------
def _start_handover(principal: policy.Principal, case, target: str, reason: str, office: str | None,
                    supervisor_override: bool, *, triage: bool = False) -> str | None:
    """Checks common to a transfer, a referral and a triage decision. A triage decision may name the
    coordinating office itself ("this office is competent"): the case leaves the triage desk and stays. How many
    transfers a tip may make is routing's alone (`routing.max_transfers`): a hand-over past it comes back
    refused, with routing's reason."""
    lifecycle.check(case.status, target, principal.role, reason=reason)
    if supervisor_override and principal.role != "supervisor":
        raise Forbidden()  # only a supervisor may send a tip back to an office it has left
    office = clean(office, 40).upper() or None
    if office and (not OFFICE_CODE.match(office) or (office == case.office_code and not triage)):
        raise TransitionError("case.suggested_office_invalid")
    return office


def _record_handover(uow, principal: policy.Principal, case, *, mode: str, suggested: str | None, reason: str,
                     now: datetime) -> None:
    """What the sending office keeps (see case_reading.handover_record); routing's answer completes it."""
    uow.repo.add_handover(case, from_office=case.office_code, triage=bool(case.triage), mode=mode,
                          from_status=case.status, suggested_office=suggested, reason=reason,
                          requested_by=principal.user_id, requested_at=now, outcome="pending")


def _handover(uow, principal: policy.Principal, case, *, mode: str, reason: str, suggested_office: str | None,
              now: datetime, supervisor_override: bool) -> dict:
    target = TRANSFERRED if mode == "transfer" else REFERRED
    suggested = _start_handover(principal, case, target, reason, suggested_office, supervisor_override)
    hop = (case.transfer_count or 0) + 1  # the transfer this would be, if routing accepts it
    _record_handover(uow, principal, case, mode=mode, suggested=suggested, reason=reason, now=now)
    change_status(uow, case, target, actor=principal.actor, actor_label=principal.user_id, reason=reason, now=now)
    _log(uow, case, "transfer_requested", principal.user_id, now, mode=mode, suggested_office=suggested,
         reason=reason, supervisor_override=bool(supervisor_override))
    uow.emit("case.transfer_requested", {
        "reference": case.reference, "case_id": case.id, "from_office": case.office_code, "mode": mode,
        "reason": reason, "suggested_office": suggested, "hop": hop, "requested_by": principal.user_id,
        "requested_at": now, "supervisor_override": bool(supervisor_override),
    }, correlation_id=case.reference, actor=principal.actor)
    return {"reference": case.reference, "status": case.status, "transfer": {"mode": mode, "hop": hop,
                                                                             "suggested_office": suggested}}


def handover(uow, principal: policy.Principal, reference: str, *, mode: str, reason: str | None,
             suggested_office: str | None, now: datetime, supervisor_override: bool = False) -> dict:
    """Transfer (this office is not competent) or refer (another body must act): routing decides where."""
    case = find_case(uow.repo, principal, reference, "transfer", for_update=True)
    return _handover(uow, principal, case, mode=mode, reason=clean(reason, MAX_REASON),
                     suggested_office=suggested_office, now=now, supervisor_override=supervisor_override)


def decide_triage(uow, principal: policy.Principal, reference: str, *, office: str, reason: str | None,
                  now: datetime, supervisor_override: bool = False) -> dict:
    """A triage case: the coordinating office names the competent office (`case.triage_decided`); routing
    records it as a manual decision and moves the tip, or refuses and the case comes back."""
    case = find_case(uow.repo, principal, reference, "transfer", for_update=True)
    if not case.triage:
        raise TransitionError("case.not_in_triage")
    reason = clean(reason, MAX_REASON)
    decided = _start_handover(principal, case, TRANSFERRED, reason, office, supervisor_override, triage=True)
    if not decided:
        raise TransitionError("case.suggested_office_invalid")
    _record_handover(uow, principal, case, mode="triage", suggested=decided, reason=reason, now=now)
    change_status(uow, case, TRANSFERRED, actor=principal.actor, actor_label=principal.user_id, reason=reason,
                  now=now)
    _log(uow, case, "triage_decided", principal.user_id, now, decided_office=decided, reason=reason,
         supervisor_override=bool(supervisor_override))
    uow.emit("case.triage_decided", {
        "reference": case.reference, "case_id": case.id, "office_code": case.office_code,
        "decided_agency": decided, "reason": reason, "decided_by": principal.user_id, "decided_at": now,
        "supervisor_override": bool(supervisor_override),
    }, correlation_id=case.reference, actor=principal.actor)
    return {"reference": case.reference, "status": case.status, "decided_office": decided}


# -- notes, questions, assignment, deadlines ------------------------------------------------------------------
def add_note(uow, principal: policy.Principal, reference: str, *, visibility: str, text: str | None,
             now: datetime) -> dict:
    case = find_case(uow.repo, principal, reference, "note", for_update=True)
    body = clean(text, MAX_NOTE)
    if not body:
        raise TransitionError("case.text_required")
    if visibility not in ("internal", "tipster_visible"):
        raise TransitionError("case.visibility_invalid")
    note = uow.repo.add_note(case, author_id=principal.user_id, visibility=visibility, body=body, created_at=now)
    # feedback counts as given only when intake has the note in the tipster's thread (tip.feedback_recorded)
    case.updated_at = now
    _log(uow, case, "note", principal.user_id, now, note_id=note.id, visibility=visibility)
    uow.emit("case.note_added", {
        "reference": case.reference, "case_id": case.id, "office_code": case.office_code, "note_id": str(note.id),
        "visibility": visibility, "text": body if visibility == "tipster_visible" else None, "added_at": now,
    }, correlation_id=case.reference, actor=principal.actor)
    return {"id": note.id, "visibility": visibility, "at": iso(now)}


def ask_question(uow, principal: policy.Principal, reference: str, *, text: str | None, now: datetime,
                 text_en: str | None = None) -> dict:
    """The office asks the tipster (in Thai; `text_en`, optional, is the same question in English)."""
    case = find_case(uow.repo, principal, reference, "question", for_update=True)
    body = clean(text, MAX_NOTE)
    body_en = clean(text_en, MAX_NOTE) or None
    if not body:
        raise TransitionError("case.text_required")
    if case.status not in OPEN_STATES:
        raise TransitionError("case.not_open")
    question = uow.repo.add_question(case, author_id=principal.user_id, body=body, asked_at=now)
    case.updated_at = now
    _log(uow, case, "question", principal.user_id, now, question_id=question.id)
    uow.emit("case.question_asked", {
        "reference": case.reference, "case_id": case.id, "office_code": case.office_code,
        "question_id": str(question.id), "text": body, "text_en": body_en, "asked_at": now,
    }, correlation_id=case.reference, actor=principal.actor)
    return {"id": question.id, "asked_at": iso(now)}


def assign(uow, principal: policy.Principal, reference: str, *, assignee: str | None, now: datetime) -> dict:
    action = "assign" if policy.may(principal, "assign") else "assign_self"
    case = find_case(uow.repo, principal, reference, action, for_update=True)
    if assignee in (None, "", "none"):
        if action != "assign":
            raise Forbidden()
        if case.assignee_id is not None:
            case.assignee_id = None
            case.updated_at = now
            _log(uow, case, "assignment", principal.user_id, now, assignee=None)
        return {"reference": case.reference, "assignee": None}
    username = principal.username if assignee == "me" else str(assignee).strip().lower()
    user = uow.repo.user_by_username(username)
    if user is None or not policy.assignable(principal, case, user):
        if action != "assign":
            raise Forbidden()
        raise TransitionError("case.assignee_invalid")
    if case.status not in OPEN_STATES:
        raise TransitionError("case.not_open")
    case.assignee_id = user.id
    case.updated_at = now
    _log(uow, case, "assignment", principal.user_id, now, assignee=user.id)
    due = case.acknowledge_due if case.acknowledged_at is None else case.feedback_due
    uow.emit("case.assigned", {
        "reference": case.reference, "case_id": case.id, "office_code": case.office_code, "assignee_id": user.id,
        "caseworker_name": user.display_name, "category": case.category, "province_code": case.province_code,
        "due_by": aware(due), "assigned_by": principal.user_id, "assigned_at": now,
    }, correlation_id=case.reference, actor=principal.actor)
    return {"reference": case.reference, "assignee": {"username": user.username, "display_name": user.display_name}}


def extend_feedback(uow, principal: policy.Principal, reference: str, *, months: int, reason: str | None,
                    now: datetime, settings: DeskSettings) -> dict:
    case = find_case(uow.repo, principal, reference, "extend_deadline", for_update=True)
    reason = clean(reason, MAX_REASON)
    if not reason:
        raise TransitionError("case.reason_required")
    if case.status not in OPEN_STATES:
        raise TransitionError("case.not_open")
    previous = aware(case.feedback_due)
    new_due = extended_feedback_due(case, months, settings.deadlines)
    case.feedback_due = new_due
    case.feedback_extended = True
    case.updated_at = now
    _log(uow, case, "deadline_extended", principal.user_id, now, deadline="feedback", previous_due=iso(previous),
         new_due=iso(new_due), months=int(months), reason=reason)
    uow.emit("case.deadline_extended", {
        "reference": case.reference, "case_id": case.id, "office_code": case.office_code, "deadline": "feedback",
        "previous_due": previous, "new_due": new_due, "extended_by": principal.user_id, "extended_at": now,
    }, correlation_id=case.reference, actor=principal.actor)
    return {"reference": case.reference, "feedback_due": iso(new_due)}
