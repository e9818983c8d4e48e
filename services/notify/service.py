"""notify: tells offices about new cases (and, later, staff about deadlines) over email, SMS, LINE, webhooks."""
from __future__ import annotations

import threading

import eventlet
from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider

from services.notify import deliveries
from services.notify.models import Base
from shared.dependencies import Database, LoggingContext
from shared.events import utcnow
from shared.logging import get_logger
from shared.reliable import subscribe

log = get_logger(__name__)


class Sender(DependencyProvider):
    """Sends due deliveries: right after they are recorded, and from a loop for retries and crash recovery."""

    def setup(self):
        from services.notify.channels import build_channels
        from services.notify.messages import render

        config = self.container.config["SODSONG"]
        self.settings = config["notify"]
        self.channels = build_channels(self.settings["channels"])
        self.render = render
        self.stopping = threading.Event()
        self.wakeup = threading.Event()

    def start(self):
        self.container.spawn_managed_thread(self._loop, identifier="notify.sender")

    def stop(self):
        self.stopping.set()
        self.wakeup.set()

    kill = stop

    def _db(self):
        return next(dep for dep in self.container.dependencies if isinstance(dep, Database)).service_db

    def send_one(self, delivery_id):
        db = self._db()
        if deliveries.claim(db, delivery_id):
            status = deliveries.send(db, delivery_id, self.channels, self.settings, self.render)
            log.info("delivery.attempted", delivery_id=delivery_id, status=status)

    def _loop(self):
        while not self.stopping.is_set():
            self.wakeup.wait(timeout=1.0)
            self.wakeup.clear()
            try:
                with self._db().reading() as session:
                    due = deliveries.due_ids(session, utcnow())
                pool = eventlet.GreenPool(10)
                for delivery_id in due:
                    pool.spawn(self.send_one, delivery_id)
                pool.waitall()
            except Exception as exc:
                log.warning("delivery.loop_failed", error=type(exc).__name__)
                self.stopping.wait(2.0)

    def get_dependency(self, worker_ctx):
        return self


class Service:
    name = "notify"

    db = Database(Base.metadata)
    log = LoggingContext()
    config = Config()
    sender = Sender()

    @subscribe("case.opened")
    def on_case_opened(self, event):
        recorded = self.db.consume(event, lambda uow, ev: deliveries.record_new_case(uow, ev, self.config["SODSONG"]))
        if recorded:
            self.sender.wakeup.set()
