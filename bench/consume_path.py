"""CPU per consumed event of what every service's consumers share, around a handler that does nothing of its own:
nameko's worker (spawn, dependency injection, worker_setup/result/teardown of every DependencyProvider),
shared.reliable's EventConsumer (sender check, opening sealed content, validating the envelope, metrics, ack), the
structlog context, and — with `--handler inbox` (the default) — `ServiceDatabase.consume` (the transaction, the
inbox claim, the commit) around an effect that writes nothing else.

    .venv/bin/python bench/consume_path.py [--events 1000] [--transport rabbitmq|memory] [--handler inbox|bare]
    .venv/bin/python bench/consume_path.py --profile /tmp/consume.prof   # cProfile on a CPU clock over the run

A real nameko container of a bench service (named routing, with routing's tables, a Database, a LoggingContext and
a Config, as every service has) consumes `tip.received` events, their content sealed on the wire as intake's relay
sends them. On RabbitMQ the events are published by a child process, so this process's CPU (time.process_time,
all of it: the hub, the consumer, the workers) is the consumer's alone; on the memory transport they are
published in this process first and the publishing CPU is taken off. The figure includes what the container does
on its clocks meanwhile (relay poll, heartbeat), printed apart as idle CPU per second.
"""
from __future__ import annotations

import os
import sys
import warnings

warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")
os.environ.setdefault("EVENTLET_NO_GREENDNS", "yes")

if "--publish" not in sys.argv:  # the child that publishes is a plain process
    import eventlet

    eventlet.monkey_patch()
    from psycogreen.eventlet import patch_psycopg

    patch_psycopg()

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def publish(amqp_uri: str, bodies: list[dict]) -> float:
    """Publish the bodies as intake's relay does (persistent, JSON, app_id intake); returns the CPU it took."""
    from kombu import Connection

    from shared import topology
    t0 = time.process_time()
    confirms = {} if amqp_uri.startswith("memory://") else {"transport_options": {"confirm_publish": True}}
    with Connection(amqp_uri, **confirms) as conn:  # each publish waits for the broker's confirm, as the relay's do
        producer = conn.Producer(serializer="json")
        for body in bodies:
            producer.publish(body, exchange=topology.EVENTS_EXCHANGE, routing_key=body["type"], delivery_mode=2,
                             app_id="intake", message_id=body["id"], mandatory=True)
    return time.process_time() - t0


def bench_service(handler: str):
    from nameko.dependency_providers import Config

    from services.routing.models import Base
    from services.routing.repository import RoutingRepository
    from shared.dependencies import Database, LoggingContext
    from shared.reliable import subscribe

    def nothing(uow, event):
        return None

    class Service:
        name = "routing"
        db = Database(Base.metadata, repository=RoutingRepository)
        log = LoggingContext()
        config = Config()
        handled = [0]

        @subscribe("tip.received")
        def on_tip_received(self, event):
            if handler == "inbox":
                self.db.consume(event, nothing)
            Service.handled[0] += 1

    return Service


def tip_received_bodies(n: int) -> list[dict]:
    sys.path.insert(0, str(ROOT / "bench"))
    from throughput import tip_maker

    from shared import bus_sealing
    from shared.clock import utcnow
    from shared.events import new_event

    make = tip_maker(11)
    bodies = []
    for i in range(n):
        ref = f"SS-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}"
        t = make(i)
        event = new_event("tip.received", {
            "reference": ref, "tipster_id": "tp_bench", "channel": "web", "language": "th",
            "category": t["category"], "description": t["description"], "event_date": None, "amount_thb": None,
            "location": t["location"], "accused": t["accused"], "submitted_at": utcnow(), "volunteer_id": None,
        }, correlation_id=ref)
        bodies.append(bus_sealing.seal_body(event.to_wire()))
    return bodies


def _database(container):
    from shared.dependencies import Database
    return next(dep for dep in container.dependencies if isinstance(dep, Database))


