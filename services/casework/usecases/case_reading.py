"""Reading cases: an inbox page, one case as the caller's role may see it (the read itself recorded and
announced), a sending office's record of the cases it handed on, and a case's access log.

Use cases over the repository (`uow.repo`, or a reading repository for pure queries); every case is found
through the caller's policy scope (`find_case`): one outside it is not found, exactly like one that does not
exist.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime

from services.casework.domain import inbox, lifecycle, policy, wording
from services.casework.domain.deadlines import countdown, deadline_view, next_deadline
from services.casework.domain.errors import Forbidden, NotFound
from services.casework.domain.lifecycle import HANDED_OVER, RECEIVED
from services.casework.domain.policy import Scope
from services.casework.usecases import evidence, offices, tipster_messages
from services.casework.usecases.access import find_case
from shared import geography
from shared.clock import iso_utc
from shared.vocabulary import CATEGORIES, CHANNEL_LABELS, OFFICIAL_TYPES, TIPSTER_STATUSES


@dataclass(frozen=True)
class DeskSettings:
    """What the desk's rules read from `casework` configuration."""
    deadlines: dict
    state_labels: dict

    @classmethod
    def from_config(cls, casework_config: dict | None) -> DeskSettings:
        c = casework_config or {}
        return cls(deadlines=c.get("deadlines") or {}, state_labels=c.get("state_labels") or {})


def iso(value) -> str | None:
    return iso_utc(value)


# -- listing -------------------------------------------------------------------------------------------------
def list_cases(repo, principal: policy.Principal, filters: dict, now: datetime,
               settings: DeskSettings) -> tuple[dict, list]:
    """One page of the cases `principal` can see, and the cases whose text (snippet, accused) the page shows
    (reference, case_id, office_code: record_listing records that read). Filters: show ("open", "closed",
    "all"), status, category, province, overdue, assignee ("me", "none" or a username), office, q (words of the
    case's text through the blind index, or its reference); sort (domain.inbox.SORTS, "-" first for
    descending); page and per_page."""
    query, searchable, sort = case_query(repo, principal, filters)
    page, per_page = int(filters.get("page") or 1), int(filters.get("per_page") or 25)
    total, exact, rows = repo.case_page(policy.case_scope(principal), query, now=now, search=searchable,
                                        offset=(page - 1) * per_page, limit=per_page + 1, sort=sort)
    more, rows = len(rows) > per_page, rows[:per_page]
    names = _usernames(repo, {c.assignee_id for c in rows})
    view = policy.view_of(principal) if principal.role in policy.VIEWS else "detail"
    pages = math.ceil(total / per_page)
    if not exact:  # "more than `total`": as many pages as counted, and the next one while there is one
        pages = max(pages, page + more)
    listing = {"items": [_summary(c, view, now, settings, names) for c in rows], "page": page,
               "per_page": per_page, "total": total, "total_exact": exact, "pages": max(1, pages),
               "sort": inbox.sort_param(*sort)}
    shown = [{"reference": c.reference, "case_id": c.id, "office_code": c.office_code} for c in rows]
    return listing, (shown if view == "detail" else [])


def record_listing(uow, principal: policy.Principal, shown: list, now: datetime) -> None:
    """An inbox page that showed a line of each case's text is a read of those cases: one row per case in the
    access log (view "list") and one `cases.listed` naming them all, in one transaction."""
    if not shown:
        return
    uow.repo.record_views([c["case_id"] for c in shown], principal, "list", now)
    uow.emit("cases.listed", {"viewer_id": principal.user_id, "viewer_role": principal.role,
                              "office_code": principal.office_code, "view": "list", "cases": shown,
                              "listed_at": now},
             correlation_id=f"user:{principal.user_id}", actor=principal.actor)


