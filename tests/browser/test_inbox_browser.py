"""The inbox in a real browser against the real transport: every service in its own process on RabbitMQ +
PostgreSQL (a fresh vhost and database), 30 varied Thai tips filed through intake's API, a supervisor's account
made with `sodsong users add`, and Chromium (tests/browser/inbox_journey.py, a subprocess) at 1366×768: 25 rows on
one screen, search by a Thai word, by reference and by accused organisation, sorting, a saved view, a bulk
acknowledgement and the CSV export.

Screenshots go to a temporary directory (SODSONG_SCREENSHOTS to keep them somewhere else).
"""
import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from tests.support.deployment import Deployment
from tests.support.processes import cli
from tests.support.tips import tip

CHROMIUM = Path("/usr/bin/chromium")
FLOW = Path(__file__).with_name("inbox_journey.py")
PASSWORD = "รหัสผ่าน-กล่องเรื่อง-2569-ยาวพอ"
# (category, official type, position, organisation, description): all in Trat, all for PACC Region 2
TIPS = [
    ("bribery", "state_official", "เจ้าพนักงานที่ดิน", "สำนักงานที่ดินจังหวัดตราด",
     "เจ้าหน้าที่ที่ดินเรียกรับเงิน 5,000 บาทเพื่อเร่งออกโฉนดให้ชาวบ้าน"),
    ("bribery", "state_official", "นักวิชาการที่ดิน", "สำนักงานที่ดินจังหวัดตราด สาขาเขาสมิง",
     "ขอเงินค่าดำเนินการรังวัดที่ดินนอกระบบ บอกว่าถ้าไม่จ่ายโฉนดจะล่าช้าไปอีกหลายเดือน"),
    ("land_encroachment", "state_official", "หัวหน้าอุทยาน", "อุทยานแห่งชาติหมู่เกาะช้าง",
     "ปล่อยให้นายทุนสร้างรีสอร์ตรุกล้ำเขตอุทยานบนเกาะช้าง แลกกับเงินรายเดือน"),
    ("bribery", "police_officer", "สารวัตรจราจร", "สถานีตำรวจภูธรเมืองตราด",
     "ตำรวจจราจรตั้งด่านเรียกเก็บเงินจากแรงงานต่างด้าวที่ขับรถจักรยานยนต์ คนละ 500 บาท"),
    ("bribery", "police_officer", "ผู้กำกับการ", "สถานีตำรวจภูธรคลองใหญ่",
     "เรียกรับส่วยจากบ่อนการพนันริมชายแดนคลองใหญ่ทุกเดือน"),
    ("procurement", "state_official", "หัวหน้าเจ้าหน้าที่พัสดุ", "โรงพยาบาลตราด",
     "จัดซื้อเครื่องมือแพทย์ราคาสูงกว่าท้องตลาดเกือบเท่าตัว โดยกำหนดสเปกให้ตรงกับบริษัทเดียว"),
    ("procurement", "state_official", "ผู้อำนวยการโรงเรียน", "โรงเรียนบ้านแหลมงอบ",
     "จัดซื้อโต๊ะเก้าอี้นักเรียนจากร้านของญาติ ราคาแพงแต่คุณภาพต่ำ"),
    ("embezzlement", "kamnan_village_head", "ผู้ใหญ่บ้าน", "หมู่ 4 ตำบลแหลมกลัด",
     "ผู้ใหญ่บ้านยักยอกเงินกองทุนหมู่บ้าน 200,000 บาทไปใช้ส่วนตัว"),
    ("embezzlement", "kamnan_village_head", "กำนัน", "ตำบลท่าพริก",
     "กำนันเก็บเงินค่าน้ำประปาหมู่บ้านแล้วไม่นำส่ง ชาวบ้านถูกตัดน้ำ"),
    ("abuse_of_power", "state_official", "ปลัดอำเภอ", "ที่ว่าการอำเภอเมืองตราด",
     "ปลัดอำเภอใช้อำนาจข่มขู่ชาวบ้านให้ยอมขายที่ดินให้นายทุนในราคาถูก"),
    ("bribery", "state_official", "เจ้าหน้าที่ศุลกากร", "ด่านศุลกากรคลองใหญ่",
     "เรียกเงินใต้โต๊ะเพื่อปล่อยสินค้าผ่านด่านโดยไม่ตรวจ"),
    ("budget_misuse", "state_official", "ผู้อำนวยการ", "สำนักงานเกษตรจังหวัดตราด",
     "เบิกค่าอบรมเกษตรกรแต่ไม่มีการอบรมจริง ใช้รายชื่อเกษตรกรปลอม"),
    ("bribery", "state_official", "เจ้าหน้าที่ขนส่ง", "สำนักงานขนส่งจังหวัดตราด",
     "รับเงินเพื่อออกใบขับขี่โดยไม่ต้องสอบ คนละ 3,000 บาท"),
    ("procurement", "state_official", "วิศวกรโยธา", "แขวงทางหลวงตราด",
     "ถนนที่เพิ่งสร้างเสร็จพังภายในสามเดือน ผู้รับเหมาใช้ยางมะตอยไม่ครบตามสัญญา"),
    ("abuse_of_power", "police_officer", "รองสารวัตรสืบสวน", "สถานีตำรวจภูธรเขาสมิง",
     "จับกุมชาวบ้านโดยไม่มีหมายแล้วเรียกเงินประกันตัวนอกระบบ"),
    ("embezzlement", "state_official", "เจ้าหน้าที่การเงิน", "สำนักงานสาธารณสุขจังหวัดตราด",
     "ปลอมลายมือชื่อเบิกเงินค่าตอบแทน อสม. ไปเข้าบัญชีตัวเอง"),
    ("bribery", "state_official", "สรรพากรพื้นที่สาขา", "สำนักงานสรรพากรพื้นที่ตราด",
     "เรียกรับเงินเพื่อลดยอดภาษีที่ต้องชำระให้ร้านค้าในตัวเมือง"),
    ("land_encroachment", "state_official", "เจ้าหน้าที่ป่าไม้", "หน่วยป้องกันรักษาป่า ตร.5",
     "รับเงินแล้วปล่อยให้มีการบุกรุกป่าชายเลนเพื่อทำบ่อกุ้ง"),
    ("procurement", "state_official", "หัวหน้าสำนักปลัด", "สำนักงานจังหวัดตราด",
     "Contract for flood barriers went to a company owned by the official's brother-in-law"),
    ("bribery", "military_officer", "นายทหารประจำด่าน", "หน่วยเฉพาะกิจบูรพา",
     "เรียกเงินจากเรือประมงที่ผ่านด่านตรวจชายแดนทางทะเล"),
    ("budget_misuse", "state_official", "ผู้อำนวยการ", "วิทยาลัยเทคนิคตราด",
     "ใช้งบซ่อมแซมอาคารเรียนไปจัดงานเลี้ยงส่วนตัว"),
    ("bribery", "soe_employee", "พนักงานการไฟฟ้า", "การไฟฟ้าส่วนภูมิภาคจังหวัดตราด",
     "เรียกเงินเพื่อติดตั้งมิเตอร์ไฟฟ้าให้เร็วขึ้น บ้านละ 2,000 บาท"),
    ("abuse_of_power", "state_official", "นายตรวจประมง", "สำนักงานประมงจังหวัดตราด",
     "ยึดอุปกรณ์ประมงของชาวบ้านโดยไม่มีเหตุ แล้วให้ไปไถ่คืนด้วยเงินสด"),
    ("embezzlement", "university_staff", "เจ้าหน้าที่พัสดุ", "มหาวิทยาลัยราชภัฏรำไพพรรณี วิทยาเขตตราด",
     "นำครุภัณฑ์คอมพิวเตอร์ของมหาวิทยาลัยไปขายต่อ"),
    ("bribery", "state_official", "เจ้าหน้าที่ตรวจคนเข้าเมือง", "ด่านตรวจคนเข้าเมืองหาดเล็ก",
     "เก็บเงินพิเศษจากนักท่องเที่ยวกัมพูชาเพื่อประทับตราเร็ว"),
    ("procurement", "state_official", "ผู้อำนวยการกอง", "สำนักงานโยธาธิการและผังเมืองจังหวัดตราด",
     "ฮั้วประมูลก่อสร้างเขื่อนกันคลื่น มีผู้เสนอราคารายเดียว"),
    ("bribery", "state_official", "เจ้าหน้าที่ที่ดิน", "สำนักงานที่ดินจังหวัดตราด สาขาแหลมงอบ",
     "Officer asked for money to speed up the land title deed for my family"),
    ("abuse_of_power", "state_official", "ครูใหญ่", "โรงเรียนวัดสะพานหิน",
     "ครูใหญ่บังคับให้ผู้ปกครองจ่ายค่าแป๊ะเจี๊ยะก่อนรับนักเรียนเข้าเรียน"),
    ("budget_misuse", "state_official", "หัวหน้าฝ่ายบริหาร", "สำนักงานพัฒนาชุมชนจังหวัดตราด",
     "นำรถยนต์ของทางราชการไปใช้ขนผลไม้ของครอบครัวทุกสัปดาห์"),
    ("bribery", "state_official", "นักวิชาการสิ่งแวดล้อม", "สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัดตราด",
     "รับเงินจากโรงงานเพื่อไม่ตรวจการปล่อยน้ำเสียลงคลอง"),
]


