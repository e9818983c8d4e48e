"""Deadlines: acknowledge within days, give feedback within months (calendar months), per agency.

Defaults follow EU Directive 2019/1937 art. 9/11: acknowledge within 7 days, feedback within 3 months, which a
supervisor may extend to at most 6 months with a reason. `casework.deadlines` in the configuration:

    acknowledge_days: 7
    feedback_months: 3
    max_feedback_months: 6
    remind_acknowledge_hours: 48      # reminder this long before the acknowledgement is due
    remind_feedback_days: 14          # reminder this long before feedback is due
    agencies:                         # per agency (code prefix) or office, any of the keys above
      NACC: {acknowledge_days: 5}

The sweep runs on every instance's timer, under a lease so only one instance sweeps at a time; on top of that
every alert has a unique row per case, deadline, kind and due date, so a reminder or an escalation is raised
once even if two sweeps ever overlap. Acknowledgement is met by the first move out of `received`; feedback by
a note the tipster can read, or by closing the case.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from services.casework import leases
from services.casework.domain.lifecycle import OPEN_STATES, agency_of
from services.casework.models import Case, CaseEvent, DeadlineAlert, User

SWEEP_LEASE = "casework.deadline_sweep"

DEFAULTS = {
    "acknowledge_days": 7,
    "feedback_months": 3,
    "max_feedback_months": 6,
    "remind_acknowledge_hours": 48,
    "remind_feedback_days": 14,
}


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def due_dates(opened_at: datetime, acknowledge_days: float = 7, feedback_months: int = 3) -> tuple[datetime, datetime]:
    return opened_at + timedelta(days=float(acknowledge_days)), add_months(opened_at, int(feedback_months))


def settings_for(deadlines_config: dict | None, office_code: str | None = None) -> dict:
    """The deadline settings of an office: defaults < configuration < its agency's < its own."""
    config = deadlines_config or {}
    out = dict(DEFAULTS)
    out.update({k: v for k, v in config.items() if k in DEFAULTS and v is not None})
    per = config.get("agencies") or {}
    if office_code:
        for key in (agency_of(office_code), office_code):
            out.update({k: v for k, v in (per.get(key) or {}).items() if k in DEFAULTS and v is not None})
    return out


def _aware(value):
    from services.casework.usecases.accounts import aware

    return aware(value)


# -- what is overdue -----------------------------------------------------------------------------------------
def acknowledge_overdue(now: datetime):
    return and_(Case.status.in_(OPEN_STATES), Case.acknowledged_at.is_(None), Case.acknowledge_due <= now)


def feedback_overdue(now: datetime):
    return and_(Case.status.in_(OPEN_STATES), Case.feedback_given_at.is_(None), Case.feedback_due <= now)


def overdue_clause(now: datetime):
    return or_(acknowledge_overdue(now), feedback_overdue(now))


def deadline_view(case: Case, now: datetime) -> dict:
    """Both deadlines of a case, as the desk shows them."""
    open_ = case.status in OPEN_STATES
    ack_due, fb_due = _aware(case.acknowledge_due), _aware(case.feedback_due)
    ack_met, fb_met = _aware(case.acknowledged_at), _aware(case.feedback_given_at)
    return {
        "acknowledge": {"due": ack_due, "met_at": ack_met,
                        "overdue": bool(open_ and ack_met is None and ack_due <= now)},
        "feedback": {"due": fb_due, "met_at": fb_met, "extended": bool(case.feedback_extended),
                     "overdue": bool(open_ and fb_met is None and fb_due <= now)},
    }


def extended_feedback_due(case: Case, months: int, deadlines_config: dict | None) -> datetime:
    """The feedback deadline `months` after opening, if that is a real extension within the allowed maximum."""
    from services.casework.domain.lifecycle import TransitionError

    limits = settings_for(deadlines_config, case.office_code)
    new_due = add_months(_aware(case.opened_at), int(months))
    if not (int(limits["feedback_months"]) < int(months) <= int(limits["max_feedback_months"])) \
            or new_due <= _aware(case.feedback_due):
        raise TransitionError("case.extension_invalid", max_months=int(limits["max_feedback_months"]))
    return new_due


# -- the sweep -----------------------------------------------------------------------------------------------
@dataclass
class SweepResult:
    reminders: list[tuple[str, str]] = field(default_factory=list)   # (reference, deadline)
    breaches: list[tuple[str, str]] = field(default_factory=list)


