"""audit: a tamper-evident, keyed hash chain of every event, anchored by signed checkpoints."""
from __future__ import annotations

import time

from nameko.dependency_providers import Config

from services.audit import usecases
from services.audit.domain import anchor, chain
from services.audit.models import Base
from services.audit.repository import AuditRepository
from shared import retention
from shared.dependencies import Database, LoggingContext
from shared.jobs import cluster_job
from shared.operator_actions import RedrivesOnRequest
from shared.reliable import subscribe
from shared.retention import retention_job


class Service(RedrivesOnRequest):
    name = "audit"

    db = Database(Base.metadata, repository=AuditRepository)
    log = LoggingContext()
    config = Config()

    @subscribe("#")
    def record(self, event):
        """Chain the event, in one transaction (one lock of the head) with the events other workers hold now;
        returns (and the message is acked) once that transaction has committed."""
        keys = chain.chain_keys(self.config["SODSONG"])
        self.db.consume_together(event, lambda uow, events: usecases.append_all(uow, events, keys))

    @cluster_job("audit.checkpoint", every=30)
    def checkpoint(self):
        """Append a signed checkpoint every `audit.checkpoint_every_seconds` (0: only by the operator)."""
        config = self.config["SODSONG"]
        if not anchor.checkpoint_due(config, time.time()):
            return
        with self.db.reading() as session:
            record = usecases.write_checkpoint(config, AuditRepository(session))
        if record:
            self.log.info("audit.checkpoint_written", seq=record["seq"])

    @retention_job
    def retention(self):
        """Deletes what is kept no longer (shared.retention), each deletion audited."""
        retention.run(self.db, self.name, self.config["SODSONG"])
