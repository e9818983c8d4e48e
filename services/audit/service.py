"""audit: a tamper-evident, keyed hash chain of every event, anchored by signed checkpoints."""
from __future__ import annotations

import time

from nameko.dependency_providers import Config
from nameko.timer import timer

from services.audit import usecases
from services.audit.domain import anchor, chain
from services.audit.models import Base
from services.audit.repository import AuditRepository
from shared.dependencies import Database, LoggingContext
from shared.operator_actions import RedrivesOnRequest
from shared.reliable import subscribe


class Service(RedrivesOnRequest):
    name = "audit"

    db = Database(Base.metadata, repository=AuditRepository)
    log = LoggingContext()
    config = Config()

    @subscribe("#")
    def record(self, event):
        keys = chain.chain_keys(self.config["SODSONG"])
        self.db.consume(event, lambda uow, ev: usecases.append(uow, ev, keys))

    @timer(interval=30)
    def checkpoint(self):
        """Append a signed checkpoint every `audit.checkpoint_every_seconds` (0: only by the operator)."""
        config = self.config["SODSONG"]
        if not anchor.checkpoint_due(config, time.time()):
            return
        with self.db.reading() as session:
            record = usecases.write_checkpoint(config, AuditRepository(session))
        if record:
            self.log.info("audit.checkpoint_written", seq=record["seq"])

    @timer(interval=60)
    def retention(self):
        """The leased retention job (shared.retention): deletes what is kept no longer, each deletion audited."""
        from shared import retention

        config = self.config["SODSONG"]
        retention.on_timer(self.db, self.name, config, ())