def case_query(repo, principal: policy.Principal, filters: dict) -> tuple[dict, bool, tuple[str, bool]]:
    """An inbox filter as the repository takes it, whether the caller may search case text, and the order."""
    query = {k: filters.get(k) for k in ("status", "category", "province", "office", "overdue", "q", "show")}
    assignee = filters.get("assignee")
    if assignee == "me":
        query["assignee_id"] = principal.user_id
    elif assignee == "none":
        query["assignee_id"] = None
    elif assignee:
        query["assignee_id"] = repo.user_id_of(assignee.lower()) or "-"
    # only those who may read case text may search it (a status-only view would otherwise probe content)
    searchable = principal.role not in policy.VIEWS or policy.view_of(principal) == "detail"
    sort = inbox.parse_sort(filters.get("sort") or "opened")
    return query, searchable, sort


def _summary(case, view: str, now: datetime, settings: DeskSettings, names: dict) -> dict:
    deadlines = deadline_view(case, now)
    overdue = [k for k, d in deadlines.items() if d["overdue"]]
    base = {"reference": case.reference, "status": case.status, "office_code": case.office_code,
            "opened_at": iso(case.opened_at), "open311_status": lifecycle.open311_status(case.status)}
    if view == "status":
        return {**base, "tipster_label": lifecycle.tipster_label(case.status, case.resolution),
                "office": office_of(case)}
    if view == "audit":
        return {**base, "status_label": lifecycle.staff_label(case.status, case.office_code, settings.state_labels)}
    facts = json.loads(case.facts_json) if case.facts_json else {}
    accused = facts.get("accused") if isinstance(facts.get("accused"), dict) else {}
    due = next_deadline(open_=case.status in lifecycle.OPEN_STATES, acknowledge_due=case.acknowledge_due,
                        acknowledged_at=case.acknowledged_at, feedback_due=case.feedback_due,
                        feedback_given_at=case.feedback_given_at)
    return {**base, "status_label": lifecycle.staff_label(case.status, case.office_code, settings.state_labels),
            "category": case.category, "category_label": CATEGORIES.get(case.category),
            "province_code": case.province_code, "province": _province(case.province_code),
            "triage": bool(case.triage), "resolution": case.resolution,
            "acknowledge_due": iso(case.acknowledge_due), "feedback_due": iso(case.feedback_due),
            "overdue": bool(overdue), "overdue_deadlines": overdue,
            "assignee": names.get(case.assignee_id), "pending_closure": case.pending_closure_json is not None,
            "snippet": inbox.snippet(facts.get("description")),
            "accused": {"organization": accused.get("organization"), "position": accused.get("position"),
                        "official_type": accused.get("official_type"),
                        "official_type_label": _short_official_type(accused.get("official_type"))},
            "next_deadline": ({"deadline": due[0], "due": iso(due[1]), **countdown(due[1], now)}
                              if due else None)}


def _short_official_type(code) -> dict | None:
    labels = OFFICIAL_TYPES.get(code or "")
    if not labels:
        return None
    return {"th": labels.get("short_th", labels["th"]), "en": labels.get("short_en", labels["en"])}


def _usernames(repo, ids) -> dict:
    return {i: {"username": u.username, "display_name": u.display_name} for i, u in repo.users_by_id(ids).items()}


def office_of(case) -> dict:
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
        case = find_case(uow.repo, principal, reference, "read")
    except NotFound:
        # not (any more) in this office's inbox: the office may still hold a record of handing it on
        record = handover_record(uow.repo, principal, reference, settings)
        if record is None:
            raise
        case, body, view = record["_case"], record["body"], "handover"
    else:
        view = policy.view_of(principal)
        body = {"detail": _detail_view, "status": _status_view, "audit": _audit_view}[view](
            uow.repo, case, principal, now, settings)
    uow.repo.record_view(case, principal, view, now)
    uow.emit("case.viewed", {"reference": case.reference, "case_id": case.id, "office_code": case.office_code,
                             "viewer_id": principal.user_id, "viewer_role": principal.role, "view": view,
                             "viewed_at": now}, correlation_id=case.reference, actor=principal.actor)
    return body


