"""An in-memory stand-in for services/casework/repository.py, for use-case tests without a database, and the
`tip.routed` event routing sends to open a case.

It keeps casework's rows (the models' classes, never flushed anywhere) in lists and answers the repository's
methods the use cases call, applying a policy `Scope` in Python (`Scope.admits`) where the real one writes SQL.
"""
from __future__ import annotations

import itertools
import json
import uuid

from services.casework.domain.policy import Scope
from services.casework.models import (
    Case,
    CaseEvent,
    CaseView,
    DuplicateCandidate,
    Handover,
    Note,
    Question,
    RegisteredVolunteer,
    TipsterMessage,
    User,
)
from shared.clock import utcnow
from shared.events import new_event

OFFICES = {
    "PACC-R2": ("สำนักงาน ป.ป.ท. เขต 2", "PACC Region 2"),
    "PACC-R1": ("สำนักงาน ป.ป.ท. เขต 1", "PACC Region 1"),
    "NACC-23": ("สำนักงาน ป.ป.ช. ประจำจังหวัดตราด", "NACC Trat"),
    "DAMRONGTHAM-23": ("ศูนย์ดำรงธรรมจังหวัดตราด", "Damrongtham Centre Trat"),
}


def tip_routed(reference: str, office: str = "PACC-R2", *, triage: bool = False, province: str = "23",
               volunteer_id: str | None = None, category: str = "bribery", kind: str | None = None):
    """Routing's decision for a tip (`kind`: "transfer" or "manual" for a move after a hand-over)."""
    name_th, name_en = OFFICES.get(office, (office, office))
    moved = {"kind": kind, "hop": 1, "previous_office": None} if kind else {}
    now = utcnow()
    return new_event("tip.routed", {
        "reference": reference, "agency": {"code": office, "name_th": name_th, "name_en": name_en},
        "triage": triage, "rule": "test-rule", "rules_version": "test", "reasons": {"th": "เหตุผล", "en": "reason"},
        "statute": None, "decided_at": now,
        "tip": {"reference": reference, "tipster_id": "tp_test", "channel": "volunteer" if volunteer_id else "web",
                "language": "th", "category": category,
                "description": f"รายละเอียดลับของเรื่อง {reference}", "event_date": None, "amount_thb": None,
                "location": {"province_code": province, "district_code": None, "subdistrict_code": None,
                             "place": None},
                "accused": {"official_type": "state_official", "name": None, "position": None,
                            "organization": None},
                "submitted_at": now, "volunteer_id": volunteer_id},
        **moved,
    }, correlation_id=reference)


