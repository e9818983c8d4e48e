"""Intake's own tables: the tip (with its hashed receipt), the tipster-visible status projection, attachments,
the tipster's messages and the caseworkers' questions, volunteers, Open311 partners, idempotent responses and
(receipt guessing is limited in memory: services.intake.domain.receipt_guard).

Columns that can identify or hurt a tipster hold ciphertext (services.intake.crypto: "e1:<key id>:..." for text,
a key-id-prefixed blob for bytes), sealed for their table, column and row. `facts_json` and `reporter_json`
keep their names from the first schema but hold ciphertext since intake_0002 (plaintext rows from before are
read as they are and re-sealed by `sodsong intake rotate-keys`).
"""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table,
                        Text, UniqueConstraint, false, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.intake.line.store import tables as line_tables
from shared.messaging_tables import messaging_tables_for
from shared.notifications import ledger


class Base(DeclarativeBase):
    metadata = MetaData()


class Tip(Base):
    __tablename__ = "intake_tips"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # The receipt is never stored: HMAC-SHA256 under a key kept outside the database finds the row (receipts).
    receipt_mac: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True, index=True)
    # receipts issued before keyed hashes, until their first use: a 6-digit locator and an argon2id hash
    receipt_locator: Mapped[str | None] = mapped_column(String(8), nullable=True, index=True)
    receipt_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tipster_id: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(40))
    province_code: Mapped[str] = mapped_column(String(2))
    facts_json: Mapped[str] = mapped_column(Text)        # sealed: what other services may see (no reporter)
    reporter_json: Mapped[str | None] = mapped_column(Text, nullable=True)  # sealed: identity/contact, intake only
    submitted_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    status_rank: Mapped[int] = mapped_column(Integer, default=0)
    agency_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    agency_name_th: Mapped[str | None] = mapped_column(String(200), nullable=True)
    agency_name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    volunteer_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    partner_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # someone other than the tipster (a volunteer, a partner's app) has seen the receipt: suggest a new one
    receipt_shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the highest case version heard from casework (case.opened / case.status_changed): the headline status is the
    # case's state at that version, so a late event never moves it back (0: no case yet, routing's word counts)
    case_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # why the case was closed, as the office wrote it for the tipster (shown while the case is closed)
    closure_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class TimelineEntry(Base):
    __tablename__ = "intake_timeline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tip_id: Mapped[str] = mapped_column(ForeignKey("intake_tips.id"))
    source_event_id: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    label_th: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str] = mapped_column(String(300))
    at: Mapped[object] = mapped_column(DateTime(timezone=True))
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)               # the case version, if any
    agency_code: Mapped[str | None] = mapped_column(String(40), nullable=True)    # the office it was with

    __table_args__ = (Index("ix_intake_timeline_tip", "tip_id", "at"),)


class Attachment(Base):
    """A file sent with a tip or a message: content sealed, images stripped of EXIF/GPS before sealing."""
    __tablename__ = "intake_attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tip_id: Mapped[str] = mapped_column(ForeignKey("intake_tips.id"), index=True)
    message_id: Mapped[str | None] = mapped_column(ForeignKey("intake_messages.id"), nullable=True)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)            # bytes as stored (after metadata stripping)
    sha256: Mapped[str] = mapped_column(String(64))       # of the content as stored
    filename_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    created_at: Mapped[object] = mapped_column(DateTime(timezone=True))


class Message(Base):
    """Something the tipster added after filing (an answer to a question, or more information)."""
    __tablename__ = "intake_messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tip_id: Mapped[str] = mapped_column(ForeignKey("intake_tips.id"), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
    text_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[object] = mapped_column(DateTime(timezone=True))


class Question(Base):
    """A caseworker's question to the tipster (from case.question_asked)."""
    __tablename__ = "intake_questions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the casework question_id
    tip_id: Mapped[str] = mapped_column(ForeignKey("intake_tips.id"), index=True)
    text_enc: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OfficeNote(Base):
    """A note the office wrote for the tipster (from case.note_added, visibility tipster_visible), sealed."""
    __tablename__ = "intake_office_notes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the casework note_id
    tip_id: Mapped[str] = mapped_column(ForeignKey("intake_tips.id"), index=True)
    office_code: Mapped[str] = mapped_column(String(40))
    text_enc: Mapped[str] = mapped_column(Text)
    added_at: Mapped[object] = mapped_column(DateTime(timezone=True))


class Volunteer(Base):
    """A community volunteer who files tips for citizens. The token is shown once and kept as a SHA-256."""
    __tablename__ = "intake_volunteers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    network: Mapped[str] = mapped_column(String(120))
    subdistricts_json: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Partner(Base):
    """An Open311 client (another platform or a partner app). The API key is kept as a SHA-256."""
    __tablename__ = "intake_partners"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)


class IdempotentResponse(Base):
    """The first response to a request with an Idempotency-Key, sealed (it holds the receipt), for 24 hours."""
    __tablename__ = "intake_idempotency"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of caller scope + key
    response_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[object] = mapped_column(DateTime(timezone=True), index=True)


class FormDraft(Base):
    """What a web form visitor already sent, kept for the next step of the same form (sealed, short-lived):
    files attached to a form that came back with a mistake, or the receipt just shown (re-shown once more in the
    other language). Found by the SHA-256 of an opaque token only the visitor's page or cookie holds."""
    __tablename__ = "intake_form_drafts"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # files | receipt
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[object] = mapped_column(DateTime(timezone=True), index=True)


TABLES = messaging_tables_for(Base.metadata, "intake")

NOTICES_TABLE = "intake_notices"


def notices_table(metadata: MetaData) -> Table:
    """Tipster and volunteer notices (content-free "your report has an update", services.intake.tipster_notices),
    on `metadata` (once)."""
    if NOTICES_TABLE in metadata.tables:
        return metadata.tables[NOTICES_TABLE]
    return Table(
        NOTICES_TABLE, metadata,
        Column("id", String(36), primary_key=True),
        Column("event_id", String(36), nullable=False),
        Column("tip_id", String(36), nullable=False, index=True),
        Column("reference", String(20), nullable=False, index=True),
        Column("recipient_kind", String(20), nullable=False),   # tipster | volunteer
        Column("recipient_id", String(80), nullable=False),     # the pseudonymous tipster_id, or the volunteer id
        Column("contact_kind", String(20), nullable=False),     # email | sms | line (which contact to read)
        Column("channel", String(40), nullable=False),          # the channel's name in notify.channels
        Column("template", String(60), nullable=False),
        Column("language", String(2), nullable=False),
        Column("context_json", Text, nullable=False),           # reference and link only (checked on record)
        *ledger.delivery_columns(),
        UniqueConstraint("event_id", "recipient_kind", "recipient_id", "contact_kind", name="uq_intake_notice_once"),
    )


NOTICES = notices_table(Base.metadata)

# LINE chats, webhook events waiting to be processed, and files fetched from LINE (services.intake.line).
LINE_TABLES = line_tables(Base.metadata)
