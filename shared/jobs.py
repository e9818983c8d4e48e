"""Periodic work: the one mechanism for every job a service runs on a clock.

    from shared.jobs import cluster_job, instance_job

    class Service:
        @cluster_job("casework.deadline_sweep", every="casework.sweep_seconds",
                     lease_seconds="casework.sweep_lease_seconds")
        def sweep_deadlines(self): ...  # on one instance of the service at a time

        @instance_job("cache_refresh", every=30)
        def refresh(self): ...          # on every instance

- A **cluster job** runs on one instance of the service at a time. Before each run the instance takes (or, if
  it holds it, renews) the job's lease in the service's own database (shared.leases, `<service>_leases`); the
  other instances stand aside until the holder stops renewing and the lease expires, then one of them takes
  over. The lease lasts `lease_seconds` (by default twice the interval plus a minute, so the holder keeps it
  from one run to the next and a dead holder is replaced within two intervals).
- An **instance job** runs on every instance: its heartbeat, its sender loops, its outbox relay.
- `every` (and `lease_seconds`) is seconds, the dotted path of a setting read when the service starts (e.g.
  `"casework.sweep_seconds"`), or a function of the configuration; an interval of 0 or less turns the job off.
  The first run comes one interval after the start (`first_after` to change that).
- A graceful stop lets the lease go, so another instance takes over at its next tick.
- A failing run is logged with the job's name and the exception's type only (its message may hold content) and
  tried again at the next tick; whatever it left undone waits in the tables.
- A job can be woken before its interval is up (`wake()`): the outbox relay when an event was committed, a
  sender when a handler has just recorded something.

`JobLoop` is the loop itself, plain Python over `threading.Event` (green under eventlet), so dependency
providers (shared.dependencies.Database: heartbeat, dead-letter redrive, outbox relay) run their jobs with it
too; `ClusterJob` is the nameko entrypoint that runs a service method as a worker on that loop.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from nameko.extensions import Entrypoint

from shared import leases
from shared.clock import utcnow
from shared.config import declared
from shared.db import ServiceDatabase
from shared.logging import get_logger

log = get_logger(__name__)

# who holds a lease: one name per process (host and pid), shown in `sodsong ops health` and lease rows
INSTANCE_ID = f"{socket.gethostname()}:{os.getpid()}"

NOT_HELD = object()  # what run_leased returns when another instance holds the lease


def setting(config: dict, value) -> float:
    """Seconds: a number, the dotted path of a setting in the loaded configuration, or callable(config)."""
    if callable(value):
        value = value(config)
    elif isinstance(value, str):
        path, node = value, config
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        value = node if node is not None else declared_default(path)
    return float(value or 0)


def declared_default(path: str):
    """A setting's declared default (shared.config), for a configuration made by hand without it."""
    for group in declared():
        for item in group.items:
            if item.path == path:
                return item.default
    return None


def default_lease_seconds(every: float) -> float:
    return 2 * every + 60


def holder_for(container) -> str:
    """This instance's name as a lease holder: its process, and the container in it (tests run several)."""
    return f"{INSTANCE_ID}:{id(container) & 0xFFFFFFFF:08x}"


def run_leased(service_db: ServiceDatabase, name: str, run: Callable[[], object], *, holder: str = INSTANCE_ID,
               lease_seconds: float, now=None):
    """Run `run()` if this holder gets (or keeps) the lease `name`; NOT_HELD when another instance holds it."""
    if not leases.acquire(service_db, name, holder, now or utcnow(), lease_seconds):
        return NOT_HELD
    return run()


@dataclass
class Job:
    name: str
    every: float                       # seconds between runs; <= 0: off
    run: Callable[[], object]
    service_db: ServiceDatabase | None = None  # set: a cluster job, leased in this database
    lease_seconds: float | None = None
    holder: str = INSTANCE_ID
    backoff_seconds: float = 0.0       # extra pause after a failing run (the relay backs off while the broker is down)
    clock: Callable[[], object] = utcnow  # the lease's time (tests drive it)

    @property
    def cluster(self) -> bool:
        return self.service_db is not None

    def tick(self) -> object:
        """One run (under the lease for a cluster job). Failures are logged, never raised."""
        try:
            if self.cluster:
                return run_leased(self.service_db, self.name, self.run, holder=self.holder,
                                  lease_seconds=self.lease_seconds or default_lease_seconds(self.every),
                                  now=self.clock())
            return self.run()
        except Exception as exc:  # the next tick tries again
            log.warning("job.failed", job=self.name, error=type(exc).__name__)
            return exc


