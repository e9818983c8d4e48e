"""Counts and reports in a real browser against the real transport: every service in its own process on RabbitMQ +
PostgreSQL, 23 Thai tips filed through intake's API (20 in a Trat volunteer network's area, some by its
volunteers, one elsewhere in Trat, two in Chanthaburi), some acknowledged and closed by a supervisor, and Chromium
(tests/browser/network_journey.py, a subprocess) walking the coordinator's network view and its exports, the
public statistics on a phone in Thai and English, the desk's statistics at 1366×768 and the access log as an
auditor. Every count below 5 must read "<5" everywhere, on the pages and in the exports.

Screenshots go to a temporary directory (SODSONG_SCREENSHOTS to keep them somewhere else).
"""
import json
import os
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from tests.support import axe
from tests.support.deployment import Deployment
from tests.support.processes import cli
from tests.support.tips import tip

CHROMIUM = Path("/usr/bin/chromium")
FLOW = Path(__file__).with_name("network_journey.py")
ACCOUNTS = {  # username: (office, role, display name)
    "supat": ("PACC-R2", "supervisor", "สุภัทร หัวหน้าดี"),
    "audit-pacc": ("PACC-R2", "auditor", "อรวรรณ ผู้ตรวจสอบ"),
    "coord-trat": ("PACC-R2", "coordinator", "สมหญิง ประสานงานตราด"),
}
PASSWORDS = {name: f"รหัสผ่าน-{name}-2569-ยาวพอ" for name in ACCOUNTS}
NETWORK = {"strong-trat": {"name_th": "เครือข่าย STRONG ตราด", "name_en": "STRONG Trat network",
                           "areas": ["2301", "230201", "230202", "2305"], "coordinators": ["coord-trat"]}}
VOLUNTEERS = {"vol-trat-1": "230101,230102,230105", "vol-trat-2": "230201,230501"}
# (subdistrict, category, description, volunteer): 20 in the network's area
AREA_TIPS = [
    ("230101", "bribery", "เจ้าหน้าที่ที่ดินเรียกรับเงิน 5,000 บาทเพื่อเร่งออกโฉนด", "vol-trat-1"),
    ("230101", "bribery", "ตำรวจจราจรเรียกเงินใต้โต๊ะจากรถบรรทุกผลไม้ที่ด่านบางพระ", "vol-trat-1"),
    ("230101", "procurement", "อบต.บางพระจัดซื้อโคมไฟถนนราคาสูงกว่าท้องตลาดสามเท่า", None),
    ("230101", "embezzlement", "ผู้ใหญ่บ้านเก็บเงินค่าน้ำประปาหมู่บ้านแล้วไม่นำส่งกองทุน", "vol-trat-1"),
    ("230101", "abuse_of_power", "เจ้าหน้าที่ปฏิเสธออกใบอนุญาตเพราะไม่จ่ายค่าดำเนินการพิเศษ", None),
    ("230101", "budget_misuse", "นำรถราชการไปใช้ขนของส่วนตัวในวันหยุด", None),
    ("230101", "bribery", "ครูใหญ่เรียกเงินแป๊ะเจี๊ยะเพื่อรับนักเรียนเข้าเรียน", "vol-trat-1"),
    ("230102", "procurement", "การประมูลสร้างถนนลูกรังในตำบลหนองเสม็ดมีผู้เสนอราคารายเดียว", "vol-trat-1"),
    ("230102", "land_encroachment", "มีการออกเอกสารสิทธิทับที่ป่าชายเลน", None),
    ("230102", "bribery", "เจ้าหน้าที่ขนส่งเรียกเงินเพิ่มเพื่อให้สอบใบขับขี่ผ่าน", None),
    ("230105", "embezzlement", "เงินช่วยเหลือผู้ประสบภัยน้ำท่วมไม่ถึงมือชาวบ้านครบ", "vol-trat-1"),
    ("230105", "abuse_of_power", "ปลัดอำเภอใช้อำนาจข่มขู่ชาวบ้านให้ถอนคำร้อง", None),
    ("230201", "bribery", "เจ้าหน้าที่ด่านศุลกากรคลองใหญ่เรียกรับเงินเพื่อปล่อยสินค้า", "vol-trat-2"),
    ("230201", "bribery", "ตำรวจเรียกเงินจากแรงงานข้ามชาติที่ตลาดคลองใหญ่", "vol-trat-2"),
    ("230201", "procurement", "จัดซื้อเรือตรวจการณ์โดยกำหนดคุณสมบัติให้ผู้ขายรายเดียว", None),
    ("230201", "budget_misuse", "ใช้งบประชาสัมพันธ์จัดเลี้ยงส่วนตัว", None),
    ("230201", "embezzlement", "เจ้าหน้าที่การเงินเทศบาลยักยอกเงินค่าธรรมเนียม", "vol-trat-2"),
    ("230501", "land_encroachment", "รีสอร์ตบุกรุกที่สาธารณะริมทะเลแหลมงอบ", "vol-trat-2"),
    ("230501", "bribery", "เจ้าหน้าที่ประมงเรียกรับเงินจากเรือประมงพื้นบ้าน", "vol-trat-2"),
    (None, "abuse_of_power", "เจ้าหน้าที่เทศบาลเมืองตราดออกคำสั่งย้ายโดยกลั่นแกล้ง", None),
]
OTHER_TIPS = [("23", "2307", "230701"), ("22", "2201", "220101"), ("22", "2201", "220102")]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    assert CHROMIUM.exists(), "headless Chromium is needed: apt-get install -y chromium"
    with ExitStack() as stack:
        dep = Deployment("real", tmp_path_factory.mktemp("network"), stack,
                         extra_env={"SODSONG__casework__networks": json.dumps(NETWORK, ensure_ascii=False)})
        dep.start()
        for username, (office, role, display) in ACCOUNTS.items():
            cli(dep.env, "users", "add", "--username", username, "--office", office, "--role", role,
                "--display-name", display, input_text=PASSWORDS[username] + "\n")
        yield dep


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    where = os.environ.get("SODSONG_SCREENSHOTS")
    path = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _volunteers(dep) -> dict:
    tokens = {}
    for vid, area in VOLUNTEERS.items():
        tokens[vid] = cli(dep.env, "volunteers", "add", "--id", vid, "--network", "STRONG Trat",
                          "--subdistricts", area).stdout.strip().splitlines()[-1]
    # a desk account for the first, so the coordinator sees a name (casework hears of the volunteer by event)
    deadline = time.monotonic() + 30
    while cli(dep.env, "users", "add", "--username", "mali-vol", "--office", "PACC-R2", "--role", "volunteer",
              "--volunteer-id", "vol-trat-1", "--display-name", "มะลิ อาสาตราด", check=False,
              input_text="รหัสผ่าน-อาสาสมัคร-2569-ยาวพอ\n").returncode != 0:
        assert time.monotonic() < deadline, "casework never heard of the volunteer"
        time.sleep(0.5)
    return tokens


