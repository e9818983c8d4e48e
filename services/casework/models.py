"""Casework's own tables: cases in office inboxes and each case's timeline."""
from __future__ import annotations

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.dependencies import messaging_tables_for


class Base(DeclarativeBase):
    metadata = MetaData()


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
    facts_json: Mapped[str] = mapped_column(Text)
    routing_rule: Mapped[str] = mapped_column(String(40))
    routing_reasons_json: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    acknowledge_due: Mapped[object] = mapped_column(DateTime(timezone=True))
    feedback_due: Mapped[object] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[object] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_casework_cases_office_status", "office_code", "status"),)


class CaseEvent(Base):
    __tablename__ = "casework_case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("casework_cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    detail_json: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[object] = mapped_column(DateTime(timezone=True))


TABLES = messaging_tables_for(Base.metadata, "casework")
