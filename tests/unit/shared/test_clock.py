"""The one clock: UTC stored, Bangkok days and Thai (Buddhist era) dates shown."""
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from shared import clock


def test_utc_helpers_make_stored_timestamps_aware():
    assert clock.utcnow().tzinfo is not None and clock.utcnow().utcoffset() == timedelta(0)
    naive = datetime(2026, 1, 5, 3, 0)
    assert clock.aware_utc(naive) == datetime(2026, 1, 5, 3, 0, tzinfo=timezone.utc)
    assert clock.aware_utc(None) is None and clock.iso_utc(None) is None
    assert clock.iso_utc(datetime(2026, 1, 5, 10, 0, tzinfo=clock.BANGKOK)) == "2026-01-05T03:00:00+00:00"
    assert clock.iso_utc(naive, timespec="seconds") == "2026-01-05T03:00:00+00:00"


def test_bangkok_is_seven_hours_ahead_all_year():
    for month in (1, 7):  # no daylight saving time
        assert clock.BANGKOK.utcoffset(datetime(2026, month, 1)) == timedelta(hours=7)


@pytest.mark.parametrize("utc, day", [
    (datetime(2026, 1, 4, 16, 59, tzinfo=timezone.utc), date(2026, 1, 4)),   # 23:59 in Bangkok
    (datetime(2026, 1, 4, 17, 0, tzinfo=timezone.utc), date(2026, 1, 5)),    # midnight in Bangkok
    (datetime(2026, 1, 4, 17, 0), date(2026, 1, 5)),                          # naive = UTC
])
def test_the_office_day_begins_at_midnight_in_bangkok(utc, day):
    assert clock.local_today(utc) == day
    assert clock.local_date(utc) == day
    assert clock.local_date(utc.isoformat()) == day
    assert clock.local(utc).utcoffset() == timedelta(hours=7)


def test_a_date_is_its_own_local_day():
    assert clock.local_date(date(2026, 2, 1)) == date(2026, 2, 1)
    assert clock.local_date("2026-02-01") == date(2026, 2, 1)


def test_day_bounds_are_bangkok_midnights_in_utc():
    start, end = clock.local_day_bounds(date(2026, 1, 5))
    assert start == datetime(2026, 1, 4, 17, 0, tzinfo=timezone.utc) and start.tzinfo == timezone.utc
    assert end - start == timedelta(days=1)
    assert clock.local_day_start(date(2026, 1, 5)) == start


def test_buddhist_year():
    assert clock.buddhist_year(2026) == 2569
    assert clock.from_buddhist_year(2569) == 2026


def test_thai_month_names():
    assert len(clock.THAI_MONTHS) == len(clock.THAI_MONTHS_SHORT) == len(clock.ENGLISH_MONTHS) == 12
    assert clock.THAI_MONTHS[0] == "มกราคม" and clock.THAI_MONTHS[11] == "ธันวาคม"
    assert clock.THAI_MONTHS_SHORT[0] == "ม.ค." and clock.THAI_MONTHS_SHORT[11] == "ธ.ค."
    assert clock.thai_date(date(2026, 1, 5)) == "5 ม.ค. 2569"
    assert clock.thai_date(date(2026, 12, 31), short=False) == "31 ธันวาคม 2569"


def test_no_other_module_defines_the_bangkok_zone_or_thai_months():
    root = Path(__file__).resolve().parents[3]
    offenders = []
    for path in list((root / "services").rglob("*.py")) + list((root / "shared").rglob("*.py")):
        if path.name == "clock.py" and path.parent.name == "shared":
            continue
        text = path.read_text(encoding="utf-8")
        if "timedelta(hours=7)" in text or "ม.ค." in text or "มกราคม" in text or "+ 543" in text:
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
