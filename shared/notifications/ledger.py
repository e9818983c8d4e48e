"""The delivery state machine, on a table of whichever service sends (notify's deliveries, intake's notices).

    pending ──claim──▶ sending ──▶ sent
                          │
                          ├──▶ failed ──(next_attempt_at)──▶ claim again …   (transient error, attempts left)
                          └──▶ dead                                          (permanent error, or out of attempts)

- Recording happens in the consuming transaction; sending happens after commit (an email cannot be rolled back).
- `claim` moves one due row to `sending` and counts the attempt; only one instance can win it, and a row that is
  not due yet (backing off) cannot be claimed, so two instances never shorten each other's backoff.
- A row stuck in `sending` (the process died mid-send) becomes claimable again after STUCK_SENDING: external
  sends are at-least-once, and every attempt carries the row id as its idempotency key.
- The table needs the columns: id, status, attempts, last_error, provider_id, next_attempt_at, sent_at,
  updated_at (see `delivery_columns`).
"""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, String, Text, or_, select, update

from shared.clock import utcnow
from shared.notifications.channels import PermanentDeliveryError, TransientDeliveryError

STATES = ("pending", "sending", "sent", "failed", "dead")
STUCK_SENDING = timedelta(minutes=5)  # `notify.stuck_sending_seconds`


def delivery_columns() -> list[Column]:
    """The state columns every delivery table carries (fresh Column objects for each table)."""
    return [
        Column("status", String(10), nullable=False, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
        Column("provider_id", String(200), nullable=True),
        Column("next_attempt_at", DateTime(timezone=True), nullable=False, index=True),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True), nullable=True),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    ]


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What one attempt came to. error None means sent."""
    provider_id: str | None = None
    error: str | None = None
    permanent: bool = False
    retry_after: float | None = None  # seconds the provider asked us to wait


def attempt(send) -> Outcome:
    """Run `send()` (one channel attempt, returning the provider id) and classify what happened."""
    try:
        return Outcome(provider_id=send())
    except PermanentDeliveryError as exc:
        return Outcome(error=f"permanent: {exc}"[:1000], permanent=True)
    except TransientDeliveryError as exc:
        return Outcome(error=f"{type(exc).__name__}: {exc}"[:1000], retry_after=exc.retry_after)
    except Exception as exc:  # transient by default: timeouts, refused connections, a bug fixed by a redeploy
        return Outcome(error=f"{type(exc).__name__}: {exc}"[:1000])


def settings_of(section: dict) -> dict:
    """Retries of a sending service's section (notify's, intake's tipster_notices: declared there)."""
    return {"max_attempts": int(section["max_attempts"]), "backoff_seconds": list(section["backoff_seconds"])}


def backoff(attempts: int, settings: dict, retry_after: float | None = None) -> timedelta:
    delays = settings["backoff_seconds"]
    delay = float(delays[min(max(attempts, 1) - 1, len(delays) - 1)])
    if retry_after:
        delay = max(delay, min(float(retry_after), 3600.0))  # honour the provider, within reason
    return timedelta(seconds=delay)


def configure(notify_settings: dict) -> None:
    """`notify.stuck_sending_seconds` sets, for this process, how long a send may look in progress before
    another instance takes it over (a longer wait risks delay, a shorter one a second message)."""
    global STUCK_SENDING
    seconds = (notify_settings or {}).get("stuck_sending_seconds")
    if seconds:
        STUCK_SENDING = timedelta(seconds=float(seconds))


def _claimable(table, now):
    c = table.c
    return or_(
        c.status.in_(("pending", "failed")) & (c.next_attempt_at <= now),
        (c.status == "sending") & (c.updated_at <= now - STUCK_SENDING),
    )


def due_ids(session, table, now: datetime | None = None, limit: int = 100) -> list[str]:
    now = now or utcnow()
    query = select(table.c.id).where(_claimable(table, now)).order_by(table.c.next_attempt_at).limit(limit)
    return list(session.execute(query).scalars())


