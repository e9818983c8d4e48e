"""How long until a deadline, or how late it is, in Bangkok calendar days: "อีก 2 วัน / due in 2 days",
"เกินกำหนด 3 วัน / late by 3 days". Plain Python; the inbox and the case page both show it.

Days are counted between Bangkok calendar days, not 24-hour periods: a deadline at 09:00 tomorrow is "tomorrow"
at 23:00 today, as a person at the office would say it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.clock import aware_utc, local_date


@dataclass(frozen=True)
class Countdown:
    days: int        # whole Bangkok days until the deadline (negative: days past it)
    late: bool       # the deadline has passed (even by a minute)
    th: str
    en: str

    def as_dict(self) -> dict:
        return {"days": self.days, "late": self.late, "th": self.th, "en": self.en}


def countdown(due: datetime, now: datetime) -> Countdown:
    """The words for a deadline `due` seen at `now`."""
    due, now = aware_utc(due), aware_utc(now)
    days = (local_date(due) - local_date(now)).days
    if due <= now:
        late = -days
        if late <= 0:
            return Countdown(days, True, "เกินกำหนดวันนี้", "late since today")
        return Countdown(days, True, f"เกินกำหนด {late} วัน", f"late by {late} day{'s' if late != 1 else ''}")
    if days <= 0:
        return Countdown(days, False, "ครบกำหนดวันนี้", "due today")
    if days == 1:
        return Countdown(days, False, "ครบกำหนดพรุ่งนี้", "due tomorrow")
    return Countdown(days, False, f"อีก {days} วัน", f"due in {days} days")


def next_deadline(*, open_: bool, acknowledge_due, acknowledged_at, feedback_due, feedback_given_at
                  ) -> tuple[str, datetime] | None:
    """The deadline a case is working towards: acknowledgement until it is met, then feedback; none for a closed
    case or one whose deadlines are both met."""
    if not open_:
        return None
    if acknowledged_at is None:
        return "acknowledge", aware_utc(acknowledge_due)
    if feedback_given_at is None:
        return "feedback", aware_utc(feedback_due)
    return None
