"""Casework's own tables: cases in office inboxes and each case's timeline, the desk's accounts and sessions,
notes and questions, deadline alerts, read receipts (who opened which case). Its cluster jobs' leases
(`casework_leases`) are declared with the messaging tables (shared.messaging_tables)."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint,
    false, text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.sealing import SealedText
from shared.messaging_tables import messaging_tables_for


class Base(DeclarativeBase):
    metadata = MetaData()


# what an inbox page filters and sorts on, in the inbox index (a page is chosen from it without reading cases)
INBOX_INDEX = ("office_code", "status", "acknowledged_at", "acknowledge_due", "feedback_given_at", "feedback_due",
               "opened_at", "assignee_id", "id")


class Case(Base):
    __tablename__ = "casework_cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    office_code: Mapped[str] = mapped_column(String(40), index=True)
    office_name_th: Mapped[str] = mapped_column(String(200))
    office_name_en: Mapped[str] = mapped_column(String(200))
    triage: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(30))
    category: Mapped[str] = mapped_column(String(40))
    province_code: Mapped[str] = mapped_column(String(2))
    facts_json: Mapped[str] = mapped_column(SealedText("casework", "cases.facts_json"))
    routing_rule: Mapped[str] = mapped_column(String(40))
    routing_reasons_json: Mapped[str] = mapped_column(SealedText("casework", "cases.routing_reasons_json"))
    opened_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    acknowledge_due: Mapped[object] = mapped_column(DateTime(timezone=True))
    feedback_due: Mapped[object] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    # -- the desk (casework_0002) ------------------------------------------------------------------------------
    volunteer_id: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)
    assignee_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    resolution: Mapped[str | None] = mapped_column(String(40), nullable=True)
    acknowledged_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)
    feedback_given_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status_changed_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)
    feedback_extended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    transfer_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # a caseworker's closure proposal waiting for a supervisor: {"resolution", "reason", "by", "at"}
    pending_closure_json: Mapped[str | None] = mapped_column(SealedText("casework", "cases.pending_closure_json"),
                                                             nullable=True)
    # -- closing the conversation (casework_0004) ----------------------------------------------------------------
    # one more for every change of state the tipster may see; carried by case.opened and case.status_changed so
    # intake can tell a late event from a new one
    version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # why the case was closed, written for the tipster: {"th", "en"}; cleared when the case is reopened
    closure_reason_json: Mapped[str | None] = mapped_column(SealedText("casework", "cases.closure_reason_json"),
                                                            nullable=True)

    __table_args__ = (Index("ix_casework_cases_office_status", "office_code", "status"),
                      # the inbox's orders and its open-cases view (casework_0008)
                      Index("ix_casework_cases_office_opened", "office_code", "opened_at"),
                      # an inbox page's cases chosen from the index alone: scope, state, deadlines, order
                      # (casework_0012, which dropped casework_0010's state-first index)
                      Index("ix_casework_cases_inbox", *INBOX_INDEX))


class CaseEvent(Base):
    """The case's timeline as staff see it (transitions with their reasons, notes, assignments, alerts)."""
    __tablename__ = "casework_case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("casework_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    detail_json: Mapped[str] = mapped_column(SealedText("casework", "case_events.detail_json"))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[object] = mapped_column(DateTime(timezone=True))


class User(Base):
    """A desk account. Passwords are argon2id hashes; the TOTP secret is set only when 2FA is on."""
    __tablename__ = "casework_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    office_code: Mapped[str] = mapped_column(String(40), index=True)
    role: Mapped[str] = mapped_column(String(30))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(SealedText("casework", "users.totp_secret"), nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # no code is accepted twice
    volunteer_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)
    password_changed_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    # an administrator's reset: SHA-256 of a one-time code, and when it stops working
    reset_code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reset_expires_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # TOTP being enrolled: set when the user asks for a QR code, moved to totp_secret once a code confirms it
    totp_pending_secret: Mapped[str | None] = mapped_column(SealedText("casework", "users.totp_pending_secret"),
                                                            nullable=True)
    # where the person's own notices go (assignment, deadlines); staff data, sealed at rest, never logged
    email: Mapped[str | None] = mapped_column(SealedText("casework", "users.email"), nullable=True)
    line_user_id: Mapped[str | None] = mapped_column(SealedText("casework", "users.line_user_id"), nullable=True)
    # failed sign-ins since the last success (shown to administrators); an administrator's unlock lifts the
    # desk's per-client sign-in limit for this username on every instance (services.casework.web.auth)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_failed_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)
    unlocked_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RegisteredVolunteer(Base):
    """intake's volunteer ids (from volunteer.registered / volunteer.disabled): only these can be bound to a
    desk account, and a network's coordinator sees those whose area (subdistrict codes; None until intake
    announces it) lies in the network. No token or contact."""
    __tablename__ = "casework_volunteers"

    volunteer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    subdistricts_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class DeskSession(Base):
    """A signed-in session. Only the SHA-256 of the token is stored; the token itself is never kept."""
    __tablename__ = "casework_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("casework_users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # api | web
    created_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[object] = mapped_column(DateTime(timezone=True))  # the absolute timeout


class LoginThrottle(Base):
    """Failed sign-ins per username, from before sign-in limits moved to memory per client (no longer written)."""
    __tablename__ = "casework_login_throttle"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    first_failure_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Note(Base):
    __tablename__ = "casework_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("casework_cases.id"), index=True)
    author_id: Mapped[str] = mapped_column(String(36))
    visibility: Mapped[str] = mapped_column(String(20))  # internal | tipster_visible
    # the office whose staff wrote it: an internal note stays with that office when the case moves on
    office_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    body: Mapped[str] = mapped_column(SealedText("casework", "notes.body"))
    created_at: Mapped[object] = mapped_column(DateTime(timezone=True))


