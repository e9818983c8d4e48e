"""Who notify tells what, and the sending of it.

Recipients (all of them staff of an office or Sodsong's operators: notify never knows a tipster or volunteer):

  event                   template                       recipients
  case.opened             office_new_case                the office
  case.assigned           caseworker_assigned            the assignee (notify.staff_contacts[account id]);
                                                         else the office, so the assignment is not lost
  case.deadline_reminder  supervisor_deadline_reminder   the office's supervisors (notify.supervisor_contacts
                                                         [office]), else the office; and the assignee too when
                                                         casework escalates to them and they have contacts
  case.deadline_breached  supervisor_deadline_breach     the office's supervisors, else the office
  (daily timer)           operator_daily_failures        notify.operators.recipients

Addresses come from configuration, never from events: casework's events name accounts by id, so no address enters
the broker or the hash-chained audit trail. Offices: `notify.office_contacts[code]`, else the contacts notify's office
directory file (`notify.office_directory`; by default the deployment file `routing.overrides` names, read as data
that notify owns, never asked of routing) gives for channels that are configured here, else the office code on
`notify.office_channel` (the embedded default: one line in the file channel).

Recording happens in the consuming transaction; one delivery per (event, recipient, channel), enforced by a
unique constraint, so a redelivered event records nothing new. Sending is shared.notifications.ledger's.
"""
from __future__ import annotations

import json
import os
import threading
import uuid
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.notify.models import Delivery, TimerClaim
from shared.events import utcnow
from shared.notifications import ledger
from shared.vocabulary import CATEGORIES

TABLE = Delivery.__table__
DAILY_JOB = "operator_daily_failures"


# -- recipients ------------------------------------------------------------------------------------------------
def _pairs(contacts) -> list[tuple[str, str]]:
    """{channel: address, language: xx} -> [(channel, address)] with empty addresses left out."""
    return [(channel, str(address)) for channel, address in (contacts or {}).items()
            if channel != "language" and address not in (None, "")]


_directory_cache: dict = {}
_directory_lock = threading.Lock()


def directory_contacts(path, office_code: str) -> dict:
    """An office's contacts from notify's office directory file (`offices: {CODE: {contacts: {...}}}`).

    The shipped agency list carries no contacts, on purpose: only a deployment's file does.
    """
    if not path:
        return {}
    import yaml

    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return {}
    with _directory_lock:
        cached = _directory_cache.get(path)
        if cached is None or cached[0] != mtime:
            try:
                with open(path, encoding="utf-8") as handle:
                    data = yaml.safe_load(handle) or {}
            except (OSError, yaml.YAMLError):
                data = {}
            offices = data.get("offices") if isinstance(data, dict) else None
            cached = (mtime, offices if isinstance(offices, dict) else {})
            _directory_cache[path] = cached
    entry = cached[1].get(office_code) or {}
    contacts = entry.get("contacts") if isinstance(entry, dict) else None
    return dict(contacts) if isinstance(contacts, dict) else {}


def _configured_channels(notify: dict) -> set[str]:
    from shared.notifications.channels import as_bool

    return {name for name, section in (notify.get("channels") or {}).items()
            if section and as_bool(section.get("enabled", True))}


def office_recipients(config: dict, office_code: str) -> list[tuple[str, str]]:
    """(channel name, address) pairs for an office."""
    notify = config["notify"]
    explicit = (notify.get("office_contacts") or {}).get(office_code)
    if explicit:
        return _pairs(explicit)
    configured = _configured_channels(notify)
    from_directory = [(channel, address) for channel, address in
                      _pairs(directory_contacts(notify.get("office_directory"), office_code))
                      if channel in configured]
    if from_directory:
        return from_directory
    return [(notify["office_channel"], office_code)]


def staff_recipients(config: dict, account_id: str | None) -> list[tuple[str, str]]:
    if not account_id:
        return []
    return _pairs((config["notify"].get("staff_contacts") or {}).get(account_id))


def supervisor_recipients(config: dict, office_code: str) -> list[tuple[str, str]]:
    return _pairs((config["notify"].get("supervisor_contacts") or {}).get(office_code))


def _language(config: dict, contacts: dict | None = None) -> str:
    language = (contacts or {}).get("language") or config["notify"].get("office_language") or "th"
    return language if language in ("th", "en") else "th"


def desk_link(config: dict, reference: str) -> str:
    return f"{config['casework']['desk_url'].rstrip('/')}/cases/{reference}"


