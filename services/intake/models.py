"""Intake's own tables: the tip (with its hashed receipt) and the tipster-visible status projection."""
from __future__ import annotations

from sqlalchemy import DateTime, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.dependencies import messaging_tables_for


class Base(DeclarativeBase):
    metadata = MetaData()


class Tip(Base):
    __tablename__ = "intake_tips"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # The receipt is never stored: a short non-secret locator finds the row, argon2id verifies the secret.
    receipt_locator: Mapped[str] = mapped_column(String(8), index=True)
    receipt_hash: Mapped[str] = mapped_column(String(200))
    tipster_id: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(40))
    province_code: Mapped[str] = mapped_column(String(2))
    facts_json: Mapped[str] = mapped_column(Text)        # what other services may see (no reporter)
    reporter_json: Mapped[str | None] = mapped_column(Text, nullable=True)  # identity/contact: intake only
    submitted_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    status_rank: Mapped[int] = mapped_column(Integer, default=0)
    agency_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    agency_name_th: Mapped[str | None] = mapped_column(String(200), nullable=True)
    agency_name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    updated_at: Mapped[object] = mapped_column(DateTime(timezone=True))


class TimelineEntry(Base):
    __tablename__ = "intake_timeline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tip_id: Mapped[str] = mapped_column(ForeignKey("intake_tips.id"))
    source_event_id: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    label_th: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str] = mapped_column(String(300))
    at: Mapped[object] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_intake_timeline_tip", "tip_id", "at"),)


TABLES = messaging_tables_for(Base.metadata, "intake")
