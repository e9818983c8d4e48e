"""The desk's use cases on cases: list, read (and record the read), transition, notes, questions, assignment,
transfer, deadline extension. Plain Python over casework's database; every case is found through
`services.casework.domain.policy`, and every state change commits with its events (`uow.emit`).
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select

from services.casework import deadlines as deadlines_mod
from services.casework.usecases import evidence
from services.casework.domain import lifecycle
from services.casework.domain import policy
from services.casework.usecases import tipster_messages
from services.casework.usecases.accounts import aware
from services.casework.domain.lifecycle import (
    ACKNOWLEDGED, CLOSED, HANDED_OVER, INVESTIGATING, OPEN_STATES, RECEIVED, REFERRED, TRANSFERRED, UNDER_REVIEW,
    TransitionError,
)
from services.casework.models import (
    Case, CaseEvent, CaseView, DuplicateCandidate, Handover, Note, Question, User,
)
from shared import geography
from shared.vocabulary import CATEGORIES, OFFICIAL_TYPES, TIPSTER_STATUSES

MAX_REASON, MAX_NOTE = 2000, 5000
OFFICE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")


@dataclass(frozen=True)
class DeskSettings:
    """What the desk's rules read from `casework` configuration."""
    deadlines: dict
    state_labels: dict

    @classmethod
    def from_config(cls, casework_config: dict | None) -> "DeskSettings":
        c = casework_config or {}
        return cls(deadlines=c.get("deadlines") or {}, state_labels=c.get("state_labels") or {})


def iso(value) -> str | None:
    value = aware(value)
    return value.astimezone(timezone.utc).isoformat() if value is not None else None


def _text(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


# -- listing -------------------------------------------------------------------------------------------------
def list_cases(session, principal: policy.Principal, filters: dict, now: datetime, settings: DeskSettings) -> dict:
    """One page of the cases `principal` can see. Filters: status, category, province, overdue, assignee
    ("me", "none" or a username), office, q (words of the case's text through the blind index, or its
    reference); page and per_page."""
    conditions = [policy.case_scope(principal)]
    if filters.get("status"):
        conditions.append(Case.status == filters["status"])
    if filters.get("category"):
        conditions.append(Case.category == filters["category"])
    if filters.get("province"):
        conditions.append(Case.province_code == filters["province"])
    if filters.get("office"):
        conditions.append(Case.office_code == filters["office"])
    if (filters.get("q") or "").strip():
        from services.casework.usecases import search

        # only those who may read case text may search it (a status-only view would otherwise probe content)
        searchable = principal.role not in policy.VIEWS or policy.view_of(principal) == "detail"
        conditions.append(search.condition(filters["q"]) if searchable else Case.id.is_(None))
    if filters.get("overdue") is True:
        conditions.append(deadlines_mod.overdue_clause(now))
    elif filters.get("overdue") is False:
        conditions.append(~deadlines_mod.overdue_clause(now))
    assignee = filters.get("assignee")
    if assignee == "me":
        conditions.append(Case.assignee_id == principal.user_id)
    elif assignee == "none":
        conditions.append(Case.assignee_id.is_(None))
    elif assignee:
        user_id = session.execute(select(User.id).where(User.username == assignee.lower())).scalar()
        conditions.append(Case.assignee_id == (user_id or "-"))
    page, per_page = int(filters.get("page") or 1), int(filters.get("per_page") or 25)
    total = session.execute(select(func.count()).select_from(Case).where(*conditions)).scalar()
    rows = session.execute(select(Case).where(*conditions).order_by(Case.opened_at, Case.id)
                           .offset((page - 1) * per_page).limit(per_page)).scalars().all()
    names = _usernames(session, {c.assignee_id for c in rows})
    view = policy.view_of(principal) if principal.role in policy.VIEWS else "detail"
    return {"items": [_summary(c, view, now, settings, names) for c in rows], "page": page, "per_page": per_page,
            "total": total, "pages": max(1, math.ceil(total / per_page))}


def _summary(case: Case, view: str, now: datetime, settings: DeskSettings, names: dict) -> dict:
    deadlines = deadlines_mod.deadline_view(case, now)
    overdue = [k for k, d in deadlines.items() if d["overdue"]]
    base = {"reference": case.reference, "status": case.status, "office_code": case.office_code,
            "opened_at": iso(case.opened_at), "open311_status": lifecycle.open311_status(case.status)}
    if view == "status":
        return {**base, "tipster_label": lifecycle.tipster_label(case.status, case.resolution),
                "office": _office(case)}
    if view == "audit":
        return {**base, "status_label": lifecycle.staff_label(case.status, case.office_code, settings.state_labels)}
    return {**base, "status_label": lifecycle.staff_label(case.status, case.office_code, settings.state_labels),
            "category": case.category, "category_label": CATEGORIES.get(case.category),
            "province_code": case.province_code, "province": _province(case.province_code),
            "triage": bool(case.triage), "resolution": case.resolution,
            "acknowledge_due": iso(case.acknowledge_due), "feedback_due": iso(case.feedback_due),
            "overdue": bool(overdue), "overdue_deadlines": overdue,
            "assignee": names.get(case.assignee_id), "pending_closure": case.pending_closure_json is not None}


def _usernames(session, ids) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: {"username": u.username, "display_name": u.display_name}
            for u in session.execute(select(User).where(User.id.in_(ids))).scalars()}