class Handover(Base):
    """A hand-over an office made (transfer, referral or triage decision), kept for the sending office: after the
    case has moved, this is what that office still sees of it (read-only; see cases.handover_record)."""
    __tablename__ = "casework_handovers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("casework_cases.id"), index=True)
    reference: Mapped[str] = mapped_column(String(20), index=True)
    from_office: Mapped[str] = mapped_column(String(40), index=True)
    triage: Mapped[bool] = mapped_column(Boolean, default=False)   # the case was at the office's triage desk
    mode: Mapped[str] = mapped_column(String(20))                  # transfer | refer | triage
    from_status: Mapped[str] = mapped_column(String(30))           # the open state it left (a refusal returns it)
    suggested_office: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reason: Mapped[str] = mapped_column(SealedText("casework", "handovers.reason"))  # the officer's words: sealed
    requested_by: Mapped[str] = mapped_column(String(36))
    requested_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(20))               # pending | accepted | refused
    to_office: Mapped[str | None] = mapped_column(String(40), nullable=True)
    to_office_name_th: Mapped[str | None] = mapped_column(String(200), nullable=True)
    to_office_name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)
    refusal_json: Mapped[str | None] = mapped_column(SealedText("casework", "handovers.refusal_json"),
                                                     nullable=True)  # routing's reasons {"th", "en"}


class Question(Base):
    """A question from the office to the tipster (intake shows it on the receipt's status page)."""
    __tablename__ = "casework_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("casework_cases.id"), index=True)
    author_id: Mapped[str] = mapped_column(String(36))
    body: Mapped[str] = mapped_column(SealedText("casework", "questions.body"))
    asked_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(SealedText("casework", "questions.answer"), nullable=True)
    answered_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TipsterMessage(Base):
    """What the tipster sent after filing (an answer to a question, more information) or with the tip (files).

    Keyed by the tip's reference, not the case: a message may arrive before the case is opened, and it stays
    with the matter when the case moves between offices. Attachments are described (type, size, SHA-256); the
    files themselves stay encrypted in intake."""
    __tablename__ = "casework_tipster_messages"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # message | attachments
    in_reply_to: Mapped[str | None] = mapped_column(String(64), nullable=True)
    body: Mapped[str] = mapped_column(SealedText("casework", "tipster_messages.body"))
    attachments_json: Mapped[str] = mapped_column(SealedText("casework", "tipster_messages.attachments_json"))
    added_at: Mapped[object] = mapped_column(DateTime(timezone=True))


class DeadlineAlert(Base):
    """One reminder or breach per case, deadline and due date: the unique key makes escalation happen once."""
    __tablename__ = "casework_deadline_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("casework_cases.id"), index=True)
    deadline: Mapped[str] = mapped_column(String(20))  # acknowledge | feedback
    kind: Mapped[str] = mapped_column(String(20))      # reminder | breach
    due_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    raised_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    raised_by: Mapped[str] = mapped_column(String(120))  # the instance whose sweep raised it

    __table_args__ = (UniqueConstraint("case_id", "deadline", "kind", "due_at", name="uq_casework_deadline_alert"),)


class DuplicateCandidate(Base):
    """An earlier tip routing thinks may be the same matter (`tip.duplicates_found`); never merged automatically.
    Kept by reference, so it may arrive before the case itself is opened."""
    __tablename__ = "casework_duplicate_candidates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(20), index=True)
    candidate_reference: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Float)
    reasons_json: Mapped[str] = mapped_column(SealedText("casework", "duplicate_candidates.reasons_json"))
    signals_json: Mapped[str] = mapped_column(Text)
    detected_at: Mapped[object] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("reference", "candidate_reference", name="uq_casework_duplicate_candidate"),)


class CaseView(Base):
    """Who opened which case, when (content-free; auditors and supervisors read it)."""
    __tablename__ = "casework_case_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("casework_cases.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(36))
    role: Mapped[str] = mapped_column(String(30))
    view: Mapped[str] = mapped_column(String(20))
    at: Mapped[object] = mapped_column(DateTime(timezone=True))


TABLES = messaging_tables_for(Base.metadata, "casework")


class SearchTerm(Base):
    """The blind index of a case's text (shared.blind_index): keyed hashes of its words, never the words."""
    __tablename__ = "casework_search_terms"

    case_id: Mapped[str] = mapped_column(ForeignKey("casework_cases.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[str] = mapped_column(String(32), primary_key=True)

    # a word's cases read from the index alone, in case order (casework_0012)
    __table_args__ = (Index("ix_casework_search_terms_term_case", "term", "case_id"),)


class ReplyTemplate(Base):
    """An office's ready-made words for a question to the tipster or a note the tipster reads (Thai, optionally
    English), kept by its supervisors and agency admins. Office wording, not tip content: not sealed."""
    __tablename__ = "casework_reply_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office_code: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # question | note
    title: Mapped[str] = mapped_column(String(120))
    body_th: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_by: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[object] = mapped_column(DateTime(timezone=True))


class SavedView(Base):
    """A desk user's named inbox view: a filter and a sort, kept as the inbox's query string. Sealed: a search
    for words of the case text is content."""
    __tablename__ = "casework_saved_views"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("casework_users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(SealedText("casework", "saved_views.query"))
    created_at: Mapped[object] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_casework_saved_view"),)
