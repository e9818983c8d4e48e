"""notify: tells offices about new cases, caseworkers about assignments, supervisors about deadlines, and
operators about failed deliveries, over the channels in shared.notifications (file, email, webhook, LINE, SMS).

Tipsters and volunteers are told by intake (services/intake/tipster_notices.py), which alone knows who they are.
"""
from __future__ import annotations

import eventlet
from nameko.dependency_providers import Config

from services.notify import metrics, usecases
from services.notify import retention as notify_retention
from services.notify.domain.summary import operator_settings
from services.notify.models import Base
from services.notify.repository import NotifyRepository
from services.notify.settings import SETTINGS as NOTIFY
from shared import retention
from shared.clock import utcnow
from shared.dependencies import Database, LoggingContext
from shared.group_commit import each_in_turn
from shared.jobs import INSTANCE_ID, cluster_job
from shared.logging import get_logger
from shared.notifications import ledger
from shared.notifications.channels import build_channels
from shared.notifications.sender_loop import SenderLoop
from shared.operator_actions import RedrivesOnRequest, RetriesDeliveriesOnRequest
from shared.reliable import subscribe
from shared.retention import retention_job

log = get_logger(__name__)


class Sender(SenderLoop):
    """Sends due deliveries: right after they are recorded, and from an instance job for retries and crash
    recovery (every instance sends; each delivery is claimed before it is sent)."""

    identifier = "delivery"

    def setup(self):
        super().setup()
        config = self.container.config["SODSONG"]
        self.config = config
        self.settings = NOTIFY.section(config, "notify")
        ledger.configure(self.settings)
        self.channels = build_channels(self.settings["channels"])
        self.concurrency = int(self.settings["sender_concurrency"])
        self.poll_seconds = float(self.settings["poll_seconds"])

    def send_one(self, delivery_id):
        db = self._db()
        claimed = usecases.claim(db, delivery_id)  # claimed and read in one statement
        if claimed is not None:
            status = usecases.send(db, delivery_id, self.channels, self.settings, claimed=claimed)
            log.info("delivery.attempted", delivery_id=delivery_id, status=status)

    def send_due(self) -> int:
        due = usecases.due_ids(self._db(), utcnow(), limit=self.batch)
        pool = eventlet.GreenPool(self.concurrency)
        for delivery_id in due:
            pool.spawn(self.send_one, delivery_id)
        pool.waitall()
        return len(due)

    batch = 100

    def tick(self):
        for _ in range(50):  # a full batch may leave more behind: keep going while batches are full
            # A batch that was not full took all that was due; what is recorded meanwhile wakes the loop again.
            if self.stopping.is_set() or self.send_due() < self.batch:
                break


class Service(RedrivesOnRequest, RetriesDeliveriesOnRequest):
    name = "notify"

    db = Database(Base.metadata, repository=NotifyRepository, gauges=metrics.refresh)
    log = LoggingContext()
    config = Config()
    sender = Sender()

    def delivery_ledger(self):
        return usecases.TABLE

    def _record(self, event):
        if self.db.consume(event, lambda uow, ev: usecases.record(uow, ev, self.config["SODSONG"])):
            self.sender.wakeup.set()

    @subscribe("case.opened")
    def on_case_opened(self, event):
        # recorded in one transaction with the new cases other workers hold now (shared.group_commit), each as alone
        record = each_in_turn(lambda uow, ev: usecases.record(uow, ev, self.config["SODSONG"]))
        if self.db.consume_together(event, record):
            self.sender.wakeup.set()

    @subscribe("case.assigned")
    def on_case_assigned(self, event):
        self._record(event)

    @subscribe("case.deadline_reminder", "case.deadline_breached")
    def on_case_deadline(self, event):
        self._record(event)

    @subscribe("account.contacts_changed")
    def on_account_contacts(self, event):
        self.db.consume(event, usecases.keep_staff_contacts)

    @cluster_job("notify.operator_summary", every=lambda config: operator_settings(config)["check_seconds"],
                 first_after=1)
    def operator_summary(self):
        """The operators' daily summary of failed deliveries: once a day however many instances run (the day's
        claim row), checked by one instance at a time."""
        outcome = usecases.run_daily_summary(self.db, self.config["SODSONG"], INSTANCE_ID)
        if outcome:
            log.info("operator_summary.recorded", outcome=outcome)
            self.sender.wakeup.set()

    @retention_job
    def retention(self):
        """Deletes what is kept no longer (shared.retention), each deletion audited."""
        config = self.config["SODSONG"]
        retention.run(self.db, self.name, config, notify_retention.steps(config))
