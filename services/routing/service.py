"""routing: decides the legally competent office for each tip and explains why; records triage officers'
decisions and offices' transfers; points out tips that may describe the same matter."""
from __future__ import annotations

from nameko.dependency_providers import Config
from nameko.extensions import DependencyProvider

from services.routing.domain.directory import load_directory
from services.routing.domain.rules import load_engine
from services.routing.models import Base
from services.routing.repository import RoutingRepository
from services.routing.settings import SETTINGS as ROUTING
from services.routing.usecases import decisions
from services.routing.usecases.duplicate_watch import DuplicateWatch
from shared import retention
from shared.dependencies import Database, LoggingContext
from shared.group_commit import by_reference, each_in_turn
from shared.logging import get_logger
from shared.operator_actions import RedrivesOnRequest
from shared.reliable import subscribe
from shared.retention import retention_job

log = get_logger(__name__)


class Jurisdiction(DependencyProvider):
    """The rule engine and agency directory, loaded once per service instance."""

    def setup(self):
        overrides = self.container.config["SODSONG"]["routing"].get("overrides")
        self.engine = load_engine(directory=load_directory(overrides) if overrides else None)

    def get_dependency(self, worker_ctx):
        return self.engine


class Duplicates(DependencyProvider):
    """This instance's duplicate index: built from the database when the instance starts (in the background;
    a check that comes first waits for it), then kept current from the rows every instance writes."""

    def setup(self):
        self.watch = None

    def start(self):
        self.container.spawn_managed_thread(self._warm_up, identifier="routing.duplicates_warm_up")

    def _get_watch(self) -> DuplicateWatch:
        # made on first use: the Database dependency makes its service_db in setup(), which nameko runs for
        # every extension before it starts any (entrypoints may start before this provider does)
        if self.watch is None:
            database = next(dep for dep in self.container.dependencies if isinstance(dep, Database))
            self.watch = DuplicateWatch(database.service_db, RoutingRepository)
        return self.watch

    def _warm_up(self):
        try:
            watch = self._get_watch()
            watch.ensure_loaded()
            checked = watch.sweep()
            if checked:
                log.info("routing.duplicate_checks_caught_up", tips=checked)
        except Exception as exc:  # the first check builds the index again; nothing is lost
            log.warning("routing.duplicate_index_warm_up_failed", error=type(exc).__name__)

    def get_dependency(self, worker_ctx):
        return self._get_watch()


class Service(RedrivesOnRequest):
    name = "routing"

    db = Database(Base.metadata, repository=RoutingRepository)
    log = LoggingContext()
    jurisdiction = Jurisdiction()
    duplicates = Duplicates()
    config = Config()

    @subscribe("tip.received")
    def on_tip_received(self, event):
        # in one transaction with the tips other workers hold now (shared.group_commit), each routed as alone
        self.db.consume_together(event, each_in_turn(
            lambda uow, ev: decisions.route_new_tip(uow, ev, self.jurisdiction), by_reference))
        # after the routing commits, so that of two tips routed at once the later check sees the earlier tip;
        # once-only by its own mark, so a redelivery that finds the routing done still gets the check run
        self.duplicates.check(event.payload["reference"], causation=event)

    @subscribe("case.triage_decided")
    def on_triage_decided(self, event):
        self.db.consume(event, lambda uow, ev: decisions.record_triage_decision(uow, ev, self.jurisdiction))

    @subscribe("case.transfer_requested")
    def on_transfer_requested(self, event):
        limit = int(ROUTING.value(self.config["SODSONG"], "routing.max_transfers"))
        self.db.consume(event, lambda uow, ev: decisions.transfer(uow, ev, self.jurisdiction, limit))

    @retention_job
    def retention(self):
        """Deletes what is kept no longer (shared.retention), each deletion audited."""
        retention.run(self.db, self.name, self.config["SODSONG"])
