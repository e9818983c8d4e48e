"""intake's database handle, saying "busy, send again" when no connection can be had.

A tip is stored only once its transaction holds a connection; when none can be had in time (PostgreSQL's
connection slots are all taken, the pool stays empty, the database is away), nothing has been written yet, so the
honest answer is ServiceBusy: 503 with Retry-After and a Thai/English message that nothing was stored, instead of
a 500 that says nothing. The connection is taken first, before the caller's work runs, so a failure afterwards
(a constraint, a lost connection at commit) is never mistaken for "nothing was stored".
"""
from __future__ import annotations

import contextlib

from sqlalchemy.exc import SQLAlchemyError

from services.intake.domain.errors import ServiceBusy
from shared.logging import get_logger

log = get_logger(__name__)

RETRY_AFTER_SECONDS = 10


def _connected(session) -> None:
    try:
        session.connection()
    except SQLAlchemyError as exc:
        # the kind only: a driver's message can name the host or the user
        log.warning("intake.database_busy", error=type(exc).__name__)
        raise ServiceBusy(retry_after_seconds=RETRY_AFTER_SECONDS) from None


class BusyAwareDatabase:
    """A ServiceDatabase (or a worker's view of one) whose transactions and reads begin by taking a connection,
    raising ServiceBusy when none can be had. Everything else passes through."""

    def __init__(self, db):
        self._db = db

    def __getattr__(self, name):
        return getattr(self._db, name)

    @contextlib.contextmanager
    def transaction(self):
        with self._db.transaction() as uow:
            _connected(uow.session)
            yield uow

    @contextlib.contextmanager
    def reading(self):
        with self._db.reading() as session:
            _connected(session)
            yield session
