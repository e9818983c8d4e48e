"""The public statistics (services/intake/usecases/statistics.py): every province, category and month of the window
listed, counts below 5 hidden, medians only over 5 or more, CSV with a byte-order mark."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.intake.usecases.statistics import public_statistics, to_csv

NOW = datetime(2026, 12, 1, 5, 0, tzinfo=timezone.utc)


def _rows():
    rows = []
    for i in range(7):  # Trat, bribery, this month; acknowledged after i+1 days, three closed
        filed = NOW - timedelta(days=1, hours=i)
        closed = filed + timedelta(days=30) if i < 3 else None
        rows.append(("bribery", "23", filed, filed + timedelta(days=i + 1), closed))
    rows.append(("procurement", "22", NOW - timedelta(days=40), None, None))
    rows.append(("bribery", "23", NOW - timedelta(days=800), None, None))  # before the window: not counted
    return rows


def test_counts_medians_and_suppression():
    stats = public_statistics(_rows(), NOW)
    provinces = {p["code"]: p for p in stats["by_province"]}
    assert len(provinces) == 77 and provinces["23"]["count"] == 7 and provinces["22"]["count"] == "<5"
    assert provinces["10"]["count"] == "<5"  # none at all reads the same as a few
    assert provinces["23"]["days_to_acknowledge"] == 4.0 and provinces["23"]["days_to_close"] is None
    categories = {c["code"]: c for c in stats["by_category"]}
    assert categories["bribery"]["count"] == 7 and categories["bribery"]["label"]["th"].startswith("สินบน")
    months = [m["code"] for m in stats["by_month"]]
    assert len(months) == 24 and months[-1] == "2026-12"
    # eight tips in the window; the hidden ones (1 and 76 zeros) keep the total exact
    assert stats["total"] == 8
    assert stats["medians"]["days_to_close"] is None and stats["medians"]["days_to_acknowledge"] == 4.0
    body = to_csv(stats)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "province,23,ตราด,Trat,7,4.0," in text and "province,22,จันทบุรี,Chanthaburi,<5,," in text


def test_all_tips_in_one_month_keep_the_total_a_minimum():
    """Every other month would be exactly 0 if the total were exact."""
    rows = [("bribery", "23", NOW - timedelta(hours=i), None, None) for i in range(6)]
    assert public_statistics(rows, NOW)["total"] == "≥6"