def _detail_view(repo, case, principal, now, settings: DeskSettings) -> dict:
    facts = json.loads(case.facts_json)
    rows = repo.timeline(case)
    notes = repo.notes(case, office_code=principal.office_code)
    note_ids = {n.id for n in notes}  # another office's internal note leaves no line on the timeline either
    questions = repo.questions(case)
    people = _usernames(repo, {case.assignee_id} | {r.actor for r in rows} | {n.author_id for n in notes}
                        | {q.author_id for q in questions} | _assignees_named(rows))
    location = facts.get("location") or {}
    pending = json.loads(case.pending_closure_json) if case.pending_closure_json else None
    if pending:
        pending["by"] = people.get(pending.get("by"), {"username": pending.get("by")})
    return {
        "reference": case.reference,
        "view": "detail",
        "office": office_of(case),
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
            "amount_label": wording.baht(facts.get("amount_thb")),
            "channel_label": CHANNEL_LABELS.get(facts.get("channel") or ""),
            "channel": facts.get("channel"),
            "language": facts.get("language"),
            "submitted_at": facts.get("submitted_at"),
            "location": {"province": _area("province", location.get("province_code")),
                         "district": _area("district", location.get("district_code")),
                         "subdistrict": _area("subdistrict", location.get("subdistrict_code")),
                         "place": location.get("place"),
                         "point": ({"lat": location["lat"], "long": location["long"]}
                                   if location.get("lat") and location.get("long") else None)},
            "accused": facts.get("accused"),
            "filed_by_volunteer": bool(facts.get("volunteer_id")),
            "media_url": facts.get("media_url"),  # the tipster's link, shown as a link: never fetched
        },
        "routing": {"rule": case.routing_rule, "reasons": json.loads(case.routing_reasons_json)},
        "opened_at": iso(case.opened_at),
        "updated_at": iso(case.updated_at),
        "assignee": people.get(case.assignee_id),
        "deadlines": _deadlines(case, now),
        "pending_closure": pending,
        "closure_reason": json.loads(case.closure_reason_json) if case.closure_reason_json else None,
        "transfer_count": case.transfer_count or 0,
        "timeline": [_timeline_row(r, people, case, settings) for r in rows
                     if r.kind != "note" or json.loads(r.detail_json or "{}").get("note_id") in note_ids],
        "notes": [{"id": n.id, "visibility": n.visibility, "text": n.body, "at": iso(n.created_at),
                   "author": _actor(people, n.author_id)} for n in notes],
        "questions": [{"id": q.id, "text": q.body, "asked_at": iso(q.asked_at), "author": _actor(people, q.author_id),
                       "answer": q.answer, "answered_at": iso(q.answered_at)} for q in questions],
        "tipster_messages": tipster_messages.of_reference(repo, case.reference),
        "conversation": _conversation(case, people, notes, questions,
                                      tipster_messages.of_reference(repo, case.reference)),
        "attachments": [dict(a, download_url=evidence.api_path(case.reference, a["id"]))
                        for a in evidence.attachments_of(repo, case.reference)],
        "possible_duplicates": possible_duplicates(repo, principal, case),
        "allowed_transitions": [
            {"to": t, "label": lifecycle.staff_label(t, case.office_code, settings.state_labels),
             "proposal_only": principal.role not in lifecycle.RULES[(case.status, t)].roles}
            for t in lifecycle.targets(case.status, principal.role)],
        "can": sorted(policy.ACTIONS.get(principal.role, ())),
        "handed_over_here": _handed_over_from(repo, case, principal.office_code),
        "assignable": [{"username": u.username, "display_name": u.display_name,
                        "role_label": wording.ROLES.get(u.role)}
                       for u in repo.office_staff(case.office_code) if policy.assignable(principal, case, u)],
    }


def _assignees_named(rows) -> set:
    return {json.loads(r.detail_json or "{}").get("assignee") for r in rows if r.kind == "assignment"} - {None}


