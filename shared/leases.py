"""Named leases in a service's own database (`<service>_leases`): a cluster job (shared.jobs) runs on one
instance of the service at a time. The holder renews its lease on each run; if it dies, another instance takes
over once the lease has expired. Time is passed in, so tests can drive the clock.

Acquiring is one conditional UPDATE (expired, or already ours), else one INSERT for a lease never taken before.
On PostgreSQL the second of two racing UPDATEs re-checks the condition after the first commits and matches
nothing; on SQLite writers are serialised. Either way exactly one instance wins.

Every function takes the service's ServiceDatabase (shared.db), which knows its tables; a nameko worker's
`self.db` is only a view of it, so jobs take their lease in the entrypoint, before the worker runs.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Table, insert, or_, select, update
from sqlalchemy.exc import IntegrityError


def table_of(service_db) -> Table:
    return service_db.tables.outbox.metadata.tables[f"{service_db.tables.service}_leases"]


def acquire(service_db, name: str, holder: str, now: datetime, seconds: float) -> bool:
    t = table_of(service_db)
    expires = now + timedelta(seconds=seconds)
    with service_db.transaction() as uow:
        won = uow.session.execute(update(t).where(t.c.name == name, or_(t.c.expires_at <= now, t.c.holder == holder))
                                  .values(holder=holder, acquired_at=now, expires_at=expires)).rowcount
        if won:
            return True
        if uow.session.execute(select(t.c.name).where(t.c.name == name)).first():
            return False
    try:
        with service_db.transaction() as uow:
            uow.session.execute(insert(t).values(name=name, holder=holder, acquired_at=now, expires_at=expires))
        return True
    except IntegrityError:  # another instance created it first
        return False


def release(service_db, name: str, holder: str, now: datetime) -> None:
    """Let the lease go early (only if it is still ours)."""
    t = table_of(service_db)
    with service_db.transaction() as uow:
        uow.session.execute(update(t).where(t.c.name == name, t.c.holder == holder).values(expires_at=now))


def holder_of(service_db, name: str) -> tuple[str, datetime] | None:
    t = table_of(service_db)
    with service_db.reading() as session:
        row = session.execute(select(t.c.holder, t.c.expires_at).where(t.c.name == name)).first()
    return (row.holder, row.expires_at) if row else None
