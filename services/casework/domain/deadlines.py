"""Deadline rules, plain Python: acknowledge within days, give feedback within months (calendar months), per
agency (services/casework/deadlines.py raises the reminders and breaches).

Defaults follow EU Directive 2019/1937 art. 9/11: acknowledge within 7 days, feedback within 3 months, which a
supervisor may extend to at most 6 months with a reason. `casework.deadlines` in the configuration:

    acknowledge_days: 7
    feedback_months: 3
    max_feedback_months: 6
    remind_acknowledge_hours: 48      # reminder this long before the acknowledgement is due
    remind_feedback_days: 14          # reminder this long before feedback is due
    agencies:                         # per agency (code prefix) or office, any of the keys above
      NACC: {acknowledge_days: 5}

Acknowledgement is met by the first move out of `received`; feedback by a note the tipster can read, or by
closing the case.
"""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from services.casework.domain.errors import TransitionError
from services.casework.domain.lifecycle import OPEN_STATES, agency_of
from services.casework.settings import SETTINGS as CASEWORK
from shared.clock import aware_utc, local_date

# the deadline settings (declared in services/casework/settings.py), which an agency or office may set for itself
DEFAULTS = {k: v for k, v in CASEWORK.defaults("casework.deadlines").items() if k != "agencies"}


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


def _aware(value) -> datetime:
    """A stored time (a due date, an opening: never empty) as an aware UTC datetime."""
    moment = aware_utc(value)
    if moment is None:
        raise ValueError("a case's deadlines and opening time are always set")
    return moment


def deadline_view(case, now: datetime) -> dict:
    """Both deadlines of a case, as the desk shows them."""
    open_ = case.status in OPEN_STATES
    ack_due, fb_due = _aware(case.acknowledge_due), _aware(case.feedback_due)
    ack_met, fb_met = aware_utc(case.acknowledged_at), aware_utc(case.feedback_given_at)
    return {
        "acknowledge": {"due": ack_due, "met_at": ack_met,
                        "overdue": bool(open_ and ack_met is None and ack_due <= now)},
        "feedback": {"due": fb_due, "met_at": fb_met, "extended": bool(case.feedback_extended),
                     "overdue": bool(open_ and fb_met is None and fb_due <= now)},
    }


def extended_feedback_due(case, months: int, deadlines_config: dict | None) -> datetime:
    """The feedback deadline `months` after opening, if that is a real extension within the allowed maximum."""
    limits = settings_for(deadlines_config, case.office_code)
    new_due = add_months(_aware(case.opened_at), int(months))
    if not (int(limits["feedback_months"]) < int(months) <= int(limits["max_feedback_months"])) \
            or new_due <= _aware(case.feedback_due):
        raise TransitionError("case.extension_invalid", max_months=int(limits["max_feedback_months"]))
    return new_due


def countdown(due: datetime, now: datetime) -> dict:
    """How far a deadline is, in words (Thai first): "อีก 2 วัน / due in 2 days", "เกินกำหนด 3 วัน / late by 3
    days". Counted in Bangkok calendar days, so a deadline later today is "today" whatever the hour; within the
    last day before it is due, in hours. `late` and `days` (negative when late) let a page colour it."""
    due, now = _aware(due), aware_utc(now)
    days = (local_date(due) - local_date(now)).days
    seconds = (due - now).total_seconds()
    if seconds < 0:
        late = max(1, (local_date(now) - local_date(due)).days)
        if local_date(now) == local_date(due):
            hours = max(1, int(-seconds // 3600))
            return {"th": f"เกินกำหนด {hours} ชั่วโมง", "en": f"late by {hours} hour{'s' * (hours != 1)}",
                    "late": True, "days": 0}
        return {"th": f"เกินกำหนด {late} วัน", "en": f"late by {late} day{'s' * (late != 1)}", "late": True,
                "days": -late}
    if days == 0:
        hours = int(seconds // 3600)
        if hours >= 1:
            return {"th": f"ครบกำหนดวันนี้ (อีก {hours} ชั่วโมง)", "en": f"due today (in {hours} hour{'s' * (hours != 1)})",
                    "late": False, "days": 0}
        return {"th": "ครบกำหนดภายในชั่วโมงนี้", "en": "due within the hour", "late": False, "days": 0}
    if days == 1:
        return {"th": "ครบกำหนดพรุ่งนี้", "en": "due tomorrow", "late": False, "days": 1}
    return {"th": f"อีก {days} วัน", "en": f"due in {days} days", "late": False, "days": days}