def _office(case: Case) -> dict:
    return {"code": case.office_code, "name_th": case.office_name_th, "name_en": case.office_name_en}


def _province(code: str | None) -> dict | None:
    area = geography.province(code) if code else None
    return {"code": area.code, "name_th": area.name_th, "name_en": area.name_en} if area else None


def _area(kind: str, code: str | None) -> dict | None:
    if not code:
        return None
    area = getattr(geography, kind)(code)
    return {"code": area.code, "name_th": area.name_th, "name_en": area.name_en} if area else {"code": code}


# -- reading one case ----------------------------------------------------------------------------------------
def read_case(uow, principal: policy.Principal, reference: str, now: datetime, settings: DeskSettings) -> dict:
    """The case as `principal`'s role may see it. The read itself is recorded (content-free) and announced as
    `case.viewed`, in the same transaction."""
    try:
        case = policy.find_case(uow.session, principal, reference, "read")
    except policy.NotFound:
        # not (any more) in this office's inbox: the office may still hold a record of handing it on
        record = handover_record(uow.session, principal, reference, settings)
        if record is None:
            raise
        case, body, view = record["_case"], record["body"], "handover"
    else:
        view = policy.view_of(principal)
        body = {"detail": _detail_view, "status": _status_view, "audit": _audit_view}[view](
            uow.session, case, principal, now, settings)
    uow.session.add(CaseView(case_id=case.id, user_id=principal.user_id, role=principal.role, view=view, at=now))
    uow.emit("case.viewed", {"reference": case.reference, "case_id": case.id, "office_code": case.office_code,
                             "viewer_id": principal.user_id, "viewer_role": principal.role, "view": view,
                             "viewed_at": now}, correlation_id=case.reference, actor=principal.actor)
    return body


def _timeline_rows(session, case: Case) -> list[CaseEvent]:
    return list(session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                .order_by(CaseEvent.at, CaseEvent.id)).scalars())


