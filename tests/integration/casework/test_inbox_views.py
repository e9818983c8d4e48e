"""The inbox over HTTP (memory transport + SQLite): open cases by default, sorting, search through the blind
index (words, accused organisation, reference), saved views, bulk acknowledgement through the single-case use
case, the CSV export (content only for roles that read content), and any valid query answered with 200."""
import csv
import io
import json
import re
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.casework.domain import inbox
from services.casework.domain.lifecycle import STATES
from shared.vocabulary import CATEGORIES
from tests.integration.casework.conftest import Desk, add_user, desk_for, desk_running, open_case_saying, outbox
from tests.support.inprocess import db

TIPS = {
    "SS-INB0-0001": ("เจ้าหน้าที่ที่ดินเรียกรับเงินเพื่อเร่งออกโฉนด", "สำนักงานที่ดินจังหวัดตราด", "bribery"),
    "SS-INB0-0002": ("ตำรวจทางหลวงเรียกเงินจากรถบรรทุก", "กองบังคับการตำรวจทางหลวง", "bribery"),
    "SS-INB0-0003": ("Road built with half the asphalt in the contract", "องค์การบริหารส่วนตำบลหนองบัว",
                     "procurement"),
}


def _open(cfg, reference, description, organisation, category):
    open_case_saying(cfg, reference, description, organisation, category=category)


def _refs(html: str) -> list[str]:
    return re.findall(r'class="ref">(SS-[A-Z0-9-]+)<', html)


