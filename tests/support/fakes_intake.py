"""intake without a database: an in-memory repository with the methods of services/intake/repository.py, and a
fake database around it that IntakeApp (and the service's event handlers) can use as they use the real one.

Rows are the real model objects (services/intake/models.py), kept in dicts by primary key; a transaction that
raises takes back the rows it added (and its events; changes it made to existing rows stay).
"""
from __future__ import annotations

import contextlib
import itertools

from sqlalchemy.exc import IntegrityError

from services.intake.models import (
    Attachment,
    IdempotentResponse,
    Message,
    OfficeNote,
    Partner,
    Question,
    TimelineEntry,
    Tip,
    Volunteer,
)
from shared.clock import aware_utc
from tests.support.fakes import FakeDatabase

_KEYS = {Tip: "id", Attachment: "id", Message: "id", Question: "id", OfficeNote: "id", Volunteer: "id",
         Partner: "id", IdempotentResponse: "key_hash", TimelineEntry: "id"}
_UNIQUE = {Tip: ("reference", "receipt_mac"), TimelineEntry: ("source_event_id",), Volunteer: ("token_hash",),
           Partner: ("key_hash",)}


class InMemoryIntakeRepository:
    def __init__(self):
        self.rows: dict[type, dict] = {model: {} for model in _KEYS}
        self._ids = itertools.count(1)

    def _all(self, model) -> list:
        return list(self.rows[model].values())

    def _of_tip(self, model, tip_id: str, order=None) -> list:
        rows = [r for r in self._all(model) if r.tip_id == tip_id]
        return sorted(rows, key=order) if order else rows

    # -- any row ------------------------------------------------------------------------------------------------
    def add(self, *rows) -> None:
        for row in rows:
            model = type(row)
            if model is TimelineEntry and row.id is None:
                row.id = next(self._ids)
            key = getattr(row, _KEYS[model])
            if key in self.rows[model]:
                raise IntegrityError(f"duplicate {model.__tablename__} {key}", None, Exception("duplicate key"))
            for column in _UNIQUE.get(model, ()):
                value = getattr(row, column)
                if value is not None and any(getattr(r, column) == value for r in self._all(model)):
                    raise IntegrityError(f"duplicate {model.__tablename__}.{column}", None, Exception("duplicate"))
            self.rows[model][key] = row

    def detach(self, row) -> None:
        pass

    def end_read(self) -> None:
        pass

    def add_timeline(self, entry) -> None:
        self.add(entry)

    # -- tips ---------------------------------------------------------------------------------------------------
    def add_tip(self, tip) -> bool:
        if self.tip_by_reference(tip.reference) is not None:
            return False
        self.add(tip)
        return True

    def tip(self, tip_id: str):
        return self.rows[Tip].get(tip_id)

    def tip_by_reference(self, reference: str, *, for_update: bool = False):
        return next((t for t in self._all(Tip) if t.reference == reference), None)

    def tip_by_receipt_mac(self, receipt_mac: str):
        return next((t for t in self._all(Tip) if t.receipt_mac == receipt_mac), None)

    def tips_with_old_receipt(self, locator: str) -> list:
        return [t for t in self._all(Tip) if t.receipt_mac is None and t.receipt_locator == locator]

    def has_old_receipts(self) -> bool:
        return any(t.receipt_mac is None for t in self._all(Tip))

    def upgrade_receipt(self, tip_id: str, old_hash, receipt_mac: str) -> None:
        tip = self.tip(tip_id)
        if tip is not None and tip.receipt_mac is None and tip.receipt_hash == old_hash:
            tip.receipt_mac, tip.receipt_locator, tip.receipt_hash = receipt_mac, None, None

    def replace_receipt(self, tip_id: str, old_mac: str, new_mac: str) -> bool:
        tip = self.tip(tip_id)
        if tip is None or tip.receipt_mac != old_mac:
            return False
        tip.receipt_mac, tip.receipt_locator, tip.receipt_hash, tip.receipt_shared = new_mac, None, None, False
        return True

    def tips_filed_by_volunteer(self, volunteer_id: str) -> list:
        return sorted((t for t in self._all(Tip) if t.volunteer_id == volunteer_id),
                      key=lambda t: aware_utc(t.submitted_at), reverse=True)

    def partner_tip(self, partner_id: str, reference: str):
        tip = self.tip_by_reference(reference)
        return tip if tip is not None and tip.partner_id == partner_id else None

    def partner_tips(self, partner_id: str, *, references=None, submitted_between=None, categories=None,
                     closed=None, limit: int) -> list:
        tips = [t for t in self._all(Tip) if t.partner_id == partner_id
                and (not references or t.reference in references)
                and (not submitted_between
                     or submitted_between[0] <= aware_utc(t.submitted_at) <= submitted_between[1])
                and (not categories or t.category in categories)
                and (closed is None or (t.status == "closed") == closed)]
        return sorted(tips, key=lambda t: aware_utc(t.submitted_at), reverse=True)[:limit]

    # -- what the tip holds -------------------------------------------------------------------------------------
    def timeline(self, tip_id: str) -> list:
        return self._of_tip(TimelineEntry, tip_id)

    def attachment(self, attachment_id: str):
        return self.rows[Attachment].get(attachment_id)

    def attachment_listing(self, tip_id: str) -> list:
        return self._of_tip(Attachment, tip_id, order=lambda a: (aware_utc(a.created_at), a.id))

    def stored_bytes(self, tip_id: str) -> int:
        return sum(a.size for a in self._of_tip(Attachment, tip_id))

    def messages(self, tip_id: str) -> list:
        return self._of_tip(Message, tip_id)

    def message_count(self, tip_id: str) -> int:
        return len(self.messages(tip_id))

    def question(self, question_id: str):
        return self.rows[Question].get(question_id)

    def questions(self, tip_id: str) -> list:
        return self._of_tip(Question, tip_id, order=lambda q: (aware_utc(q.asked_at), q.id))

    def question_ids(self, tip_id: str) -> set:
        return {q.id for q in self.questions(tip_id)}

    def mark_answered(self, question_id: str, tip_id: str, at) -> None:
        question = self.question(question_id)
        if question is not None and question.tip_id == tip_id and question.answered_at is None:
            question.answered_at = at

    def office_note(self, note_id: str):
        return self.rows[OfficeNote].get(note_id)

    def office_notes(self, tip_id: str) -> list:
        return self._of_tip(OfficeNote, tip_id)

    # -- idempotent responses -----------------------------------------------------------------------------------
    def idempotent_response(self, key_hash: str):
        return self.rows[IdempotentResponse].get(key_hash)

    def forget_expired_responses(self, now) -> int:
        expired = [k for k, r in self.rows[IdempotentResponse].items() if aware_utc(r.expires_at) <= now]
        for key in expired:
            del self.rows[IdempotentResponse][key]
        return len(expired)

    # -- volunteers and partners --------------------------------------------------------------------------------
    def volunteer(self, volunteer_id: str):
        return self.rows[Volunteer].get(volunteer_id)

    def volunteer_by_token_hash(self, token_hash: str):
        return next((v for v in self._all(Volunteer) if v.token_hash == token_hash), None)

    def volunteers(self) -> list:
        return sorted(self._all(Volunteer), key=lambda v: v.id)

    def partner(self, partner_id: str):
        return self.rows[Partner].get(partner_id)

    def partner_by_key_hash(self, key_hash: str):
        return next((p for p in self._all(Partner) if p.key_hash == key_hash), None)

    def partners(self) -> list:
        return sorted(self._all(Partner), key=lambda p: p.id)


class FakeIntakeDatabase(FakeDatabase):
    """What IntakeApp and the service's handlers use of intake's database: transactions (`uow.repo`,
    `uow.emit`), reads (`db.repository(session)`) and the inbox (`consume`), all in memory."""

    def __init__(self, repo: InMemoryIntakeRepository | None = None, handler: str = "test"):
        super().__init__(repo if repo is not None else InMemoryIntakeRepository(), handler)

    @property
    def repo(self) -> InMemoryIntakeRepository:
        return self.uow.repo

    def repository(self, session) -> InMemoryIntakeRepository:
        return self.uow.repo

    @contextlib.contextmanager
    def reading(self):
        yield None  # the session the real database would give: the repository needs none

    @contextlib.contextmanager
    def transaction(self):
        saved = {model: dict(rows) for model, rows in self.repo.rows.items()}
        try:
            with super().transaction() as uow:
                yield uow
        except BaseException:
            self.repo.rows = saved
            raise
