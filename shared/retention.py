"""Retention: what is kept only as long as it is needed, deleted by a leased cluster job in each service.

Every service deletes, from its own database:
- published outbox rows older than `retention.published_outbox_days` (default 30: longer than the week the
  embedded mode replays after a restart);
- inbox rows older than `retention.inbox_days` (30; a redelivery after that would be processed again);
- dead letters an operator settled (redriven, discarded) older than `retention.settled_dead_letters_days` (30).
Services add their own steps (notify: settled deliveries; intake: expired idempotent responses, and
the tipster's identity once the case is closed; casework: closed cases anonymised), with periods that may be set
per agency (`retention.per_agency: {PACC: {closed_case_days: ...}}`, matched on the office code's prefix).

The job runs every `retention.every_seconds` on each instance but only where it holds the lease
`retention` (shared.leases). Each step's deletion is recorded as an event `<service>.retention_applied`
(the kind of data and how many rows, never content), so it lands in the audit chain; its correlation id
`retention:<service>:<kind>:<count>` shows in `sodsong audit trail`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete

from shared import leases
from shared.clock import utcnow
from shared.dependencies import INSTANCE_ID
from shared.logging import get_logger

log = get_logger(__name__)

DEFAULTS = {
    "every_seconds": 3600,
    "lease_seconds": 900,
    "published_outbox_days": 30,
    "inbox_days": 30,
    "settled_dead_letters_days": 30,
    "settled_deliveries_days": 90,          # notify
    "tipster_identity_days_after_closure": 90,   # intake (GlobaLeaks' default retention is 90 days)
    "closed_case_days": 3650,               # casework: anonymise 10 years after closing (see docs/security.md)
    "per_agency": {},
}


def settings(config: dict) -> dict:
    return {**DEFAULTS, **(config.get("retention") or {})}


def period_for(config: dict, name: str, office_code: str | None) -> float:
    """Days for `name`, overridden for an agency (the office code's part before "-", or the whole code)."""
    s = settings(config)
    per = s.get("per_agency") or {}
    if office_code:
        for key in (office_code, office_code.split("-")[0]):
            if isinstance(per.get(key), dict) and name in per[key]:
                return float(per[key][name])
    return float(s[name])


@dataclass
class Step:
    kind: str
    run: object  # (uow, now) -> rows affected


def _generic_steps(service_db, config) -> list[Step]:
    t = service_db.tables
    s = settings(config)

    def outbox(uow, now):
        cutoff = now - timedelta(days=float(s["published_outbox_days"]))
        return uow.session.execute(delete(t.outbox).where(t.outbox.c.published_at.is_not(None),
                                                          t.outbox.c.published_at < cutoff)).rowcount

    def inbox(uow, now):
        cutoff = now - timedelta(days=float(s["inbox_days"]))
        return uow.session.execute(delete(t.inbox).where(t.inbox.c.processed_at < cutoff)).rowcount

    def dead_letters(uow, now):
        cutoff = now - timedelta(days=float(s["settled_dead_letters_days"]))
        return uow.session.execute(delete(t.dead_letters).where(
            t.dead_letters.c.status.in_(("redriven", "discarded")), t.dead_letters.c.last_dead_at < cutoff)).rowcount

    return [Step("published_outbox_rows", outbox), Step("inbox_rows", inbox),
            Step("settled_dead_letters", dead_letters)]


def run(service_db, service: str, config: dict, extra_steps=(), now=None) -> list[dict]:
    """Run every step once, each in its own transaction with the event that records it."""
    now = now or utcnow()
    done = []
    for step in [*_generic_steps(service_db, config), *extra_steps]:
        with service_db.transaction() as uow:
            count = int(step.run(uow, now) or 0)
            if count:
                uow.emit(f"{service}.retention_applied",
                         {"service": service, "kind": step.kind, "count": count, "at": now},
                         f"retention:{service}:{step.kind}:{count}"[:64])
        if count:
            log.info("retention.applied", service=service, kind=step.kind, count=count)
        done.append({"service": service, "kind": step.kind, "count": count})
    return done


def run_leased(service_db, service: str, config: dict, holder: str, extra_steps=(), now=None) -> list[dict] | None:
    """The cluster job: only the instance holding the `retention` lease runs it; None elsewhere."""
    now = now or utcnow()
    if not leases.acquire(service_db, "retention", holder, now, float(settings(config)["lease_seconds"])):
        return None
    return run(service_db, service, config, extra_steps, now)


_last_run: dict = {}


def on_timer(worker_db, service: str, config: dict, extra_steps=()) -> list[dict] | None:
    """Called by each service's timer every minute: runs the leased job every `retention.every_seconds`."""
    every = float(settings(config)["every_seconds"])
    if every <= 0 or time.monotonic() - _last_run.get(service, -every) < every:
        return None
    _last_run[service] = time.monotonic()
    return run_leased(worker_db.service_db, service, config, INSTANCE_ID, extra_steps)
