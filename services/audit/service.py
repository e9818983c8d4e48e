"""audit: a tamper-evident, keyed hash chain of every event, anchored by signed checkpoints."""
from __future__ import annotations

import time

from nameko.dependency_providers import Config
from nameko.timer import timer

from services.audit import anchor, chain
from services.audit.models import Base
from shared.dependencies import Database, LoggingContext
from shared.operator_actions import RedrivesOnRequest
from shared.reliable import subscribe


class Service(RedrivesOnRequest):
    name = "audit"

    db = Database(Base.metadata)
    log = LoggingContext()
    config = Config()

    @subscribe("#")
    def record(self, event):
        keys = chain.chain_keys(self.config["SODSONG"])
        self.db.consume(event, lambda uow, ev: chain.append(uow, ev, keys))

    @timer(interval=30)
    def checkpoint(self):
        """Append a signed checkpoint every `audit.checkpoint_every_seconds` (0: only by the operator)."""
        config = self.config["SODSONG"]
        every = float((config.get("audit") or {}).get("checkpoint_every_seconds") or 0)
        if every <= 0:
            return
        last = anchor.last_written_at(config)
        if last is not None and time.time() - last < every:
            return
        with self.db.reading() as session:
            record = anchor.write(config, session)
        if record:
            self.log.info("audit.checkpoint_written", seq=record["seq"])

    @timer(interval=60)
    def retention(self):
        """The leased retention job (shared.retention): deletes what is kept no longer, each deletion audited."""
        from shared import retention

        config = self.config["SODSONG"]
        retention.on_timer(self.db, self.name, config, ())
