"""An in-memory notify repository (the same methods as services/notify/repository.py) for unit tests."""
from __future__ import annotations

from datetime import datetime

from services.notify.domain.errors import TimerAlreadyClaimed
from services.notify.models import Delivery, StaffContact, TimerClaim
from shared.clock import aware_utc, utcnow

_ONCE = ("event_id", "recipient_kind", "recipient_id", "channel")  # uq_notify_delivery_once


class DuplicateDelivery(Exception):
    """What the unique constraint on (event, recipient, channel) would refuse."""


class InMemoryNotifyRepository:
    def __init__(self):
        self.deliveries: dict[str, Delivery] = {}
        self.claims: dict[tuple[str, str], TimerClaim] = {}
        self.staff: dict[str, StaffContact] = {}

    # -- staff contacts --------------------------------------------------------------------------------------
    def staff_contact(self, user_id: str | None) -> StaffContact | None:
        return self.staff.get(user_id) if user_id else None

    def keep_staff_contact(self, **fields) -> bool:
        row = self.staff.get(fields["user_id"])
        if row is not None and aware_utc(row.changed_at) > fields["changed_at"]:
            return False
        self.staff[fields["user_id"]] = StaffContact(**fields)
        return True

    def staff_of_office(self, office_code: str, role: str) -> list[StaffContact]:
        return sorted((c for c in self.staff.values() if c.office_code == office_code and c.role == role
                       and c.active), key=lambda c: c.user_id)

    # -- deliveries ------------------------------------------------------------------------------------------
    def add_delivery(self, **fields) -> str:
        key = tuple(fields[k] for k in _ONCE)
        if any(tuple(getattr(d, k) for k in _ONCE) == key for d in self.deliveries.values()):
            raise DuplicateDelivery(key)
        self.deliveries[fields["id"]] = Delivery(**fields)
        return fields["id"]

    def delivery(self, delivery_id: str) -> Delivery | None:
        return self.deliveries.get(delivery_id)

    def delivery_row(self, delivery_id: str) -> dict:
        d = self.deliveries[delivery_id]
        return {c.name: getattr(d, c.name) for c in Delivery.__table__.c}

    def due_ids(self, now: datetime | None = None, limit: int = 100) -> list[str]:
        now = now or utcnow()
        due = sorted((d for d in self.deliveries.values()
                      if d.status in ("pending", "failed") and aware_utc(d.next_attempt_at) <= now),
                     key=lambda d: aware_utc(d.next_attempt_at))
        return [d.id for d in due[:limit]]

    def list_rows(self, status: str | None = None, limit: int = 500) -> list[dict]:
        rows = [{c.name: getattr(d, c.name) for c in Delivery.__table__.columns} for d in self.deliveries.values()
                if status is None or d.status == status]
        return rows[:limit]

    def dead_deliveries_between(self, start: datetime, end: datetime) -> list[tuple[str, str | None]]:
        dead = sorted((d for d in self.deliveries.values()
                       if d.status == "dead" and start <= aware_utc(d.updated_at) < end),
                      key=lambda d: aware_utc(d.updated_at))
        return [(d.channel, d.last_error) for d in dead]

    def counts_by_status(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for d in self.deliveries.values():
            counts[d.status] = counts.get(d.status, 0) + 1
        return counts

    def delete_settled_deliveries(self, before: datetime) -> int:
        gone = [i for i, d in self.deliveries.items()
                if d.status in ("sent", "dead") and aware_utc(d.updated_at) < before]
        for i in gone:
            del self.deliveries[i]
        return len(gone)

    # -- claims on periodic jobs -----------------------------------------------------------------------------
    def timer_claimed(self, job: str, period: str) -> bool:
        return (job, period) in self.claims

    def claim_timer(self, job: str, period: str, instance: str, now: datetime) -> TimerClaim:
        if (job, period) in self.claims:
            raise TimerAlreadyClaimed(f"{job} {period}")
        row = self.claims[(job, period)] = TimerClaim(job=job, period=period, claimed_by=instance, claimed_at=now)
        return row

    def delete_timer_claims(self, before: datetime) -> int:
        gone = [k for k, c in self.claims.items() if aware_utc(c.claimed_at) < before]
        for k in gone:
            del self.claims[k]
        return len(gone)
