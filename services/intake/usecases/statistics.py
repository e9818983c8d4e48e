"""The public statistics: how many tips, by province, by category and by month filed, and how long offices take
to acknowledge and to close them — from intake's own projection of each tip's status (no call to another
service), with every count below k suppressed by `shared.small_counts` (the same rule as the coordinators'
view). Nothing here is about one tip: only counts of at least k and medians over at least k tips leave.

The three lists count the same tips split three ways and share one grand total. Months are Bangkok months of
filing, a fixed window (this month and the 23 before it; older tips are not counted); every province, category
and month of the window is listed (never only those with tips, nor in order of size: which are absent, or which
is larger, would tell about the small ones).
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime

from shared import geography, small_counts
from shared.clock import aware_utc, iso_utc, local, month_label
from shared.vocabulary import CATEGORIES

DIMENSIONS = ("province", "category", "month")


def month_key(moment) -> str:
    return local(moment).strftime("%Y-%m")


MONTHS = 24


def public_statistics(rows, now: datetime, k: int = small_counts.K) -> dict:
    """`rows`: (category, province_code, submitted_at, acknowledged_at, closed_at) per tip."""
    counts: dict[str, dict[str, int]] = {d: defaultdict(int) for d in DIMENSIONS}
    ack: dict[tuple[str, str], list[float]] = defaultdict(list)
    close: dict[tuple[str, str], list[float]] = defaultdict(list)
    months = small_counts.month_window(now, MONTHS)
    for category, province, submitted, acknowledged, closed in rows:
        submitted = aware_utc(submitted)
        keys = {"province": province, "category": category, "month": month_key(submitted)}
        if keys["month"] < months[0]:
            continue
        for d, key in keys.items():
            counts[d][key] += 1
        for d, key in [*keys.items(), ("all", "all")]:
            if acknowledged is not None:
                ack[(d, key)].append((aware_utc(acknowledged) - submitted).total_seconds() / 86400)
            if closed is not None:
                close[(d, key)].append((aware_utc(closed) - submitted).total_seconds() / 86400)
    order = {"province": list(geography.province_codes()), "category": list(CATEGORIES),
             "month": months}
    shown = small_counts.protect([small_counts.line(d, counts[d], order[d]) for d in DIMENSIONS], k)

    def label(d: str, key: str) -> dict:
        if d == "province":
            area = geography.province(key)
            return {"th": area.name_th, "en": area.name_en} if area else {"th": key, "en": key}
        if d == "category":
            return {"th": CATEGORIES[key]["th"], "en": CATEGORIES[key]["en"]}
        return month_label(key)

    def medians(d: str, key: str) -> dict:
        return {"days_to_acknowledge": small_counts.median_shown(ack[(d, key)], k),
                "days_to_close": small_counts.median_shown(close[(d, key)], k)}

    out: dict = {"generated_at": iso_utc(now), "k": k, "small": small_counts.small(k),
                 "total": shown[0]["total"], "medians": medians("all", "all")}
    for d, table in zip(DIMENSIONS, shown, strict=True):
        values = small_counts.line_values(table)
        out[f"by_{d}"] = [{"code": key, "label": label(d, key), "count": values[key], **medians(d, key)}
                          for key in order[d]]
    return out


CSV_COLUMNS = ["dimension", "code", "label_th", "label_en", "count", "median_days_to_acknowledge",
               "median_days_to_close"]


def to_csv(stats: dict) -> bytes:
    """One row per province, category and month (and one for all tips); UTF-8 with a byte-order mark, so
    spreadsheet programs read the Thai; suppressed counts as "<5", medians not shown left empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    blank = lambda v: "" if v is None else v  # noqa: E731
    writer.writerow(["all", "", "ทั้งหมด", "All", stats["total"], blank(stats["medians"]["days_to_acknowledge"]),
                     blank(stats["medians"]["days_to_close"])])
    for d in DIMENSIONS:
        for item in stats[f"by_{d}"]:
            writer.writerow([d, item["code"], item["label"]["th"], item["label"]["en"], item["count"],
                             blank(item["days_to_acknowledge"]), blank(item["days_to_close"])])
    return buffer.getvalue().encode("utf-8-sig")
