"""CPU per `POST /api/v1/tips` in intake's process: eventlet's WSGI server and shared.web's edge (deadlines, the
body read before a worker is taken), werkzeug's request, nameko's worker and its DependencyProviders, the JSON
edge, the use case (validation, sealing, the receipt's keyed hash, the tip's transaction with its outbox row), the
response, and the outbox relay publishing `tip.received`.

    .venv/bin/python bench/submit_path.py [--tips 500] [--clients 4] [--transport rabbitmq|memory]
    .venv/bin/python bench/submit_path.py --profile /tmp/submit.prof     # cProfile on a CPU clock over the run

A real nameko container of intake (its shipped service class) listens on a free port; the tips (bench/throughput's
varied Thai tips) are posted over keep-alive connections by a child process, so this process's CPU
(time.process_time) is intake's alone, including what it does on its clocks meanwhile (printed apart).
`--health` asks `GET /health` instead: what every request pays before any use case.
"""
from __future__ import annotations

import os
import sys
import warnings

warnings.filterwarnings("ignore", message="(?s).*Eventlet is deprecated")
os.environ.setdefault("EVENTLET_NO_GREENDNS", "yes")

if "--post" not in sys.argv:  # the child that posts is a plain process
    import eventlet

    eventlet.monkey_patch()
    from psycogreen.eventlet import patch_psycopg

    patch_psycopg()

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def post(address: str, first: int, count: int, clients: int, health: bool = False) -> None:
    """Post `count` tips from `clients` threads, one keep-alive connection each; exits non-zero on any refusal."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    sys.path.insert(0, str(ROOT / "bench"))
    from throughput import tip_maker

    make = tip_maker(5)
    host, port = address.rsplit(":", 1)
    tips = [json.dumps(make(first + i), ensure_ascii=False).encode() for i in range(count)]

    def client(k: int) -> list[int]:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        statuses = []
        for body in tips[k::clients]:
            if health:
                conn.request("GET", "/health")
            else:
                conn.request("POST", "/api/v1/tips", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
        conn.close()
        return statuses

    with ThreadPoolExecutor(clients) as pool:
        statuses = [s for part in pool.map(client, range(clients)) for s in part]
    refused = [s for s in statuses if s != (200 if health else 201)]
    if refused:
        raise SystemExit(f"{len(refused)} tips refused: {sorted(set(refused))}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tips", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--transport", choices=["rabbitmq", "memory"], default="rabbitmq")
    parser.add_argument("--profile", type=Path, help="write a cProfile (CPU clock) of the measured run here")
    parser.add_argument("--health", action="store_true",
                        help="GET /health instead: the HTTP server, edge and worker with no use case behind them")
    parser.add_argument("--post", help=argparse.SUPPRESS)  # child: address first count clients health
    args = parser.parse_args()
    if args.post:
        address, first, count, clients, health = args.post.split(",")
        post(address, int(first), int(count), int(clients), health == "1")
        return

    from nameko.containers import ServiceContainer

    import sodsong.settings  # noqa: F401  (registers every service's settings, as the `sodsong` command does)
    from shared import logging as logging_mod
    from sodsong import registry
    from tests.support.environments import free_port
    from tests.support.inprocess import environment

    logging_mod.configure("INFO", stream=open(os.devnull, "w"))
    address = f"127.0.0.1:{free_port()}"
    with tempfile.TemporaryDirectory() as tmp, environment(args.transport, Path(tmp), {
            "intake": {"http": address,  # one client address files every tip: no per-client limit here
                       "filing_limit": {"tips": 10 ** 9, "window_seconds": 600, "max_clients": 100_000}},
            "metrics": {"http": ""}}) as cfg:
        container = ServiceContainer(registry.entry("intake").service_class(), registry.nameko_config(cfg, "intake"))
        container.start()
        try:
            def run(first: int, count: int, profiler=None) -> tuple[float, float]:
                if profiler is not None:
                    profiler.enable()
                wall, cpu = time.monotonic(), time.process_time()
                child = subprocess.Popen([sys.executable, __file__, "--post",
                                          f"{address},{first},{count},{args.clients},{int(args.health)}"], cwd=ROOT)
                while child.poll() is None:
                    eventlet.sleep(0.01)
                if profiler is not None:
                    profiler.disable()
                if child.returncode:
                    raise SystemExit("the client failed")
                return time.process_time() - cpu, time.monotonic() - wall

            run(0, args.warmup)
            eventlet.sleep(1.0)
            idle_cpu, idle_wall = time.process_time(), time.monotonic()
            eventlet.sleep(3.0)
            idle = (time.process_time() - idle_cpu) / (time.monotonic() - idle_wall)
            profiler = None
            if args.profile:
                import cProfile
                profiler = cProfile.Profile(time.process_time)
            cpu, wall = run(args.warmup, args.tips, profiler)
            eventlet.sleep(0.5)  # the relay's last batch
            if profiler is not None:
                profiler.dump_stats(str(args.profile))
        finally:
            container.stop()
    n = args.tips
    what = "GET /health" if args.health else "tips"
    print(f"transport {args.transport}, {n} {what} from {args.clients} clients in {wall:.2f} s ({n / wall:.0f}/s)")
    print(f"CPU ms per request (intake's process): {cpu * 1000 / n:.3f}")
    print(f"  of which idle work over the run (idle {idle * 1000:.1f} ms/s): {idle * wall * 1000 / n:.3f}")
    print(f"  without it: {(cpu - idle * wall) * 1000 / n:.3f}")


if __name__ == "__main__":
    main()