def _detail_view(session, case: Case, principal, now, settings: DeskSettings) -> dict:
    facts = json.loads(case.facts_json)
    rows = _timeline_rows(session, case)
    notes = _notes_for(session, case, principal.office_code)
    note_ids = {n.id for n in notes}  # another office's internal note leaves no line on the timeline either
    questions = list(session.execute(select(Question).where(Question.case_id == case.id)
                                     .order_by(Question.id)).scalars())
    people = _usernames(session, {case.assignee_id} | {r.actor for r in rows} | {n.author_id for n in notes}
                        | {q.author_id for q in questions})
    location = facts.get("location") or {}
    pending = json.loads(case.pending_closure_json) if case.pending_closure_json else None
    if pending:
        pending["by"] = people.get(pending.get("by"), {"username": pending.get("by")})
    return {
        "reference": case.reference,
        "view": "detail",
        "office": _office(case),
        "triage": bool(case.triage),
        "status": case.status,
        "status_label": lifecycle.staff_label(case.status, case.office_code, settings.state_labels),
        "tipster_label": _tipster_label(case),
        "open311_status": lifecycle.open311_status(case.status),
        "resolution": case.resolution,
        "resolution_label": lifecycle.RESOLUTIONS.get(case.resolution),
        "category": case.category,
        "category_label": CATEGORIES.get(case.category),
        "official_type_label": _official_type_label(facts),
        "province": _province(case.province_code),
        "facts": {
            "description": facts.get("description"),
            "event_date": facts.get("event_date"),
            "amount_thb": facts.get("amount_thb"),
            "channel": facts.get("channel"),
            "language": facts.get("language"),
            "submitted_at": facts.get("submitted_at"),
            "location": {"province": _area("province", location.get("province_code")),
                         "district": _area("district", location.get("district_code")),
                         "subdistrict": _area("subdistrict", location.get("subdistrict_code")),
                         "place": location.get("place")},
            "accused": facts.get("accused"),
            "filed_by_volunteer": bool(facts.get("volunteer_id")),
        },
        "routing": {"rule": case.routing_rule, "reasons": json.loads(case.routing_reasons_json)},
        "opened_at": iso(case.opened_at),
        "updated_at": iso(case.updated_at),
        "assignee": people.get(case.assignee_id),
        "deadlines": _iso_deadlines(deadlines_mod.deadline_view(case, now)),
        "pending_closure": pending,
        "closure_reason": json.loads(case.closure_reason_json) if case.closure_reason_json else None,
        "transfer_count": case.transfer_count or 0,
        "timeline": [{"kind": r.kind, "at": iso(r.at), "actor": _actor(people, r.actor),
                      "detail": json.loads(r.detail_json or "{}")} for r in rows
                     if r.kind != "note" or json.loads(r.detail_json or "{}").get("note_id") in note_ids],
        "notes": [{"id": n.id, "visibility": n.visibility, "text": n.body, "at": iso(n.created_at),
                   "author": _actor(people, n.author_id)} for n in notes],
        "questions": [{"id": q.id, "text": q.body, "asked_at": iso(q.asked_at), "author": _actor(people, q.author_id),
                       "answer": q.answer, "answered_at": iso(q.answered_at)} for q in questions],
        "tipster_messages": tipster_messages.of_reference(session, case.reference),
        "conversation": _conversation(case, people, notes, questions,
                                      tipster_messages.of_reference(session, case.reference)),
        "attachments": [dict(a, download_url=evidence.api_path(case.reference, a["id"]))
                        for a in evidence.attachments_of(session, case.reference)],
        "possible_duplicates": possible_duplicates(session, principal, case),
        "allowed_transitions": [
            {"to": t, "label": lifecycle.staff_label(t, case.office_code, settings.state_labels),
             "proposal_only": principal.role not in lifecycle.RULES[(case.status, t)].roles}
            for t in lifecycle.targets(case.status, principal.role)],
        "can": sorted(policy.ACTIONS.get(principal.role, ())),
        "handed_over_here": _handed_over_from(session, case, principal.office_code),
    }


def _conversation(case: Case, people: dict, notes, questions, messages) -> list[dict]:
    """The thread with the tipster as the desk shows it, oldest first: the office's questions and its notes for
    the tipster, the tipster's answers, added information and files (with links to view them). Internal notes
    are not part of it."""
    asked = {str(q.id): q.body for q in questions}
    items = [{"from": "office", "kind": "question", "text": q.body, "at": iso(q.asked_at),
              "author": _actor(people, q.author_id), "attachments": []} for q in questions]
    items += [{"from": "office", "kind": "note", "text": n.body, "at": iso(n.created_at),
               "author": _actor(people, n.author_id), "attachments": []}
              for n in notes if n.visibility == "tipster_visible"]
    for m in messages:
        kind = "files" if m["kind"] == "attachments" else "answer" if m.get("in_reply_to") else "message"
        items.append({"from": "tipster", "kind": kind, "text": m["text"], "at": m["at"],
                      "answers": asked.get(str(m.get("in_reply_to"))) if m.get("in_reply_to") else None,
                      "attachments": [{"id": a["attachment_id"], "media_type": a["media_type"], "size": a["size"],
                                       "sha256": a["sha256"],
                                       "url": evidence.page_path(case.reference, a["attachment_id"])}
                                      for a in m["attachments"]]})
    items.sort(key=lambda item: item["at"] or "")
    return items


