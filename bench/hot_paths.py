"""CPU per event of the services' hot paths, in this process, on a fresh PostgreSQL database: the inbox claim with
audit's chain append (one event per transaction, and eight, as a tip's events come), routing's decision (with the
duplicate check), casework opening the case routing decided (with its search terms), the outbox relay's publish,
and notify's send path (claim, send to a file, settle), each run N times.

    .venv/bin/python bench/hot_paths.py [--events 300]

No broker consumer, no HTTP, no eventlet hub: the figures are the CPU seconds (time.process_time) the handler code
spends per event, which a busy machine changes little — a way to compare two versions of the code quickly. Copied
next to an older revision's files it measures that revision (what it lacks, it skips).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=300)
    args = parser.parse_args()
    n = args.events

    from sqlalchemy import select

    from services.audit import usecases as audit_usecases
    from services.audit.domain import chain
    from services.casework.usecases import routing_decisions
    from services.routing.domain.rules import load_engine
    from services.routing.repository import RoutingRepository
    from services.routing.usecases import decisions
    from services.routing.usecases.duplicate_watch import DuplicateWatch
    from shared import blind_index, bus_sealing, sealing
    from shared.clock import utcnow
    from shared.events import from_wire, new_event
    from shared.outbox import OutboxRelay
    from sodsong import registry
    from tests.support.inprocess import db, environment

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from throughput import tip_maker

    make = tip_maker(7)

    def tip_received(i):
        ref = f"SS-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}"
        t = make(i)
        return new_event("tip.received", {
            "reference": ref, "tipster_id": "tp_bench", "channel": "web", "language": "th",
            "category": t["category"], "description": t["description"], "event_date": None, "amount_thb": None,
            "location": t["location"], "accused": t["accused"], "submitted_at": utcnow(), "volunteer_id": None,
        }, correlation_id=ref)

    results = {}
    with tempfile.TemporaryDirectory() as tmp, environment("rabbitmq", Path(tmp)) as cfg:
        for service in ("audit", "routing", "casework"):
            registry.migrate(service, cfg[service]["db_url"])
            sealing.install(cfg, service)
        bus_sealing.install(cfg, "routing")
        events = [tip_received(i) for i in range(n)]

        t0 = time.process_time()
        for i in range(n):
            new_event("tip.received", dict(events[i].payload), events[i].correlation_id).to_wire()
        results["new_event+to_wire"] = (time.process_time() - t0) / n

        audit_db = db(cfg, "audit")
        keys = chain.chain_keys(cfg)
        for i in range(5):  # warm up
            audit_db.consume(tip_received(n + i), "record", lambda uow, ev: audit_usecases.append(uow, ev, keys))
        t0 = time.process_time()
        for e in events:
            audit_db.consume(e, "record", lambda uow, ev: audit_usecases.append(uow, ev, chain.chain_keys(cfg)))
        results["audit consume+append"] = (time.process_time() - t0) / n
        if hasattr(audit_db, "consume_many"):  # the group commit: a tip's ~8 events in one transaction
            batch = [tip_received(2 * n + i) for i in range(n)]
            t0 = time.process_time()
            for i in range(0, n, 8):
                audit_db.consume_many(batch[i:i + 8], "record",
                                      lambda uow, evs: audit_usecases.append_all(uow, evs, chain.chain_keys(cfg)))
            results["audit consume+append, 8/tx"] = (time.process_time() - t0) / n

        routing_db = db(cfg, "routing")
        engine = load_engine()
        watch = DuplicateWatch(routing_db, RoutingRepository)
        watch.ensure_loaded()
        t0 = time.process_time()
        for e in events:
            routing_db.consume(e, "on_tip_received", lambda uow, ev: decisions.route_new_tip(uow, ev, engine))
        results["routing consume+decide"] = (time.process_time() - t0) / n
        t0 = time.process_time()
        for e in events:
            watch.check(e.payload["reference"], causation=e)
        results["routing duplicate check"] = (time.process_time() - t0) / n
        if hasattr(watch, "check_many"):  # the group commit: eight tips' events in one transaction
            from shared.group_commit import by_reference, each_in_turn
            batch = [tip_received(3 * n + i) for i in range(n)]
            t0 = time.process_time()
            for i in range(0, n, 8):
                routing_db.consume_many(batch[i:i + 8], "on_tip_received", each_in_turn(
                    lambda uow, ev: decisions.route_new_tip(uow, ev, engine), by_reference))
            results["routing consume+decide, 8/tx"] = (time.process_time() - t0) / n
            t0 = time.process_time()
            for i in range(0, n, 8):
                watch.check_many([(e.payload["reference"], e) for e in batch[i:i + 8]])
            results["routing duplicate check, 8/tx"] = (time.process_time() - t0) / n

        # casework opens a case from each tip.routed just written, as the outbox holds it
        casework_db = db(cfg, "casework")
        blind_index.install(cfg, "casework")
        blind_index.warm_up()
        outbox = routing_db.tables.outbox
        with routing_db.reading() as session:
            bodies = session.execute(select(outbox.c.body).where(outbox.c.event_type == "tip.routed")
                                     .order_by(outbox.c.seq)).scalars().all()
        routed = [from_wire(json.loads(body)) for body in bodies]
        half = len(routed) // 2
        t0 = time.process_time()
        for e in routed[:half]:
            casework_db.consume(e, "on_tip_routed", lambda uow, ev: routing_decisions.open_case(uow, ev, {}))
        results["casework consume+open case"] = (time.process_time() - t0) / max(1, half)
        if hasattr(watch, "check_many"):  # the group commit: eight cases in one transaction
            from shared.group_commit import by_reference, each_in_turn
            rest = routed[half:]
            t0 = time.process_time()
            for i in range(0, len(rest), 8):
                casework_db.consume_many(rest[i:i + 8], "on_tip_routed", each_in_turn(
                    lambda uow, ev: routing_decisions.open_case(uow, ev, {}), by_reference))
            results["casework consume+open case, 8/tx"] = (time.process_time() - t0) / max(1, len(rest))

        relay = OutboxRelay(routing_db, cfg["amqp_uri"], batch=1)
        from kombu import Connection

        from shared import topology
        with Connection(cfg["amqp_uri"]) as conn:  # a queue for the events, so they are routable
            topology.EVENTS_EXCHANGE(conn.channel()).declare()
            from kombu import Queue
            q = Queue("bench.sink", exchange=topology.EVENTS_EXCHANGE, routing_key="#", durable=True)
            q(conn.channel()).declare()
        relay.publish_pending()
        t0 = time.process_time()
        published = 0
        while published < n // 2:
            got = relay.publish_pending()
            if not got:
                break
            published += got
        results["outbox relay (batch 1)"] = (time.process_time() - t0) / max(1, published)
        relay.batch = 50  # a burst: up to 50 events on one confirm channel, their confirms awaited together
        t0 = time.process_time()
        published = 0
        while got := relay.publish_pending():
            published += got
        results["outbox relay (batch 50)"] = (time.process_time() - t0) / max(1, published)

        # what an idle instance does on its clock (per run; multiply by runs per second for idle CPU)
        from shared import deadletters, heartbeats
        runs = 50
        t0 = time.process_time()
        for _ in range(runs):
            relay.publish_pending()
        results["idle: relay poll, nothing due"] = (time.process_time() - t0) / runs
        t0 = time.process_time()
        for _ in range(runs):
            deadletters.claim_redrives(routing_db)
        results["idle: redrive check"] = (time.process_time() - t0) / runs
        started = utcnow()
        t0 = time.process_time()
        for _ in range(runs):
            heartbeats.beat(routing_db, "bench", started)
            heartbeats.refresh_gauges(routing_db)
        results["idle: heartbeat + gauges"] = (time.process_time() - t0) / runs
        t0 = time.process_time()
        for _ in range(10):
            heartbeats.refresh_queue_gauges(cfg, registry.subscriptions())
        results["idle: queue gauges"] = (time.process_time() - t0) / 10
        getattr(relay, "close", lambda: None)()  # (older revisions had no connection to close)

    with tempfile.TemporaryDirectory() as tmp, environment("rabbitmq", Path(tmp), {"notify": {
            "channels": {"file": {"type": "file", "path": str(Path(tmp) / "notifications.jsonl")}},
            "office_channel": "file"}, "casework": {"desk_url": "http://127.0.0.1:25000/desk"}}) as cfg:
        results["notify claim+send+settle"] = notify_send_path(cfg, n)

    print(f"{'hot path':32} {'CPU ms/event':>12}")
    for name, seconds in results.items():
        print(f"{name:32} {seconds * 1000:12.2f}")


def notify_send_path(cfg, n: int) -> float:
    """CPU seconds per delivery of notify's send path, as its sender runs it: claim, send (a file), settle."""
    from services.notify import usecases as notify_usecases
    from services.notify.settings import SETTINGS as NOTIFY
    from shared import sealing
    from shared.notifications.channels import build_channels
    from sodsong import registry
    from tests.integration.notify_service.conftest import case_opened
    from tests.support.inprocess import db

    registry.migrate("notify", cfg["notify"]["db_url"])
    sealing.install(cfg, "notify")
    notify_db = db(cfg, "notify")
    settings = NOTIFY.section(cfg, "notify")  # with its defaults, as the service reads it
    channels = build_channels(settings["channels"])
    ids = []
    for _ in range(n + 5):
        with notify_db.transaction() as uow:
            ids += notify_usecases.record(uow, case_opened(), cfg)

    def send(delivery_id):
        claimed = notify_usecases.claim(notify_db, delivery_id)
        kw = {"claimed": claimed} if isinstance(claimed, dict) else {}  # older revisions read it apart
        assert notify_usecases.send(notify_db, delivery_id, channels, settings, **kw) == "sent"

    for delivery_id in ids[:5]:  # warm up
        send(delivery_id)
    t0 = time.process_time()
    for delivery_id in ids[5:]:
        send(delivery_id)
    return (time.process_time() - t0) / n


if __name__ == "__main__":
    main()
