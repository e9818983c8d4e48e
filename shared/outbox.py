"""The outbox relay: publishes committed events with publisher confirms and `mandatory`, then marks them sent.

Rows are claimed with FOR UPDATE SKIP LOCKED, so several instances of a service never publish the same row at
the same time. A row is marked only after the broker confirmed it; a crash in between means it is published
again, which idempotent consumers absorb. A failing run (database or broker down) is logged by shared.jobs and
retried with a growing pause.
"""
from __future__ import annotations

import json
import threading
from datetime import timedelta
from urllib.parse import unquote, urlparse

from kombu.exceptions import OperationalError as KombuOperationalError
from nameko.amqp.publish import Publisher, UndeliverableMessage
from sqlalchemy import func, select, update

from shared import bus_sealing, metrics
from shared.clock import aware_utc, utcnow
from shared.logging import get_logger
from shared.topology import EVENTS_EXCHANGE_REF

log = get_logger(__name__)


class OutboxRelay:
    def __init__(self, service_db, amqp_uri: str, batch: int = 200):
        self.db = service_db
        self.batch = batch
        self.publisher = Publisher(
            amqp_uri, use_confirms=True, mandatory=True, serializer="json",
            retry=True, retry_policy={"max_retries": 3, "interval_start": 0.2},
        )
        # Who sends: app_id names the service; on RabbitMQ, user_id is the connection's user, which the broker
        # checks, so a consumer can tell which service's user published an event (see shared.reliable).
        self.sender = {"app_id": service_db.tables.service}
        if not amqp_uri.startswith("memory://"):
            self.sender["user_id"] = unquote(urlparse(amqp_uri).username or "guest")
        self.wakeup = threading.Event()

    def publish_pending(self) -> int:
        """Publish one batch; returns how many rows were confirmed."""
        table = self.db.tables.outbox
        confirmed: list[int] = []
        with self.db.transaction() as uow:
            rows = uow.session.execute(
                select(table.c.seq, table.c.event_id, table.c.event_type, table.c.correlation_id, table.c.body)
                .where(table.c.published_at.is_(None))
                .order_by(table.c.seq)
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                try:
                    self.publisher.publish(
                        bus_sealing.seal_body(json.loads(row.body)),  # content sealed on the wire
                        exchange=EVENTS_EXCHANGE_REF, routing_key=row.event_type,
                        message_id=row.event_id, correlation_id=row.correlation_id, **self.sender,
                    )
                except UndeliverableMessage:
                    # No queue is bound for this type: keep the row, say so, try again later.
                    uow.session.execute(update(table).where(table.c.seq == row.seq).values(
                        attempts=table.c.attempts + 1, last_error="unroutable"))
                    metrics.EVENTS_UNROUTABLE.labels(self.db.tables.service, row.event_type).inc()
                    log.warning("outbox.unroutable", event_type=row.event_type, event_id=row.event_id)
                    continue
                except (KombuOperationalError, ConnectionError, OSError) as exc:
                    log.warning("outbox.broker_unavailable", error=type(exc).__name__)
                    break
                confirmed.append(row.seq)
                metrics.EVENTS_PUBLISHED.labels(self.db.tables.service, row.event_type).inc()
            if confirmed:
                # one statement marks the batch, in the transaction that holds the rows' locks
                uow.session.execute(update(table).where(table.c.seq.in_(confirmed)).values(
                    published_at=utcnow(), attempts=table.c.attempts + 1, last_error=None))
        return len(confirmed)

    def replay_recent(self, hours: float) -> int:
        """Mark recently published events unpublished again.

        Used at start-up on the in-memory transport, where whatever was in flight died with the process:
        re-sending the recent events end to end lets every hop finish (consumers ignore what they have seen).
        """
        table = self.db.tables.outbox
        since = utcnow() - timedelta(hours=hours)
        with self.db.transaction() as uow:
            result = uow.session.execute(update(table).where(
                table.c.published_at.is_not(None), table.c.published_at >= since).values(published_at=None))
            return result.rowcount

    def publish_all(self) -> None:
        """Publish batches until a batch comes back short: the relay's instance job (shared.jobs), run every
        `outbox.poll_seconds` and at once when a transaction committed an event (`wakeup`)."""
        while self.publish_pending() >= self.batch:
            pass


def pending_stats(service_db) -> dict:
    """Unpublished events and the age of the oldest one, for operators."""
    table = service_db.tables.outbox
    with service_db.reading() as session:
        count, oldest = session.execute(
            select(func.count(), func.min(table.c.created_at)).where(table.c.published_at.is_(None))).one()
    age = (utcnow() - aware_utc(oldest)).total_seconds() if oldest is not None else None
    return {"unpublished": count, "oldest_age_seconds": age}