def _timeline_row(r, people: dict, case, settings: DeskSettings) -> dict:
    """One line of the timeline, with its words: `label` (what kind of thing) and `summary` (what it adds)."""
    detail = json.loads(r.detail_json or "{}")
    names = {i: p["display_name"] for i, p in people.items()}
    return {"kind": r.kind, "at": iso(r.at), "actor": _actor(people, r.actor), "detail": detail,
            "label": wording.EVENT_KINDS.get(r.kind, {"th": "เหตุการณ์อื่น", "en": "Other event"}),
            "summary": wording.describe(
                r.kind, detail, names=names, offices=offices.names(),
                state=lambda s: lifecycle.staff_label(s, case.office_code, settings.state_labels))}


def _deadlines(case, now: datetime) -> dict:
    """Both deadlines, with a countdown while they are still to be met on an open case."""
    view = deadline_view(case, now)
    out = _iso_deadlines(view)
    for key, d in view.items():
        out[key]["label"] = wording.DEADLINES[key]
        out[key]["countdown"] = (countdown(d["due"], now)
                                 if d["met_at"] is None and case.status in lifecycle.OPEN_STATES else None)
    return out


def _conversation(case, people: dict, notes, questions, messages) -> list[dict]:
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


def possible_duplicates(repo, principal: policy.Principal, case) -> list[dict]:
    """Routing's candidates for the same matter — only those the caller may see themselves, so a duplicate in
    another office never reveals that office's case."""
    rows = repo.duplicates_of(case.reference)
    if not rows:
        return []
    visible = {c.reference: c for c in repo.cases_in_scope([r.candidate_reference for r in rows],
                                                           policy.case_scope(principal))}
    return [{"reference": r.candidate_reference, "score": r.score, "reasons": json.loads(r.reasons_json),
             "signals": json.loads(r.signals_json), "status": visible[r.candidate_reference].status}
            for r in rows if r.candidate_reference in visible]


def _tipster_label(case) -> dict:
    """What the tipster reads now: a case still at a triage desk is "staff are deciding which office"."""
    if case.triage and case.status == RECEIVED:
        return dict(TIPSTER_STATUSES["triage"])
    return lifecycle.tipster_label(case.status, case.resolution)


# -- what a sending office keeps of a case it handed on ------------------------------------------------------
# A sending office keeps a read-only record of each case it transferred, referred or sent on from triage, once
# the case has left it: its own hand-over (when, by whom, why, the office it named, where routing sent the case),
# the case's current state (staff wording, open or closed), its category and province, and the internal notes
# its own staff wrote. Never the facts, the receiving office's notes, questions, the tipster's messages or files:
# the matter is the receiving office's now. Supervisors see every record of their office; caseworkers those of
# ordinary cases, triage officers those of triage cases (each what they could see before the hand-over).

def _record_scope(principal: policy.Principal) -> Scope | None:
    """Whose hand-overs an office's staff see: their office's, of the cases they could see before."""
    if principal.role in ("supervisor", "caseworker", "triage_officer"):
        return policy.case_scope(principal)
    return None


def _record_row(h, case, settings: DeskSettings, people: dict) -> dict:
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


def list_handovers(repo, principal: policy.Principal, settings: DeskSettings) -> dict:
    """The cases this office handed on (routing moved them), and its triage decisions (including "this office is
    competent": the case left the triage desk for the office's own inbox), newest first."""
    scope = _record_scope(principal)
    if scope is None:
        raise Forbidden()
    rows = repo.handover_records(scope, newest_first=True)
    people = _usernames(repo, {h.requested_by for h, _ in rows})
    return {"items": [_record_row(h, c, settings, people) for h, c in rows]}


def handover_record(repo, principal: policy.Principal, reference: str, settings: DeskSettings):
    """The read-only record of a case `principal`'s office handed on (None if it has none)."""
    scope = _record_scope(principal)
    if scope is None:
        return None
    rows = repo.handover_records(scope, reference=reference)
    if not rows:
        return None
    case = rows[-1][1]
    notes = repo.notes(case, internal_of=principal.office_code)
    people = _usernames(repo, {h.requested_by for h, _ in rows} | {n.author_id for n in notes})
    body = {"reference": case.reference, "view": "handover", "read_only": True,
            "handovers": [_record_row(h, c, settings, people) for h, c in rows],
            "current": _record_row(rows[-1][0], case, settings, people)["current"],
            "notes": [{"id": n.id, "visibility": n.visibility, "text": n.body, "at": iso(n.created_at),
                       "author": _actor(people, n.author_id)} for n in notes]}
    return {"_case": case, "body": body}


