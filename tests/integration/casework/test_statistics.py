"""Statistics per office and province, and their CSV, counted only over the caller's cases."""
import csv
import io
from datetime import timedelta

from sqlalchemy import update

from services.casework.models import Case
from tests.integration.casework.conftest import desk_for, desk_running, open_case
from tests.support.inprocess import db


def _backdate(cfg, reference, **changes):
    with db(cfg, "casework").transaction() as uow:
        uow.session.execute(update(Case).where(Case.reference == reference).values(**changes))


def test_counts_durations_overdue_and_csv(cfg):
    for i, (office, province, category) in enumerate([
            ("PACC-R2", "23", "bribery"), ("PACC-R2", "23", "procurement"), ("PACC-R2", "20", "bribery"),
            ("PACC-R1", "12", "bribery")]):
        open_case(cfg, f"SS-STAT-000{i}", office, province=province, category=category)
    with desk_running(cfg) as (_, base):
        sup = desk_for(base, cfg, "supat", "supervisor")
        admin = desk_for(base, cfg, "admin", "agency_admin", "PACC")
        # acknowledge two of Trat's cases, close one
        sup.post("/api/v1/cases/SS-STAT-0000/transitions", {"to": "acknowledged", "reason": "รับ"})
        sup.post("/api/v1/cases/SS-STAT-0001/transitions", {"to": "acknowledged", "reason": "รับ"})
        sup.post("/api/v1/cases/SS-STAT-0001/transitions", {"to": "closed", "reason": "ซ้ำ",
                                                            "resolution": "duplicate",
                                                            "tipster_reason": "เรื่องนี้ซ้ำกับเรื่องที่รับไว้แล้ว"})
        # make the timings known: opened 10 and 30 hours before acknowledgement; Chon Buri's case is overdue
        for reference, hours in (("SS-STAT-0000", 10), ("SS-STAT-0001", 30)):
            with db(cfg, "casework").reading() as s:
                case = s.query(Case).filter_by(reference=reference).one()
                acknowledged, closed = case.acknowledged_at, case.closed_at
            _backdate(cfg, reference, opened_at=acknowledged - timedelta(hours=hours))
        _backdate(cfg, "SS-STAT-0002", acknowledge_due=acknowledged - timedelta(days=1))

        stats = sup.get("/api/v1/stats").json()
        groups = {(g["office"]["code"], g["province"]["code"]): g for g in stats["groups"]}
        assert set(groups) == {("PACC-R2", "23"), ("PACC-R2", "20")}  # PACC-R1 is not the supervisor's
        trat = groups[("PACC-R2", "23")]
        assert trat["province"]["name_en"] == "Trat" and trat["total"] == 2
        assert trat["by_status"]["acknowledged"] == 1 and trat["by_status"]["closed"] == 1
        assert trat["by_category"] == {"bribery": 1, "procurement": 1}
        assert sum(trat["by_month"].values()) == 2
        assert trat["time_to_acknowledge_hours"]["count"] == 2
        assert trat["time_to_acknowledge_hours"]["median"] == 20.0
        assert trat["time_to_acknowledge_hours"]["p90"] == 30.0
        assert trat["time_to_close_days"]["count"] == 1
        assert 1.2 < trat["time_to_close_days"]["median"] < 1.3
        assert groups[("PACC-R2", "20")]["overdue"] == {"acknowledge": 1, "feedback": 0, "total": 1}
        assert stats["totals"]["total"] == 3 and stats["totals"]["overdue"]["total"] == 1

        only_trat = sup.get("/api/v1/stats", params={"province": "23"}).json()
        assert [g["province"]["code"] for g in only_trat["groups"]] == ["23"]
        assert sup.get("/api/v1/stats", params={"province": "Trat"}).status_code == 400

        agency = admin.get("/api/v1/stats").json()
        assert agency["totals"]["total"] == 4
        response = admin.get("/api/v1/stats.csv")
        assert response.headers["Content-Type"].startswith("text/csv")
        assert response.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert {r["office_code"] for r in rows} == {"PACC-R1", "PACC-R2"}
        assert {"status", "category", "month", "overdue", "time_to_acknowledge_hours", "total"} <= {
            r["measure"] for r in rows}
        trat_total = [r for r in rows if r["province_code"] == "23" and r["measure"] == "total"]
        assert trat_total[0]["value"] == "2" and trat_total[0]["province_name_th"] == "ตราด"
        for row in rows:  # never a case's content
            assert "รายละเอียดลับ" not in str(row) and "SS-STAT" not in str(row)