def possible_duplicates(session, principal: policy.Principal, case: Case) -> list[dict]:
    """Routing's candidates for the same matter — only those the caller may see themselves, so a duplicate in
    another office never reveals that office's case."""
    rows = session.execute(select(DuplicateCandidate).where(DuplicateCandidate.reference == case.reference)
                           .order_by(DuplicateCandidate.score.desc())).scalars().all()
    if not rows:
        return []
    visible = {c.reference: c for c in session.execute(select(Case).where(
        Case.reference.in_([r.candidate_reference for r in rows]), policy.case_scope(principal))).scalars()}
    return [{"reference": r.candidate_reference, "score": r.score, "reasons": json.loads(r.reasons_json),
             "signals": json.loads(r.signals_json), "status": visible[r.candidate_reference].status}
            for r in rows if r.candidate_reference in visible]


def _tipster_label(case: Case) -> dict:
    """What the tipster reads now: a case still at a triage desk is "staff are deciding which office"."""
    if case.triage and case.status == RECEIVED:
        return dict(TIPSTER_STATUSES["triage"])
    return lifecycle.tipster_label(case.status, case.resolution)


def _notes_for(session, case: Case, office_code: str) -> list[Note]:
    """The case's notes an office may read: notes for the tipster, and internal notes its own staff wrote (an
    internal note stays with its office when the case moves on)."""
    return list(session.execute(select(Note).where(
        Note.case_id == case.id,
        (Note.visibility == "tipster_visible") | (Note.office_code == office_code) | Note.office_code.is_(None))
        .order_by(Note.id)).scalars())


# -- what a sending office keeps of a case it handed on ------------------------------------------------------
# A sending office keeps a read-only record of each case it transferred, referred or sent on from triage, once
# the case has left it: its own hand-over (when, by whom, why, the office it named, where routing sent the case),
# the case's current state (staff wording, open or closed), its category and province, and the internal notes
# its own staff wrote. Never the facts, the receiving office's notes, questions, the tipster's messages or files:
# the matter is the receiving office's now. Supervisors see every record of their office; caseworkers those of
# ordinary cases, triage officers those of triage cases (each what they could see before the hand-over).

def _record_scope(principal: policy.Principal):
    if principal.role == "supervisor":
        return Handover.from_office == principal.office_code
    if principal.role == "caseworker":
        return (Handover.from_office == principal.office_code) & Handover.triage.is_(False)
    if principal.role == "triage_officer":
        return (Handover.from_office == principal.office_code) & Handover.triage.is_(True)
    return None


def _record_row(h: Handover, case: Case, settings: DeskSettings, people: dict) -> dict:
    return {
        "reference": h.reference,
        "mode": h.mode,
        "mode_label": HANDOVER_MODES["kept" if h.outcome == "kept" else h.mode],
        "requested_at": iso(h.requested_at),
        "requested_by": _actor(people, h.requested_by),
        "reason": h.reason,
        "suggested_office": h.suggested_office,
        "outcome": h.outcome,
        "destination": ({"code": h.to_office, "name_th": h.to_office_name_th, "name_en": h.to_office_name_en}
                        if h.to_office else None),
        "decided_at": iso(h.decided_at),
        "current": {"status": case.status,
                    "status_label": lifecycle.staff_label(case.status, case.office_code, settings.state_labels),
                    "open311_status": lifecycle.open311_status(case.status),
                    "resolution_label": lifecycle.RESOLUTIONS.get(case.resolution),
                    "updated_at": iso(case.updated_at)},
        "category_label": CATEGORIES.get(case.category),
        "province": _province(case.province_code),
    }