# -- recording -------------------------------------------------------------------------------------------------
def _add(uow, event_id: str, reference: str | None, kind: str, recipient_id: str, channel: str, address: str,
         template: str, language: str, context: dict) -> str:
    from shared.notifications.messages import render

    render(template, language, context)  # a context the template refuses must fail here, not at send time
    now = utcnow()
    delivery = Delivery(
        id=str(uuid.uuid4()), event_id=event_id, reference=reference, recipient_kind=kind,
        recipient_id=str(recipient_id)[:80], channel=channel, address=address, template=template, language=language,
        context_json=json.dumps(context, ensure_ascii=False, default=str), status="pending", attempts=0,
        next_attempt_at=now, created_at=now, updated_at=now,
    )
    uow.session.add(delivery)
    return delivery.id


def _case_context(config, p, language) -> dict:
    from shared import geography

    province = geography.province(p["province_code"])
    category = CATEGORIES.get(p["category"])
    return {
        "reference": p["reference"],
        "category": category[language] if category else p["category"],
        "province": getattr(province, f"name_{language}") if province else p["province_code"],
    }


def record_new_case(uow, event, config: dict) -> list[str]:
    p = event.payload
    language = _language(config)
    context = {**_case_context(config, p, language), "acknowledge_by": p["acknowledge_due"].isoformat(),
               "desk_url": desk_link(config, p["reference"])}
    return [_add(uow, event.id, p["reference"], "office", p["office"]["code"], channel, address, "office_new_case",
                 language, context)
            for channel, address in office_recipients(config, p["office"]["code"])]


def record_assignment(uow, event, config: dict) -> list[str]:
    p = event.payload
    contacts = (config["notify"].get("staff_contacts") or {}).get(p["assignee_id"])
    language = _language(config, contacts)
    context = {**_case_context(config, p, language), "caseworker_name": p.get("caseworker_name") or "",
               "due_by": p["due_by"].isoformat() if p.get("due_by") else None,
               "desk_url": desk_link(config, p["reference"])}
    targets = [("caseworker", p["assignee_id"], pair) for pair in staff_recipients(config, p["assignee_id"])]
    if not targets:
        targets = [("office", p["office_code"], pair) for pair in office_recipients(config, p["office_code"])]
    return [_add(uow, event.id, p["reference"], kind, rid, channel, address, "caseworker_assigned", language, context)
            for kind, rid, (channel, address) in targets]


def record_deadline(uow, event, config: dict) -> list[str]:
    p = event.payload
    breach = event.type == "case.deadline_breached"
    template = "supervisor_deadline_breach" if breach else "supervisor_deadline_reminder"
    targets = [("supervisor", p["office_code"], pair) for pair in supervisor_recipients(config, p["office_code"])]
    if not targets:
        targets = [("office", p["office_code"], pair) for pair in office_recipients(config, p["office_code"])]
    if not breach and p.get("escalate_to") == "assignee":
        targets += [("caseworker", p["assignee_id"], pair) for pair in staff_recipients(config, p.get("assignee_id"))]
    supervisors = (config["notify"].get("supervisor_contacts") or {}).get(p["office_code"])
    ids = []
    for kind, rid, (channel, address) in targets:
        who = (config["notify"].get("staff_contacts") or {}).get(rid) if kind == "caseworker" else supervisors
        language = _language(config, who)
        context = {"reference": p["reference"], "deadline": p["deadline"], "due_by": p["due_at"].isoformat(),
                   "caseworker_name": p.get("caseworker_name"), "desk_url": desk_link(config, p["reference"])}
        ids.append(_add(uow, event.id, p["reference"], kind, rid, channel, address, template, language, context))
    return ids


RECORDERS = {
    "case.opened": record_new_case,
    "case.assigned": record_assignment,
    "case.deadline_reminder": record_deadline,
    "case.deadline_breached": record_deadline,
}


def record(uow, event, config: dict) -> list[str]:
    return RECORDERS[event.type](uow, event, config)


# -- sending ---------------------------------------------------------------------------------------------------
def due_ids(session, now=None, limit=100) -> list[str]:
    return ledger.due_ids(session, TABLE, now, limit)


def claim(service_db, delivery_id: str) -> bool:
    return ledger.claim(service_db, TABLE, delivery_id)


