"""Audit's own table: an append-only keyed hash chain of every event (content-free: the payload is only digested)."""
from __future__ import annotations

from sqlalchemy import Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.messaging_tables import messaging_tables_for


class Base(DeclarativeBase):
    metadata = MetaData()


class ChainEntry(Base):
    __tablename__ = "audit_chain"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    correlation_id: Mapped[str] = mapped_column(String(64), index=True)
    occurred_at: Mapped[str] = mapped_column(String(40))   # as written in the envelope, hashed verbatim
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str] = mapped_column(String(80))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[str] = mapped_column(String(40))
    key_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # chain key; None: legacy SHA-256


class ChainHead(Base):
    """One row, locked while appending, so concurrent workers and instances extend the chain one at a time."""
    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


TABLES = messaging_tables_for(Base.metadata, "audit")
