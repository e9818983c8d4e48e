"""Notify's own tables: one delivery per (event, recipient, channel), and claims on periodic jobs."""
from __future__ import annotations

from sqlalchemy import Boolean, DateTime, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.messaging_tables import messaging_tables_for
from shared.notifications.ledger import STATES  # noqa: F401  (pending, sending, sent, failed, dead)
from shared.sealing import SealedText

RECIPIENT_KINDS = ("office", "caseworker", "supervisor", "operator")


class Base(DeclarativeBase):
    metadata = MetaData()


class StaffContact(Base):
    """Where a desk account's own notices go: notify's copy of casework's `account.contacts_changed` (the latest
    by its `at`). Staff work addresses, sealed at rest like a delivery's context; never logged."""
    __tablename__ = "notify_staff_contacts"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(40), index=True)
    role: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean)
    email: Mapped[str | None] = mapped_column(SealedText("notify", "staff_contacts.email"), nullable=True)
    line_user_id: Mapped[str | None] = mapped_column(SealedText("notify", "staff_contacts.line_user_id"),
                                                     nullable=True)
    changed_at: Mapped[object] = mapped_column(DateTime(timezone=True))


class Delivery(Base):
    """Offices, staff and operators only: tipsters and volunteers are told by intake, which alone knows them."""
    __tablename__ = "notify_deliveries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36))        # the causing event, or "daily:<date>" for summaries
    reference: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    recipient_kind: Mapped[str] = mapped_column(String(20))   # office | caseworker | supervisor | operator
    recipient_id: Mapped[str] = mapped_column(String(80))     # office code, account id or operator name
    channel: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(300))         # an office's, staff member's or operator's work address
    template: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(2))
    context_json: Mapped[str] = mapped_column(SealedText("notify", "deliveries.context_json"))
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    provider_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    next_attempt_at: Mapped[object] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[object] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("event_id", "recipient_kind", "recipient_id", "channel",
                                       name="uq_notify_delivery_once"),)


class TimerClaim(Base):
    """One row per (job, period) run: the primary key is the claim, so of several instances one runs it."""
    __tablename__ = "notify_timer_claims"

    job: Mapped[str] = mapped_column(String(60), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), primary_key=True)   # e.g. the day, 2025-03-05
    claimed_by: Mapped[str] = mapped_column(String(120))
    claimed_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str | None] = mapped_column(String(200), nullable=True)


TABLES = messaging_tables_for(Base.metadata, "notify")