class FakeCaseworkRepository:
    def __init__(self):
        self.cases: list[Case] = []
        self.timeline_rows: list[CaseEvent] = []
        self.views: list[CaseView] = []
        self.handovers: list[Handover] = []
        self.note_rows: list[Note] = []
        self.question_rows: list[Question] = []
        self.duplicate_rows: list[DuplicateCandidate] = []
        self.users: list[User] = []
        self.volunteers: dict[str, RegisteredVolunteer] = {}
        self.messages: dict[str, TipsterMessage] = {}
        self._ids = itertools.count(1)
        self.template_rows: list = []

    # -- cases -----------------------------------------------------------------------------------------------
    def case_by_reference(self, reference: str, *, for_update: bool = False) -> Case | None:
        return next((c for c in self.cases if c.reference == str(reference)[:40]), None)

    def case_in_scope(self, reference: str, scope: Scope, *, for_update: bool = False) -> Case | None:
        case = self.case_by_reference(reference)
        return case if case is not None and _admits(scope, case) else None

    def cases_in_scope(self, references, scope: Scope) -> list[Case]:
        return [c for c in self.cases if c.reference in set(references) and _admits(scope, c)]

    def add_case(self, **fields) -> Case:
        case = Case(id=str(uuid.uuid4()), **fields)
        self.cases.append(case)
        return case

    def record(self, case: Case, kind: str, actor: str, at, detail: dict) -> None:
        self.timeline_rows.append(CaseEvent(id=next(self._ids), case_id=case.id, kind=kind, actor=actor, at=at,
                                            detail_json=json.dumps(detail, ensure_ascii=False, default=str)))

    def timeline(self, case: Case) -> list[CaseEvent]:
        return [r for r in self.timeline_rows if r.case_id == case.id]

    def transitions(self, case: Case) -> list[dict]:
        return [json.loads(r.detail_json) for r in reversed(self.timeline(case)) if r.kind == "transition"]

    def record_view(self, case: Case, principal, view: str, at) -> None:
        self.views.append(CaseView(case_id=case.id, user_id=principal.user_id, role=principal.role, view=view,
                                   at=at))

    def case_views(self, case: Case) -> list[CaseView]:
        return [v for v in self.views if v.case_id == case.id]

    # -- hand-overs ------------------------------------------------------------------------------------------
    def add_handover(self, case: Case, **fields) -> Handover:
        row = Handover(id=next(self._ids), case_id=case.id, reference=case.reference, **fields)
        self.handovers.append(row)
        return row

    def pending_handover(self, case: Case, from_office: str) -> Handover | None:
        return next((h for h in reversed(self.handovers) if h.case_id == case.id and h.from_office == from_office
                     and h.outcome == "pending"), None)

    def handover_records(self, scope: Scope, *, reference=None, newest_first=False, limit=500) -> list[tuple]:
        cases = {c.id: c for c in self.cases}
        rows = [(h, cases[h.case_id]) for h in self.handovers if h.outcome in ("accepted", "kept")
                and scope.admits(h.from_office, bool(h.triage)) and reference in (None, h.reference)]
        return (rows[::-1] if newest_first else rows)[:limit]

    def accepted_handovers(self, case: Case) -> list[Handover]:
        return [h for h in self.handovers if h.case_id == case.id and h.outcome == "accepted"]

    # -- notes, questions, messages --------------------------------------------------------------------------
    def add_note(self, case: Case, **fields) -> Note:
        note = Note(id=next(self._ids), case_id=case.id, office_code=case.office_code, **fields)
        self.note_rows.append(note)
        return note

    def notes(self, case: Case, *, office_code=None, tipster_visible=False, internal_of=None) -> list[Note]:
        rows = [n for n in self.note_rows if n.case_id == case.id]
        if office_code is not None:
            rows = [n for n in rows if n.visibility == "tipster_visible" or n.office_code in (office_code, None)]
        if tipster_visible:
            rows = [n for n in rows if n.visibility == "tipster_visible"]
        if internal_of is not None:
            rows = [n for n in rows if n.office_code == internal_of and n.visibility == "internal"]
        return rows

    def add_question(self, case: Case, **fields) -> Question:
        question = Question(id=next(self._ids), case_id=case.id, **fields)
        self.question_rows.append(question)
        return question

    def questions(self, case: Case) -> list[Question]:
        return [q for q in self.question_rows if q.case_id == case.id]

    def question_of(self, case: Case, question_id: int) -> Question | None:
        return next((q for q in self.question_rows if q.id == int(question_id) and q.case_id == case.id), None)

    def tipster_message(self, message_id: str) -> TipsterMessage | None:
        return self.messages.get(message_id)

    def add_tipster_message(self, **fields) -> None:
        self.messages[fields["id"]] = TipsterMessage(**fields)

    def tipster_messages(self, reference: str) -> list[TipsterMessage]:
        return sorted((m for m in self.messages.values() if m.reference == reference), key=lambda m: m.added_at)

    # -- duplicates ------------------------------------------------------------------------------------------
    def has_duplicate_pair(self, reference: str, other: str) -> bool:
        return any(d.reference == reference and d.candidate_reference == other for d in self.duplicate_rows)

    def add_duplicate_pair(self, **fields) -> None:
        self.duplicate_rows.append(DuplicateCandidate(id=next(self._ids), **fields))

    def duplicates_of(self, reference: str) -> list[DuplicateCandidate]:
        return sorted((d for d in self.duplicate_rows if d.reference == reference), key=lambda d: -d.score)

    # -- users and volunteers --------------------------------------------------------------------------------
    def add_user(self, **fields) -> User | None:
        if self.user_by_username(fields["username"]) is not None:
            return None
        user = User(id=str(uuid.uuid4()), **fields)
        self.users.append(user)
        return user

    def user(self, user_id: str) -> User | None:
        return next((u for u in self.users if u.id == user_id), None)

    def user_by_username(self, username: str) -> User | None:
        return next((u for u in self.users if u.username == username), None)

    def user_id_of(self, username: str) -> str | None:
        user = self.user_by_username(username)
        return user.id if user else None

    def users_by_id(self, ids) -> dict[str, User]:
        return {u.id: u for u in self.users if u.id in set(ids)}

    def user_in_scope(self, username: str, scope: Scope) -> User | None:
        user = self.user_by_username(str(username)[:64])
        return user if user is not None and scope.admits(user.office_code) else None

    def users_in_scope(self, scope: Scope) -> list[User]:
        return sorted((u for u in self.users if scope.admits(u.office_code)),
                      key=lambda u: (u.office_code, u.username))

    def reply_templates(self, office_codes) -> list:
        codes = set(office_codes)
        return sorted((t for t in self.template_rows if t.office_code in codes),
                      key=lambda t: (t.office_code, t.kind, t.title))

    def reply_template(self, template_id: int):
        return next((t for t in self.template_rows if t.id == template_id), None)

    def add_reply_template(self, **fields):
        from services.casework.models import ReplyTemplate
        row = ReplyTemplate(id=next(self._ids), **fields)
        self.template_rows.append(row)
        return row

    def delete_reply_template(self, row) -> None:
        self.template_rows.remove(row)

    def office_staff(self, office_code: str) -> list[User]:
        return sorted((u for u in self.users if u.office_code == office_code and not u.disabled),
                      key=lambda u: (u.display_name, u.username))

    def end_sessions(self, user_id: str, *, keep: str | None = None) -> int:
        return 0  # the fake keeps no desk sessions

    def set_password(self, user_id: str, password_hash: str, now) -> None:
        user = self.user(user_id)
        user.password_hash, user.password_changed_at = password_hash, now

    def claim_reset_code(self, user_id: str, code_hash: str) -> bool:
        user = self.user(user_id)
        if user is None or user.reset_code_hash != code_hash:
            return False
        user.reset_code_hash, user.reset_expires_at = None, None
        return True

    def count_failed_sign_in(self, user_id: str, now) -> None:
        user = self.user(user_id)
        user.failed_sign_ins, user.last_failed_at = (user.failed_sign_ins or 0) + 1, now

    def clear_failed_sign_ins(self, user_id: str) -> None:
        self.user(user_id).failed_sign_ins = 0

    def claim_totp_step(self, user_id: str, step: int) -> bool:
        user = self.user(user_id)
        if user.totp_last_step is not None and user.totp_last_step >= step:
            return False
        user.totp_last_step = step
        return True

    def start_session(self, token_hash: str, *, user_id: str, kind: str, now, expires_at) -> None:
        pass  # the fake keeps no desk sessions

    def detach_all(self) -> None:
        pass

    def volunteer(self, volunteer_id: str, *, for_update: bool = False) -> RegisteredVolunteer | None:
        return self.volunteers.get(volunteer_id)

    def add_volunteer(self, **fields) -> None:
        self.volunteers[fields["volunteer_id"]] = RegisteredVolunteer(**fields)

    def registered_volunteers(self) -> dict[str, bool]:
        return {v.volunteer_id: bool(v.active) for v in self.volunteers.values()}

    def volunteer_areas(self) -> dict[str, list[str] | None]:
        return {v.volunteer_id: json.loads(v.subdistricts_json) if v.subdistricts_json else None
                for v in self.volunteers.values()}


def _admits(scope: Scope, case: Case) -> bool:
    return scope.admits(case.office_code, bool(case.triage), case.volunteer_id)
