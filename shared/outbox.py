"""The outbox relay: publishes committed events with publisher confirms and `mandatory`, then marks them sent.

A batch is published on one confirm channel and its confirms are awaited together (shared.confirms), so a burst
costs one broker round trip, not one per event; the relay keeps its connection between batches.

A commit in the same process wakes the relay. Wakes that come while a pass runs make one next pass, and that pass
first lingers `outbox.burst_linger_seconds` (a burst is going on: what is being committed now goes out with what
was committed during the pass, in one transaction and one confirm round trip); a wake while the relay is idle
starts a pass at once, so a lone event waits for nothing.

Rows are claimed with FOR UPDATE SKIP LOCKED, so several instances of a service never publish the same row at
the same time. A row is marked only after the broker confirmed it; a crash in between means it is published
again, which idempotent consumers absorb. A failing run (database or broker down) is logged by shared.jobs and
retried with a growing pause.
"""
from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from urllib.parse import unquote, urlparse

from kombu.exceptions import OperationalError as KombuOperationalError
from nameko.amqp.publish import Publisher, UndeliverableMessage
from sqlalchemy import Integer, bindparam, func, select, update

from shared import bus_sealing, metrics
from shared.clock import aware_utc, utcnow
from shared.confirms import BatchOutcome, Outgoing, PipelinedPublisher
from shared.logging import get_logger
from shared.topology import EVENTS_EXCHANGE_REF

log = get_logger(__name__)


