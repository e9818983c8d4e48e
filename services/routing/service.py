"""routing: decides the legally competent office for each tip and explains why."""
from __future__ import annotations

from nameko.extensions import DependencyProvider

from services.routing import handlers
from services.routing.models import Base
from services.routing.rules import load_engine
from shared.dependencies import Database, LoggingContext
from shared.reliable import subscribe


class Jurisdiction(DependencyProvider):
    """The rule engine and agency directory, loaded once per service instance."""

    def setup(self):
        overrides = self.container.config["SODSONG"]["routing"].get("overrides")
        from services.routing.directory import load_directory

        self.engine = load_engine(directory=load_directory(overrides) if overrides else None)

    def get_dependency(self, worker_ctx):
        return self.engine


class Service:
    name = "routing"

    db = Database(Base.metadata)
    log = LoggingContext()
    jurisdiction = Jurisdiction()

    @subscribe("tip.received")
    def on_tip_received(self, event):
        self.db.consume(event, lambda uow, ev: handlers.route_new_tip(uow, ev, self.jurisdiction))
