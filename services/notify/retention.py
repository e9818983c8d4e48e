"""notify's retention steps: deliveries that are settled (sent, or dead after their retries) and old timer claims."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete

from services.notify.models import Delivery, TimerClaim
from shared.retention import Step, settings


def steps(config: dict) -> list[Step]:
    days = float(settings(config)["settled_deliveries_days"])

    def deliveries(uow, now):
        return uow.session.execute(delete(Delivery).where(Delivery.status.in_(("sent", "dead")),
                                                          Delivery.updated_at < now - timedelta(days=days))).rowcount

    def claims(uow, now):
        return uow.session.execute(delete(TimerClaim).where(TimerClaim.claimed_at < now - timedelta(days=days))).rowcount

    return [Step("settled_deliveries", deliveries), Step("timer_claims", claims)]
