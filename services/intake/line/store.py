"""intake's LINE tables: chats (sealed state, keyed by a keyed hash of the LINE user id), the webhook events
waiting to be processed (deduplicated by LINE's webhookEventId), and files fetched from LINE for a draft.

No column holds a LINE user id in the clear: `chat_key` is HMAC-SHA256 of the id under a key derived from
intake's keyring, and the event payload (which has the id, the text and the reply token) is sealed and wiped
once the event has been answered.
"""
from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import BigInteger, Column, DateTime, Integer, LargeBinary, MetaData, String, Table, Text

from shared.notifications import ledger

CHATS = "intake_line_chats"
EVENTS = "intake_line_events"
FILES = "intake_line_files"


def tables(metadata: MetaData) -> dict[str, Table]:
    """The three tables on intake's metadata (idempotent); models.py calls this once."""
    if CHATS in metadata.tables:
        return {name: metadata.tables[name] for name in (CHATS, EVENTS, FILES)}
    chats = Table(
        CHATS, metadata,
        Column("chat_key", String(64), primary_key=True),
        Column("state_enc", Text, nullable=False),                     # sealed conversation state
        Column("draft_expires_at", DateTime(timezone=True), nullable=True, index=True),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )
    events = Table(
        EVENTS, metadata,
        Column("id", String(36), primary_key=True),
        Column("webhook_event_id", String(64), nullable=False, unique=True),
        Column("chat_key", String(64), nullable=False, index=True),
        Column("event_time", BigInteger, nullable=False),                # LINE's timestamp (ms): processing order
        Column("payload_enc", Text, nullable=True),                    # sealed event; wiped when answered
        Column("replies_enc", Text, nullable=True),                    # sealed answer, between apply and send
        *ledger.delivery_columns(),
    )
    files = Table(
        FILES, metadata,
        Column("id", String(36), primary_key=True),
        Column("chat_key", String(64), nullable=False, index=True),
        Column("media_type", String(100), nullable=False),
        Column("size", Integer, nullable=False),
        Column("sha256", String(64), nullable=False),
        Column("filename_enc", Text, nullable=True),
        Column("content", LargeBinary, nullable=False),                # sealed, already cleaned
        Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    )
    return {CHATS: chats, EVENTS: events, FILES: files}


def chat_key(secret: bytes, user_id: str) -> str:
    return hmac.new(secret, b"line-user|" + user_id.encode("utf-8"), hashlib.sha256).hexdigest()
