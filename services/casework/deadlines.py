"""Statutory-style deadlines: acknowledge within days, give feedback within months (calendar months)."""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def due_dates(opened_at: datetime, acknowledge_days: int = 7, feedback_months: int = 3) -> tuple[datetime, datetime]:
    return opened_at + timedelta(days=acknowledge_days), add_months(opened_at, feedback_months)
