"""A service's dead-letter queue, kept in its own database so operators can list and redrive it in both modes.

An event lands here after its handler failed the bounded number of attempts (or at once, when it is not a
valid event at all). Nothing is ever acked and dropped: the row is committed before the message is acked.
"""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import select, update

from shared.clock import utcnow

STATUSES = ("dead", "redrive_requested", "redriving", "redriven", "discarded")


def event_key(body) -> tuple[str, str | None, str | None]:
    """(key, type, correlation id) of a message body, whether or not it is a valid envelope."""
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        return body["id"][:64], _short(body.get("type")), _short(body.get("correlation_id"))
    raw = json.dumps(body, sort_keys=True, default=str).encode()
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:56], None, None


def _short(value):
    return value[:64] if isinstance(value, str) else None


def record(service_db, queue: str, body, error: str, attempts: int) -> int:
    """Insert or refresh the dead letter for (queue, event); returns its id."""
    table = service_db.tables.dead_letters
    key, etype, corr = event_key(body)
    now = utcnow()
    with service_db.transaction() as uow:
        row = uow.session.execute(
            select(table.c.id, table.c.times_dead).where(table.c.queue == queue, table.c.event_key == key)
        ).first()
        if row:
            uow.session.execute(update(table).where(table.c.id == row.id).values(
                status="dead", error=error[:2000], attempts=attempts, last_dead_at=now,
                times_dead=row.times_dead + 1, body=json.dumps(body, ensure_ascii=False, default=str),
            ))
            return row.id
        result = uow.session.execute(table.insert().values(
            queue=queue, event_key=key, event_type=etype, correlation_id=corr,
            body=json.dumps(body, ensure_ascii=False, default=str), error=error[:2000], attempts=attempts,
            status="dead", times_dead=1, first_dead_at=now, last_dead_at=now,
        ))
        return result.inserted_primary_key[0]


def list_letters(service_db, status: str | None = "dead") -> list[dict]:
    table = service_db.tables.dead_letters
    query = select(table).order_by(table.c.id)
    if status:
        query = query.where(table.c.status == status)
    with service_db.reading() as session:
        return [dict(r._mapping) for r in session.execute(query)]


def set_status(service_db, letter_id: int, status: str, *, from_statuses=("dead",)) -> bool:
    table = service_db.tables.dead_letters
    values = {"status": status}
    if status == "redriven":
        values["redriven_at"] = utcnow()
    with service_db.transaction() as uow:
        result = uow.session.execute(update(table).where(
            table.c.id == letter_id, table.c.status.in_(from_statuses)).values(**values))
        return result.rowcount == 1


def request_redrive(session, table, letter_id: int) -> bool:
    """In the caller's transaction: mark a dead letter for the redriver (shared.dependencies) to pick up."""
    result = session.execute(update(table).where(table.c.id == letter_id, table.c.status == "dead")
                             .values(status="redrive_requested"))
    return result.rowcount == 1


def claim_redrives(service_db, limit: int = 50) -> list[dict]:
    """Claim rows an operator asked to redrive; safe when several instances claim at once."""
    table = service_db.tables.dead_letters
    with service_db.reading() as session:
        ids = [r.id for r in session.execute(
            select(table.c.id).where(table.c.status == "redrive_requested").order_by(table.c.id).limit(limit))]
    claimed = []
    for letter_id in ids:
        if set_status(service_db, letter_id, "redriving", from_statuses=("redrive_requested",)):
            with service_db.reading() as session:
                claimed.append(dict(session.execute(select(table).where(table.c.id == letter_id)).one()._mapping))
    return claimed