def sweep(db, deadlines_config: dict | None, *, now: datetime, holder: str, lease_seconds: float = 120,
          batch: int = 500) -> SweepResult | None:
    """Raise due reminders and breaches. None when another instance holds the sweep's lease."""
    if not leases.acquire(db, SWEEP_LEASE, holder, now, lease_seconds):
        return None
    result = SweepResult()
    for alert in _due_alerts(db, deadlines_config, now, batch):
        if _raise(db, alert, now, holder):
            (result.breaches if alert["kind"] == "breach" else result.reminders).append(
                (alert["reference"], alert["deadline"]))
    return result


def _due_alerts(db, deadlines_config, now, batch) -> list[dict]:
    config = deadlines_config or {}
    per = [settings_for(config, code) for code in (config.get("agencies") or {})] + [settings_for(config)]
    widest_ack = max(timedelta(hours=float(s["remind_acknowledge_hours"])) for s in per)
    widest_fb = max(timedelta(days=float(s["remind_feedback_days"])) for s in per)
    with db.reading() as session:
        candidates = session.execute(select(Case).where(Case.status.in_(OPEN_STATES), or_(
            and_(Case.acknowledged_at.is_(None), Case.acknowledge_due <= now + widest_ack),
            and_(Case.feedback_given_at.is_(None), Case.feedback_due <= now + widest_fb),
        )).order_by(Case.acknowledge_due).limit(batch)).scalars().all()
        if not candidates:
            return []
        ids = [c.id for c in candidates]
        raised = {(a.case_id, a.deadline, a.kind, _aware(a.due_at)) for a in session.execute(
            select(DeadlineAlert).where(DeadlineAlert.case_id.in_(ids))).scalars()}
        assignees = {u.id: u.display_name for u in session.execute(
            select(User).where(User.id.in_({c.assignee_id for c in candidates if c.assignee_id}))).scalars()}
        session.expunge_all()
    due = []
    for case in candidates:
        s = settings_for(config, case.office_code)
        checks = []
        if case.acknowledged_at is None:
            checks.append(("acknowledge", _aware(case.acknowledge_due),
                           timedelta(hours=float(s["remind_acknowledge_hours"]))))
        if case.feedback_given_at is None:
            checks.append(("feedback", _aware(case.feedback_due), timedelta(days=float(s["remind_feedback_days"]))))
        for deadline, due_at, window in checks:
            if due_at <= now:
                kind = "breach"
            elif due_at - window <= now:
                kind = "reminder"
            else:
                continue
            if (case.id, deadline, kind, due_at) in raised:
                continue
            due.append({"case_id": case.id, "reference": case.reference, "office_code": case.office_code,
                        "deadline": deadline, "kind": kind, "due_at": due_at, "assignee_id": case.assignee_id,
                        "caseworker_name": assignees.get(case.assignee_id)})
    return due


def _raise(db, alert: dict, now: datetime, holder: str) -> bool:
    """One alert in its own transaction: its unique row, its timeline line and its event commit together."""
    import json

    try:
        with db.transaction() as uow:
            uow.session.add(DeadlineAlert(case_id=alert["case_id"], deadline=alert["deadline"], kind=alert["kind"],
                                          due_at=alert["due_at"], raised_at=now, raised_by=holder[:120]))
            uow.session.flush()
            breach = alert["kind"] == "breach"
            uow.session.add(CaseEvent(case_id=alert["case_id"], kind="deadline_breached" if breach
                                      else "deadline_reminder", actor="system", at=now, detail_json=json.dumps(
                                          {"deadline": alert["deadline"], "due_at": alert["due_at"].isoformat(),
                                           "escalated_to": "supervisor" if breach else None})))
            uow.emit("case.deadline_breached" if breach else "case.deadline_reminder", {
                "reference": alert["reference"], "case_id": alert["case_id"], "office_code": alert["office_code"],
                "deadline": alert["deadline"], "due_at": alert["due_at"], "assignee_id": alert["assignee_id"],
                "caseworker_name": alert["caseworker_name"],
                "escalate_to": "supervisor" if breach else ("assignee" if alert["assignee_id"] else "office"),
                "raised_at": now,
            }, correlation_id=alert["reference"])
        return True
    except IntegrityError:  # raised already (by an overlapping sweep)
        return False
