"""A nameko entrypoint for events that never acks-and-drops and never requeues forever.

    @subscribe("tip.received")
    def on_tip_received(self, event): ...

- The body is parsed into a validated `shared.events.Event`; something that is not a valid event is
  dead-lettered at once (retrying cannot fix it).
- A handler that raises is tried again with backoff while the message stays unacked (a crash meanwhile
  returns it to the queue), up to `events.max_attempts` in all; then the event goes to the service's
  dead-letter table (committed) and only then is the message acked.
- A database or broker outage is not the event's fault: the message goes back to the queue after a pause and
  does not count towards dead-lettering.
"""
from __future__ import annotations

import inspect
import json
import sys
import time
from functools import partial
from urllib.parse import unquote, urlparse

import amqp.exceptions
import eventlet
import sqlalchemy.exc
from kombu.exceptions import OperationalError as KombuOperationalError
from marshmallow import ValidationError
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import Consumer

from shared import bus_sealing, deadletters, metrics, topology
from shared.dependencies import Database
from shared.events import CATALOGUE, from_wire
from shared.logging import get_logger

log = get_logger(__name__)

INFRASTRUCTURE_ERRORS = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,
    ConnectionError,
)
PERMANENT_ERRORS = (ValidationError,)


class EventConsumer(Consumer):
    def __init__(self, *event_types: str, **kwargs):
        self.event_types = tuple(event_types)
        super().__init__(queue=None, requeue_on_error=False, **kwargs)

    def setup(self):
        config = self.container.config["SODSONG"]
        self.settings = config["events"]
        self.subscription = topology.Subscription(self.container.service_name, self.method_name, self.event_types)
        self.queue = topology.consumer_queue(self.subscription, config)
        self.database = self._database()
        self.database.consumers[self.subscription.queue_name] = self  # it redrives this queue's dead letters
        self.labels = dict(service=self.container.service_name, queue=self.subscription.queue_name)
        # the labelled metrics every event touches, looked up once (per event type for the counter)
        self.handler_seconds = metrics.HANDLER_SECONDS.labels(**self.labels)
        self.handled = metrics.ByLabel(metrics.EVENTS_HANDLED, "event_type", **self.labels)
        super().setup()

    def _database(self) -> Database:
        for dep in self.container.dependencies:
            if isinstance(dep, Database):
                return dep
        raise RuntimeError(f"{self.container.service_name} has no Database dependency for its dead letters")

    @property
    def service_db(self):
        return self.database.service_db

    # -- receiving -------------------------------------------------------------------------------------------
    def handle_message(self, body, message):
        refusal = self._sender_refusal(body, message)
        if refusal:
            log.warning("event.refused_sender", queue=self.subscription.queue_name, reason=refusal)
            self._dead_letter(body, message, f"refused: {refusal}", 0, None)
            return
        self._attempt(body, message, attempt=1)

    def _sender_refusal(self, body, message) -> str | None:
        """Why an event must not be believed, from who sent it; None when it may be.

        Each event type has one producer (shared/events/<producer>.py). The sender is the broker-checked user_id when
        it is a service's own broker user, else the app_id the sender gave (shared credentials: a claim only).
        A sender that says nothing is refused only where services have broker users of their own."""
        if not isinstance(body, dict) or body.get("type") not in CATALOGUE:
            return None  # not an event at all: dead-lettered as such by _attempt
        config = self.container.config["SODSONG"]
        props = getattr(message, "properties", None) or {}
        sender = topology.service_of_user(props.get("user_id"), config) or props.get("app_id")
        producer = CATALOGUE[body["type"]].producer
        if sender is None:
            own_user = topology.service_of_user(_username(self.container.config.get("AMQP_URI")), config)
            return f"{body['type']} arrived without saying who sent it" if own_user else None
        if sender != producer:
            return f"{body['type']} comes only from {producer}, but {sender} sent it"
        return None

    def redrive(self, body, letter_id: int) -> None:
        """Run a dead-lettered event through the handler again (asked for by an operator)."""
        self._attempt(body, None, attempt=1, letter_id=letter_id)

    def _attempt(self, body, message, attempt, letter_id=None):
        body = bus_sealing.open_body(body)  # content sealed on the wire, opened where this service holds the key
        try:
            event = from_wire(body)
        except ValidationError as exc:
            self._dead_letter(body, message, f"not a valid event: {json.dumps(exc.messages)[:800]}", 0, letter_id)
            return
        context = {"correlation_id": event.correlation_id, "event_id": event.id, "event_type": event.type}
        handle_result = partial(self._handle_result, body, message, attempt, letter_id, event.type,
                                time.monotonic())
        try:
            self.container.spawn_worker(self, (event,), {}, context_data=context, handle_result=handle_result)
        except ContainerBeingKilled:
            self._give_back(message, letter_id)

    # -- outcome ---------------------------------------------------------------------------------------------
    def _handle_result(self, body, message, attempt, letter_id, event_type, started, worker_ctx, result=None,
                       exc_info=None):
        self.handler_seconds.observe(time.monotonic() - started)
        if exc_info is None:
            self.handled(event_type).inc()
            self._done(message, letter_id)
            return result, exc_info
        labels = self.labels
        exc = exc_info[1]
        fields = dict(queue=self.subscription.queue_name, attempt=attempt, error=type(exc).__name__)
        if isinstance(exc, INFRASTRUCTURE_ERRORS):
            metrics.EVENTS_FAILED.labels(event_type=event_type, kind="infrastructure", **labels).inc()
            log.warning("event.infrastructure_error", **fields)
            eventlet.sleep(min(10.0, 0.5 * 2 ** min(attempt, 5)))
            self._give_back(message, letter_id)
        elif isinstance(exc, PERMANENT_ERRORS) or attempt >= int(self.settings["max_attempts"]):
            metrics.EVENTS_FAILED.labels(event_type=event_type, kind="handler", **labels).inc()
            error = f"{type(exc).__name__}: {str(exc)[:1500]}"
            self._dead_letter(body, message, error, attempt, letter_id)
        else:
            metrics.EVENTS_FAILED.labels(event_type=event_type, kind="handler", **labels).inc()
            metrics.EVENTS_RETRIED.labels(event_type=event_type, **labels).inc()
            delays = self.settings["backoff_seconds"]
            delay = float(delays[min(attempt - 1, len(delays) - 1)])
            log.info("event.retry_scheduled", delay=delay, **fields)
            eventlet.spawn_after(delay, self._attempt, body, message, attempt + 1, letter_id)
        return result, exc_info

    def _settle(self, settle, message) -> None:
        """Ack or requeue; if the connection the message came on is gone, the broker has already put it back
        (unacked messages of a lost channel are redelivered) and the inbox absorbs the repeat, so the failure
        must not kill the service."""
        try:
            settle(message)
        except (ConnectionError, OSError, amqp.exceptions.RecoverableConnectionError,
                amqp.exceptions.ConnectionError, KombuOperationalError) as exc:
            log.warning("event.settle_lost_with_connection", queue=self.subscription.queue_name,
                        error=type(exc).__name__)

    def _done(self, message, letter_id):
        if message is not None:
            self._settle(self.queue_consumer.ack_message, message)
        if letter_id is not None:
            deadletters.set_status(self.service_db, letter_id, "redriven", from_statuses=("redriving",))

    def _give_back(self, message, letter_id):
        if message is not None:
            self._settle(self.queue_consumer.requeue_message, message)
        if letter_id is not None:
            deadletters.set_status(self.service_db, letter_id, "redrive_requested", from_statuses=("redriving",))

    def _dead_letter(self, body, message, error, attempts, letter_id):
        try:
            deadletters.record(self.service_db, self.subscription.queue_name, body, error, attempts)
        except Exception:  # could not store it: the broker must keep it
            log.error("event.dead_letter_store_failed", queue=self.subscription.queue_name,
                      exc_info=sys.exc_info())
            eventlet.sleep(2.0)
            self._give_back(message, letter_id)
            return
        log.error("event.dead_lettered", queue=self.subscription.queue_name, attempts=attempts,
                  error=error.split(":")[0])
        metrics.EVENTS_DEAD_LETTERED.labels(
            service=self.container.service_name, queue=self.subscription.queue_name,
            event_type=(body.get("type") if isinstance(body, dict) and isinstance(body.get("type"), str)
                        else "invalid")[:64]).inc()
        if message is not None:
            self._settle(self.queue_consumer.ack_message, message)


def _username(uri) -> str | None:
    if not uri or str(uri).startswith("memory://"):
        return None
    return unquote(urlparse(uri).username or "") or None


subscribe = EventConsumer.decorator


def subscriptions_of(service_cls, service: str) -> list[topology.Subscription]:
    """A service class's event-consuming handlers (read from the class; nothing is started)."""
    found = []
    for method_name, method in inspect.getmembers(service_cls, inspect.isfunction):
        for ep in getattr(method, "nameko_entrypoints", ()):
            if isinstance(ep, EventConsumer):
                found.append(topology.Subscription(service, method_name, tuple(ep.event_types)))
    return found