HANDOVER_MODES = {"transfer": {"th": "โอนเรื่อง", "en": "Transferred"},
                  "refer": {"th": "ส่งต่อให้หน่วยงานอื่นดำเนินการ", "en": "Referred"},
                  "triage": {"th": "คัดกรองแล้วส่งให้หน่วยงานที่มีอำนาจ", "en": "Sent on from triage"},
                  "kept": {"th": "คัดกรองแล้ว หน่วยงานนี้มีอำนาจเอง", "en": "Triage: this office is competent"}}


def list_handovers(session, principal: policy.Principal, settings: DeskSettings) -> dict:
    """The cases this office handed on (routing moved them), and its triage decisions (including "this office is
    competent": the case left the triage desk for the office's own inbox), newest first."""
    scope = _record_scope(principal)
    if scope is None:
        raise policy.Forbidden()
    rows = session.execute(select(Handover, Case).join(Case, Case.id == Handover.case_id)
                           .where(scope, Handover.outcome.in_(("accepted", "kept")))
                           .order_by(Handover.requested_at.desc(), Handover.id.desc()).limit(500)).all()
    people = _usernames(session, {h.requested_by for h, _ in rows})
    return {"items": [_record_row(h, c, settings, people) for h, c in rows]}


def handover_record(session, principal: policy.Principal, reference: str, settings: DeskSettings):
    """The read-only record of a case `principal`'s office handed on (None if it has none)."""
    scope = _record_scope(principal)
    if scope is None:
        return None
    rows = session.execute(select(Handover, Case).join(Case, Case.id == Handover.case_id)
                           .where(scope, Handover.reference == str(reference)[:40],
                                  Handover.outcome.in_(("accepted", "kept")))
                           .order_by(Handover.requested_at, Handover.id)).all()
    if not rows:
        return None
    case = rows[-1][1]
    notes = session.execute(select(Note).where(Note.case_id == case.id, Note.office_code == principal.office_code,
                                               Note.visibility == "internal").order_by(Note.id)).scalars().all()
    people = _usernames(session, {h.requested_by for h, _ in rows} | {n.author_id for n in notes})
    body = {"reference": case.reference, "view": "handover", "read_only": True,
            "handovers": [_record_row(h, c, settings, people) for h, c in rows],
            "current": _record_row(rows[-1][0], case, settings, people)["current"],
            "notes": [{"id": n.id, "visibility": n.visibility, "text": n.body, "at": iso(n.created_at),
                       "author": _actor(people, n.author_id)} for n in notes]}
    return {"_case": case, "body": body}


def _handed_over_from(session, case: Case, office_code: str) -> list[dict]:
    """On the receiving office's page: which offices handed this case on, and when (never their notes)."""
    rows = session.execute(select(Handover).where(Handover.case_id == case.id, Handover.outcome == "accepted")
                           .order_by(Handover.requested_at, Handover.id)).scalars().all()
    return [{"from_office": h.from_office, "to_office": h.to_office, "mode": h.mode,
             "mode_label": HANDOVER_MODES.get(h.mode), "at": iso(h.decided_at or h.requested_at)} for h in rows]
    # (only "accepted" hand-overs: a triage desk keeping a case at its own office handed nothing over)


def _status_view(session, case: Case, principal, now, settings) -> dict:
    """What a volunteer who filed the tip sees: the tipster's words, and notes meant for the tipster."""
    rows = [(r, json.loads(r.detail_json or "{}")) for r in _timeline_rows(session, case)
            if r.kind in ("opened", "transition", "rerouted", "transfer_refused")]
    notes = session.execute(select(Note).where(Note.case_id == case.id, Note.visibility == "tipster_visible")
                            .order_by(Note.id)).scalars().all()
    timeline, skip_return = [], False
    for i, (r, detail) in enumerate(rows):
        if r.kind not in ("opened", "transition"):
            continue
        status = RECEIVED if r.kind == "opened" else detail.get("to")
        if skip_return:  # the return from a refused hand-over: nothing happened, as far as the tipster knows
            skip_return = False
            continue
        if status in HANDED_OVER:
            answer = next(((x, d) for x, d in rows[i + 1:] if x.kind in ("rerouted", "transfer_refused")), None)
            if answer and (answer[0].kind == "transfer_refused"
                           or answer[1].get("to_office") == answer[1].get("from_office")):
                skip_return = True
                continue
        if status not in lifecycle.STATES:
            continue
        label = lifecycle.tipster_label(status, detail.get("resolution"))
        if timeline and timeline[-1]["label"] == label:
            continue  # said already
        timeline.append({"status": status, "at": iso(r.at), "label": label})
    return {"reference": case.reference, "view": "status", "status": case.status,
            "tipster_label": lifecycle.tipster_label(case.status, case.resolution),
            "open311_status": lifecycle.open311_status(case.status), "office": _office(case),
            "opened_at": iso(case.opened_at), "timeline": timeline,
            "notes": [{"text": n.body, "at": iso(n.created_at)} for n in notes]}


