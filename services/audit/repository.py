"""Audit's repository: the chain's entries and its head row, over one session (Core statements: an append is on
the path of every event of every service)."""
from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from services.audit.domain.chain import FIELDS, GENESIS
from services.audit.models import ChainEntry, ChainHead
from shared.db import insert_if_absent

ENTRIES = ChainEntry.__table__
HEAD = ChainHead.__table__
_HEAD_ROW = select(HEAD.c.seq, HEAD.c.hash).where(HEAD.c.id == 1)


class AuditRepository:
    def __init__(self, session: Session):
        self.session = session

    def head(self) -> tuple[int, str] | None:
        """(seq, hash) of the chain's head; None before the first entry."""
        row = self.session.execute(_HEAD_ROW).first()
        return (row.seq, row.hash) if row is not None else None

    def locked_head(self) -> tuple[int, str]:
        """The head, locked until the transaction ends, so workers and instances extend the chain one at a time."""
        row = self.session.execute(_HEAD_ROW.with_for_update()).first()
        if row is None:  # the chain's first entry: the head row is made once (a racing instance's insert waits)
            self.session.execute(insert_if_absent(self.session, HEAD), {"id": 1, "seq": 0, "hash": GENESIS})
            row = self.session.execute(_HEAD_ROW.with_for_update()).first()
        return row.seq, row.hash

    def append(self, entry: dict) -> dict:
        """Add the entry that follows the (locked) head and move the head to it."""
        self.append_all([entry])
        return entry

    def append_all(self, entries: list[dict]) -> None:
        """Add entries that follow the (locked) head, in order, and move the head to the last. One entry on
        PostgreSQL: one statement (the head's UPDATE rides along as a CTE); else the entries in one executemany
        (one INSERT on the wire) and the head's UPDATE. Each statement's SQL is compiled once per process."""
        last = entries[-1]
        move_head = update(HEAD).where(HEAD.c.id == 1).values(seq=last["seq"], hash=last["hash"])
        if len(entries) == 1 and self._postgresql:
            self.session.execute(insert(ENTRIES).values(last).add_cte(move_head.cte("moved_head")))
            return
        self.session.execute(insert(ENTRIES), entries)
        self.session.execute(move_head)

    def entries(self, after_seq: int, up_to_seq: int, limit: int) -> list[dict]:
        """Entries after `after_seq` up to `up_to_seq`, in seq order, each with FIELDS, `hash` and `key_id`."""
        columns = [ENTRIES.c[c] for c in (*FIELDS, "hash", "key_id")]
        rows = self.session.execute(
            select(*columns).where(ENTRIES.c.seq > after_seq, ENTRIES.c.seq <= up_to_seq)
            .order_by(ENTRIES.c.seq).limit(limit)).mappings()
        return [dict(row) for row in rows]

    @property
    def _postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"