def _tip(category, official_type, position, organisation, description):
    return tip(category=category, description=description,
               accused={"official_type": official_type, "position": position, "organization": organisation})


def test_a_supervisor_finds_sorts_saves_acknowledges_and_exports_in_the_inbox(tmp_path):
    assert CHROMIUM.exists(), "headless Chromium is needed: apt-get install -y chromium"
    where = os.environ.get("SODSONG_SCREENSHOTS")
    shots = Path(where) if where else tmp_path / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        dep = Deployment("real", tmp_path / "server", stack,
                         extra_env={"SODSONG__intake__filing_limit__tips": "100"})
        dep.start()
        cli(dep.env, "users", "add", "--username", "supat", "--office", "PACC-R2", "--role", "supervisor",
            "--display-name", "สุภัทร หัวหน้าดี", input_text=PASSWORD + "\n")
        filed = []
        for item in TIPS:
            r = dep.intake.submit(_tip(*item))
            assert r.status_code == 201, r.text
            filed.append((r.json()["reference"], r.json()["receipt"]))
        for _, receipt in filed:
            dep.wait_status(receipt, lambda s: s["status"] == "received", timeout=60)
        references = [ref for ref, _ in filed]
        plan = {"desk": f"http://127.0.0.1:{dep.casework_port}", "username": "supat", "password": PASSWORD,
                "thai_word": "โฉนด", "reference": references[12], "organisation": "สถานีตำรวจภูธรคลองใหญ่",
                "view_word": "ที่ดิน", "view_name": "เรื่องที่ดิน", "bulk_reason": "รับเรื่องไว้ตรวจสอบแล้ว"}
        run = subprocess.run([sys.executable, str(FLOW), str(shots)], input=json.dumps(plan),
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"inbox journey failed:\n{run.stderr[-4000:]}\n{dep.logs()}"
    seen = json.loads(run.stdout.strip().splitlines()[-1])

    assert seen["console_errors"] == [] and seen["external_requests"] == [] and seen["failed_responses"] == []
    assert seen["total"] == 30 and seen["rows"] == 25
    assert seen["rows_on_screen"] == 25, seen["row_heights"]  # 25 cases on one 1366×768 screen
    assert seen["filter_form_height"] < 48  # the filters on one row
    assert seen["sorted_by"] == "sort-due"
    assert all(c.startswith(("อีก", "ครบกำหนด")) for c in seen["countdowns"]), seen["countdowns"]
    # search: a Thai word inside unsegmented text, the reference, the accused organisation
    by_word = {references[i] for i, t in enumerate(TIPS) if "โฉนด" in t[4]}
    assert set(seen["thai_word"]) == by_word and len(by_word) == 2
    assert seen["reference"] == [references[12]]
    assert seen["organisation"] == [references[4]]
    assert seen["sorted_ascending"] == sorted(references)[:25]
    assert seen["sorted_descending"] == sorted(references, reverse=True)[:25]
    assert "sort=-reference" in seen["sort_url"]
    # the saved view finds the same cases when opened again
    land = {references[i] for i, t in enumerate(TIPS) if "ที่ดิน" in (t[3] + t[4] + t[2])}
    assert set(seen["view_results"]) == land and len(land) >= 4
    assert seen["view_notice"].startswith("บันทึกมุมมองแล้ว")
    assert set(seen["view_reopened"]) == land
    # one reason, every selected case acknowledged through the single-case rules
    assert seen["bulk_notice"].startswith(f"ตอบรับแล้ว {len(land)} เรื่อง")
    assert all(s.startswith("ตอบรับเรื่องแล้ว") for s in seen["statuses_after_bulk"]), seen["statuses_after_bulk"]
    # the language switch keeps the page, its query string and its filters; every word in English, then Thai again
    lang = seen["language"]
    assert lang["url_after_switch"] == lang["thai_url"] and "category=bribery" in lang["url_after_switch"]
    assert lang["html_lang"] == "en" and lang["heading"].startswith("Inbox") and lang["switch_label"] == "ภาษาไทย"
    assert lang["category_selected"] == "bribery" and lang["show_selected"] == "all"
    assert lang["rows"] == lang["thai_rows"] and len(lang["rows"]) == sum(t[0] == "bribery" for t in TIPS)
    assert all(s in ("New", "Acknowledged") for s in lang["statuses"]), lang["statuses"]
    assert "Statistics" in lang["nav"] and "สถิติ" not in lang["nav"] and "PACC-R2" not in lang["nav"]
    assert lang["case_html_lang"] == "en" and "Bribery" in lang["case_facts"]
    assert lang["case_back_in_thai"] == "th" and "/cases/SS-" in lang["case_url_kept"]
    assert lang["thai_heading"].startswith("กล่องเรื่อง")
    # the export: a byte-order mark, every case the filter shows, the summary for a supervisor
    assert seen["csv_bom"] and seen["csv_rows"] == 30 and "Summary" in seen["csv_header"]
    for name in seen["screenshots"]:
        assert (shots / name).stat().st_size > 10_000