def _audit_view(session, case: Case, principal, now, settings) -> dict:
    """For auditors: who did what when, never facts, reasons, notes or questions."""
    safe_detail = {"transition": ("from", "to", "resolution", "proposal"), "opened": ("office", "triage"),
                   "rerouted": ("from_office", "to_office"), "note": ("visibility",),
                   "assignment": ("assignee",), "deadline_extended": ("deadline", "previous_due", "new_due"),
                   "deadline_reminder": ("deadline", "due_at"), "deadline_breached": ("deadline", "due_at"),
                   "transfer_requested": ("mode", "suggested_office"), "closure_proposed": ("resolution",),
                   "question": (), "triage_decided": ("decided_office",),
                   "transfer_refused": ("reason_code",), "evidence_viewed": ("attachment_id",),
                   "feedback_recorded": ("note_id",)}
    timeline = []
    for r in _timeline_rows(session, case):
        detail = json.loads(r.detail_json or "{}")
        keep = safe_detail.get(r.kind, ())
        timeline.append({"kind": r.kind, "at": iso(r.at), "actor_id": r.actor,
                         "detail": {k: detail[k] for k in keep if k in detail}})
    return {"reference": case.reference, "view": "audit", "office_code": case.office_code, "status": case.status,
            "opened_at": iso(case.opened_at), "closed_at": iso(case.closed_at), "timeline": timeline}


def access_log(session, principal: policy.Principal, reference: str) -> dict:
    """Who opened the case and when (auditors and supervisors)."""
    case = policy.find_case(session, principal, reference, "access_log")
    rows = session.execute(select(CaseView).where(CaseView.case_id == case.id).order_by(CaseView.at, CaseView.id)
                           ).scalars().all()
    return {"reference": case.reference,
            "views": [{"user_id": r.user_id, "role": r.role, "view": r.view, "at": iso(r.at)} for r in rows]}


def _actor(people: dict, actor_id: str) -> dict:
    if actor_id in people:
        return {"id": actor_id, **people[actor_id]}
    return {"id": actor_id, "username": actor_id, "display_name": actor_id}


def _iso_deadlines(view: dict) -> dict:
    return {k: {kk: (iso(vv) if isinstance(vv, datetime) else vv) for kk, vv in d.items()} for k, d in view.items()}


# -- changing a case -----------------------------------------------------------------------------------------
def _log(uow, case: Case, kind: str, actor: str, now: datetime, **detail) -> None:
    uow.session.add(CaseEvent(case_id=case.id, kind=kind, actor=actor, at=now,
                              detail_json=json.dumps(detail, ensure_ascii=False, default=str)))


def change_status(uow, case: Case, to: str, *, actor: dict, actor_label: str, reason: str | None, now: datetime,
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
        "case_version": case.version, "closure": closure, "office": _office(case),
    }, correlation_id=case.reference, causation=causation, actor=actor)


def tipster_closure_reason(th: str | None, en: str | None) -> dict | None:
    th, en = _text(th, MAX_REASON), _text(en, MAX_REASON)
    return {"th": th, "en": en or None} if th else None


