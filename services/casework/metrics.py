"""Gauges casework refreshes on every heartbeat."""
from sqlalchemy import func, select

from services.casework.models import Case
from shared import metrics
from shared.clock import utcnow

OPEN_BEFORE_ACK = ("received",)
CLOSED = ("closed", "transferred")


def refresh(service_db) -> None:
    now = utcnow()
    with service_db.reading() as session:
        ack = dict(session.execute(select(Case.office_code, func.count()).where(
            Case.status.in_(OPEN_BEFORE_ACK), Case.acknowledge_due < now).group_by(Case.office_code)).all())
        feedback = dict(session.execute(select(Case.office_code, func.count()).where(
            Case.status.not_in(CLOSED), Case.feedback_due < now).group_by(Case.office_code)).all())
    for office in set(ack) | set(feedback) | _offices_seen_before():
        metrics.CASES_OVERDUE.labels(office, "acknowledge").set(ack.get(office, 0))
        metrics.CASES_OVERDUE.labels(office, "feedback").set(feedback.get(office, 0))


def _offices_seen_before() -> set[str]:
    # so that an office whose overdue cases were all dealt with goes back to 0 instead of keeping its old value
    return {labels[0] for labels in list(metrics.CASES_OVERDUE._metrics)}
