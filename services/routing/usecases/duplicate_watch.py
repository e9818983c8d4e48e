"""The routing service's duplicate check: each new tip against the tips routed before it.

Each instance keeps a `DuplicateIndex` in memory, built at start from `routing_tips` (the stored
`matter_words` spare segmenting every text again). A tip is checked *after* the transaction that routed it has
committed, in a transaction of its own that marks the row checked and emits `tip.duplicates_found`:

- Before each check the index reads the rows written since the last read (by any instance), so instances see
  each other's tips. Of two tips routed at the same moment, the one checked second sees the first: its check
  starts after both have committed. (Both may then name each other; a candidate is advice, never a merge.)
- The `duplicates_checked_at` mark makes the check once-only, whatever redelivers the tip.received event; a
  tip whose check never ran (a crash between the two transactions) is checked when an instance starts.

"Rows written since the last read", on PostgreSQL: rows whose `recorded_xid` (the id of the transaction that
wrote them, a column default) is at least the oldest transaction still running at the last read
(`pg_snapshot_xmin`): every transaction older than that had ended, so its rows were read then. The next read
therefore covers only transactions unfinished at the previous one, however many tips a minute brings. On SQLite
(one process, one writer): rows whose `recorded_at` is later than the newest seen, less `LAG` (a row becomes
visible at its commit, a little after the `recorded_at` it was written with). Rows already indexed are skipped
by reference.
"""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta

from services.routing.domain.duplicates import WINDOW_DAYS, DuplicateIndex, candidate_reasons
from shared.clock import aware_utc, utcnow
from shared.group_commit import Together
from shared.logging import get_logger

log = get_logger(__name__)

LAG = timedelta(minutes=2)
START_SWEEP_LIMIT = 1000
MAX_CANDIDATES = 5

class DuplicateWatch:
    """`repository(session)` makes the service's repository over a reading session (the transactions' own
    repository is `uow.repo`)."""

    def __init__(self, service_db, repository, window_days: int = WINDOW_DAYS, lag: timedelta = LAG):
        self.db = service_db
        self.repository = repository
        self.window_days = window_days
        self.lag = lag
        self._lock = threading.RLock()
        self._index: DuplicateIndex | None = None
        self._known: set[str] = set()
        self._newest: datetime | None = None  # newest recorded_at read so far
        self._xmin: int | None = None  # PostgreSQL: the oldest transaction running at the last read
        self._together = Together()  # the checks workers ask for at one moment, in one transaction

    # -- the index ---------------------------------------------------------------------------------------------
    def ensure_loaded(self) -> None:
        with self._lock:
            if self._index is not None:
                return
            index = DuplicateIndex(window_days=self.window_days)
            # rows submitted before this cannot be within the window of a tip submitted from now on
            since = utcnow() - timedelta(days=self.window_days + 1)
            self._index, self._known, self._newest, self._xmin = index, set(), None, None
            try:
                with self.db.reading() as session:
                    repo = self.repository(session)
                    xmin = repo.snapshot_xmin()  # taken before the rows are read: later writers come next time
                    for row in repo.tips_submitted_since(since):
                        self._add(row)
                    self._xmin = xmin
            except BaseException:
                self._index = None  # half-built: the next caller builds it again
                raise
            log.info("routing.duplicate_index_loaded", tips=len(self._known))

    def _add(self, row) -> None:
        if row.reference in self._known:
            return
        tip = _tip_of(row)
        stored = json.loads(row.matter_words) if row.matter_words else None
        self._index.add(row.reference, tip, aware_utc(row.submitted_at), text_words=stored)
        self._known.add(row.reference)
        if row.recorded_at is not None:
            recorded = aware_utc(row.recorded_at)
            if self._newest is None or recorded > self._newest:
                self._newest = recorded

    def refresh(self, repo) -> int:
        """Index the rows other transactions (this instance's or another's) have committed since the last read."""
        with self._lock:
            xmin = None
            if self._xmin is not None:
                found, xmin = repo.references_written_since(self._xmin)
            elif self._newest is not None:
                found = repo.references_recorded_after(self._newest - self.lag)
            else:
                found = repo.references_submitted_since(utcnow() - timedelta(days=self.window_days + 1))
            new = [ref for ref in found if ref not in self._known]
            for start in range(0, len(new), 500):
                for row in repo.tips(new[start:start + 500]):
                    self._add(row)
            if xmin is not None:
                self._xmin = xmin
            return len(new)

    def __len__(self) -> int:
        return len(self._known)

    # -- the check ---------------------------------------------------------------------------------------------
    def check(self, reference: str, causation=None) -> list[dict] | None:
        """Compare a routed tip with the others, once. Returns the candidates announced (None if already done
        or the tip is unknown).

        The checks other workers ask for at the same moment are made in the same transaction (shared.group_commit
        `Together`), each exactly as alone; if that transaction fails, each is made again in its own."""
        return self._together.run((reference, causation), self.check_many,
                                  lambda asked: self.check_many([asked])[0])

    def check_many(self, asked: list[tuple[str, object]]) -> list[list[dict] | None]:
        """`check` for several (reference, causation) pairs in one transaction: the rows locked in the order of
        their references, the index read once; one outcome per pair, in order (a reference asked twice is checked
        the first time)."""
        self.ensure_loaded()
        outcomes: list[list[dict] | None] = [None] * len(asked)
        with self.db.transaction() as uow:
            due, seen = [], set()
            for i, (reference, causation) in sorted(enumerate(asked), key=lambda pair: pair[1][0]):
                if reference in seen:
                    continue  # asked twice: done the first time
                seen.add(reference)
                row = uow.repo.locked_tip(reference)
                if row is not None and row.duplicates_checked_at is None:
                    due.append((i, row, reference, causation))
            if due:
                with self._lock:  # read after the rows are locked, as a check alone does
                    self.refresh(uow.repo)
                    for i, row, reference, causation in due:
                        outcomes[i] = self._check_row(uow, row, reference, causation)
        return outcomes

    def _check_row(self, uow, row, reference: str, causation) -> list[dict]:
        stored = json.loads(row.matter_words) if row.matter_words else None
        found = self._index.candidates(_tip_of(row), aware_utc(row.submitted_at), limit=MAX_CANDIDATES,
                                       exclude=reference, text_words=stored)
        now = utcnow()
        row.duplicates_checked_at = now
        candidates = [{"reference": other, "score": float(score), "signals": list(signals),
                       "reasons": candidate_reasons(signals, score)} for other, score, signals in found]
        if candidates:
            uow.emit("tip.duplicates_found", {"reference": reference, "candidates": candidates,
                                              "detected_at": now},
                     correlation_id=reference, causation=causation)
        return candidates

    def sweep(self, limit: int = START_SWEEP_LIMIT) -> int:
        """Check the tips whose check never ran (their instance stopped between routing and checking)."""
        with self.db.reading() as session:
            pending = self.repository(session).unchecked_references(limit)
        for reference in pending:
            self.check(reference)
        return len(pending)


def _tip_of(row) -> dict:
    """The fields DuplicateIndex reads (location, accused, description) from a stored row."""
    facts = json.loads(row.facts_json)
    return {"description": facts.get("description") or "", "location": facts.get("location") or {},
            "accused": facts.get("accused") or {}}


