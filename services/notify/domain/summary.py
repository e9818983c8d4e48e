"""The operators' daily summary of failed deliveries: when it is due, for which day, and what it says."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from shared.clock import local, local_day_bounds

DAILY_JOB = "operator_daily_failures"


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
    here = local(now)
    return here.date() - timedelta(days=1) if here.time() >= at else None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC bounds of a Bangkok day."""
    return local_day_bounds(day)  # UTC: SQLite compares stored UTC text and drops a bound tzinfo


def failures_by_channel(rows) -> list[dict]:
    """Per channel, from (channel, last error) of the deliveries that went dead: how many, and the latest reason
    (rows oldest first), the channel with most failures first."""
    by_channel: dict[str, dict] = {}
    for channel, error in rows:
        entry = by_channel.setdefault(channel, {"channel": channel, "failed": 0, "last_reason": None})
        entry["failed"] += 1
        entry["last_reason"] = (error or "").splitlines()[0][:200] if error else None
    return sorted(by_channel.values(), key=lambda e: (-e["failed"], e["channel"]))
