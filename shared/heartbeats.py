"""Service instances say they are alive by writing a row in their own database every few seconds."""
from __future__ import annotations

from sqlalchemy import func, select, update

from shared import broker_status, metrics
from shared.clock import aware_utc, utcnow
from shared.config import is_memory_transport
from shared.outbox import pending_stats


def _table(service_db):
    return service_db.tables.outbox.metadata.tables[f"{service_db.tables.service}_heartbeats"]


def beat(service_db, instance: str, started_at) -> None:
    table = _table(service_db)
    at = utcnow()
    with service_db.transaction() as uow:
        done = uow.session.execute(update(table).where(table.c.instance == instance).values(beat_at=at)).rowcount
        if not done:
            uow.session.execute(table.insert().values(instance=instance, beat_at=at, started_at=started_at))
    metrics.HEARTBEAT.labels(service_db.tables.service).set(at.timestamp())


def refresh_gauges(service_db, own=None) -> None:
    """The outbox and dead-letter gauges, then the service's own (`own(service_db)`, if it has any)."""
    service = service_db.tables.service
    stats = pending_stats(service_db)
    metrics.OUTBOX_UNPUBLISHED.labels(service).set(stats["unpublished"])
    metrics.OUTBOX_LAG.labels(service).set(stats["oldest_age_seconds"] or 0)
    letters = service_db.tables.dead_letters
    with service_db.reading() as session:
        dead = session.execute(select(func.count()).select_from(letters).where(letters.c.status == "dead")).scalar()
    metrics.DEAD_LETTERS.labels(service).set(dead)
    if own is not None:
        own(service_db)


def instances(service_db, within_seconds: float = 30.0) -> list[dict]:
    """Instances of this service and whether each beat recently."""
    table = _table(service_db)
    now_ = utcnow()
    out = []
    with service_db.reading() as session:
        for row in session.execute(select(table).order_by(table.c.instance)):
            age = (now_ - aware_utc(row.beat_at)).total_seconds()
            out.append({"instance": row.instance, "age_seconds": round(age, 1), "alive": age <= within_seconds})
    return out


def refresh_queue_gauges(config: dict, subscriptions) -> None:
    """Queue depth and consumers as this instance sees them, so alerts need no broker plugin."""
    if is_memory_transport(config):
        return
    for row in broker_status.from_passive_declare(config, subscriptions):
        if row["ready"] is not None:
            metrics.QUEUE_READY.labels(row["queue"]).set(row["ready"])
        metrics.QUEUE_CONSUMERS.labels(row["queue"]).set(row["consumers"] or 0)
