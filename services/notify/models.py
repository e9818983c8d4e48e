"""Notify's own table: one delivery per (event, recipient, channel), with its state and attempts."""
from __future__ import annotations

from sqlalchemy import DateTime, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.dependencies import messaging_tables_for

STATES = ("pending", "sending", "sent", "failed", "dead")


class Base(DeclarativeBase):
    metadata = MetaData()


class Delivery(Base):
    __tablename__ = "notify_deliveries"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36))
    reference: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    recipient_kind: Mapped[str] = mapped_column(String(20))   # office | user | operator
    recipient_id: Mapped[str] = mapped_column(String(80))     # office code or account id, never an address
    channel: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(300))         # an office's or staff member's work address
    template: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(2))
    context_json: Mapped[str] = mapped_column(Text)
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


TABLES = messaging_tables_for(Base.metadata, "notify")
