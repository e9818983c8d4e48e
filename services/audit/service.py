"""audit: a tamper-evident, hash-chained trail of every event."""
from __future__ import annotations

from services.audit import chain
from services.audit.models import Base
from shared.dependencies import Database, LoggingContext
from shared.reliable import subscribe


class Service:
    name = "audit"

    db = Database(Base.metadata)
    log = LoggingContext()

    @subscribe("#")
    def record(self, event):
        self.db.consume(event, chain.append)
