"""Gauges notify refreshes on every heartbeat."""
from sqlalchemy import func, select

from services.notify.models import STATES, Delivery
from shared import metrics


def refresh(service_db) -> None:
    with service_db.reading() as session:
        counts = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
    for state in STATES:
        metrics.DELIVERIES.labels(state).set(counts.get(state, 0))
