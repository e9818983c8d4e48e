"""Notify's repository: deliveries and the claims on periodic jobs, over one session."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.notify.domain.errors import TimerAlreadyClaimed
from services.notify.models import Delivery, StaffContact, TimerClaim
from shared.clock import aware_utc
from shared.notifications import ledger

TABLE = Delivery.__table__


class NotifyRepository:
    def __init__(self, session: Session):
        self.session = session

    # -- staff contacts (casework's account.contacts_changed) -------------------------------------------------
    def staff_contact(self, user_id: str | None) -> StaffContact | None:
        return self.session.get(StaffContact, user_id) if user_id else None

    def keep_staff_contact(self, **fields) -> bool:
        """Insert or update an account's contacts unless what is kept is newer (events may arrive out of order)."""
        row = self.session.get(StaffContact, fields["user_id"], with_for_update=True)
        if row is None:
            self.session.add(StaffContact(**fields))
            return True
        if aware_utc(row.changed_at) > fields["changed_at"]:
            return False
        for key, value in fields.items():
            setattr(row, key, value)
        return True

    def staff_of_office(self, office_code: str, role: str) -> list[StaffContact]:
        return list(self.session.execute(select(StaffContact).where(
            StaffContact.office_code == office_code, StaffContact.role == role, StaffContact.active.is_(True))
            .order_by(StaffContact.user_id)).scalars())

    # -- deliveries ------------------------------------------------------------------------------------------
    def add_delivery(self, **fields) -> str:
        self.session.execute(insert(TABLE).values(**fields))
        return fields["id"]

    def delivery(self, delivery_id: str) -> Delivery | None:
        return self.session.get(Delivery, delivery_id)

    def delivery_row(self, delivery_id: str) -> dict:
        """A delivery's columns, to read after the session ends (sending happens outside any transaction)."""
        return dict(self.session.execute(select(TABLE).where(TABLE.c.id == delivery_id)).mappings().one())

    def due_ids(self, now: datetime | None = None, limit: int = 100) -> list[str]:
        return ledger.due_ids(self.session, TABLE, now, limit)

    def list_rows(self, status: str | None = None, limit: int = 500) -> list[dict]:
        return ledger.list_rows(self.session, TABLE, status, limit)

    def dead_deliveries_between(self, start: datetime, end: datetime) -> list[tuple[str, str | None]]:
        """(channel, last error) of the deliveries that went dead in [start, end), oldest first."""
        return [(channel, error) for channel, error in self.session.execute(
            select(Delivery.channel, Delivery.last_error).where(
                Delivery.status == "dead", Delivery.updated_at >= start, Delivery.updated_at < end,
            ).order_by(Delivery.updated_at))]

    def counts_by_status(self) -> dict[str, int]:
        return dict(self.session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())

    def delete_settled_deliveries(self, before: datetime) -> int:
        return self.session.execute(delete(Delivery).where(Delivery.status.in_(("sent", "dead")),
                                                           Delivery.updated_at < before)).rowcount

    # -- claims on periodic jobs -----------------------------------------------------------------------------
    def timer_claimed(self, job: str, period: str) -> bool:
        return self.session.get(TimerClaim, (job, period)) is not None

    def claim_timer(self, job: str, period: str, instance: str, now: datetime) -> TimerClaim:
        """This instance's claim on the job's run for the period; TimerAlreadyClaimed when another has it."""
        row = TimerClaim(job=job, period=period, claimed_by=instance, claimed_at=now)
        self.session.add(row)
        try:
            self.session.flush()
        except IntegrityError:
            raise TimerAlreadyClaimed(f"{job} {period}") from None
        return row

    def delete_timer_claims(self, before: datetime) -> int:
        return self.session.execute(delete(TimerClaim).where(TimerClaim.claimed_at < before)).rowcount
