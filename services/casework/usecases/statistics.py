"""Statistics per office and province: counts by status, category and month opened; time to acknowledge and
to close (median and 90th percentile); overdue counts. Only the cases in the caller's statistics scope
(`policy.stats_scope`) are counted, and only counts and durations leave this module — never a case's content.

CSV export is UTF-8 with a byte-order mark (so spreadsheet programs read Thai correctly): long (one row per
office × province × measure) or wide (one row per office × province and per category, one column per month).
"""
from __future__ import annotations

import csv
import io
import math
from collections import Counter, defaultdict
from datetime import datetime, timezone

from services.casework.domain import policy
from services.casework.domain.lifecycle import OPEN_STATES, STATES
from services.casework.usecases.accounts import aware
from shared import geography
from shared.clock import local, month_label
from shared.vocabulary import CATEGORIES


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100.0 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _duration_summary(values: list[float]) -> dict:
    r = lambda v: None if v is None else round(v, 2)  # noqa: E731
    return {"count": len(values), "median": r(median(values)), "p90": r(percentile(values, 90))}


def statistics(repo, principal: policy.Principal, now: datetime, filters: dict | None = None) -> dict:
    filters = filters or {}
    rows = repo.stats_rows(policy.stats_scope(principal), filters)

    groups: dict[tuple[str, str], dict] = {}
    category_month: dict[str, Counter] = defaultdict(Counter)
    ack_hours: dict[tuple, list[float]] = defaultdict(list)
    close_days: dict[tuple, list[float]] = defaultdict(list)
    for row in rows:
        key = (row.office_code, row.province_code)
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"office": {"code": row.office_code, "name_th": row.office_name_th,
                                          "name_en": row.office_name_en},
                               "province": _province(row.province_code), "total": 0, "by_status": Counter(),
                               "by_category": Counter(), "by_month": Counter(),
                               "overdue": {"acknowledge": 0, "feedback": 0, "total": 0}}
        opened = aware(row.opened_at)
        g["total"] += 1
        g["by_status"][row.status] += 1
        g["by_category"][row.category] += 1
        month = local(opened).strftime("%Y-%m")  # months in Thai time
        g["by_month"][month] += 1
        category_month[row.category][month] += 1
        if row.acknowledged_at is not None:
            ack_hours[key].append((aware(row.acknowledged_at) - opened).total_seconds() / 3600)
        if row.closed_at is not None:
            close_days[key].append((aware(row.closed_at) - opened).total_seconds() / 86400)
        is_open = row.status in OPEN_STATES
        ack_late = is_open and row.acknowledged_at is None and aware(row.acknowledge_due) <= now
        fb_late = is_open and row.feedback_given_at is None and aware(row.feedback_due) <= now
        g["overdue"]["acknowledge"] += int(ack_late)
        g["overdue"]["feedback"] += int(fb_late)
        g["overdue"]["total"] += int(ack_late or fb_late)

    out = []
    for key in sorted(groups):
        g = groups[key]
        g["by_status"] = {s: g["by_status"].get(s, 0) for s in STATES}
        g["by_category"] = dict(sorted(g["by_category"].items()))
        g["by_month"] = dict(sorted(g["by_month"].items()))
        g["time_to_acknowledge_hours"] = _duration_summary(ack_hours[key])
        g["time_to_close_days"] = _duration_summary(close_days[key])
        out.append(g)
    all_ack = [v for vs in ack_hours.values() for v in vs]
    all_close = [v for vs in close_days.values() for v in vs]
    totals = {
        "total": sum(g["total"] for g in out),
        "by_status": {s: sum(g["by_status"][s] for g in out) for s in STATES},
        "overdue": {k: sum(g["overdue"][k] for g in out) for k in ("acknowledge", "feedback", "total")},
        "time_to_acknowledge_hours": _duration_summary(all_ack),
        "time_to_close_days": _duration_summary(all_close),
        "by_category": {c: sum(m.values()) for c, m in sorted(category_month.items())},
        "by_category_month": {c: dict(sorted(m.items())) for c, m in sorted(category_month.items())},
    }
    months = sorted({m for g in out for m in g["by_month"]})
    labels = {"categories": {c: dict(CATEGORIES.get(c, {"th": c, "en": c})) for c in totals["by_category"]},
              "months": {m: month_label(m) for m in months}}
    return {"generated_at": now.astimezone(timezone.utc).isoformat(), "groups": out, "totals": totals,
            "months": months, "labels": labels}



def _province(code: str) -> dict:
    area = geography.province(code)
    return {"code": code, "name_th": area.name_th if area else code, "name_en": area.name_en if area else code}


CSV_COLUMNS = ["office_code", "office_name_th", "office_name_en", "province_code", "province_name_th",
               "province_name_en", "measure", "key", "value"]


def to_csv(stats: dict) -> bytes:
    """One row per office × province × measure; UTF-8 with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for g in stats["groups"]:
        lead = [g["office"]["code"], g["office"]["name_th"], g["office"]["name_en"], g["province"]["code"],
                g["province"]["name_th"], g["province"]["name_en"]]
        writer.writerow(lead + ["total", "", g["total"]])
        for measure in ("by_status", "by_category", "by_month"):
            for key, value in g[measure].items():
                writer.writerow(lead + [measure.removeprefix("by_"), key, value])
        for key, value in g["overdue"].items():
            writer.writerow(lead + ["overdue", key, value])
        for measure in ("time_to_acknowledge_hours", "time_to_close_days"):
            for key in ("count", "median", "p90"):
                value = g[measure][key]
                writer.writerow(lead + [measure, key, "" if value is None else value])
    return buffer.getvalue().encode("utf-8-sig")


def to_wide_csv(stats: dict) -> bytes:
    """Rows: each office (× province), then each category; columns: the months, then the total. UTF-8 with BOM."""
    months = stats["months"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["row", "code", "name_th", "name_en", "province_code", *months, "total"])
    for g in stats["groups"]:
        writer.writerow(["office", g["office"]["code"], g["office"]["name_th"], g["office"]["name_en"],
                         g["province"]["code"], *[g["by_month"].get(m, 0) for m in months], g["total"]])
    for category, by_month in stats["totals"]["by_category_month"].items():
        label = stats["labels"]["categories"][category]
        writer.writerow(["category", category, label["th"], label["en"], "", *[by_month.get(m, 0) for m in months],
                         stats["totals"]["by_category"][category]])
    return buffer.getvalue().encode("utf-8-sig")
