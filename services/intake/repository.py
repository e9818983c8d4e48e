"""intake's repository: every query and write the use cases make, over one session (one transaction, or one read).

The only module besides models.py and the migrations that touches a SQLAlchemy session. The use cases reach it as
`uow.repo` (shared.db builds it per transaction: `Database(..., repository=IntakeRepository)`), or
`db.repository(session)` for a read; tests give them tests/support/fakes_intake.py instead. Sealing and
unsealing stay with the use cases: rows go in and come out as they are stored.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from services.intake.models import (Attachment, FormDraft, IdempotentResponse, Message, OfficeNote, Partner, Question,
                                    TimelineEntry, Tip, Volunteer)
from shared.db import insert_if_absent


class IntakeRepository:
    def __init__(self, session: Session):
        self.session = session

    # -- any row ------------------------------------------------------------------------------------------------
    def add(self, *rows) -> None:
        """New rows, written at once (so a duplicate key fails here, inside the use case)."""
        self.session.add_all(rows)
        self.session.flush()

    def detach(self, row) -> None:
        """Keep a row readable after its session ends (no database connection is held meanwhile)."""
        self.session.expunge(row)

    def end_read(self) -> None:
        """End a read before writing elsewhere (SQLite: one writer at a time)."""
        self.session.rollback()

    def add_timeline(self, entry: TimelineEntry) -> None:
        """A timeline line, written at once as one INSERT (no unit of work; a duplicate event id fails here)."""
        self.session.execute(_INSERT_TIMELINE, _column_values(entry))

    # -- tips ---------------------------------------------------------------------------------------------------
    def add_tip(self, tip: Tip) -> bool:
        """A new tip, written at once as one INSERT, unless its reference is taken (False: draw another). One
        round trip instead of a lookup then an insert; the unique index decides, also between concurrent tips."""
        statement = insert_if_absent(self.session, _TIPS, ["reference"])
        return self.session.execute(statement, _column_values(tip)).rowcount == 1

    def tip(self, tip_id: str) -> Tip | None:
        return self.session.get(Tip, tip_id)

    def tip_by_reference(self, reference: str, *, for_update: bool = False) -> Tip | None:
        query = select(Tip).where(Tip.reference == reference)
        if for_update:
            # tip.routed and case.opened for one tip may be handled at the same moment, and each moves the status
            query = query.with_for_update()
        return self.session.execute(query).scalar_one_or_none()

    def tip_by_receipt_mac(self, receipt_mac: str) -> Tip | None:
        return self.session.execute(select(Tip).where(Tip.receipt_mac == receipt_mac)).scalar_one_or_none()

    def tips_with_old_receipt(self, locator: str) -> list[Tip]:
        """Tips whose receipt predates keyed hashes, by the receipt's 6-digit locator."""
        return list(self.session.execute(select(Tip).where(Tip.receipt_mac.is_(None),
                                                           Tip.receipt_locator == locator)).scalars())

    def has_old_receipts(self) -> bool:
        return self.session.execute(select(Tip.id).where(Tip.receipt_mac.is_(None)).limit(1)).first() is not None

    def upgrade_receipt(self, tip_id: str, old_hash: str | None, receipt_mac: str) -> None:
        """Compare-and-set: a concurrent new receipt wins."""
        self.session.execute(update(Tip).where(Tip.id == tip_id, Tip.receipt_mac.is_(None),
                                               Tip.receipt_hash == old_hash)
                             .values(receipt_mac=receipt_mac, receipt_locator=None, receipt_hash=None))

    def replace_receipt(self, tip_id: str, old_mac: str, new_mac: str) -> bool:
        """Compare-and-set; False if the receipt was changed meanwhile."""
        result = self.session.execute(update(Tip).where(Tip.id == tip_id, Tip.receipt_mac == old_mac).values(
            receipt_mac=new_mac, receipt_locator=None, receipt_hash=None, receipt_shared=False))
        return result.rowcount == 1

    def closed_tips_with_identity(self) -> list:
        """(id, agency_code, updated_at) of closed tips that still hold the tipster's identity or contact."""
        return list(self.session.execute(select(Tip.id, Tip.agency_code, Tip.updated_at).where(
            Tip.status == "closed", Tip.reporter_json.is_not(None))).all())

    def forget_identities(self, tip_ids: list[str]) -> int:
        return self.session.execute(update(Tip).where(Tip.id.in_(tip_ids)).values(reporter_json=None)).rowcount

    def tips_filed_by_volunteer(self, volunteer_id: str) -> list[Tip]:
        return list(self.session.execute(select(Tip).where(Tip.volunteer_id == volunteer_id)
                                         .order_by(Tip.submitted_at.desc())).scalars())

    def partner_tip(self, partner_id: str, reference: str) -> Tip | None:
        return self.session.execute(select(Tip).where(Tip.reference == reference, Tip.partner_id == partner_id)
                                    ).scalar_one_or_none()

    def partner_tips(self, partner_id: str, *, references: list[str] | None = None,
                     submitted_between: tuple[datetime, datetime] | None = None,
                     categories: list[str] | None = None, closed: bool | None = None, limit: int) -> list[Tip]:
        """A partner's own tips, newest first: by reference, or filed in a period (of some categories);
        `closed` True/False keeps only closed/open ones."""
        query = select(Tip).where(Tip.partner_id == partner_id)
        if references:
            query = query.where(Tip.reference.in_(references))
        if submitted_between:
            query = query.where(Tip.submitted_at >= submitted_between[0], Tip.submitted_at <= submitted_between[1])
        if categories:
            query = query.where(Tip.category.in_(categories))
        if closed is True:
            query = query.where(Tip.status == "closed")
        elif closed is False:
            query = query.where(Tip.status != "closed")
        return list(self.session.execute(query.order_by(Tip.submitted_at.desc()).limit(limit)).scalars())

    # -- what the tip holds -------------------------------------------------------------------------------------
    def statistics_rows(self) -> list:
        """Per tip, what the public statistics count: category, province, when filed, first acknowledged, closed."""
        return list(self.session.execute(select(Tip.category, Tip.province_code, Tip.submitted_at,
                                                Tip.acknowledged_at, Tip.closed_at)).all())

    def timeline(self, tip_id: str) -> list[TimelineEntry]:
        return list(self.session.execute(select(TimelineEntry).where(TimelineEntry.tip_id == tip_id)).scalars())

    def attachment(self, attachment_id: str) -> Attachment | None:
        return self.session.get(Attachment, attachment_id)

    def attachment_listing(self, tip_id: str) -> list:
        """The tip's files without their content (id, message_id, media_type, size, filename_enc, created_at)."""
        return list(self.session.execute(
            select(Attachment.id, Attachment.message_id, Attachment.media_type, Attachment.size,
                   Attachment.filename_enc, Attachment.created_at)
            .where(Attachment.tip_id == tip_id).order_by(Attachment.created_at, Attachment.id)).all())

    def stored_bytes(self, tip_id: str) -> int:
        return int(self.session.execute(select(func.coalesce(func.sum(Attachment.size), 0))
                                        .where(Attachment.tip_id == tip_id)).scalar())

    def messages(self, tip_id: str) -> list[Message]:
        return list(self.session.execute(select(Message).where(Message.tip_id == tip_id)).scalars())

    def message_count(self, tip_id: str) -> int:
        return self.session.execute(select(func.count()).select_from(Message)
                                    .where(Message.tip_id == tip_id)).scalar()

    def question(self, question_id: str) -> Question | None:
        return self.session.get(Question, question_id)

    def questions(self, tip_id: str) -> list[Question]:
        return list(self.session.execute(select(Question).where(Question.tip_id == tip_id)
                                         .order_by(Question.asked_at, Question.id)).scalars())

    def question_ids(self, tip_id: str) -> set[str]:
        return set(self.session.execute(select(Question.id).where(Question.tip_id == tip_id)).scalars())

    def mark_answered(self, question_id: str, tip_id: str, at) -> None:
        self.session.execute(update(Question).where(Question.id == question_id, Question.tip_id == tip_id,
                                                    Question.answered_at.is_(None)).values(answered_at=at))

    def office_note(self, note_id: str) -> OfficeNote | None:
        return self.session.get(OfficeNote, note_id)

    def office_notes(self, tip_id: str) -> list[OfficeNote]:
        return list(self.session.execute(select(OfficeNote).where(OfficeNote.tip_id == tip_id)).scalars())

    def record_notice(self, table, **values) -> None:
        """A tipster or volunteer notice to send (services.intake.tipster_notices: intake_notices, or `table`)."""
        self.session.execute(table.insert().values(**values))

    # -- idempotent responses -----------------------------------------------------------------------------------
    def idempotent_response(self, key_hash: str) -> IdempotentResponse | None:
        return self.session.get(IdempotentResponse, key_hash)

    def forget_expired_responses(self, now) -> int:
        """Responses expired at `now` (or before) are forgotten; how many."""
        result = self.session.execute(delete(IdempotentResponse).where(IdempotentResponse.expires_at <= now))
        return result.rowcount or 0

    def forget_responses_expired_before(self, now) -> int:
        """The retention step: responses whose expiry has passed."""
        return self.session.execute(delete(IdempotentResponse).where(IdempotentResponse.expires_at < now)).rowcount

    def forget_form_drafts_expired_before(self, now) -> int:
        """The retention step: the web form's kept files and receipts whose time is over."""
        return self.session.execute(delete(FormDraft).where(FormDraft.expires_at < now)).rowcount

    # -- volunteers and partners --------------------------------------------------------------------------------
    def volunteer(self, volunteer_id: str) -> Volunteer | None:
        return self.session.get(Volunteer, volunteer_id)

    def volunteer_by_token_hash(self, token_hash: str) -> Volunteer | None:
        return self.session.execute(select(Volunteer).where(Volunteer.token_hash == token_hash)
                                    ).scalar_one_or_none()

    def volunteers(self) -> list[Volunteer]:
        return list(self.session.execute(select(Volunteer).order_by(Volunteer.id)).scalars())

    def partner(self, partner_id: str) -> Partner | None:
        return self.session.get(Partner, partner_id)

    def partner_by_key_hash(self, key_hash: str) -> Partner | None:
        return self.session.execute(select(Partner).where(Partner.key_hash == key_hash)).scalar_one_or_none()

    def partners(self) -> list[Partner]:
        return list(self.session.execute(select(Partner).order_by(Partner.id)).scalars())


# Statements made once, the values passed at execution: SQLAlchemy then compiles each once (its cache), where
# values given in the statement would be turned into bound parameters and a cache key again for every row.
_INSERT_TIMELINE = insert(TimelineEntry.__table__)
_TIPS = Tip.__table__


def _column_values(row) -> dict:
    """A new model object's column values, for a Core INSERT (unset ones left to the columns' defaults)."""
    values = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if value is not None:
            values[column.key] = value
    return values
