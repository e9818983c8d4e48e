"""Named leases in casework's database: a job that every instance runs on a timer (the deadline sweep) runs on
one instance at a time. The holder renews its lease on each run; if it dies, another takes over once the lease
has expired. Time is passed in, so tests can drive the clock.

Acquiring is one conditional UPDATE (expired, or already ours), else one INSERT for a lease never taken before.
On PostgreSQL the second of two racing UPDATEs re-checks the condition after the first commits and matches
nothing; on SQLite writers are serialised. Either way exactly one instance wins.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from services.casework.models import Lease


def acquire(db, name: str, holder: str, now: datetime, seconds: float) -> bool:
    expires = now + timedelta(seconds=seconds)
    with db.transaction() as uow:
        won = uow.session.execute(
            update(Lease).where(Lease.name == name, or_(Lease.expires_at <= now, Lease.holder == holder))
            .values(holder=holder, acquired_at=now, expires_at=expires)
        ).rowcount
        if won:
            return True
        if uow.session.execute(select(Lease.name).where(Lease.name == name)).first():
            return False
    try:
        with db.transaction() as uow:
            uow.session.add(Lease(name=name, holder=holder, acquired_at=now, expires_at=expires))
        return True
    except IntegrityError:  # another instance created it first
        return False


def release(db, name: str, holder: str, now: datetime) -> None:
    """Let the lease go early (only if it is still ours)."""
    with db.transaction() as uow:
        uow.session.execute(update(Lease).where(Lease.name == name, Lease.holder == holder)
                            .values(expires_at=now))


def holder_of(db, name: str) -> tuple[str, datetime] | None:
    with db.reading() as session:
        row = session.execute(select(Lease.holder, Lease.expires_at).where(Lease.name == name)).first()
    return (row.holder, row.expires_at) if row else None
