"""Casework's repository: the one place (besides models and migrations) that reads and writes casework's tables.

Built per transaction from its session (`Database(..., repository=CaseworkRepository)`); use cases reach it as
`uow.repo`. It speaks in rows of services.casework.models and plain values; access is decided in
services.casework.domain.policy (a `Scope`), which `_where()` turns into SQL here.

The blind index of case text (shared.blind_index) is kept here too: the description, the place, and the
accused's organisation and position (Thai and English words). The reference is clear metadata and is matched
directly (a prefix such as "SS-7KQ2" works).
"""
from __future__ import annotations

import json
import re
import uuid

from sqlalchemy import and_, delete, exists, false, func, insert, literal_column, or_, select, text, true, update
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from services.casework.domain.lifecycle import OPEN_STATES
from services.casework.domain.policy import Scope
from services.casework.models import (
    Case,
    CaseEvent,
    CaseView,
    DeskSession,
    DuplicateCandidate,
    Handover,
    Note,
    Question,
    RegisteredVolunteer,
    ReplyTemplate,
    SavedView,
    SearchTerm,
    TipsterMessage,
    User,
)
from shared import blind_index
from shared.db import insert_if_absent

# written on the tip's path with Core statements (no unit of work to track them), each statement made once and
# executed with its rows as parameters (SQLAlchemy finds it compiled)
_CASES, _DUPLICATES = Case.__table__, DuplicateCandidate.__table__
_INSERT_CASE_EVENT, _INSERT_SEARCH_TERM = insert(CaseEvent.__table__), insert(SearchTerm.__table__)

SEARCH_SERVICE = "casework"
_REFERENCE = re.compile(r"^SS-[A-Z0-9]{1,4}(-[A-Z0-9]{0,4})?$", re.IGNORECASE)
_FULL_REFERENCE = re.compile(r"^SS-[A-Z0-9]{4}-[A-Z0-9]{4}$", re.IGNORECASE)
# an inbox counts its cases up to this many and says "more than" beyond (the page itself is not limited)
COUNT_CAP = 10_000
# a search word held by more cases than this is as common as any other for choosing which word drives
POSTINGS_CAP = 2_000


def _agency_clause(column, agency: str):
    escaped = agency.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(column == agency, column.like(f"{escaped}-%", escape="\\"))


def _where(scope: Scope, office_column, triage_column=None, volunteer_column=None):
    """A policy Scope as a SQL condition on the given columns."""
    if scope.nothing:
        return false()
    if scope.everything:
        return true()
    if scope.volunteer_id is not None:
        return volunteer_column == scope.volunteer_id
    clauses = []
    if scope.office is not None:
        clauses.append(office_column == scope.office)
    if scope.agency is not None:
        clauses.append(_agency_clause(office_column, scope.agency))
    if scope.triage is not None:
        clauses.append(triage_column.is_(scope.triage))
    return and_(*clauses) if clauses else true()


def case_condition(scope: Scope):
    """The cases a Scope admits, as a WHERE clause on Case."""
    return _where(scope, Case.office_code, Case.triage, Case.volunteer_id)


def user_condition(scope: Scope):
    return _where(scope, User.office_code)


def overdue_clause(now):
    """Open cases past a deadline they have not met (acknowledgement or feedback)."""
    return and_(Case.status.in_(OPEN_STATES), or_(
        and_(Case.acknowledged_at.is_(None), Case.acknowledge_due <= now),
        and_(Case.feedback_given_at.is_(None), Case.feedback_due <= now)))


def search_texts(facts: dict) -> list[str]:
    accused = facts.get("accused") if isinstance(facts.get("accused"), dict) else {}
    location = facts.get("location") if isinstance(facts.get("location"), dict) else {}
    return [facts.get("description") or "", location.get("place") or "", accused.get("organization") or "",
            accused.get("position") or ""]