def _file_all(dep, tokens) -> list[tuple[str, str]]:
    filed = []
    for sub, category, text, volunteer in AREA_TIPS:
        location = ({"province_code": "23", "district_code": sub[:4], "subdistrict_code": sub} if sub
                    else {"province_code": "23", "district_code": "2301"})
        headers = {"Authorization": f"Bearer {tokens[volunteer]}"} if volunteer else {}
        r = dep.intake.submit(tip(category=category, description=text, location=location), headers=headers)
        assert r.status_code == 201, r.text
        filed.append((r.json()["reference"], r.json()["receipt"]))
    for province, district, sub in OTHER_TIPS:
        r = dep.intake.submit(tip(description="นายกเทศมนตรีรับเงินจากผู้รับเหมาก่อสร้างอาคาร",
                                  location={"province_code": province, "district_code": district,
                                            "subdistrict_code": sub}))
        assert r.status_code == 201, r.text
        filed.append((r.json()["reference"], r.json()["receipt"]))
    for _, receipt in filed:
        dep.wait_status(receipt, lambda s: s["status"] in ("received", "triage"), timeout=60)
    return filed


def _work_cases(dep, filed) -> str:
    """The PACC-R2 supervisor acknowledges eight of its cases, reads them, and closes two."""
    desk = f"http://127.0.0.1:{dep.casework_port}"
    token = requests.post(f"{desk}/api/v1/session", json={"username": "supat", "password": PASSWORDS["supat"]},
                          timeout=30).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    mine = {c["reference"] for c in requests.get(f"{desk}/api/v1/cases", headers=auth, timeout=30).json()["items"]}
    ours = [(ref, receipt) for ref, receipt in filed if ref in mine][:8]
    assert len(ours) >= 6, f"only {len(ours)} of the tips reached PACC-R2"
    for ref, _ in ours:
        assert requests.get(f"{desk}/api/v1/cases/{ref}", headers=auth, timeout=30).status_code == 200
        r = requests.post(f"{desk}/api/v1/cases/{ref}/transitions", headers=auth, timeout=30,
                          json={"to": "acknowledged", "reason": "รับเรื่องไว้พิจารณา"})
        assert r.status_code == 200, r.text
    for ref, _ in ours[:2]:
        r = requests.post(f"{desk}/api/v1/cases/{ref}/transitions", headers=auth, timeout=30,
                          json={"to": "closed", "reason": "ตรวจสอบแล้ว", "resolution": "unsubstantiated",
                                "tipster_reason": "ตรวจสอบแล้วไม่พบการกระทำตามที่แจ้ง"})
        assert r.status_code == 200, r.text
    for i, (_, receipt) in enumerate(ours):
        dep.wait_status(receipt, lambda s, i=i: s["status"] == ("closed" if i < 2 else "acknowledged"), timeout=60)
    return ours[0][0]


