"""nameko DependencyProviders shared by every service: the database (with its instance jobs: outbox relay,
dead-letter redrive, heartbeat; shared.jobs) and the per-worker logging context."""
from __future__ import annotations

import json
import threading

import eventlet
import structlog
from kombu.exceptions import OperationalError as KombuOperationalError
from nameko.extensions import DependencyProvider
from sqlalchemy import MetaData

from shared import blind_index as blind_index_mod
from shared import bus_sealing, deadletters, heartbeats, jobs, sealing, topology
from shared.clock import utcnow
from shared.config import is_memory_transport
from shared.db import ServiceDatabase, engine_for
from shared.jobs import INSTANCE_ID
from shared.logging import get_logger
from shared.messaging_tables import messaging_tables_for
from shared.outbox import OutboxRelay

log = get_logger(__name__)

class WorkerDatabase:
    """What a service method sees as `self.db`."""

    def __init__(self, service_db: ServiceDatabase, handler: str):
        self._db = service_db
        self._handler = handler

    def transaction(self):
        return self._db.transaction()

    def reading(self):
        return self._db.reading()

    def consume(self, event, effect) -> bool:
        return self._db.consume(event, self._handler, effect)

    def consume_together(self, event, effect) -> bool:
        """`consume` with `effect(uow, events)`, in one transaction with the events other workers hold."""
        return self._db.consume_together(event, self._handler, effect)

    @property
    def tables(self):
        return self._db.tables

    @property
    def repository(self):
        """The service's repository factory (callable(session)), as on ServiceDatabase: plain functions written
        against a ServiceDatabase (leases, retention, use cases run by jobs) work on a worker's view of it too."""
        return self._db.repository

    @property
    def service_db(self) -> ServiceDatabase:
        return self._db


# Clocks of an idle instance: an operator's redrive is picked up within this (a human's wait, not a tip's)
REDRIVE_SECONDS = 5.0
# Queue depth and consumers (a fresh broker connection and a passive declare per queue), for alerts that look at
# minutes: refreshed with every heartbeat that falls on this interval.
QUEUE_GAUGE_SECONDS = 60.0

# The container config key under which the composition root (sodsong.registry.nameko_config) passes every
# service's consumer queues down, so each service declares the whole topology when it starts.
SUBSCRIPTIONS_KEY = "SODSONG_SUBSCRIPTIONS"