def test_the_inbox_finds_sorts_saves_acts_and_exports(memory_cfg):
    cfg = memory_cfg
    for reference, (description, organisation, category) in TIPS.items():
        _open(cfg, reference, description, organisation, category)
    add_user(cfg, "somchai", "caseworker", display_name="สมชาย ใจดี")
    with desk_running(cfg) as (_, base):
        sup = desk_for(base, cfg, "supat", "supervisor")
        auditor = desk_for(base, cfg, "aud", "auditor", "PACC")
        web = Desk(base)
        assert web.web_sign_in("supat").status_code == 303
        # close one: the inbox shows open cases unless asked
        assert sup.post("/api/v1/cases/SS-INB0-0003/transitions",
                        {"to": "closed", "reason": "ไม่มีมูล", "resolution": "not_competent",
                         "tipster_reason": "ไม่อยู่ในอำนาจ"}).status_code in (200, 202)
        page = web.http.get(base + "/cases", timeout=30).text
        assert sorted(_refs(page)) == ["SS-INB0-0001", "SS-INB0-0002"]
        assert "เรียกรับเงินเพื่อเร่งออกโฉนด" in page and "สำนักงานที่ดินจังหวัดตราด" in page
        assert "อีก 7 วัน" in page or "อีก 6 วัน" in page
        assert sorted(_refs(web.http.get(base + "/cases?show=all", timeout=30).text)) == sorted(TIPS)
        # search: a Thai word, the accused organisation, an English word, a reference prefix
        for q, expected in (("โฉนด", ["SS-INB0-0001"]), ("ตำรวจทางหลวง", ["SS-INB0-0002"]),
                            ("asphalt", ["SS-INB0-0003"]), ("SS-INB0-000", sorted(TIPS))):
            found = sup.get("/api/v1/cases", params={"q": q}).json()["items"]
            assert sorted(c["reference"] for c in found) == expected, q
        # sort by reference, both ways
        asc = _refs(web.http.get(base + "/cases?show=all&sort=reference", timeout=30).text)
        desc = _refs(web.http.get(base + "/cases?show=all&sort=-reference", timeout=30).text)
        assert asc == sorted(TIPS) and desc == sorted(TIPS, reverse=True)
        assert web.http.get(base + "/cases?sort=facts_json", timeout=30).status_code == 400
        # a saved view, per user
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        r = web.form("/cases/views", {"name": "โฉนด", "query": "q=โฉนด&sort=-opened&page=4"}, csrf)
        assert r.status_code == 303 and "ok=inbox.view_saved" in r.headers["Location"]
        listed = web.http.get(base + "/cases", timeout=30).text
        assert 'href="/cases?q=%E0%B9%82%E0%B8%89%E0%B8%99%E0%B8%94&amp;sort=-opened"' in listed
        # bulk acknowledgement: each case through the single-case use case, with its reason and events
        r = web.http.post(base + "/cases/bulk", data=[("csrf", csrf), ("action", "acknowledge"),
                                                      ("reason", "รับเรื่องไว้พิจารณา"), ("ref", "SS-INB0-0001"),
                                                      ("ref", "SS-INB0-0002"), ("ref", "SS-INB0-0003"),
                                                      ("query", "show=all")], allow_redirects=False, timeout=30)
        assert r.status_code == 303
        after = web.http.get(base + r.headers["Location"], timeout=30).text
        assert "ตอบรับแล้ว 2 เรื่อง" in after and "ทำไม่ได้ 1 เรื่อง" in after and "SS-INB0-0003" in after
        moved = [e["payload"] for e in outbox(cfg, "case.status_changed")
                 if e["payload"]["to_status"] == "acknowledged"]
        assert sorted(p["reference"] for p in moved) == ["SS-INB0-0001", "SS-INB0-0002"]
        r = web.http.post(base + "/cases/bulk", data={"csrf": csrf, "action": "acknowledge", "reason": ""},
                          allow_redirects=False, timeout=30)
        assert "error=inbox.bulk_none_selected" in r.headers["Location"]
        # the export: content for the supervisor (each case recorded as read), none for the auditor
        export = web.http.get(base + "/cases.csv?show=all&sort=reference", timeout=30)
        assert export.content.startswith("\ufeff".encode()) and export.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
        assert [r[0] for r in rows[1:]] == sorted(TIPS) and "เรื่องโดยย่อ / Summary" in rows[0]
        assert any("โฉนด" in cell for cell in rows[1])
        viewed = [e["payload"] for e in outbox(cfg, "case.viewed") if e["payload"]["view"] == "export"]
        assert len(viewed) == 3
        auditor_web = Desk(base)
        assert auditor_web.web_sign_in("aud").status_code == 303
        audit_page = auditor_web.http.get(base + "/cases?show=all&sort=office", timeout=30)
        assert audit_page.status_code == 200 and sorted(_refs(audit_page.text)) == sorted(TIPS)
        assert "โฉนด" not in audit_page.text and 'name="ref"' not in audit_page.text
        audit_csv = auditor.get("/api/v1/cases.csv", params={"show": "all"})
        assert audit_csv.status_code == 200
        assert "โฉนด" not in audit_csv.content.decode("utf-8-sig")
        assert "Summary" not in audit_csv.content.decode("utf-8-sig").splitlines()[0]

        # any query a script may send is answered (200), never a server error
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.fixed_dictionaries({}, optional={
            "q": st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60)
            | st.sampled_from(["โฉนด", "SS-INB0", "ที่ดิน ตราด", "asphalt", "ss-inb0-0001"]),
            "sort": st.sampled_from(inbox.SORTS + tuple("-" + k for k in inbox.SORTS)),
            "show": st.sampled_from(inbox.SHOW),
            "status": st.sampled_from(STATES),
            "category": st.sampled_from(tuple(CATEGORIES)),
            "overdue": st.sampled_from(["true", "false"]),
            "assignee": st.sampled_from(["me", "none", "somchai", "nobody"]),
            "page": st.integers(1, 5).map(str),
            "per_page": st.integers(1, 100).map(str),
        }))
        def answered(params):
            assert sup.get("/api/v1/cases?" + urlencode(params)).status_code == 200
            assert web.http.get(base + "/cases?" + urlencode(params), timeout=30).status_code == 200

        answered()