def _claiming(table, row_id: str, now: datetime | None):
    """The UPDATE that moves one due row to `sending` and counts the attempt."""
    now = now or utcnow()
    return (update(table).where(table.c.id == row_id, _claimable(table, now))
            .values(status="sending", updated_at=now, attempts=table.c.attempts + 1))


def claim(service_db, table, row_id: str, now: datetime | None = None) -> bool:
    """Move one due row to `sending` and count the attempt; True for the one caller that wins it."""
    with service_db.transaction() as uow:
        return uow.session.execute(_claiming(table, row_id, now)).rowcount == 1


def claim_row(service_db, table, row_id: str, now: datetime | None = None) -> dict | None:
    """`claim`, returning the claimed row as it now is (None when another caller won it or it is not due): the
    claim and the read of what to send are one statement (UPDATE … RETURNING)."""
    with service_db.transaction() as uow:
        row = uow.session.execute(_claiming(table, row_id, now).returning(*table.c)).mappings().first()
        return dict(row) if row is not None else None


def _settled_values(outcome: Outcome, attempts: int, settings: dict, now: datetime) -> dict:
    values = {"updated_at": now}
    if outcome.error is None:
        values.update(status="sent", sent_at=now, provider_id=(outcome.provider_id or "")[:200] or None,
                      last_error=None)
    elif outcome.permanent or attempts >= settings["max_attempts"]:
        values.update(status="dead", last_error=outcome.error)
    else:
        values.update(status="failed", last_error=outcome.error,
                      next_attempt_at=now + backoff(attempts, settings, outcome.retry_after))
    return values


def settle(service_db, table, row_id: str, outcome: Outcome, settings: dict, on_settled=None,
           claimed: dict | None = None) -> str | None:
    """Record a claimed row's attempt; returns its new status (None when it was no longer `sending`).

    on_settled(uow, row, status) runs in the same transaction when the row reaches `sent` or `dead`
    (notify emits its notification.sent / notification.failed events there).

    `claimed`, the row as `claim_row` returned it, makes this one UPDATE guarded by what was claimed (still
    `sending`, the same count of attempts); a row changed since (an operator, or another instance that took over
    a stuck send) is read and settled as it now is, exactly as without it.
    """
    now = utcnow()
    with service_db.transaction() as uow:
        if claimed is not None:
            values = _settled_values(outcome, claimed["attempts"], settings, now)
            moved = uow.session.execute(update(table).where(
                table.c.id == row_id, table.c.status == "sending", table.c.attempts == claimed["attempts"],
            ).values(**values)).rowcount
            if moved == 1:
                if values["status"] in ("sent", "dead") and on_settled is not None:
                    on_settled(uow, {**claimed, **values}, values["status"])
                return values["status"]
        row = uow.session.execute(select(table).where(table.c.id == row_id)).mappings().first()
        if row is None or row["status"] != "sending":
            return None  # an operator reset it meanwhile, or another instance took over a stuck send
        values = _settled_values(outcome, row["attempts"], settings, now)
        uow.session.execute(update(table).where(table.c.id == row_id).values(**values))
        if values["status"] in ("sent", "dead") and on_settled is not None:
            on_settled(uow, {**row, **values}, values["status"])
        return values["status"]


def retry_now(service_db, table, row_id: str) -> bool:
    """Operator: send a failed or dead row again at once, with a fresh count of attempts."""
    with service_db.transaction() as uow:
        return retry_in(uow.session, table, row_id)


def retry_in(session, table, row_id: str) -> bool:
    """`retry_now` in the caller's transaction (an operator's request consumed as an event)."""
    now = utcnow()
    result = session.execute(update(table).where(
        table.c.id == row_id, table.c.status.in_(("failed", "dead"))
    ).values(status="pending", next_attempt_at=now, attempts=0, updated_at=now))
    return result.rowcount == 1


def list_rows(session, table, status: str | None = None, limit: int = 500) -> list[dict]:
    query = select(table).order_by(table.c.created_at.desc()).limit(limit)
    if status:
        query = query.where(table.c.status == status)
    return [dict(row) for row in session.execute(query).mappings()]
