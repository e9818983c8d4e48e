import csv
import io

from services.casework.usecases import statistics as stats


def test_median_and_nearest_rank_p90():
    assert stats.median([]) is None and stats.percentile([], 90) is None
    assert stats.median([5, 1, 3]) == 3 and stats.median([4, 1, 3, 2]) == 2.5
    values = list(range(1, 11))
    assert stats.percentile(values, 90) == 9 and stats.percentile(values, 100) == 10
    assert stats.percentile([7], 90) == 7


def test_csv_is_utf8_with_bom_and_thai_survives():
    data = {"groups": [{
        "office": {"code": "PACC-R2", "name_th": "ป.ป.ท. เขต 2", "name_en": "PACC Region 2"},
        "province": {"code": "23", "name_th": "ตราด", "name_en": "Trat"}, "total": 1,
        "by_status": {"received": 1}, "by_category": {"bribery": 1}, "by_month": {"2026-11": 1},
        "overdue": {"acknowledge": 0, "feedback": 0, "total": 0},
        "time_to_acknowledge_hours": {"count": 0, "median": None, "p90": None},
        "time_to_close_days": {"count": 0, "median": None, "p90": None}}]}
    raw = stats.to_csv(data)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == stats.CSV_COLUMNS
    assert ["PACC-R2", "ป.ป.ท. เขต 2", "PACC Region 2", "23", "ตราด", "Trat", "status", "received", "1"] in rows
    lead = ["PACC-R2", "ป.ป.ท. เขต 2", "PACC Region 2", "23", "ตราด", "Trat"]
    assert lead + ["time_to_close_days", "median", ""] in rows