def _handed_over_from(repo, case, office_code: str) -> list[dict]:
    """On the receiving office's page: which offices handed this case on, and when (never their notes)."""
    rows = repo.accepted_handovers(case)
    return [{"from_office": h.from_office, "to_office": h.to_office, "mode": h.mode,
             "mode_label": HANDOVER_MODES.get(h.mode), "at": iso(h.decided_at or h.requested_at)} for h in rows]
    # (only "accepted" hand-overs: a triage desk keeping a case at its own office handed nothing over)


def _status_view(repo, case, principal, now, settings) -> dict:
    """What a volunteer who filed the tip sees: its status (in the tipster's words) and the office that has it,
    as on intake's "tips you filed" page. Never the notes or questions meant for the tipster: they are the
    tipster's, not the volunteer's."""
    rows = [(r, json.loads(r.detail_json or "{}")) for r in repo.timeline(case)
            if r.kind in ("opened", "transition", "rerouted", "transfer_refused")]
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
            "open311_status": lifecycle.open311_status(case.status), "office": office_of(case),
            "opened_at": iso(case.opened_at), "timeline": timeline}


def _audit_view(repo, case, principal, now, settings) -> dict:
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
    rows = repo.timeline(case)
    people = _usernames(repo, {r.actor for r in rows} | _assignees_named(rows))
    names = {i: p["display_name"] for i, p in people.items()}
    for r in rows:
        detail = json.loads(r.detail_json or "{}")
        keep = safe_detail.get(r.kind, ())
        safe = {k: detail[k] for k in keep if k in detail}
        timeline.append({"kind": r.kind, "at": iso(r.at), "actor_id": r.actor, "actor": _actor(people, r.actor),
                         "detail": safe, "label": wording.EVENT_KINDS.get(r.kind, {"th": "เหตุการณ์อื่น",
                                                                                  "en": "Other event"}),
                         "summary": wording.describe(
                             r.kind, safe, names=names, offices=offices.names(),
                             state=lambda s: lifecycle.staff_label(s, case.office_code, settings.state_labels))})
    return {"reference": case.reference, "view": "audit", "office_code": case.office_code, "status": case.status,
            "status_label": lifecycle.staff_label(case.status, case.office_code, settings.state_labels),
            "office": office_of(case), "opened_at": iso(case.opened_at), "closed_at": iso(case.closed_at),
            "timeline": timeline}


def access_log(repo, principal: policy.Principal, reference: str) -> dict:
    """Who opened the case and when (auditors and supervisors)."""
    case = find_case(repo, principal, reference, "access_log")
    rows = repo.case_views(case)
    people = _usernames(repo, {r.user_id for r in rows})
    return {"reference": case.reference,
            "views": [{"user_id": r.user_id, "user": _actor(people, r.user_id), "role": r.role,
                       "role_label": wording.ROLES.get(r.role), "view": r.view, "view_label": wording.VIEWS.get(r.view),
                       "at": iso(r.at)} for r in rows]}


def _actor(people: dict, actor_id: str) -> dict:
    if actor_id in people:
        return {"id": actor_id, **people[actor_id]}
    return {"id": actor_id, "username": actor_id, "display_name": actor_id}


def _iso_deadlines(view: dict) -> dict:
    return {k: {kk: (iso(vv) if isinstance(vv, datetime) else vv) for kk, vv in d.items()} for k, d in view.items()}


def _official_type_label(facts: dict) -> dict | None:
    labels = OFFICIAL_TYPES.get(((facts.get("accused") or {}).get("official_type")) or "")
    return {"th": labels["th"], "en": labels["en"]} if labels else None
