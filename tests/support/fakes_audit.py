"""An in-memory audit repository (the same methods as services/audit/repository.py) for unit tests.

`entries_by_seq` holds each entry as the table would (FIELDS, `hash`, `key_id`): a test edits one to play an
insider with write access to the database.
"""
from __future__ import annotations

from services.audit.domain.chain import GENESIS


class InMemoryAuditRepository:
    def __init__(self):
        self.entries_by_seq: dict[int, dict] = {}
        self.head_row: list | None = None  # [seq, hash]

    def head(self) -> tuple[int, str] | None:
        return tuple(self.head_row) if self.head_row is not None else None

    def locked_head(self) -> tuple[int, str]:
        if self.head_row is None:
            self.head_row = [0, GENESIS]
        return self.head_row[0], self.head_row[1]

    def append(self, entry: dict) -> dict:
        if entry["seq"] in self.entries_by_seq or any(e["event_id"] == entry["event_id"]
                                                      for e in self.entries_by_seq.values()):
            raise ValueError(f"entry {entry['seq']} or event {entry['event_id']} is chained already")
        self.entries_by_seq[entry["seq"]] = dict(entry)
        self.locked_head()
        self.head_row = [entry["seq"], entry["hash"]]
        return self.entries_by_seq[entry["seq"]]

    def append_all(self, entries: list[dict]) -> None:
        for entry in entries:
            self.append(entry)

    def entries(self, after_seq: int, up_to_seq: int, limit: int) -> list[dict]:
        return [dict(self.entries_by_seq[s]) for s in sorted(self.entries_by_seq) if after_seq < s <= up_to_seq][:limit]
