"""The hash chain: each entry's hash covers the previous entry's hash and the entry's own canonical content.

Any edit, deletion or reordering of rows breaks verification at the first affected row.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select

from services.audit.models import ChainEntry, ChainHead
from shared.events import utcnow

GENESIS = "0" * 64


def canonical(entry: dict) -> bytes:
    fields = ("seq", "event_id", "event_type", "correlation_id", "occurred_at", "actor_kind", "actor_id",
              "payload_sha256", "prev_hash", "recorded_at")
    return json.dumps({k: entry[k] for k in fields}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def payload_digest(payload: dict) -> str:
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def append(uow, event) -> ChainEntry:
    session = uow.session
    head = session.execute(select(ChainHead).where(ChainHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = ChainHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    wire = event.to_wire()
    entry = {
        "seq": head.seq + 1,
        "event_id": event.id,
        "event_type": event.type,
        "correlation_id": event.correlation_id,
        "occurred_at": wire["occurred_at"],
        "actor_kind": event.actor["kind"],
        "actor_id": event.actor["id"],
        "payload_sha256": payload_digest(wire["payload"]),
        "prev_hash": head.hash,
        "recorded_at": utcnow().isoformat(),
    }
    entry["hash"] = entry_hash(entry)
    row = ChainEntry(**entry)
    session.add(row)
    head.seq, head.hash = entry["seq"], entry["hash"]
    return row


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(session, batch: int = 5000) -> Verdict:
    """Walk the chain up to the head as it was when the walk began.

    The head is read first: an entry and the head move in one transaction, so every entry up to that head is
    committed, and entries appended while the walk runs (the service keeps working) are left for the next walk.
    """
    head = session.execute(select(ChainHead).where(ChainHead.id == 1)).scalar_one_or_none()
    head_seq = head.seq if head is not None else 0
    prev_hash, expected_seq, count = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = session.execute(
            select(ChainEntry).where(ChainEntry.seq > last_seq, ChainEntry.seq <= head_seq)
            .order_by(ChainEntry.seq).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for row in rows:
            entry = {c: getattr(row, c) for c in (
                "seq", "event_id", "event_type", "correlation_id", "occurred_at", "actor_kind", "actor_id",
                "payload_sha256", "prev_hash", "recorded_at")}
            if row.seq != expected_seq:
                return Verdict(False, count, expected_seq, f"entry {expected_seq} is missing (found {row.seq})")
            if row.prev_hash != prev_hash:
                return Verdict(False, count, row.seq, "does not follow the previous entry (reordered or removed)")
            if entry_hash(entry) != row.hash:
                return Verdict(False, count, row.seq, "content does not match its hash (edited)")
            prev_hash, expected_seq, count, last_seq = row.hash, expected_seq + 1, count + 1, row.seq
    if head is not None and (count != head_seq or head.hash != prev_hash):
        return Verdict(False, count, count + 1,
                       f"chain ends at entry {count} but the head says {head_seq} (entries removed at the end)")
    return Verdict(True, count)