class OutboxRelay:
    def __init__(self, service_db, amqp_uri: str, batch: int = 200, burst_linger: float = 0.0):
        self.db = service_db
        self.batch = batch
        self.burst_linger = burst_linger
        # Who sends: app_id names the service; on RabbitMQ, user_id is the connection's user, which the broker
        # checks, so a consumer can tell which service's user published an event (see shared.reliable).
        self.sender = {"app_id": service_db.tables.service}
        self.memory = amqp_uri.startswith("memory://")
        if self.memory:  # embedded mode: the in-memory transport has no confirms; a publish is done when it returns
            self.publisher = Publisher(
                amqp_uri, use_confirms=True, mandatory=True, serializer="json",
                retry=True, retry_policy={"max_retries": 3, "interval_start": 0.2},
            )
        else:
            self.sender["user_id"] = unquote(urlparse(amqp_uri).username or "guest")
            self.publisher = PipelinedPublisher(amqp_uri, self.sender)
        self.wakeup = threading.Event()
        # the statements are made once: building them cost more than running them
        table = service_db.tables.outbox
        self._claim = (
            select(table.c.seq, table.c.event_id, table.c.event_type, table.c.correlation_id, table.c.body)
            .where(table.c.published_at.is_(None))
            .order_by(table.c.seq)
            .limit(bindparam("batch", type_=Integer))
            .with_for_update(skip_locked=True))
        seqs = table.c.seq.in_(bindparam("seqs", expanding=True))
        self._mark_sent = update(table).where(seqs).values(
            published_at=bindparam("now"), attempts=table.c.attempts + 1, last_error=None)
        self._mark_kept = update(table).where(seqs).values(
            attempts=table.c.attempts + 1, last_error=bindparam("reason"))

    def publish_pending(self) -> int:
        """Publish one batch; returns how many rows were confirmed.

        The batch goes out on one confirm channel and its confirms are awaited together; only the rows the broker
        confirmed are marked, in the transaction that holds their locks. Raises BrokerUnavailable (after marking
        what was confirmed) when the broker failed mid-batch."""
        with self.db.statements() as connection:  # Core statements on a connection: no ORM session per pass
            rows = connection.execute(self._claim, {"batch": self.batch}).all()
            if not rows:
                return 0
            outcome = self._publish(rows)
            by_id = {row.event_id: row for row in rows}
            confirmed = [by_id[i].seq for i in outcome.confirmed if i in by_id]
            if confirmed:
                # one statement marks the batch, in the transaction that holds the rows' locks
                connection.execute(self._mark_sent, {"seqs": confirmed, "now": utcnow()})
            for event_id in outcome.confirmed:
                metrics.EVENTS_PUBLISHED.labels(self.db.tables.service, by_id[event_id].event_type).inc()
            self._keep(connection, [by_id[i] for i in outcome.unroutable if i in by_id], "unroutable")
            self._keep(connection, [by_id[i] for i in outcome.refused if i in by_id], "refused by the broker")
        if outcome.error is not None:
            log.warning("outbox.broker_unavailable", error=type(outcome.error).__name__,
                        confirmed=len(confirmed), batch=len(rows))
            raise BrokerUnavailable(type(outcome.error).__name__)
        return len(confirmed)

    def _keep(self, connection, rows, reason: str) -> None:
        """Rows the broker did not take: kept for a later try, with the reason."""
        if not rows:
            return
        connection.execute(self._mark_kept, {"seqs": [r.seq for r in rows], "reason": reason})
        for row in rows:
            if reason == "unroutable":
                metrics.EVENTS_UNROUTABLE.labels(self.db.tables.service, row.event_type).inc()
            log.warning("outbox.not_taken", reason=reason, event_type=row.event_type, event_id=row.event_id)

    def _publish(self, rows) -> BatchOutcome:
        if not self.memory:
            return self.publisher.publish_batch([
                Outgoing(row.event_id, row.event_type, row.correlation_id, _wire(row)) for row in rows])
        outcome = BatchOutcome()
        for row in rows:
            try:
                self.publisher.publish(
                    bus_sealing.seal_body(json.loads(row.body)),  # content sealed on the wire
                    exchange=EVENTS_EXCHANGE_REF, routing_key=row.event_type,
                    message_id=row.event_id, correlation_id=row.correlation_id, **self.sender,
                )
            except UndeliverableMessage:
                outcome.unroutable.add(row.event_id)
                continue
            except (KombuOperationalError, ConnectionError, OSError) as exc:
                outcome.error = exc
                break
            outcome.confirmed.add(row.event_id)
        return outcome

    def close(self) -> None:
        if not self.memory:
            self.publisher.close()

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
        """Publish batches until a pass takes what is due and nothing was committed while it ran: the relay's
        instance job (shared.jobs), run every `outbox.poll_seconds` and at once when a transaction committed an
        event (`wakeup`).

        A pass during which events were committed (the wake came while it ran: a burst) is followed by one more
        after `burst_linger` seconds, so that what is committed meanwhile goes out in the same pass. A pass that saw
        no wake ends the run: the next event wakes the relay and goes out at once.

        A broker failure (already logged) ends the run without backing off: the next commit or poll tries again on a
        fresh connection, so events flow again within a poll interval of the broker's return."""
        try:
            while True:
                # a wake from now on is a commit this pass may not see: the pass takes every row committed before
                # its claim, so a wake from before it is spent
                self.wakeup.clear()
                if self.publish_pending() >= self.batch:
                    continue  # a full batch: more is due now
                if self.burst_linger <= 0 or not self.wakeup.is_set():
                    return  # (without a linger, a wake during the pass makes the job loop run again at once)
                time.sleep(self.burst_linger)  # green under eventlet: the committing workers run meanwhile
        except BrokerUnavailable:
            return


class BrokerUnavailable(ConnectionError):
    """The broker failed during a batch; what it confirmed before that is marked, the rest waits."""


def _wire(row):
    """The envelope as sent: the stored JSON text itself when the type carries no content to seal (nothing to parse
    and serialise again), else the parsed envelope with its content sealed."""
    if not bus_sealing.content_paths(row.event_type):
        return row.body
    return bus_sealing.seal_body(json.loads(row.body))  # content sealed on the wire


def pending_stats(service_db) -> dict:
    """Unpublished events and the age of the oldest one, for operators."""
    table = service_db.tables.outbox
    with service_db.reading() as session:
        count, oldest = session.execute(
            select(func.count(), func.min(table.c.created_at)).where(table.c.published_at.is_(None))).one()
    age = (utcnow() - aware_utc(oldest)).total_seconds() if oldest is not None else None
    return {"unpublished": count, "oldest_age_seconds": age}
