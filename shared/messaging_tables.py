"""The tables every service has beside its own: outbox, inbox, dead letters, heartbeats.

Names are prefixed with the service name, so services can share one PostgreSQL database in small deployments
while each still owns (and migrates) only its own tables. Event bodies in the outbox and in dead letters are sealed
at rest with the service's key (shared.sealing); their metadata (type, reference, times) stays clear.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.sealing import SealedText

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
Seq = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class MessagingTables:
    service: str
    outbox: Table
    inbox: Table
    dead_letters: Table


def messaging_tables(metadata: MetaData, service: str) -> MessagingTables:
    p = service
    outbox = Table(
        f"{p}_outbox", metadata,
        Column("seq", Seq, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(64), nullable=False),
        Column("correlation_id", String(64), nullable=False),
        Column("body", SealedText(p, "outbox.body"), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
    )
    Index(f"ix_{p}_outbox_unpublished", outbox.c.published_at, outbox.c.seq)
    inbox = Table(
        f"{p}_inbox", metadata,
        Column("event_id", String(36), primary_key=True),
        Column("handler", String(128), primary_key=True),
        Column("event_type", String(64), nullable=False),
        Column("correlation_id", String(64), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    dead_letters = Table(
        f"{p}_dead_letters", metadata,
        Column("id", Seq, primary_key=True, autoincrement=True),
        Column("queue", String(200), nullable=False),
        Column("event_key", String(64), nullable=False),  # event id, or a digest of a body that was no event
        Column("event_type", String(64), nullable=True),
        Column("correlation_id", String(64), nullable=True),
        Column("body", SealedText(p, "dead_letters.body"), nullable=False),
        Column("error", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("status", String(20), nullable=False),  # dead | redrive_requested | redriven | discarded
        Column("times_dead", Integer, nullable=False, default=1),
        Column("first_dead_at", DateTime(timezone=True), nullable=False),
        Column("last_dead_at", DateTime(timezone=True), nullable=False),
        Column("redriven_at", DateTime(timezone=True), nullable=True),
        UniqueConstraint("queue", "event_key", name=f"uq_{p}_dead_letters_queue_event"),
    )
    if f"{p}_leases" not in metadata.tables:
        # named leases: a cluster job (retention) runs on one instance at a time (shared.leases)
        Table(
            f"{p}_leases", metadata,
            Column("name", String(64), primary_key=True),
            Column("holder", String(120), nullable=False),
            Column("acquired_at", DateTime(timezone=True), nullable=False),
            Column("expires_at", DateTime(timezone=True), nullable=False),
        )
    Table(
        f"{p}_heartbeats", metadata,
        Column("instance", String(120), primary_key=True),
        Column("beat_at", DateTime(timezone=True), nullable=False),
        Column("started_at", DateTime(timezone=True), nullable=False),
    )
    return MessagingTables(p, outbox, inbox, dead_letters)


_tables_cache: dict = {}


def messaging_tables_for(metadata: MetaData, service: str) -> MessagingTables:
    """The outbox/inbox/dead-letter tables on a service's metadata (added once). Models call this: it imports no
    nameko, kombu or eventlet."""
    key = (id(metadata), service)
    if key not in _tables_cache:
        if f"{service}_outbox" in metadata.tables:
            t = metadata.tables
            _tables_cache[key] = MessagingTables(service, t[f"{service}_outbox"], t[f"{service}_inbox"],
                                                 t[f"{service}_dead_letters"])
        else:
            _tables_cache[key] = messaging_tables(metadata, service)
    return _tables_cache[key]