class JobLoop:
    """Runs a job every `job.every` seconds (or when woken) until `stopping` is set."""

    def __init__(self, job: Job, stopping: threading.Event | None = None, first_after: float | None = None,
                 wakeup: threading.Event | None = None):
        self.job = job
        self.stopping = stopping or threading.Event()
        self.wakeup = wakeup or threading.Event()
        self.first_after = job.every if first_after is None else first_after  # 0: run at once
        self.failures = 0

    def wake(self) -> None:
        self.wakeup.set()

    def stop(self) -> None:
        self.stopping.set()
        self.wakeup.set()

    def run_forever(self) -> None:
        if self.job.every <= 0:
            return
        if self.first_after > 0:
            self._wait(self.first_after)
        while not self.stopping.is_set():
            started = time.monotonic()
            outcome = self.job.tick()
            if isinstance(outcome, Exception):
                self.failures += 1
                if self.job.backoff_seconds and self.stopping.wait(
                        min(30.0, self.job.backoff_seconds * 2 ** min(self.failures, 6))):
                    return
            else:
                self.failures = 0
            self._wait(max(0.0, self.job.every - (time.monotonic() - started)))

    def _wait(self, seconds: float) -> None:
        self.wakeup.wait(timeout=seconds)
        self.wakeup.clear()


def start_loop(container, job: Job, stopping: threading.Event | None = None, first_after: float | None = None,
               wakeup: threading.Event | None = None) -> JobLoop:
    """A JobLoop in one of the container's managed threads (stopped with the container via `stopping`)."""
    loop = JobLoop(job, stopping, first_after, wakeup)
    container.spawn_managed_thread(loop.run_forever, identifier=f"{container.service_name}.{job.name}")
    return loop


def service_db_of(container) -> ServiceDatabase:
    """The service's own database, from its Database dependency (made in that dependency's setup())."""
    for dep in container.dependencies:
        if isinstance(getattr(dep, "service_db", None), ServiceDatabase):
            return dep.service_db
    raise LookupError(f"{container.service_name} has no Database dependency for its cluster jobs")


class ClusterJob(Entrypoint):
    """The entrypoint: runs the decorated service method as a nameko worker on a JobLoop (see the module)."""

    def __init__(self, name: str, every, lease_seconds=None, cluster: bool = True, first_after: float | None = None,
                 **kwargs):
        self.job_name = name
        self.every = every
        self.lease_seconds = lease_seconds
        self.cluster = cluster
        self.first_after = first_after
        super().__init__(**kwargs)

    def setup(self):
        self.stopping = threading.Event()
        self.loop = None

    def start(self):
        config = self.container.config.get("SODSONG") or {}
        every = setting(config, self.every)
        lease = setting(config, self.lease_seconds) if self.lease_seconds is not None else 0.0
        job = Job(name=self.job_name, every=every, run=self._run_worker,
                  service_db=service_db_of(self.container) if self.cluster else None, lease_seconds=lease or None,
                  holder=holder_for(self.container))
        self.loop = start_loop(self.container, job, self.stopping, self.first_after)

    def stop(self):
        if self.loop is None:
            return
        self.loop.stop()
        if self.loop.job.cluster and self.loop.job.every > 0:
            try:  # hand over at once: another instance need not wait for the lease to expire
                leases.release(self.loop.job.service_db, self.job_name, self.loop.job.holder, utcnow())
            except Exception as exc:
                log.warning("job.release_failed", job=self.job_name, error=type(exc).__name__)

    def kill(self):
        if self.loop is not None:
            self.loop.stop()

    def wake(self) -> None:
        if self.loop is not None:
            self.loop.wake()

    def _run_worker(self):
        done = threading.Event()
        outcome = {}

        def handle_result(worker_ctx, result, exc_info):
            outcome["exc"] = exc_info[1] if exc_info else None
            done.set()
            return result, exc_info

        self.container.spawn_worker(self, (), {}, handle_result=handle_result)
        done.wait()
        if outcome.get("exc") is not None:
            raise outcome["exc"]


def cluster_job(name: str, every, lease_seconds=None, first_after: float | None = None):
    """Run the decorated method every `every` seconds on one instance of the service at a time (the first run
    `first_after` seconds after the instance starts; by default one interval)."""
    return ClusterJob.decorator(name, every, lease_seconds=lease_seconds, cluster=True, first_after=first_after)


def instance_job(name: str, every, first_after: float | None = None):
    """Run the decorated method every `every` seconds on every instance of the service."""
    return ClusterJob.decorator(name, every, cluster=False, first_after=first_after)