def search_condition(query: str, postings=None, *, driven_by_scope: bool = False):
    """A WHERE clause on Case for a desk query: every word found in the case's text, or its reference.

    The word with the fewest cases drives through the term index (`IN`, read from the index alone); every other
    word, rarer first, is a probe of (term, case) per candidate (`EXISTS`), so a query costs about as much as its
    rarest word is common. `postings(hash)` tells how many cases hold a word (up to a cap); without it the
    longest word is taken for the rarest. A whole reference is looked up by its unique index.

    `driven_by_scope` (SQLite): the rarest word's cases are a set the inbox index's cases are checked against,
    rather than each of them looked up in the cases table (whose rows carry the sealed text: SQLite would read
    a page of the table per candidate). The unary plus is SQLite's way of saying "not through this column's
    index"; PostgreSQL chooses on its own."""
    query = (query or "").strip()
    if _FULL_REFERENCE.match(query):
        return Case.reference == query.upper()  # a whole reference is a reference (the unique index finds it)
    clauses = []
    if _REFERENCE.match(query):
        clauses.append(Case.reference.like(query.upper() + "%"))
    words = sorted(set(blind_index.words(query)), key=lambda w: (-len(w), w))
    hashes = [blind_index.blind(SEARCH_SERVICE, w) for w in words]
    if postings is not None and len(hashes) > 1:
        hashes.sort(key=postings)  # stable: among equally common words, the longer first
    if hashes:
        case_id = literal_column("+casework_cases.id") if driven_by_scope else Case.id
        clauses.append(and_(
            case_id.in_(select(SearchTerm.case_id).where(SearchTerm.term == hashes[0])),
            *[exists().where(SearchTerm.case_id == Case.id, SearchTerm.term == h) for h in hashes[1:]]))
    if not clauses:
        return Case.id.is_(None)  # nothing searchable in the query: nothing found
    return or_(*clauses)


def _python_default(column):
    """What the ORM would have given a column left out of an INSERT, as far as Python knows it."""
    default = column.default
    return default.arg if default is not None and default.is_scalar else None


def _next_due():
    """The deadline an open case works towards (acknowledgement until met, then feedback), as SQL."""
    return sql_case((Case.status.not_in(OPEN_STATES), None),
                (Case.acknowledged_at.is_(None), Case.acknowledge_due),
                (Case.feedback_given_at.is_(None), Case.feedback_due), else_=None)


# domain.inbox.SORTS as SQL (functions: the expression is built per query)
_SORT_COLUMNS = {
    "reference": lambda: Case.reference, "opened": lambda: Case.opened_at, "status": lambda: Case.status,
    "category": lambda: Case.category, "province": lambda: Case.province_code, "office": lambda: Case.office_code,
    "assignee": lambda: User.display_name, "due": _next_due,
}


