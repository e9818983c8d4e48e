"""Deliveries per second the notify SERVICE sustains: events in, deliveries recorded, the Sender loop claiming,
rendering, sending over SMTP and settling each one, into a local SMTP server (aiosmtpd in its own process).

    .venv/bin/python bench/notify_throughput.py [--events 1000] [--concurrency 10] [--db-url postgresql://...]

The notify service runs in this process in its nameko container on the in-memory broker, with its own database
(SQLite under a temp dir by default, or --db-url). N case.opened events are published at once; the clock runs
from the first publish until the last delivery is `sent`, and the SMTP server confirms it accepted N messages.
"""
from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from psycogreen.eventlet import patch_psycopg  # noqa: E402

patch_psycopg()

import argparse  # noqa: E402
import datetime  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SERVER = r"""
import asyncio, signal, sys
from aiosmtpd.smtp import SMTP
class Count:
    accepted = 0
    async def handle_DATA(self, server, session, envelope):
        Count.accepted += 1
        return "250 OK"
loop = asyncio.new_event_loop()
srv = loop.run_until_complete(loop.create_server(lambda: SMTP(Count()), "127.0.0.1", 0))
print("READY", srv.sockets[0].getsockname()[1], flush=True)
loop.add_signal_handler(signal.SIGTERM, loop.stop)
loop.run_forever()
print("ACCEPTED", Count.accepted, flush=True)
"""


def start_smtp():
    proc = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("READY"):
        proc.kill()
        raise SystemExit(f"SMTP server did not start: {line!r}")
    return proc, int(line.split()[1])


def stop_smtp(proc) -> int:
    proc.terminate()
    out, _ = proc.communicate(timeout=20)
    for line in out.splitlines():
        if line.startswith("ACCEPTED"):
            return int(line.split()[1])
    return -1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=10, help="notify.sender_concurrency")
    parser.add_argument("--db-url", help="notify's database (default: SQLite in a temp dir)")
    args = parser.parse_args()

    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    from kombu import Connection
    from nameko.containers import ServiceContainer
    from sqlalchemy import func, select

    from services.notify.models import Delivery
    from shared import config as config_mod
    from shared import logging as logging_mod
    from shared import topology
    from shared.events import new_event
    from sodsong import registry
    from sodsong.registry import service_db_for

    smtp, port = start_smtp()
    data_dir = tempfile.mkdtemp(prefix="sodsong-notify-bench-")
    env = {"SODSONG_DATA_DIR": data_dir, "SODSONG_AMQP_URI": "memory://localhost/"}
    if args.db_url:
        env["SODSONG_DB_URL_NOTIFY"] = args.db_url
    cfg = config_mod.load(env=env)
    logging_mod.configure("WARNING")
    offices = [f"BENCH-{n:02d}" for n in range(20)]
    cfg["notify"].update({
        "channels": {"email": {"type": "email", "host": "127.0.0.1", "port": port, "security": "none",
                               "from": "สอดส่อง <noreply@sodsong.example>", "timeout": 10}},
        "office_channel": "email",
        "office_contacts": {code: {"email": f"{code.lower()}@agency.example"} for code in offices},
        "sender_concurrency": args.concurrency,
        "operators": {"daily_summary_at": "23:59"},
    })
    registry.migrate("notify", cfg["notify"]["db_url"])
    container = ServiceContainer(registry.entry("notify").service_class(), registry.nameko_config(cfg, "notify"))
    container.start()
    db = service_db_for("notify", cfg)

    def count(*statuses):
        with db.reading() as session:
            return session.execute(select(func.count()).select_from(Delivery)
                                   .where(Delivery.status.in_(statuses))).scalar()

    now = datetime.datetime.now(datetime.timezone.utc)
    events = []
    for n in range(args.events):
        reference = f"SS-{uuid.uuid4().hex[:4].upper()}-{n:04d}"
        events.append(new_event("case.opened", {
            "reference": reference, "case_id": str(uuid.uuid4()),
            "office": {"code": offices[n % len(offices)], "name_th": "สำนักงานทดสอบ", "name_en": "Bench office"},
            "category": "procurement", "province_code": "50", "status": "received",
            "acknowledge_due": now + datetime.timedelta(days=7), "feedback_due": now + datetime.timedelta(days=90),
            "opened_at": now}, reference).to_wire())
    try:
        started = time.perf_counter()
        with Connection(cfg["amqp_uri"]) as conn:
            producer = conn.Producer(serializer="json")
            for wire in events:
                producer.publish(wire, exchange=topology.EVENTS_EXCHANGE, routing_key=wire["type"])
        recorded_at = None
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            total = count("pending", "sending", "sent", "failed", "dead")
            if recorded_at is None and total >= args.events:
                recorded_at = time.perf_counter() - started
            if count("sent", "dead") >= args.events:
                break
            eventlet.sleep(0.05)
        elapsed = time.perf_counter() - started
        sent, dead = count("sent"), count("dead")
    finally:
        container.stop()
        accepted = stop_smtp(smtp)
    assert sent == args.events and accepted == args.events, (sent, dead, accepted, args.events)
    backend = "PostgreSQL" if args.db_url else "SQLite (WAL, synchronous=FULL)"
    print(f"{args.events} deliveries in {elapsed:.2f} s: {args.events / elapsed:.0f} deliveries/s through the notify "
          f"service (record from event + claim + render + SMTP send + settle + outbox event; {backend}, "
          f"sender concurrency {args.concurrency}); all {args.events} recorded after {recorded_at:.2f} s; "
          f"SMTP server accepted {accepted}")


if __name__ == "__main__":
    main()