def transition(uow, principal: policy.Principal, reference: str, *, to: str, reason: str | None,
               resolution: str | None = None, suggested_office: str | None = None, now: datetime,
               settings: DeskSettings, supervisor_override: bool = False, tipster_reason: str | None = None,
               tipster_reason_en: str | None = None) -> dict:
    """Move a case. Closing (or proposing to close) needs, besides the staff's reason, a reason written for the
    tipster in Thai (English optional): it is what the tipster reads on the status page."""
    case = policy.find_case(uow.session, principal, reference, "transition", for_update=True)
    reason = _text(reason, MAX_REASON)
    closure_reason = tipster_closure_reason(tipster_reason, tipster_reason_en)
    if to != CLOSED and closure_reason:
        raise TransitionError("case.tipster_reason_only_when_closing")
    if to in HANDED_OVER:
        return handover(uow, principal, case, mode="transfer" if to == TRANSFERRED else "refer", reason=reason,
                        suggested_office=suggested_office, now=now, settings=settings,
                        supervisor_override=supervisor_override)
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
    if decision.rule.kind == "close" and resolution is None:  # pragma: no cover - check() requires it
        raise TransitionError("case.resolution_required")
    change_status(uow, case, to, actor=principal.actor, actor_label=principal.user_id, reason=reason, now=now,
                  resolution=resolution, closure_reason=closure_reason)
    return {"reference": case.reference, "status": case.status, "resolution": case.resolution}


def reject_closure(uow, principal: policy.Principal, reference: str, *, reason: str | None,
                   now: datetime) -> dict:
    """A supervisor rejects a closure proposal: the proposal goes, the case stays in the state it is in (a
    proposal never changed it), and the rejection is on the timeline and announced (`case.closure_rejected`)."""
    case = policy.find_case(uow.session, principal, reference, "decide_closure", for_update=True)
    reason = _text(reason, MAX_REASON)
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


def _start_handover(principal: policy.Principal, case: Case, target: str, reason: str, office: str | None,
                    supervisor_override: bool, settings: DeskSettings, *, triage: bool = False
                    ) -> tuple[str | None, int]:
    """Checks common to a transfer, a referral and a triage decision. A triage decision may name the
    coordinating office itself ("this office is competent"): the case leaves the triage desk and stays; it is
    not a transfer, so it does not count as a hop (routing counts it the same way). The transfer limit is
    routing's alone (`routing.max_transfers`): a hand-over past it comes back refused, with routing's reason."""
    lifecycle.check(case.status, target, principal.role, reason=reason)
    if supervisor_override and principal.role != "supervisor":
        raise policy.Forbidden()  # only a supervisor may send a tip back to an office it has left
    office = _text(office, 40).upper() or None
    if office and (not OFFICE_CODE.match(office) or (office == case.office_code and not triage)):
        raise TransitionError("case.suggested_office_invalid")
    if triage:
        return office, case.transfer_count or 0
    return office, (case.transfer_count or 0) + 1


def _record_handover(uow, principal: policy.Principal, case: Case, *, mode: str, suggested: str | None,
                     reason: str, now: datetime) -> None:
    """What the sending office keeps (see handover_record); routing's answer completes it."""
    uow.session.add(Handover(case_id=case.id, reference=case.reference, from_office=case.office_code,
                             triage=bool(case.triage), mode=mode, from_status=case.status,
                             suggested_office=suggested, reason=reason, requested_by=principal.user_id,
                             requested_at=now, outcome="pending"))


def handover(uow, principal: policy.Principal, case: Case, *, mode: str, reason: str | None,
             suggested_office: str | None, now: datetime, settings: DeskSettings,
             supervisor_override: bool = False) -> dict:
    """Transfer (this office is not competent) or refer (another body must act): routing decides where, and
    answers with `tip.routed` (the case moves) or `tip.transfer_refused` (it comes back here)."""
    target = TRANSFERRED if mode == "transfer" else REFERRED
    reason = _text(reason, MAX_REASON)
    suggested, hop = _start_handover(principal, case, target, reason, suggested_office, supervisor_override,
                                     settings)
    case.transfer_count = hop
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


