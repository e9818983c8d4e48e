"""Retention: what is kept only as long as it is needed, deleted by a leased cluster job in each service.

Every service deletes, from its own database:
- published outbox rows older than `retention.published_outbox_days` (default 30: longer than the week the
  embedded mode replays after a restart);
- inbox rows older than `retention.inbox_days` (30; a redelivery after that would be processed again);
- dead letters an operator settled (redriven, discarded) older than `retention.settled_dead_letters_days` (30).
Services add their own steps (notify: settled deliveries; intake: expired idempotent responses, and
the tipster's identity once the case is closed; casework: closed cases anonymised), with periods that may be set
per agency (`retention.per_agency: {PACC: {closed_case_days: ...}}`, matched on the office code's prefix).

The job is a cluster job (shared.jobs) named `retention`: it runs every `retention.every_seconds` on the
instance holding the lease `retention` (for `retention.lease_seconds`). Each step's deletion is recorded as an
event `<service>.retention_applied` (the kind of data and how many rows, never content), so it lands in the audit
chain; its correlation id `retention:<service>:<kind>:<count>` shows in `sodsong audit trail`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete

from shared import jobs
from shared.clock import utcnow
from shared.config import SHARED
from shared.logging import get_logger

log = get_logger(__name__)

JOB = "retention"  # the cluster job's name, and its lease's



def settings(config: dict) -> dict:
    return SHARED.section(config, "retention")  # declared in shared.config


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
    """Run the steps now if this holder gets the `retention` lease (the operator's command); None when another
    instance holds it."""
    done = jobs.run_leased(service_db, JOB, lambda: run(service_db, service, config, extra_steps, now),
                           holder=holder, lease_seconds=float(settings(config)["lease_seconds"]), now=now)
    return None if done is jobs.NOT_HELD else done


# every service's retention method: a cluster job, first run a minute after the instance starts
retention_job = jobs.cluster_job(JOB, every="retention.every_seconds", lease_seconds="retention.lease_seconds",
                                 first_after=60)