def wait_until(predicate, timeout: float, progress=lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for the events to be consumed {progress()}")
        eventlet.sleep(0.005)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--transport", choices=["rabbitmq", "memory"], default="rabbitmq")
    parser.add_argument("--handler", choices=["inbox", "bare"], default="inbox",
                        help="inbox: self.db.consume(event, <nothing>); bare: no database at all")
    parser.add_argument("--profile", type=Path, help="write a cProfile (CPU clock) of the measured run here")
    parser.add_argument("--publish", help=argparse.SUPPRESS)  # child: AMQP URI; bodies on stdin
    args = parser.parse_args()
    if args.publish:
        publish(args.publish, json.load(sys.stdin))
        return

    from nameko.containers import ServiceContainer

    import sodsong.settings  # noqa: F401  (registers every service's settings, as the `sodsong` command does)
    from shared import bus_sealing
    from shared import config as config_mod
    from shared import logging as logging_mod
    from tests.support.inprocess import environment

    logging_mod.configure("INFO", stream=open(os.devnull, "w"))
    with tempfile.TemporaryDirectory() as tmp, environment(args.transport, Path(tmp)) as cfg:
        bus_sealing.install(cfg, "intake")
        service = bench_service(args.handler)
        container = ServiceContainer(service, config_mod.nameko_config(cfg, "routing"))
        container.start()
        try:
            handled = service.handled

            def run(bodies, profiler=None) -> tuple[float, float, float]:
                """(CPU seconds of this process, CPU seconds spent publishing here, wall seconds)."""
                target = handled[0] + len(bodies)
                wall, cpu = time.monotonic(), time.process_time()
                if profiler is not None:
                    profiler.enable()
                published = 0.0
                if args.transport == "memory":
                    published = publish(cfg["amqp_uri"], bodies)  # no green I/O: nothing is consumed meanwhile
                else:
                    child = subprocess.Popen([sys.executable, __file__, "--publish", cfg["amqp_uri"]],
                                             stdin=subprocess.PIPE, cwd=ROOT)
                    child.stdin.write(json.dumps(bodies).encode())
                    child.stdin.close()
                def failed():
                    return args.transport != "memory" and child.poll() not in (None, 0)
                def progress():
                    from shared import deadletters
                    letters = deadletters.list_letters(_database(container).service_db)
                    return (f"({handled[0] - target + len(bodies)} of {len(bodies)} handled, "
                            f"{len(letters)} dead letters: {[letter['error'][:80] for letter in letters[:3]]})")
                wait_until(lambda: handled[0] >= target or failed(), 120, progress)
                if failed():
                    raise SystemExit("the publisher failed")
                if profiler is not None:
                    profiler.disable()
                if args.transport != "memory":
                    child.wait()
                return time.process_time() - cpu, published, time.monotonic() - wall

            run(tip_received_bodies(args.warmup))
            eventlet.sleep(0.5)
            idle_cpu, idle_wall = time.process_time(), time.monotonic()
            eventlet.sleep(3.0)
            idle = (time.process_time() - idle_cpu) / (time.monotonic() - idle_wall)

            bodies = tip_received_bodies(args.events)
            profiler = None
            if args.profile:
                import cProfile
                profiler = cProfile.Profile(time.process_time)
            cpu, published, wall = run(bodies, profiler)
            if profiler is not None:
                profiler.dump_stats(str(args.profile))
        finally:
            container.stop()
    n = args.events
    print(f"transport {args.transport}, handler {args.handler}, {n} events in {wall:.2f} s ({n / wall:.0f}/s)")
    print(f"CPU ms per event (this process, publishing taken off): {(cpu - published) * 1000 / n:.3f}")
    print(f"  of which idle work over the run (idle {idle * 1000:.1f} ms/s): {idle * wall * 1000 / n:.3f}")
    print(f"  without it: {(cpu - published - idle * wall) * 1000 / n:.3f}")


if __name__ == "__main__":
    main()
