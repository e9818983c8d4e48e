"""Running services: all five in one process (embedded) or any subset per process (real deployments).

Each service gets its own nameko container and config (intake and casework listen on different ports).
Migrations run before any container starts, and every service declares the broker topology on start.
"""
from __future__ import annotations

import os
import signal
import sys

import eventlet
import eventlet.hubs
from nameko.containers import ServiceContainer

from shared import config as config_mod
from shared import health, metrics, storage
from shared.logging import get_logger
from sodsong import registry

log = get_logger(__name__)


def build_containers(config: dict, services) -> list[ServiceContainer]:
    """One container per service named; only those services' classes are imported."""
    return [ServiceContainer(registry.entry(s).service_class(), registry.nameko_config(config, s)) for s in services]


M_ARENA_MAX = -8  # glibc's mallopt() parameter
MALLOC_ARENAS = 2


def limit_malloc_arenas() -> bool:
    """At most two glibc malloc arenas (as MALLOC_ARENA_MAX=2 does; the image and the systemd unit also set it).
    glibc gives each OS thread that allocates an arena of its own, up to 8 per core, and keeps what each one
    freed: eventlet's thread pool (name resolution, hashing, image decoding) would otherwise leave a dozen
    half-empty arenas per process. An explicit MALLOC_ARENA_MAX is left as it is."""
    if "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return ctypes.CDLL(None).mallopt(M_ARENA_MAX, MALLOC_ARENAS) == 1
    except (OSError, AttributeError):  # not glibc (musl has no arenas to limit)
        return False


def migrate_in_a_child(config: dict, services) -> None:
    """Apply the migrations in a forked child and wait for it: alembic and its templates (about 11 MB) then never
    load in the serving process. The child makes its own eventlet hub, so its database sockets never enter this
    process's."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: migrate, report, exit without running anything of the parent's
        code = 1
        try:
            eventlet.hubs.use_hub()
            registry.migrate_all(config, services)
            code = 0
        except BaseException:
            log.exception("sodsong.migrations_failed", services=list(services))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"migrations failed for {', '.join(services)} (the reason is logged above)")


def run(config: dict, services, migrate: bool = True) -> int:
    limit_malloc_arenas()
    storage.restrict_umask()
    places = storage.tighten_data_dir(config)
    log.info("sodsong.storage", data_dir=places["data_dir"], keys_dir=places["keys_dir"],
             audit_checkpoints=str(storage.audit_checkpoint_file(config)) if "audit" in services else None,
             modes="data and keys directories 0700, files 0600 (umask 077)", tightened=places["tightened"],
             backup="back up the data and the keys separately; ship the audit checkpoints elsewhere")
    if migrate:
        migrate_in_a_child(config, services)
    metrics.serve((config.get("metrics") or {}).get("http"))
    crashed = eventlet.event.Event()
    containers = build_containers(config, services)
    for container in containers:
        container.start()
    health.serve(config, services, alive=lambda: not crashed.ready())
    mode = "embedded" if config_mod.is_memory_transport(config) else "real"
    log.info("sodsong.started", mode=mode, services=list(services),
             intake_http=config["intake"]["http"] if "intake" in services else None,
             casework_http=config["casework"]["http"] if "casework" in services else None)

    stopping = eventlet.event.Event()

    def _stop(signum, _frame):
        if not stopping.ready():
            stopping.send(signum)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    waiters = [eventlet.spawn(container.wait) for container in containers]
    for waiter in waiters:
        waiter.link(lambda gt: crashed.ready() or crashed.send(gt))
    while not stopping.ready() and not crashed.ready():
        eventlet.sleep(0.2)
    if crashed.ready() and not stopping.ready():
        log.error("sodsong.container_crashed")
        for container in containers:
            container.kill()
        return 1
    log.info("sodsong.stopping")
    pool = eventlet.GreenPool(len(containers))  # each stop waits about a second for its consumer loop
    for container in containers:
        pool.spawn(container.stop)
    pool.waitall()
    return 0
