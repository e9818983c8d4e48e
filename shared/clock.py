"""The one clock: UTC for everything stored and sent, Bangkok time and Thai dates for what people read.

- Timestamps are stored and carried as UTC. SQLite hands them back naive; `aware_utc` makes them aware again.
- An office's day is a Bangkok day (Thailand is UTC+7 all year, no daylight saving time): `local`, `local_today`,
  `local_date`, `local_day_start`, `local_day_bounds`.
- Thai dates count years in the Buddhist era (2569 = 2026 CE): `buddhist_year`, `from_buddhist_year`,
  `THAI_MONTHS` (full names), `THAI_MONTHS_SHORT` (abbreviations).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import overload

UTC = timezone.utc
BANGKOK = timezone(timedelta(hours=7), "ICT")

BUDDHIST_ERA_OFFSET = 543

THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน",
               "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
THAI_MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December")


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def aware_utc(value: datetime) -> datetime: ...
@overload
def aware_utc(value: None) -> None: ...
def aware_utc(value: datetime | None) -> datetime | None:
    """A stored timestamp as an aware UTC datetime: SQLite hands them back naive (every one is written as UTC)."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def iso_utc(value: datetime | None, timespec: str = "auto") -> str | None:
    value = aware_utc(value)
    return value.astimezone(UTC).isoformat(timespec=timespec) if value is not None else None


def local(value: datetime) -> datetime:
    """A moment in Bangkok time (a naive value is taken as UTC)."""
    return aware_utc(value).astimezone(BANGKOK)


def local_today(now: datetime | None = None) -> date:
    """Today in Bangkok: from 17:00 UTC it is already tomorrow there."""
    return local(now or utcnow()).date()


def local_date(moment: datetime | date | str) -> date:
    """The Bangkok calendar day of a moment; a date is its own day; ISO strings (as events carry them) are read."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment) if len(moment) > 10 else date.fromisoformat(moment)
    if isinstance(moment, datetime):
        return local(moment).date()
    return moment


def local_day_start(day: date) -> datetime:
    """Midnight at the start of `day` in Bangkok (an aware datetime in Bangkok time)."""
    return datetime.combine(day, time(0), tzinfo=BANGKOK)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC moments that bound a Bangkok day: [start, end)."""
    start = local_day_start(day).astimezone(UTC)
    return start, start + timedelta(days=1)


def buddhist_year(year: int) -> int:
    return year + BUDDHIST_ERA_OFFSET


def from_buddhist_year(year: int) -> int:
    return year - BUDDHIST_ERA_OFFSET


def thai_date(day: date, *, short: bool = True) -> str:
    """'5 ม.ค. 2569' (short) or '5 มกราคม 2569': day, Thai month, Buddhist year."""
    months = THAI_MONTHS_SHORT if short else THAI_MONTHS
    return f"{day.day} {months[day.month - 1]} {buddhist_year(day.year)}"


def month_label(key: str) -> dict[str, str]:
    """A month "YYYY-MM" in words: {"th": "ต.ค. 2569", "en": "Oct 2026"}."""
    year, month = int(key[:4]), int(key[5:7])
    return {"th": f"{THAI_MONTHS_SHORT[month - 1]} {buddhist_year(year)}",
            "en": f"{ENGLISH_MONTHS[month - 1][:3]} {year}"}
