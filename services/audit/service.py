"""audit: a tamper-evident, keyed hash chain of every event, anchored by signed checkpoints."""
from __future__ import annotations

import time

from nameko.dependency_providers import Config

from services.audit import anchor, chain
from services.audit.models import Base
from services.audit.settings import SETTINGS as AUDIT
from shared import retention
from shared.dependencies import Database, LoggingContext
from shared.jobs import cluster_job
from shared.reliable import subscribe
from shared.retention import retention_job


class Service:
    name = "audit"

    db = Database(Base.metadata)
    log = LoggingContext()
    config = Config()

    @subscribe("#")
    def record(self, event):
        keys = chain.chain_keys(self.config["SODSONG"])
        self.db.consume(event, lambda uow, ev: chain.append(uow, ev, keys))

    @cluster_job("audit.checkpoint", every=30)
    def checkpoint(self):
        """Append a signed checkpoint every `audit.checkpoint_every_seconds` (0: only by the operator)."""
        config = self.config["SODSONG"]
        every = float(AUDIT.value(config, "audit.checkpoint_every_seconds") or 0)
        if every <= 0:
            return
        last = anchor.last_written_at(config)
        if last is not None and time.time() - last < every:
            return
        with self.db.reading() as session:
            record = anchor.write(config, session)
        if record:
            self.log.info("audit.checkpoint_written", seq=record["seq"])

    @retention_job
    def retention(self):
        """Deletes what is kept no longer (shared.retention), each deletion audited."""
        retention.run(self.db, self.name, self.config["SODSONG"])