def decide_triage(uow, principal: policy.Principal, reference: str, *, office: str, reason: str | None,
                  now: datetime, settings: DeskSettings, supervisor_override: bool = False) -> dict:
    """A triage case: the coordinating office names the competent office (`case.triage_decided`); routing
    records it as a manual decision and moves the tip, or refuses and the case comes back."""
    case = policy.find_case(uow.session, principal, reference, "transfer", for_update=True)
    if not case.triage:
        raise TransitionError("case.not_in_triage")
    reason = _text(reason, MAX_REASON)
    decided, hop = _start_handover(principal, case, TRANSFERRED, reason, office, supervisor_override, settings,
                                   triage=True)
    if not decided:
        raise TransitionError("case.suggested_office_invalid")
    case.transfer_count = hop
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


def add_note(uow, principal: policy.Principal, reference: str, *, visibility: str, text: str,
             now: datetime) -> dict:
    case = policy.find_case(uow.session, principal, reference, "note", for_update=True)
    text = _text(text, MAX_NOTE)
    if not text:
        raise TransitionError("case.text_required")
    if visibility not in ("internal", "tipster_visible"):
        raise TransitionError("case.visibility_invalid")
    note = Note(case_id=case.id, author_id=principal.user_id, visibility=visibility, body=text, created_at=now,
                office_code=case.office_code)
    uow.session.add(note)
    uow.session.flush()
    # feedback counts as given only when intake has the note in the tipster's thread (tip.feedback_recorded)
    case.updated_at = now
    _log(uow, case, "note", principal.user_id, now, note_id=note.id, visibility=visibility)
    uow.emit("case.note_added", {
        "reference": case.reference, "case_id": case.id, "office_code": case.office_code, "note_id": str(note.id),
        "visibility": visibility, "text": text if visibility == "tipster_visible" else None, "added_at": now,
    }, correlation_id=case.reference, actor=principal.actor)
    return {"id": note.id, "visibility": visibility, "at": iso(now)}


def ask_question(uow, principal: policy.Principal, reference: str, *, text: str, now: datetime) -> dict:
    case = policy.find_case(uow.session, principal, reference, "question", for_update=True)
    text = _text(text, MAX_NOTE)
    if not text:
        raise TransitionError("case.text_required")
    if case.status not in OPEN_STATES:
        raise TransitionError("case.not_open")
    question = Question(case_id=case.id, author_id=principal.user_id, body=text, asked_at=now)
    uow.session.add(question)
    uow.session.flush()
    case.updated_at = now
    _log(uow, case, "question", principal.user_id, now, question_id=question.id)
    uow.emit("case.question_asked", {
        "reference": case.reference, "case_id": case.id, "office_code": case.office_code,
        "question_id": str(question.id), "text": text, "asked_at": now,
    }, correlation_id=case.reference, actor=principal.actor)
    return {"id": question.id, "asked_at": iso(now)}


def assign(uow, principal: policy.Principal, reference: str, *, assignee: str | None, now: datetime) -> dict:
    action = "assign" if policy.may(principal, "assign") else "assign_self"
    case = policy.find_case(uow.session, principal, reference, action, for_update=True)
    if assignee in (None, "", "none"):
        if action != "assign":
            raise policy.Forbidden()
        if case.assignee_id is not None:
            case.assignee_id = None
            case.updated_at = now
            _log(uow, case, "assignment", principal.user_id, now, assignee=None)
        return {"reference": case.reference, "assignee": None}
    username = principal.username if assignee == "me" else str(assignee).strip().lower()
    user = uow.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not policy.assignable(uow.session, principal, case, user):
        if action != "assign":
            raise policy.Forbidden()
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
    case = policy.find_case(uow.session, principal, reference, "extend_deadline", for_update=True)
    reason = _text(reason, MAX_REASON)
    if not reason:
        raise TransitionError("case.reason_required")
    if case.status not in OPEN_STATES:
        raise TransitionError("case.not_open")
    previous = aware(case.feedback_due)
    new_due = deadlines_mod.extended_feedback_due(case, months, settings.deadlines)
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


def _official_type_label(facts: dict) -> dict | None:
    labels = OFFICIAL_TYPES.get(((facts.get("accused") or {}).get("official_type")) or "")
    return {"th": labels["th"], "en": labels["en"]} if labels else None
