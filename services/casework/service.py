"""casework: the agency caseworkers' desk — one inbox per office."""
from __future__ import annotations

from nameko.dependency_providers import Config

from services.casework import handlers
from services.casework.models import Base
from shared.dependencies import Database, LoggingContext
from shared.reliable import subscribe
from shared.web import api, json_response


class Service:
    name = "casework"

    db = Database(Base.metadata)
    log = LoggingContext()
    config = Config()

    @subscribe("tip.routed")
    def on_tip_routed(self, event):
        deadlines = self.config["SODSONG"]["casework"].get("deadlines", {})
        self.db.consume(event, lambda uow, ev: handlers.open_case(uow, ev, deadlines))

    @api("GET", "/health")
    def health(self, request):
        return json_response(200, {"service": "casework", "status": "ok"})
