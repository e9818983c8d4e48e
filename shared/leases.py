"""Named leases in a service's own database (`<service>_leases`): a job every instance runs on a timer runs on
one instance at a time; if the holder dies, another takes over once the lease has expired.

Acquiring is one conditional UPDATE (expired, or already ours), else one INSERT for a lease never taken before:
exactly one of several racing instances wins (PostgreSQL re-checks the condition; SQLite serialises writers).
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError


def table_of(service_db):
    return service_db.tables.outbox.metadata.tables[f"{service_db.tables.service}_leases"]


def acquire(service_db, name: str, holder: str, now, seconds: float) -> bool:
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
    except IntegrityError:
        return False