class CaseworkRepository:
    def __init__(self, session):
        self.session = session

    # -- cases -----------------------------------------------------------------------------------------------
    def case_by_reference(self, reference: str, *, for_update: bool = False) -> Case | None:
        query = select(Case).where(Case.reference == str(reference)[:40])
        if for_update:
            query = query.with_for_update()
        return self.session.execute(query).scalar_one_or_none()

    def case_in_scope(self, reference: str, scope: Scope, *, for_update: bool = False) -> Case | None:
        query = select(Case).where(Case.reference == str(reference)[:40], case_condition(scope))
        if for_update:
            query = query.with_for_update()
        return self.session.execute(query).scalar_one_or_none()

    def add_case(self, **fields) -> Case | None:
        """A new case (its id made here) with its search terms, unless the reference has a case already (then
        None). Two statements: the case (INSERT … ON CONFLICT DO NOTHING on the reference, no look-up first) and
        its terms (one multi-row INSERT). The Case returned is in the session as if it had been read: a change
        made to it is written at commit."""
        values = {"id": str(uuid.uuid4()), **fields}
        if not self.session.execute(insert_if_absent(self.session, _CASES, ["reference"]), values).rowcount:
            return None
        self._insert_terms(values["id"], json.loads(values["facts_json"]) if values.get("facts_json") else {})
        case = Case(**{column.key: values.get(column.key, _python_default(column)) for column in _CASES.columns})
        make_transient_to_detached(case)
        self.session.add(case)
        return case

    def record(self, case: Case, kind: str, actor: str, at, detail: dict) -> None:
        """One line on the case's timeline (written at once, in order)."""
        self.session.execute(_INSERT_CASE_EVENT, {
            "case_id": case.id, "kind": kind, "actor": actor, "at": at,
            "detail_json": json.dumps(detail, ensure_ascii=False, default=str)})

    def transitions(self, case: Case) -> list[dict]:
        """The details of the case's state changes on its timeline, newest first."""
        rows = self.session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                            CaseEvent.kind == "transition")
                                    .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())).scalars()
        return [json.loads(r.detail_json) for r in rows]

    def record_view(self, case: Case, principal, view: str, at) -> None:
        self.session.add(CaseView(case_id=case.id, user_id=principal.user_id, role=principal.role, view=view,
                                  at=at))

    def record_views(self, case_ids, principal, view: str, at) -> None:
        """The same read of several cases (an inbox page), in one statement."""
        self.session.execute(insert(CaseView), [
            {"case_id": case_id, "user_id": principal.user_id, "role": principal.role, "view": view, "at": at}
            for case_id in case_ids])

    def case_page(self, scope: Scope, filters: dict, *, now, search: bool, offset: int, limit: int,
                  sort: tuple[str, bool] = ("opened", False)) -> tuple[int, bool, list[Case]]:
        """A page of the cases a scope admits, in the order of `sort` (a key of domain.inbox.SORTS and whether
        descending), and how many there are in all: (count, whether the count is exact, cases). The count stops
        at COUNT_CAP (then it is COUNT_CAP and not exact): counting every row of a huge result would cost more than
        the page. Filters: show ("open", "closed" or "all"; a `status` wins), status, category, province, office,
        overdue (True/False), assignee_id ("" for none), q (through the blind index, when `search` is allowed;
        else nothing matches)."""
        conditions = self._case_filters(scope, filters, now=now, search=search)
        counted = self.session.execute(select(func.count()).select_from(
            select(Case.id).where(*conditions).limit(COUNT_CAP + 1).subquery())).scalar()
        # the page's ids first, from the narrow columns (the inbox index covers the usual ones), then those
        # cases whole: a case row carries its sealed text, and sorting thousands of them to keep 25 read it all
        query = select(Case.id).where(*conditions)
        key, descending = sort
        if key == "assignee":
            query = query.outerjoin(User, User.id == Case.assignee_id)
        column = _SORT_COLUMNS[key]()
        # cases without a value (no assignee, no deadline left) come last either way
        ordering = [column.is_(None), column.desc() if descending else column.asc()]
        ordering.append(Case.opened_at.desc() if descending else Case.opened_at)
        ordering.append(Case.id)
        ids = self.session.execute(query.order_by(*ordering).offset(offset).limit(limit)).scalars().all()
        found = {c.id: c for c in self.session.execute(select(Case).where(Case.id.in_(ids))).scalars()}
        rows = [found[i] for i in ids if i in found]
        if counted > COUNT_CAP:
            return COUNT_CAP, False, list(rows)
        return counted, True, list(rows)

    def case_export(self, scope: Scope, filters: dict, *, now, search: bool, sort: tuple[str, bool],
                    limit: int) -> list[Case]:
        """Every case a filter shows (at most `limit`), in the inbox's order: the case-list export."""
        return self.case_page(scope, filters, now=now, search=search, offset=0, limit=limit, sort=sort)[2]

    def postings(self, term: str) -> int:
        """How many cases hold a blind-index term, counted up to POSTINGS_CAP (from the term index alone)."""
        return self.session.execute(select(func.count()).select_from(
            select(SearchTerm.case_id).where(SearchTerm.term == term).limit(POSTINGS_CAP).subquery())).scalar()

    def _case_filters(self, scope: Scope, filters: dict, *, now, search: bool) -> list:
        conditions = [case_condition(scope)]
        for key, column in (("status", Case.status), ("category", Case.category),
                            ("province", Case.province_code), ("office", Case.office_code)):
            if filters.get(key):
                conditions.append(column == filters[key])
        if not filters.get("status"):
            if filters.get("show") == "open":
                conditions.append(Case.status.in_(OPEN_STATES))
            elif filters.get("show") == "closed":
                conditions.append(Case.status.not_in(OPEN_STATES))
        if (filters.get("q") or "").strip():
            sqlite = self.session.get_bind().dialect.name == "sqlite"
            conditions.append(search_condition(filters["q"], self.postings, driven_by_scope=sqlite) if search
                              else Case.id.is_(None))
        if filters.get("overdue") is True:
            conditions.append(overdue_clause(now))
        elif filters.get("overdue") is False:
            conditions.append(~overdue_clause(now))
        if "assignee_id" in filters:
            conditions.append(Case.assignee_id == filters["assignee_id"] if filters["assignee_id"]
                              else Case.assignee_id.is_(None))
        return conditions

    def stats_rows(self, scope: Scope, filters: dict) -> list:
        """What statistics count of each case a scope admits (never its content). Filters: office, province,
        opened_from (inclusive), opened_to (exclusive)."""
        conditions = [case_condition(scope)]
        if filters.get("office"):
            conditions.append(Case.office_code == filters["office"])
        if filters.get("province"):
            conditions.append(Case.province_code == filters["province"])
        if filters.get("opened_from"):
            conditions.append(Case.opened_at >= filters["opened_from"])
        if filters.get("opened_to"):
            conditions.append(Case.opened_at < filters["opened_to"])
        return list(self.session.execute(select(
            Case.office_code, Case.office_name_th, Case.office_name_en, Case.province_code, Case.status,
            Case.category, Case.opened_at, Case.acknowledged_at, Case.closed_at, Case.acknowledge_due,
            Case.feedback_due, Case.feedback_given_at,
        ).where(*conditions)).all())

    def access_entries(self, scope: Scope, *, reference: str | None = None, username: str | None = None,
                       limit: int = 500) -> list:
        """Who opened which case in the scope, newest first, with the reader's name, role and office."""
        query = (select(CaseView.at, CaseView.view, CaseView.role, CaseView.user_id, Case.reference,
                        Case.office_code.label("case_office"), User.username, User.display_name,
                        User.office_code.label("user_office"))
                 .join(Case, Case.id == CaseView.case_id).outerjoin(User, User.id == CaseView.user_id)
                 .where(case_condition(scope)))
        if reference:
            query = query.where(Case.reference == reference)
        if username:
            query = query.where(User.username == username)
        return list(self.session.execute(query.order_by(CaseView.at.desc(), CaseView.id.desc()).limit(limit)).all())

    def network_rows(self, provinces) -> list:
        """What the coordinators' view counts of each case in these provinces: its state, times, the volunteer who
        filed it and its facts (for the location's codes only; nothing else of them leaves the use case)."""
        return list(self.session.execute(select(
            Case.status, Case.opened_at, Case.acknowledged_at, Case.closed_at, Case.volunteer_id, Case.facts_json,
        ).where(Case.province_code.in_(list(provinces)))).all())

    def volunteer_accounts(self, volunteer_ids) -> dict[str, tuple[str, str]]:
        """Desk accounts bound to these volunteer ids: {volunteer id: (display name, office)}."""
        rows = self.session.execute(select(User.volunteer_id, User.display_name, User.office_code).where(
            User.volunteer_id.in_(list(volunteer_ids)), User.role == "volunteer")).all()
        return {r.volunteer_id: (r.display_name, r.office_code) for r in rows}

    def registered_volunteers(self) -> dict[str, bool]:
        """intake's volunteer registry as casework knows it: {volunteer id: active}."""
        rows = self.session.execute(select(RegisteredVolunteer.volunteer_id, RegisteredVolunteer.active)).all()
        return {r.volunteer_id: bool(r.active) for r in rows}

    def volunteer_areas(self) -> dict[str, list[str] | None]:
        """Each registered volunteer's area (subdistrict codes), None where intake has not announced it."""
        rows = self.session.execute(select(RegisteredVolunteer.volunteer_id,
                                           RegisteredVolunteer.subdistricts_json)).all()
        return {r.volunteer_id: json.loads(r.subdistricts_json) if r.subdistricts_json else None for r in rows}

    def cases_in_scope(self, references, scope: Scope) -> list[Case]:
        return list(self.session.execute(select(Case).where(Case.reference.in_(list(references)),
                                                            case_condition(scope))).scalars())

    def timeline(self, case: Case) -> list[CaseEvent]:
        return list(self.session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                         .order_by(CaseEvent.at, CaseEvent.id)).scalars())

    def case_views(self, case: Case) -> list[CaseView]:
        return list(self.session.execute(select(CaseView).where(CaseView.case_id == case.id)
                                         .order_by(CaseView.at, CaseView.id)).scalars())

    def notes(self, case: Case, *, office_code: str | None = None, tipster_visible: bool = False,
              internal_of: str | None = None) -> list[Note]:
        """A case's notes, oldest first: those for the tipster (`tipster_visible`), an office's internal notes
        (`internal_of`), or what an office may read (`office_code`: for the tipster, or its own)."""
        query = select(Note).where(Note.case_id == case.id)
        if office_code is not None:
            query = query.where((Note.visibility == "tipster_visible") | (Note.office_code == office_code)
                                | Note.office_code.is_(None))
        if tipster_visible:
            query = query.where(Note.visibility == "tipster_visible")
        if internal_of is not None:
            query = query.where(Note.office_code == internal_of, Note.visibility == "internal")
        return list(self.session.execute(query.order_by(Note.id)).scalars())

    def questions(self, case: Case) -> list[Question]:
        return list(self.session.execute(select(Question).where(Question.case_id == case.id)
                                         .order_by(Question.id)).scalars())

    def question_of(self, case: Case, question_id: int) -> Question | None:
        question = self.session.get(Question, int(question_id))
        return question if question is not None and question.case_id == case.id else None

    def tipster_messages(self, reference: str) -> list[TipsterMessage]:
        return list(self.session.execute(select(TipsterMessage).where(TipsterMessage.reference == reference)
                                         .order_by(TipsterMessage.added_at, TipsterMessage.id)).scalars())

    def tipster_message(self, message_id: str) -> TipsterMessage | None:
        return self.session.get(TipsterMessage, message_id)

    def add_tipster_message(self, **fields) -> None:
        self.session.add(TipsterMessage(**fields))

    def duplicates_of(self, reference: str) -> list[DuplicateCandidate]:
        return list(self.session.execute(select(DuplicateCandidate).where(DuplicateCandidate.reference == reference)
                                         .order_by(DuplicateCandidate.score.desc())).scalars())

    # -- hand-overs ------------------------------------------------------------------------------------------
    def add_handover(self, case: Case, **fields) -> Handover:
        row = Handover(case_id=case.id, reference=case.reference, **fields)
        self.session.add(row)
        return row

    def pending_handover(self, case: Case, from_office: str) -> Handover | None:
        return self.session.execute(select(Handover).where(
            Handover.case_id == case.id, Handover.from_office == from_office, Handover.outcome == "pending")
            .order_by(Handover.id.desc()).limit(1)).scalar_one_or_none()

    def handover_records(self, scope: Scope, *, reference: str | None = None, newest_first: bool = False,
                         limit: int = 500) -> list[tuple[Handover, Case]]:
        """Hand-overs routing completed (accepted, or kept at a triage desk's own office) from the offices a
        scope admits (`office` and `triage` read on the sending side), with their cases."""
        query = (select(Handover, Case).join(Case, Case.id == Handover.case_id)
                 .where(_where(scope, Handover.from_office, Handover.triage),
                        Handover.outcome.in_(("accepted", "kept"))))
        if reference is not None:
            query = query.where(Handover.reference == str(reference)[:40])
        order = ((Handover.requested_at.desc(), Handover.id.desc()) if newest_first
                 else (Handover.requested_at, Handover.id))
        return [tuple(row) for row in self.session.execute(query.order_by(*order).limit(limit)).all()]

    def accepted_handovers(self, case: Case) -> list[Handover]:
        return list(self.session.execute(select(Handover).where(Handover.case_id == case.id,
                                                                Handover.outcome == "accepted")
                                         .order_by(Handover.requested_at, Handover.id)).scalars())

    # -- notes and questions ---------------------------------------------------------------------------------
    def add_note(self, case: Case, **fields) -> Note:
        note = Note(case_id=case.id, office_code=case.office_code, **fields)
        self.session.add(note)
        self.session.flush()
        return note

    def add_question(self, case: Case, **fields) -> Question:
        question = Question(case_id=case.id, **fields)
        self.session.add(question)
        self.session.flush()
        return question

    # -- duplicates ------------------------------------------------------------------------------------------
    def add_duplicate_pairs(self, rows: list[dict]) -> None:
        """Pairs of possible duplicates, each unless kept already (the first of equal pairs wins): one
        INSERT … ON CONFLICT DO NOTHING for them all, no look-up per pair."""
        if rows:
            self.session.execute(insert_if_absent(self.session, _DUPLICATES, ["reference", "candidate_reference"]),
                                 rows)

    # -- users and volunteers --------------------------------------------------------------------------------
    def user_by_username(self, username: str) -> User | None:
        return self.session.execute(select(User).where(User.username == username)).scalar_one_or_none()

    def user_in_scope(self, username: str, scope: Scope) -> User | None:
        return self.session.execute(select(User).where(User.username == str(username)[:64], user_condition(scope))
                                    ).scalar_one_or_none()

    def users_in_scope(self, scope: Scope) -> list[User]:
        return list(self.session.execute(select(User).where(user_condition(scope))
                                         .order_by(User.office_code, User.username)).scalars())

    # -- reply templates -------------------------------------------------------------------------------------
    def reply_templates(self, office_codes) -> list[ReplyTemplate]:
        return list(self.session.execute(select(ReplyTemplate).where(ReplyTemplate.office_code.in_(list(office_codes)))
                                         .order_by(ReplyTemplate.office_code, ReplyTemplate.kind,
                                                   ReplyTemplate.title)).scalars())

    def reply_template(self, template_id: int) -> ReplyTemplate | None:
        return self.session.get(ReplyTemplate, template_id)

    def add_reply_template(self, **fields) -> ReplyTemplate:
        row = ReplyTemplate(**fields)
        self.session.add(row)
        self.session.flush()
        return row

    def delete_reply_template(self, row: ReplyTemplate) -> None:
        self.session.delete(row)

    def office_staff(self, office_code: str) -> list[User]:
        """The office's active accounts, by display name (the assignment picker filters them by role)."""
        return list(self.session.execute(select(User).where(User.office_code == office_code, User.disabled == false())
                                         .order_by(User.display_name, User.username)).scalars())

    def user_id_of(self, username: str) -> str | None:
        return self.session.execute(select(User.id).where(User.username == username)).scalar()

    def users_by_id(self, ids) -> dict[str, User]:
        ids = {i for i in ids if i}
        if not ids:
            return {}
        return {u.id: u for u in self.session.execute(select(User).where(User.id.in_(ids))).scalars()}

    def user(self, user_id: str) -> User | None:
        return self.session.get(User, user_id)

    def add_user(self, **fields) -> User | None:
        """A new account (its id made here); None if the username was taken meanwhile."""
        user = User(id=str(uuid.uuid4()), **fields)
        self.session.add(user)
        try:
            self.session.flush()
        except IntegrityError:
            return None
        return user

    def set_password(self, user_id: str, password_hash: str, now) -> None:
        self.session.execute(update(User).where(User.id == user_id)
                             .values(password_hash=password_hash, password_changed_at=now))

    def claim_totp_step(self, user_id: str, step: int) -> bool:
        """Compare-and-set: of two sign-ins racing with one code, only one wins it."""
        return bool(self.session.execute(update(User).where(
            User.id == user_id, User.totp_last_step.is_(None) | (User.totp_last_step < step))
            .values(totp_last_step=step)).rowcount)

    def count_failed_sign_in(self, user_id: str, now) -> None:
        self.session.execute(update(User).where(User.id == user_id)
                             .values(failed_sign_ins=User.failed_sign_ins + 1, last_failed_at=now))

    def clear_failed_sign_ins(self, user_id: str) -> None:
        self.session.execute(update(User).where(User.id == user_id).values(failed_sign_ins=0))

    def claim_reset_code(self, user_id: str, code_hash: str) -> bool:
        """Use up a reset code (once: of two redemptions racing, only one wins)."""
        return bool(self.session.execute(update(User).where(User.id == user_id, User.reset_code_hash == code_hash)
                                         .values(reset_code_hash=None, reset_expires_at=None)).rowcount)

    # -- desk sessions ---------------------------------------------------------------------------------------
    def start_session(self, token_hash: str, *, user_id: str, kind: str, now, expires_at) -> None:
        """A new session (the account's expired ones go)."""
        self.session.execute(delete(DeskSession).where(DeskSession.user_id == user_id,
                                                       DeskSession.expires_at <= now))
        self.session.add(DeskSession(token_hash=token_hash, user_id=user_id, kind=kind, created_at=now,
                                     last_seen_at=now, expires_at=expires_at))

    def session_with_user(self, token_hash: str) -> tuple[DeskSession, User] | None:
        row = self.session.execute(select(DeskSession, User).join(User, User.id == DeskSession.user_id)
                                   .where(DeskSession.token_hash == token_hash)).first()
        return tuple(row) if row is not None else None

    def touch_session(self, token_hash: str, now) -> None:
        self.session.execute(update(DeskSession).where(DeskSession.token_hash == token_hash)
                             .values(last_seen_at=now))

    def end_session(self, token_hash: str) -> int:
        return self.session.execute(delete(DeskSession).where(DeskSession.token_hash == token_hash)).rowcount or 0

    def end_sessions(self, user_id: str, *, keep: str | None = None) -> int:
        """End every session of an account (but the one whose token hash is `keep`); how many ended."""
        query = delete(DeskSession).where(DeskSession.user_id == user_id)
        if keep:
            query = query.where(DeskSession.token_hash != keep)
        return self.session.execute(query).rowcount or 0

    def lock_for_writing(self) -> None:
        """Take SQLite's write lock before reading (PostgreSQL needs nothing of the sort)."""
        if self.session.get_bind().dialect.name == "sqlite":
            self.session.execute(text("UPDATE casework_leases SET name = name WHERE 1 = 0"))

    def detach_all(self) -> None:
        """Keep what was loaded readable after a read-only session ends."""
        self.session.expunge_all()

    def volunteer(self, volunteer_id: str, *, for_update: bool = False) -> RegisteredVolunteer | None:
        return self.session.get(RegisteredVolunteer, volunteer_id, with_for_update=for_update)

    def add_volunteer(self, **fields) -> None:
        self.session.add(RegisteredVolunteer(**fields))

    # -- saved inbox views ----------------------------------------------------------------------------------------
    def saved_views(self, user_id: str) -> list[SavedView]:
        return list(self.session.execute(select(SavedView).where(SavedView.user_id == user_id)
                                         .order_by(SavedView.name)).scalars())

    def save_view(self, user_id: str, name: str, query: str, now) -> SavedView:
        """A user's view by this name, made or replaced."""
        row = self.session.execute(select(SavedView).where(SavedView.user_id == user_id, SavedView.name == name)
                                   ).scalar_one_or_none()
        if row is None:
            row = SavedView(user_id=user_id, name=name, query=query, created_at=now)
            self.session.add(row)
        else:
            row.query, row.created_at = query, now
        self.session.flush()
        return row

    def delete_view(self, user_id: str, view_id: int) -> bool:
        return bool(self.session.execute(delete(SavedView).where(SavedView.user_id == user_id,
                                                                 SavedView.id == int(view_id))).rowcount)

    def count_views(self, user_id: str) -> int:
        return self.session.execute(select(func.count()).select_from(SavedView)
                                    .where(SavedView.user_id == user_id)).scalar() or 0

    # -- retention -----------------------------------------------------------------------------------------------
    def closed_cases(self) -> list[Case]:
        return list(self.session.execute(select(Case).where(Case.status == "closed", Case.closed_at.is_not(None))
                                         ).scalars())

    def anonymise(self, case: Case, kept_facts: dict) -> None:
        """Keep of a closed case only `kept_facts` and its states, dates and timeline kinds: its notes, questions,
        the tipster's messages, hand-over reasons, timeline details and search index go."""
        case.facts_json = json.dumps(kept_facts, ensure_ascii=False)
        case.pending_closure_json = None
        case.closure_reason_json = None
        s = self.session
        s.execute(update(Handover).where(Handover.reference == case.reference).values(reason="", refusal_json=None))
        s.execute(delete(Note).where(Note.case_id == case.id))
        s.execute(delete(Question).where(Question.case_id == case.id))
        s.execute(delete(TipsterMessage).where(TipsterMessage.reference == case.reference))
        s.execute(delete(SearchTerm).where(SearchTerm.case_id == case.id))
        s.execute(update(CaseEvent).where(CaseEvent.case_id == case.id).values(detail_json="{}"))

    # -- the search index --------------------------------------------------------------------------------------
    def index_case(self, case: Case) -> int:
        """(Re)build a case's entries in the index from its facts; returns how many terms it holds."""
        self.session.execute(delete(SearchTerm).where(SearchTerm.case_id == case.id))
        return self._insert_terms(case.id, json.loads(case.facts_json) if case.facts_json else {})

    def _insert_terms(self, case_id: str, facts: dict) -> int:
        """A case's search terms in one multi-row INSERT (a Core executemany, not an ORM bulk save)."""
        hashes = blind_index.index_terms(SEARCH_SERVICE, *search_texts(facts))
        if hashes:
            self.session.execute(_INSERT_SEARCH_TERM, [{"case_id": case_id, "term": h} for h in sorted(hashes)])
        return len(hashes)

    def reindex_all(self, batch: int = 200) -> int:
        """Rebuild the whole index (after the index key changed, or for cases from before the index existed)."""
        done, last = 0, ""
        while True:
            cases = self.session.execute(select(Case).where(Case.id > last).order_by(Case.id).limit(batch)
                                         ).scalars().all()
            if not cases:
                return done
            for case in cases:
                self.index_case(case)
                done += 1
            last = cases[-1].id

    def office_cases(self, office_code: str, status: str | None = None) -> list[Case]:
        """An office's inbox, oldest first (operators' command line)."""
        query = select(Case).where(Case.office_code == office_code).order_by(Case.opened_at)
        if status:
            query = query.where(Case.status == status)
        return list(self.session.execute(query).scalars())

