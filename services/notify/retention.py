"""notify's retention steps: deliveries that are settled (sent, or dead after their retries) and old timer claims."""
from __future__ import annotations

from datetime import timedelta

from shared.retention import Step, settings


def steps(config: dict) -> list[Step]:
    days = float(settings(config)["settled_deliveries_days"])

    def deliveries(uow, now):
        return uow.repo.delete_settled_deliveries(now - timedelta(days=days))

    def claims(uow, now):
        return uow.repo.delete_timer_claims(now - timedelta(days=days))

    return [Step("settled_deliveries", deliveries), Step("timer_claims", claims)]
