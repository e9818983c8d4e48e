"""Audit's repository: the chain's entries and its head row, over one session."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit.domain.chain import FIELDS, GENESIS
from services.audit.models import ChainEntry, ChainHead


class AuditRepository:
    def __init__(self, session: Session):
        self.session = session
        self._locked: ChainHead | None = None  # the head row this transaction holds locked

    def head(self) -> tuple[int, str] | None:
        """(seq, hash) of the chain's head; None before the first entry."""
        row = self.session.execute(select(ChainHead).where(ChainHead.id == 1)).scalar_one_or_none()
        return (row.seq, row.hash) if row is not None else None

    def locked_head(self) -> tuple[int, str]:
        """The head, locked until the transaction ends, so workers and instances extend the chain one at a time."""
        row = self._locked_head_row()
        return row.seq, row.hash

    def append(self, entry: dict) -> ChainEntry:
        """Add the entry that follows the (locked) head and move the head to it.

        The head row locked by `locked_head` in this transaction is moved as it is (a second SELECT … FOR UPDATE
        would be one more round trip per event, and would flush the entry first)."""
        row = ChainEntry(**entry)
        head = self._locked or self._locked_head_row()
        self.session.add(row)
        head.seq, head.hash = entry["seq"], entry["hash"]
        return row

    def entries(self, after_seq: int, up_to_seq: int, limit: int) -> list[dict]:
        """Entries after `after_seq` up to `up_to_seq`, in seq order, each with FIELDS, `hash` and `key_id`."""
        rows = self.session.execute(
            select(ChainEntry).where(ChainEntry.seq > after_seq, ChainEntry.seq <= up_to_seq)
            .order_by(ChainEntry.seq).limit(limit)).scalars()
        return [{**{c: getattr(row, c) for c in FIELDS}, "hash": row.hash, "key_id": row.key_id} for row in rows]

    def _locked_head_row(self) -> ChainHead:
        head = self.session.execute(select(ChainHead).where(ChainHead.id == 1).with_for_update()).scalar_one_or_none()
        if head is None:
            head = ChainHead(id=1, seq=0, hash=GENESIS)
            self.session.add(head)
            self.session.flush()
        self._locked = head
        return head