class Database(DependencyProvider):
    def __init__(self, metadata: MetaData, blind_index: bool = False, repository=None, gauges=None):
        self.metadata = metadata
        self.repository = repository  # callable(session) -> the service's repository, as `uow.repo`
        self.blind_index = blind_index  # the service searches sealed text (shared.blind_index)
        self.gauges = gauges  # callable(service_db): the service's own metrics, refreshed with the heartbeat
        self.consumers: dict = {}  # queue name -> its EventConsumer (they register at setup), for redrives
        self.views: dict[str, WorkerDatabase] = {}  # entrypoint method -> what its workers see as `self.db`

    def setup(self):
        config = self.container.config["SODSONG"]
        service = self.container.service_name
        self.config = config
        self.tables = messaging_tables_for(self.metadata, service)
        sealing.install(config, service)  # this service's keyring, for its sealed columns, outbox and dead letters
        bus_sealing.install(config, service)  # content on the wire, for the services that need it
        if self.blind_index:
            blind_index_mod.install(config, service)
        self.service_db = ServiceDatabase(engine_for(config[service]["db_url"]), self.tables, self._wake_relay,
                                          repository=self.repository)
        self.relay = OutboxRelay(self.service_db, config[service].get("amqp_uri") or config["amqp_uri"],
                                 batch=int(config["outbox"]["batch"]),
                                 burst_linger=float(config["outbox"].get("burst_linger_seconds", 0.005)))
        self.stopping = threading.Event()

    def subscriptions(self) -> list:
        """Every service's consumer queues as the composition root passed them down, else this service's own."""
        own = [consumer.subscription for consumer in self.consumers.values()]
        return list(self.container.config.get(SUBSCRIPTIONS_KEY) or own)

    def start(self):
        self._declare_topology()
        if is_memory_transport(self.config):
            replayed = self.relay.replay_recent(float(self.config["outbox"]["replay_hours_on_memory_transport"]))
            if replayed:
                log.info("outbox.replayed_after_restart", service=self.container.service_name, events=replayed)
        relay = jobs.Job("outbox_relay", float(self.config["outbox"]["poll_seconds"]), self.relay.publish_all,
                         backoff_seconds=0.5)
        jobs.start_loop(self.container, relay, self.stopping, wakeup=self.relay.wakeup)
        jobs.start_loop(self.container, jobs.Job("redrive", REDRIVE_SECONDS, self._redrive), self.stopping)
        if self.blind_index:
            self.container.spawn_managed_thread(blind_index_mod.warm_up,
                                                identifier=f"{self.container.service_name}.search_warm_up")
        self.started_at = utcnow()
        self.beats = 0
        jobs.start_loop(self.container, jobs.Job("heartbeat", float(self.config["heartbeat_seconds"]), self._beat),
                        self.stopping, first_after=0)
        self._wake_relay()

    def _declare_topology(self, attempts: int = 4) -> None:
        """Declare the topology, trying again a few times: on a loaded host the broker closes a handshake that a
        process busy starting (loading dictionaries) did not finish within its handshake timeout."""
        for attempt in range(1, attempts + 1):
            try:
                topology.declare_for_service(self.config, self.container.service_name, self.subscriptions())
                return
            except (KombuOperationalError, ConnectionError, OSError) as exc:
                if attempt == attempts:
                    raise
                log.warning("topology.declare_retry", attempt=attempt, error=type(exc).__name__)
                eventlet.sleep(attempt)

    def stop(self):
        self.stopping.set()
        self.relay.wakeup.set()
        self.relay.close()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        # one view per entrypoint (it holds nothing of the worker's), made at its first worker
        method = worker_ctx.entrypoint.method_name
        view = self.views.get(method)
        if view is None:
            view = self.views[method] = WorkerDatabase(self.service_db, method)
        return view

    def _wake_relay(self):
        self.relay.wakeup.set()

    def _beat(self):
        """Says this instance is alive (for `sodsong ops health`) and refreshes the outbox/dead-letter gauges."""
        heartbeats.beat(self.service_db, INSTANCE_ID, self.started_at)
        heartbeats.refresh_gauges(self.service_db, self.gauges)
        if self.beats % max(1, round(QUEUE_GAUGE_SECONDS / float(self.config["heartbeat_seconds"]))) == 0:
            heartbeats.refresh_queue_gauges(self.config, self.subscriptions())
        self.beats += 1

    def _redrive(self):
        """Redrives the dead letters an operator asked for, through this instance's consumer of their queue."""
        for letter in deadletters.claim_redrives(self.service_db):
            entrypoint = self.consumers.get(letter["queue"])
            if entrypoint is None:
                deadletters.set_status(self.service_db, letter["id"], "dead", from_statuses=("redriving",))
                continue
            log.info("dead_letter.redrive", queue=letter["queue"], letter_id=letter["id"])
            entrypoint.redrive(json.loads(letter["body"]), letter["id"])


class LoggingContext(DependencyProvider):
    """Binds the tip's correlation id (and the event being handled) to every log line of a worker."""

    def worker_setup(self, worker_ctx):
        structlog.contextvars.clear_contextvars()
        data = worker_ctx.data or {}
        structlog.contextvars.bind_contextvars(
            service=self.container.service_name,
            entrypoint=worker_ctx.entrypoint.method_name,
            **{k: data[k] for k in ("correlation_id", "event_id", "event_type") if data.get(k)},
        )

    def worker_teardown(self, worker_ctx):
        structlog.contextvars.clear_contextvars()

    def setup(self):
        self.logger = get_logger(f"sodsong.{self.container.service_name}")

    def get_dependency(self, worker_ctx):
        return self.logger


def service_db_for(service: str, config: dict, metadata: MetaData, *, blind_index: bool = False,
                   repository=None) -> ServiceDatabase:
    """A service's database outside a running container (CLI, tests), from its tables (`metadata`)."""
    sealing.install(config, service)
    bus_sealing.install(config, service)
    if blind_index:
        blind_index_mod.install(config, service)
    return ServiceDatabase(engine_for(config[service]["db_url"]), messaging_tables_for(metadata, service),
                           repository=repository)