def test_coordinator_public_desk_and_auditor_see_counts_not_tips(deployment, shots):
    dep = deployment
    tokens = _volunteers(dep)
    filed = _file_all(dep, tokens)
    first = _work_cases(dep, filed)
    plan = {"desk": f"http://127.0.0.1:{dep.casework_port}", "intake": f"http://127.0.0.1:{dep.intake_port}",
            "passwords": PASSWORDS, "coordinator": "coord-trat", "supervisor": "supat", "auditor": "audit-pacc",
            "reference": first}
    run = subprocess.run([sys.executable, str(FLOW), str(shots)], input=json.dumps(plan), capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, f"journey failed:\n{run.stderr[-4000:]}\n{dep.logs()}"
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    (shots / "network-journey-seen.json").write_text(json.dumps(seen, ensure_ascii=False, indent=1))
    # the one refusal: a coordinator has no office statistics
    assert seen["failed_responses"] == [f"403 {plan['desk']}/stats"] and seen["external_requests"] == []
    for name in seen["screenshots"]:
        assert (shots / name).stat().st_size > 10_000

    # the coordinator: the network's 20 tips, by subdistrict; small counts suppressed on the page and in exports
    c = seen["coordinator"]
    assert c["inbox_redirects_to"].endswith("/network") and "เครือข่าย" in c["nav"]
    # 20 tips, shown as at least what the volunteer list adds up to (6 + 5 + 9): an exact 20 would say that the
    # volunteers of other areas filed exactly none (their row is "<5")
    assert c["total"] == "≥20"
    assert "บางพระ" in c["places"] and "ไม่ระบุตำบล" in c["places"]  # one language to a page: Thai here
    assert "Bang Phra" in json.dumps(c["json"], ensure_ascii=False)  # the English names are in the data
    assert c["overflow"] == 0
    view = c["json"]
    places = {p["code"]: p for p in view["places"]}
    # all of Bang Phra's 7 are this month: its total would say the other eleven months are exactly 0
    assert places["230101"]["total"] == "≥7" and places["230201"]["total"] == "≥5"
    assert places["230102"]["total"] == "<5" and places["230105"]["total"] == "<5"
    assert places["unspecified"]["total"] == "<5" and places["230103"]["total"] == "<5"  # 0 is hidden too
    month = view["months"][-1]["key"]
    assert places["230101"]["by_month"][month] == 7 and places["230102"]["by_month"][month] == "<5"
    states = {s["state"]: s["count"] for s in view["states"]}
    assert states["acknowledged"] in (6, "<5") and states["closed"] == "<5" and states["received"] >= 10
    volunteers = {v["id"]: v for v in view["volunteers"]}
    assert volunteers["vol-trat-1"]["tips"] == 6 and volunteers["vol-trat-1"]["name"] == "มะลิ อาสาตราด"
    assert volunteers["vol-trat-2"]["tips"] == 5 and view["filed_without_volunteer"] == 9
    assert c["csv_bom"] and "place_month,230101" in c["csv"] and ",<5" in c["csv"]
    for text in ("เจ้าหน้าที่ที่ดิน", "SS-", "PACC-R2"):  # no content, reference or office anywhere
        assert text not in c["csv"] and text not in json.dumps(view, ensure_ascii=False)
    assert c["stats_heading"].startswith("เปิดหน้านี้ไม่ได้")  # no statistics of offices for a coordinator (a 403)

    # the public page: Trat's 21, everything below 5 hidden, in Thai and in English
    pub = seen["public"]
    assert pub["th"]["overflow"] == 0 and pub["en"]["overflow"] == 0 and pub["en"]["html_lang"] == "en"
    assert "น้อยกว่า 5" in pub["th"]["text"] and "fewer than 5" in pub["en"]["text"]
    assert "ตราด" in pub["th"]["text"] and "Trat" in pub["en"]["text"]
    # all 23 were filed this month: the total would say every other month had exactly 0
    assert pub["th"]["total"] == "≥23" and pub["en"]["total"] == "≥23"
    assert pub["csv_bom"] and "province,23,ตราด,Trat,21" in pub["csv"]
    assert "province,22,จันทบุรี,Chanthaburi,<5" in pub["csv"]
    # axe-core (WCAG 2.2 A/AA): no serious or critical violation on the public page, Thai and English
    print(axe.table(seen["axe"]))
    assert [r["page"] for r in seen["axe"]] == ["public-statistics-th", "public-statistics-en"]
    assert {r["page"]: axe.serious(r) for r in seen["axe"] if axe.serious(r)} == {}

    # the desk: labels, not codes; nothing wider than 1366; the wide CSV has the months as columns
    d = seen["desk"]
    assert d["overflow"] == 0
    assert "สินบน" in d["text"] and "bribery" not in d["text"] and "state_official" not in d["text"]
    assert d["wide_bom"] and d["wide_csv"].splitlines()[0].startswith("row,code,name_th,name_en,province_code,")
    assert any(line.startswith("category,bribery,") for line in d["wide_csv"].splitlines())

    # the auditor: names, roles and what was read, filtered by case and by user
    a = seen["auditor"]
    assert a["rows"] >= 8 and a["overflow"] == 0
    assert first in a["by_case"] and "สุภัทร หัวหน้าดี" in a["by_case"] and "หัวหน้างาน" in a["by_case"]
    assert "อ่านเรื่องทั้งหมด" in a["by_case"]
    assert a["by_user_rows"] >= 8 and "อรวรรณ" not in a["by_user"]
