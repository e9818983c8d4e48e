"""The outbox relay under a stream of commits, in one eventlet process as a service runs it: a writer commits one
event at a time, at random moments `rate` times a second on average (each commit wakes the relay, as in a service),
and the relay publishes them on RabbitMQ with confirms. Printed per rate and per `outbox.burst_linger_seconds`: the
relay's CPU per event (its green thread's own, from greenlet switches; and the process's CPU less the same writer's
alone), events per relay pass, and how long an event waited between its commit and its mark.

    .venv/bin/python bench/relay_bursts.py [--rates 25 100 200] [--seconds 10] [--lingers 0 0.005]

Copied next to an older revision's files it measures that revision's relay (which has no linger: give --lingers 0).

Needs RabbitMQ and PostgreSQL on 127.0.0.1, as the tests do (a fresh vhost and database per run).
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import inspect  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class GreenClock:
    """The CPU time one green thread spends running (greenlet switches traced): the relay's own, apart from the
    writer's and the hub's."""

    def __init__(self):
        import greenlet

        self.watched, self.spent, self.since = None, 0.0, None
        greenlet.settrace(self._switch)

    def _switch(self, what, args):
        if what not in ("switch", "throw"):
            return
        origin, target = args
        now = time.process_time()
        if origin is self.watched and self.since is not None:
            self.spent += now - self.since
            self.since = None
        if target is self.watched:
            self.since = now

    def watch(self, green_thread) -> None:
        self.watched, self.spent, self.since = green_thread, 0.0, None

    def take(self) -> float:
        spent, self.watched, self.spent = self.spent, None, 0.0
        return spent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=float, nargs="+", default=[25, 100, 200])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--lingers", type=float, nargs="+", default=[0.0, 0.005])
    args = parser.parse_args()

    from kombu import Connection, Queue
    from sqlalchemy import func, select

    from shared import bus_sealing, sealing, topology
    from shared.clock import utcnow
    from shared.db import ServiceDatabase
    from shared.jobs import Job, JobLoop
    from shared.outbox import OutboxRelay
    from sodsong import registry
    from tests.support.inprocess import db, environment

    clock = GreenClock()
    with tempfile.TemporaryDirectory() as tmp, environment("rabbitmq", Path(tmp)) as cfg:
        registry.migrate("casework", cfg["casework"]["db_url"])
        sealing.install(cfg, "casework")
        bus_sealing.install(cfg, "casework")
        base = db(cfg, "casework")
        with Connection(cfg["amqp_uri"]) as conn:  # a queue for the events, so they are routable
            topology.EVENTS_EXCHANGE(conn.channel()).declare()
            Queue("bench.sink", exchange=topology.EVENTS_EXCHANGE, routing_key="#", durable=True)(
                conn.channel()).declare()
        table = base.tables.outbox

        def run(rate: float, linger: float | None) -> dict:
            """linger None: the writer alone (no relay), for its own CPU."""
            wakeup = threading.Event()
            service_db = ServiceDatabase(base.engine, base.tables, on_commit_with_events=wakeup.set,
                                         repository=base.repository)
            with service_db.transaction() as uow:
                start_seq = uow.session.execute(select(func.coalesce(func.max(table.c.seq), 0))).scalar()
            relay = loop = None
            if linger is not None:
                lingers = "burst_linger" in inspect.signature(OutboxRelay).parameters  # (older revisions: none)
                relay = OutboxRelay(service_db, cfg["amqp_uri"], batch=200,
                                    **({"burst_linger": linger} if lingers else {}))
                relay.wakeup = wakeup
                loop = JobLoop(Job("outbox_relay", 2.0, relay.publish_all), wakeup=wakeup, first_after=0)
                relay_thread = eventlet.spawn(loop.run_forever)
                eventlet.sleep(0.5)
                clock.watch(relay_thread)
            n = int(rate * args.seconds)
            arrivals = random.Random(7)  # the same moments for every run: tips come at random, not on a beat
            due = 0.0
            cpu0, t0 = time.process_time(), time.monotonic()
            for _ in range(n):
                with service_db.transaction() as uow:
                    uow.emit("case.viewed", {"reference": "SS-BNCH-0001", "case_id": str(uuid.uuid4()),
                                             "office_code": "PACC-R2", "viewer_id": "u-1", "viewer_role": "caseworker",
                                             "view": "detail", "viewed_at": utcnow()}, correlation_id="SS-BNCH-0001")
                due += arrivals.expovariate(rate)
                pause = t0 + due - time.monotonic()
                if pause > 0:
                    eventlet.sleep(pause)
            if relay is not None:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    with service_db.reading() as session:
                        left = session.execute(select(func.count()).where(
                            table.c.seq > start_seq, table.c.published_at.is_(None))).scalar()
                    if not left:
                        break
                    eventlet.sleep(0.05)
            cpu = time.process_time() - cpu0
            out = {"events": n, "cpu": cpu, "relay_cpu": clock.take()}
            if relay is not None:
                loop.stop()
                eventlet.sleep(0.1)
                relay.close()
                with service_db.reading() as session:
                    rows = session.execute(select(table.c.created_at, table.c.published_at)
                                           .where(table.c.seq > start_seq)).all()
                waits = sorted((p - c).total_seconds() * 1000 for c, p in rows)
                out.update(passes=len({p for _, p in rows}), p50=waits[len(waits) // 2],
                           p99=waits[int(len(waits) * 0.99) - 1])
            else:  # what the writer left unpublished is not the next run's
                with service_db.transaction() as uow:
                    uow.session.execute(table.update().where(table.c.published_at.is_(None))
                                        .values(published_at=utcnow()))
            return out

        print(f"{'rate/s':>7} {'linger ms':>9} {'relay CPU ms/event':>18} {'process less writer':>17} "
              f"{'events/pass':>11} "
              f"{'wait p50 ms':>11} {'wait p99 ms':>11}")
        for rate in args.rates:
            alone = run(rate, None)
            for linger in args.lingers:
                r = run(rate, linger)
                less_writer = max(0.0, r["cpu"] - alone["cpu"]) / r["events"]
                print(f"{rate:7g} {linger * 1000:9g} {r['relay_cpu'] / r['events'] * 1000:18.3f} "
                      f"{less_writer * 1000:17.3f} {r['events'] / r['passes']:11.2f} {r['p50']:11.1f} {r['p99']:11.1f}")


if __name__ == "__main__":
    main()