def send(service_db, delivery_id: str, channels: dict, settings: dict, render=None) -> str | None:
    """Send a claimed delivery once; returns its new status."""
    from shared.notifications.channels import OutboundMessage, PermanentDeliveryError
    from shared.notifications.messages import render as default_render

    render = render or default_render
    with service_db.reading() as session:
        d = session.get(Delivery, delivery_id)
        session.expunge(d)

    def one_attempt():
        channel = channels.get(d.channel)
        if channel is None:
            raise PermanentDeliveryError(f"channel {d.channel!r} is not configured")
        subject, text, html = render(d.template, d.language, json.loads(d.context_json))
        return channel.send(OutboundMessage(recipient=d.address, language=d.language, subject=subject, text=text,
                                            html=html, idempotency_key=d.id, attempt=d.attempts or 1))

    return ledger.settle(service_db, TABLE, delivery_id, ledger.attempt(one_attempt), ledger.settings_of(settings),
                         on_settled=_emit_outcome)


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
def operator_settings(config: dict) -> dict:
    notify = config["notify"]
    section = dict(notify.get("operators") or {})
    recipients = section.get("recipients") or {"operators": {notify["office_channel"]: "operators"}}
    hour, _, minute = str(section.get("daily_summary_at") or "08:00").partition(":")
    return {
        "recipients": recipients,
        "at": time(int(hour), int(minute or 0)),
        "language": section.get("language") or notify.get("office_language") or "th",
        "queue_url": section.get("queue_url") or f"{config['casework']['desk_url'].rstrip('/')}/ops/notifications",
        "send_when_none": bool(section.get("send_when_none", False)),
        "check_seconds": float(section.get("check_seconds", 60)),
    }


def summary_day_due(now: datetime, at: time) -> date | None:
    """The day whose failures are due to be summarised now: yesterday (Bangkok time), once `at` has passed."""
    from shared.notifications.messages import BANGKOK

    local = now.astimezone(BANGKOK)
    return local.date() - timedelta(days=1) if local.time() >= at else None


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    from shared.notifications.messages import BANGKOK

    start = datetime.combine(day, time(0), tzinfo=BANGKOK).astimezone(timezone.utc)
    return start, start + timedelta(days=1)  # UTC: SQLite compares stored UTC text and drops a bound tzinfo


def failures_on(session, day: date) -> list[dict]:
    """Per channel: deliveries that went dead on `day` (Bangkok time), with the latest reason."""
    start, end = _day_bounds(day)
    rows = session.execute(select(Delivery.channel, Delivery.last_error, Delivery.updated_at).where(
        Delivery.status == "dead", Delivery.updated_at >= start, Delivery.updated_at < end,
    ).order_by(Delivery.updated_at)).all()
    by_channel: dict[str, dict] = {}
    for channel, error, _at in rows:
        entry = by_channel.setdefault(channel, {"channel": channel, "failed": 0, "last_reason": None})
        entry["failed"] += 1
        entry["last_reason"] = (error or "").splitlines()[0][:200] if error else None
    return sorted(by_channel.values(), key=lambda e: (-e["failed"], e["channel"]))


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
        if session.get(TimerClaim, (DAILY_JOB, period)) is not None:
            return None
    try:
        with service_db.transaction() as uow:
            claim_row = TimerClaim(job=DAILY_JOB, period=period, claimed_by=instance[:120], claimed_at=now)
            uow.session.add(claim_row)
            uow.session.flush()  # the claim first: a second instance fails here, before doing anything
            by_channel = failures_on(uow.session, day)
            total = sum(entry["failed"] for entry in by_channel)
            if total == 0 and not settings["send_when_none"]:
                claim_row.outcome = "no failures"
                return "no failures"
            context = {"day": period, "total_failed": total, "by_channel": by_channel,
                       "queue_url": settings["queue_url"]}
            recorded = 0
            for name, contacts in settings["recipients"].items():
                language = contacts.get("language") or settings["language"]
                for channel, address in _pairs(contacts):
                    _add(uow, f"daily:{period}", None, "operator", name, channel, address, DAILY_JOB, language,
                         context)
                    recorded += 1
            claim_row.outcome = f"{total} failures, {recorded} deliveries"
            return claim_row.outcome
    except IntegrityError:
        return None  # another instance claimed the day between our check and our insert


def pending_count(session) -> int:
    return session.execute(select(func.count()).select_from(Delivery)
                           .where(Delivery.status.in_(("pending", "sending", "failed")))).scalar()
