"""CPU of routing's duplicate check when many tips were written in the last two minutes (6,000: what 50 tips/s
sustained leaves in the window): the time-window refresh against the transaction-id refresh, on one PostgreSQL
database with the same tips, one after the other.

    .venv/bin/python bench/duplicate_refresh.py [TIPS_IN_WINDOW]      # default 6000, about two minutes
"""
from __future__ import annotations

import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main():
    from throughput import tip_maker

    from services.routing.domain.rules import load_engine
    from services.routing.repository import RoutingRepository
    from services.routing.usecases import decisions
    from services.routing.usecases.duplicate_watch import DuplicateWatch
    from shared import sealing
    from shared.clock import utcnow
    from shared.events import new_event
    from sodsong import registry
    from tests.support.inprocess import db, environment

    make = tip_maker(3)

    def received(i):
        ref = f"SS-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}"
        t = make(i)
        return new_event("tip.received", {
            "reference": ref, "tipster_id": "tp_bench", "channel": "web", "language": "th",
            "category": t["category"], "description": t["description"], "event_date": None, "amount_thb": None,
            "location": t["location"], "accused": t["accused"], "submitted_at": utcnow(), "volunteer_id": None,
        }, correlation_id=ref)

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
    with tempfile.TemporaryDirectory() as tmp, environment("rabbitmq", Path(tmp)) as cfg:
        registry.migrate("routing", cfg["routing"]["db_url"])
        sealing.install(cfg, "routing")
        routing_db, engine = db(cfg, "routing"), load_engine()
        for i in range(n):
            with routing_db.transaction() as uow:
                decisions.route_new_tip(uow, received(i), engine)
        for label, by_time in (("time window (before)", True), ("transaction id (now)", False)):
            watch = DuplicateWatch(routing_db, RoutingRepository)
            watch.ensure_loaded()
            events = [received(n + i) for i in range(100)]
            t0 = time.process_time()
            for e in events:
                with routing_db.transaction() as uow:
                    decisions.route_new_tip(uow, e, engine)
                if by_time:
                    watch._xmin = None  # as before: the refresh reads every tip of the last two minutes
                watch.check(e.payload["reference"])
            print(f"{label}: route + check, routing's CPU ms per tip with {n} tips in the window: "
                  f"{1000 * (time.process_time() - t0) / len(events):.2f}")


if __name__ == "__main__":
    main()
