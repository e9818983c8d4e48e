"""Routing's own tables: every decision made about a tip, in order (automatic, manual, transfers)."""
from __future__ import annotations

from sqlalchemy import Boolean, DateTime, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.dependencies import messaging_tables_for


class Base(DeclarativeBase):
    metadata = MetaData()


class RoutedTip(Base):
    """The facts routing decided on, kept for transfers and duplicate checks."""
    __tablename__ = "routing_tips"

    reference: Mapped[str] = mapped_column(String(20), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    facts_json: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    current_agency: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Decision(Base):
    __tablename__ = "routing_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(20), index=True)
    hop: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # automatic | manual | transfer
    agency_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    triage: Mapped[bool] = mapped_column(Boolean)
    rule: Mapped[str] = mapped_column(String(40))
    rules_version: Mapped[str] = mapped_column(String(40))
    reasons_th: Mapped[str] = mapped_column(Text)
    reasons_en: Mapped[str] = mapped_column(Text)
    statute: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[object] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("reference", "hop", name="uq_routing_decisions_hop"),)


TABLES = messaging_tables_for(Base.metadata, "routing")
