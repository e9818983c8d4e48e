"""Routing's own tables: every decision made about a tip, in order (automatic, manual, transfers)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, DateTime, FetchedValue, Integer, MetaData, String, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.messaging_tables import messaging_tables_for
from shared.sealing import SealedText


class Base(DeclarativeBase):
    metadata = MetaData()


class RoutedTip(Base):
    """The facts routing decided on, kept for transfers and duplicate checks."""
    __tablename__ = "routing_tips"

    reference: Mapped[str] = mapped_column(String(20), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    # The tip's facts as tip.received carried them (TipFacts, JSON), so a transfer can announce them again.
    # Rows from before routing_0002 hold only the fields the rule engine reads.
    facts_json: Mapped[str] = mapped_column(SealedText("routing", "tips.facts_json"))
    submitted_at: Mapped[object] = mapped_column(DateTime(timezone=True), index=True)
    current_agency: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # The description's content words (duplicates.matter_words, a JSON list), so that rebuilding the duplicate
    # index at start-up does not segment every Thai text again.
    matter_words: Mapped[str | None] = mapped_column(SealedText("routing", "tips.matter_words"), nullable=True)
    # When this row was written: other instances read rows newer than the last they saw into their index.
    recorded_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    # PostgreSQL only: the id of the transaction that wrote this row, set by the server's column default
    # (routing_0004), so an instance reads just the rows committed since its last read. Empty on SQLite.
    recorded_xid: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True,
                                                      server_default=FetchedValue())
    # Set once the tip has been compared with the others (after its routing committed); NULL = still to do.
    duplicates_checked_at: Mapped[object | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Decision(Base):
    """One decision per hop: hop 0 is the rule engine's, each later one a triage officer's (manual) or an
    office's transfer. Refused requests leave no row; they are announced with tip.transfer_refused."""
    __tablename__ = "routing_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(20), index=True)
    hop: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # automatic | manual | transfer
    agency_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    triage: Mapped[bool] = mapped_column(Boolean)
    rule: Mapped[str] = mapped_column(String(40))
    rules_version: Mapped[str] = mapped_column(String(40))
    # reasons quote the officer's or office's words on transfers: sealed
    reasons_th: Mapped[str] = mapped_column(SealedText("routing", "decisions.reasons_th"))
    reasons_en: Mapped[str] = mapped_column(SealedText("routing", "decisions.reasons_en"))
    statute: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[object] = mapped_column(DateTime(timezone=True))
    previous_agency: Mapped[str | None] = mapped_column(String(40), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(80), nullable=True)  # desk account; None = the rules
    # the officer's or office's words
    request_reason: Mapped[str | None] = mapped_column(SealedText("routing", "decisions.request_reason"), nullable=True)
    supervisor_override: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    source_event_id: Mapped[str | None] = mapped_column(String(36), nullable=True)

    __table_args__ = (UniqueConstraint("reference", "hop", name="uq_routing_decisions_hop"),)


TABLES = messaging_tables_for(Base.metadata, "routing")
