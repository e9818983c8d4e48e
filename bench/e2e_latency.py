"""Submit → office notification latency, over N tips, embedded and real mode.

    python bench/e2e_latency.py [--tips 100] [--mode embedded|real|both]

Starts Sodsong as a user would (subprocesses; real mode uses a fresh RabbitMQ vhost and PostgreSQL database and
one process per service), submits tips one after another over HTTP, and measures, per tip, the time from just
before the POST to the moment notify recorded the office notification as sent.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from services.notify.models import Delivery  # noqa: E402
from shared import config as config_mod  # noqa: E402
from sodsong.registry import service_db_for  # noqa: E402
from tests.support.deployment import Deployment  # noqa: E402
from tests.support.processes import wait_for  # noqa: E402
from tests.support.tips import tip  # noqa: E402


def measure(mode: str, n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        # production receipt hashing (argon2id t=3, 64 MiB), not the cheaper setting the tests use
        dep = Deployment(mode, Path(tmp), stack, extra_env={
            "SODSONG__intake__argon2": "{time_cost: 3, memory_cost_kib: 65536, parallelism: 1}"})
        dep.start()
        started = {}
        for i in range(n):
            t0 = datetime.now(timezone.utc)
            r = dep.intake.submit(tip(description=f"ตัวอย่างเรื่องที่ {i} เจ้าหน้าที่เรียกรับเงินใต้โต๊ะ"))
            r.raise_for_status()
            started[r.json()["reference"]] = t0
            time.sleep(0.05)

        notify_db = service_db_for("notify", config_mod.load(env=dep.env))

        def all_sent():
            # read notify's own table: full timestamp precision, and no CLI start-up per poll
            with notify_db.reading() as session:
                rows = session.execute(select(Delivery.reference, Delivery.sent_at).where(
                    Delivery.status == "sent", Delivery.recipient_kind == "office")).all()
            rows = [r for r in rows if r.reference in started]
            return rows if len(rows) >= n else None

        rows = wait_for(all_sent, 120, interval=0.5, message="all notifications sent")
        latencies = sorted(
            (r.sent_at if r.sent_at.tzinfo else r.sent_at.replace(tzinfo=timezone.utc)).timestamp()
            - started[r.reference].timestamp()
            for r in rows)
    return {
        "mode": mode, "tips": n,
        "median_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tips", type=int, default=100)
    parser.add_argument("--mode", choices=["embedded", "real", "both"], default="both")
    args = parser.parse_args()
    modes = ["embedded", "real"] if args.mode == "both" else [args.mode]
    print(f"{'mode':10} {'tips':>5} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for mode in modes:
        r = measure(mode, args.tips)
        print(f"{r['mode']:10} {r['tips']:>5} {r['median_ms']:>10} {r['p95_ms']:>8} {r['max_ms']:>8}")


if __name__ == "__main__":
    main()
