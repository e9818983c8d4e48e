"""Gauges notify refreshes on every heartbeat."""
from services.notify.repository import NotifyRepository
from shared import metrics
from shared.notifications.ledger import STATES


def refresh(service_db) -> None:
    with service_db.reading() as session:
        counts = NotifyRepository(session).counts_by_status()
    for state in STATES:
        metrics.DELIVERIES.labels(state).set(counts.get(state, 0))
