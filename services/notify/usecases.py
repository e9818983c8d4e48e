"""Notify's use cases: record who is told of each event (one delivery per event, recipient and channel), send
what is due, and the operators' daily summary of failures.

  event                   template                       recipients
  case.opened             office_new_case                the office
  case.assigned           caseworker_assigned            the assignee (notify.staff_contacts[account id], else the
                                                         contacts on their desk account); else the office, so the
                                                         assignment is not lost
  case.deadline_reminder  supervisor_deadline_reminder   the office's supervisors (notify.supervisor_contacts
                                                         [office], else their desk accounts'), else the office;
                                                         and the assignee too when casework escalates to them
                                                         and they have contacts
  account.contacts_changed                               (none: notify keeps the account's contacts)
  case.deadline_breached  supervisor_deadline_breach     the office's supervisors, else the office
  (daily timer)           operator_daily_failures        notify.operators.recipients

All of them are staff of an office or Sodsong's operators: notify never knows a tipster or volunteer. Who and where
is domain/recipients.py's. Recording happens in the consuming transaction; one delivery per (event, recipient,
channel), enforced by a unique constraint, so a redelivered event records nothing new. Sending is
shared.notifications.ledger's.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime

from services.notify.domain.errors import TimerAlreadyClaimed
from services.notify.domain.recipients import (
    case_context,
    desk_link,
    language_for,
    office_recipients,
    pairs,
    staff_recipients,
    supervisor_recipients,
)
from services.notify.domain.summary import (
    DAILY_JOB,
    day_bounds,
    failures_by_channel,
    operator_settings,
    summary_day_due,
)
from services.notify.models import Delivery
from shared.clock import utcnow
from shared.notifications import ledger
from shared.notifications.channels import OutboundMessage, PermanentDeliveryError
from shared.notifications.messages import render

TABLE = Delivery.__table__


# -- recording -------------------------------------------------------------------------------------------------
def _add(uow, event_id: str, reference: str | None, kind: str, recipient_id: str, channel: str, address: str,
         template: str, language: str, context: dict) -> str:
    render(template, language, context)  # a context the template refuses must fail here, not at send time
    now = utcnow()
    return uow.repo.add_delivery(
        id=str(uuid.uuid4()), event_id=event_id, reference=reference, recipient_kind=kind,
        recipient_id=str(recipient_id)[:80], channel=channel, address=address, template=template, language=language,
        context_json=json.dumps(context, ensure_ascii=False, default=str), status="pending", attempts=0,
        next_attempt_at=now, created_at=now, updated_at=now,
    )


def record_new_case(uow, event, config: dict) -> list[str]:
    p = event.payload
    language = language_for(config)
    context = {**case_context(p, language), "acknowledge_by": p["acknowledge_due"].isoformat(),
               "desk_url": desk_link(config, p["reference"])}
    return [_add(uow, event.id, p["reference"], "office", p["office"]["code"], channel, address, "office_new_case",
                 language, context)
            for channel, address in office_recipients(config, p["office"]["code"])]


def record_assignment(uow, event, config: dict) -> list[str]:
    p = event.payload
    contacts = (config["notify"].get("staff_contacts") or {}).get(p["assignee_id"])
    language = language_for(config, contacts)
    context = {**case_context(p, language), "caseworker_name": p.get("caseworker_name") or "",
               "due_by": p["due_by"].isoformat() if p.get("due_by") else None,
               "desk_url": desk_link(config, p["reference"])}
    person = uow.repo.staff_contact(p["assignee_id"])
    targets = [("caseworker", p["assignee_id"], pair) for pair in staff_recipients(config, p["assignee_id"], person)]
    if not targets:
        targets = [("office", p["office_code"], pair) for pair in office_recipients(config, p["office_code"])]
    return [_add(uow, event.id, p["reference"], kind, rid, channel, address, "caseworker_assigned", language, context)
            for kind, rid, (channel, address) in targets]


def record_deadline(uow, event, config: dict) -> list[str]:
    p = event.payload
    breach = event.type == "case.deadline_breached"
    template = "supervisor_deadline_breach" if breach else "supervisor_deadline_reminder"
    on_duty = uow.repo.staff_of_office(p["office_code"], "supervisor")
    targets = [("supervisor", p["office_code"], pair)
               for pair in supervisor_recipients(config, p["office_code"], on_duty)]
    if not targets:
        targets = [("office", p["office_code"], pair) for pair in office_recipients(config, p["office_code"])]
    if not breach and p.get("escalate_to") == "assignee":
        person = uow.repo.staff_contact(p.get("assignee_id"))
        targets += [("caseworker", p["assignee_id"], pair)
                    for pair in staff_recipients(config, p.get("assignee_id"), person)]
    supervisors = (config["notify"].get("supervisor_contacts") or {}).get(p["office_code"])
    ids = []
    for kind, rid, (channel, address) in targets:
        who = (config["notify"].get("staff_contacts") or {}).get(rid) if kind == "caseworker" else supervisors
        language = language_for(config, who)
        context = {"reference": p["reference"], "deadline": p["deadline"], "due_by": p["due_at"].isoformat(),
                   "caseworker_name": p.get("caseworker_name"), "desk_url": desk_link(config, p["reference"])}
        ids.append(_add(uow, event.id, p["reference"], kind, rid, channel, address, template, language, context))
    return ids


def keep_staff_contacts(uow, event) -> bool:
    """casework's account.contacts_changed: the account's contacts as they now are (an older event is ignored)."""
    p = event.payload
    return uow.repo.keep_staff_contact(user_id=p["user_id"], office_code=p["office_code"], role=p["role"],
                                       active=bool(p["active"]), email=p.get("staff_email"),
                                       line_user_id=p.get("staff_line_id"), changed_at=p["at"])


RECORDERS = {
    "case.opened": record_new_case,
    "case.assigned": record_assignment,
    "case.deadline_reminder": record_deadline,
    "case.deadline_breached": record_deadline,
}


def record(uow, event, config: dict) -> list[str]:
    return RECORDERS[event.type](uow, event, config)


# -- sending ---------------------------------------------------------------------------------------------------
def due_ids(service_db, now=None, limit=100) -> list[str]:
    with service_db.reading() as session:
        return service_db.repository(session).due_ids(now, limit)


def claim(service_db, delivery_id: str) -> dict | None:
    """The delivery, moved to `sending` for this caller; None when another caller won it or it is not due."""
    return ledger.claim_row(service_db, TABLE, delivery_id)


def send(service_db, delivery_id: str, channels: dict, settings: dict, render=render,
         claimed: dict | None = None) -> str | None:
    """Send a claimed delivery once; returns its new status. `claimed`: the row `claim` returned (else it is read)."""
    d = claimed
    if d is None:
        with service_db.reading() as session:
            d = service_db.repository(session).delivery_row(delivery_id)

    def one_attempt():
        channel = channels.get(d["channel"])
        if channel is None:
            raise PermanentDeliveryError(f"channel {d['channel']!r} is not configured")
        subject, text, html = render(d["template"], d["language"], json.loads(d["context_json"]))
        return channel.send(OutboundMessage(recipient=d["address"], language=d["language"], subject=subject,
                                            text=text, html=html, idempotency_key=d["id"], attempt=d["attempts"] or 1))

    return ledger.settle(service_db, TABLE, delivery_id, ledger.attempt(one_attempt), ledger.settings_of(settings),
                         on_settled=_emit_outcome, claimed=claimed)


def _emit_outcome(uow, row, status):
    uow.emit("notification.sent" if status == "sent" else "notification.failed", {
        "delivery_id": row["id"], "reference": row["reference"], "recipient_kind": row["recipient_kind"],
        "recipient_id": row["recipient_id"], "channel": row["channel"], "status": status,
        "attempts": row["attempts"],
    }, correlation_id=row["reference"] or row["id"])


def retry_now(service_db, delivery_id: str) -> bool:
    """Operator: send a failed or dead delivery again at once."""
    return ledger.retry_now(service_db, TABLE, delivery_id)


# -- the operators' daily summary of failures --------------------------------------------------------------------
def run_daily_summary(service_db, config: dict, instance: str, now: datetime | None = None) -> str | None:
    """Claim today's summary run and record the operators' deliveries; None when nothing was due or another
    instance claimed it first. At most once per day whatever the number of instances: the claim is a row."""
    settings = operator_settings(config)
    now = now or utcnow()
    day = summary_day_due(now, settings["at"])
    if day is None:
        return None
    period = day.isoformat()
    with service_db.reading() as session:
        if service_db.repository(session).timer_claimed(DAILY_JOB, period):
            return None
    try:
        with service_db.transaction() as uow:
            # the claim first: a second instance fails here, before doing anything
            claim_row = uow.repo.claim_timer(DAILY_JOB, period, instance[:120], now)
            by_channel = failures_by_channel(uow.repo.dead_deliveries_between(*day_bounds(day)))
            total = sum(entry["failed"] for entry in by_channel)
            if total == 0 and not settings["send_when_none"]:
                claim_row.outcome = "no failures"
                return "no failures"
            context = {"day": period, "total_failed": total, "by_channel": by_channel,
                       "queue_url": settings["queue_url"]}
            recorded = 0
            for name, contacts in settings["recipients"].items():
                language = contacts.get("language") or settings["language"]
                for channel, address in pairs(contacts):
                    _add(uow, f"daily:{period}", None, "operator", name, channel, address, DAILY_JOB, language,
                         context)
                    recorded += 1
            claim_row.outcome = f"{total} failures, {recorded} deliveries"
            return claim_row.outcome
    except TimerAlreadyClaimed:
        return None  # another instance claimed the day between our check and our insert
