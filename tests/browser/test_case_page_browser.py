"""The desk's case page in headless Chromium against RabbitMQ + PostgreSQL (a process per service): a realistic
Thai tip worked from acknowledgement to an approved closure through the page's focused forms, a reply template
inserted, people picked by name; every action answered with a message saying what happened, at its part of the
page; no raw code on any case page; the page measured at 1366×768."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from services.casework.domain import wording
from shared.vocabulary import CATEGORIES, OFFICIAL_TYPES
from tests.integration.intake.helpers import jpeg_with_gps
from tests.support.deployment import Deployment
from tests.support.processes import cli

CHROMIUM = Path("/usr/bin/chromium")
FLOW = Path(__file__).with_name("case_page_journey.py")
PASSWORD = "รหัสผ่าน-หน้าเรื่อง-2569"
MAX_HEIGHT = 2000  # the page was 2,600–3,100 px tall with every form open and the timeline last


def raw_codes_in(text: str) -> list[str]:
    found = [c for c in wording.raw_codes() if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]
    found += re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)  # a user id
    found += re.findall(r"\b\d{4,}\.\d\d\b", text)  # an amount as stored (20000.00)
    found += re.findall(r"\b(?:received|acknowledged|under_review|investigating|closed)\s*→", text)
    return found


@pytest.fixture
def deployment(tmp_path):
    with ExitStack() as stack:
        yield Deployment("real", tmp_path / "server", stack)


def test_a_case_worked_from_the_case_page(deployment, tmp_path):
    assert CHROMIUM.exists(), "headless Chromium is needed: apt-get install -y chromium"
    dep = deployment
    dep.start()
    # a local executive is the NACC's by statute: the desk is the NACC Trat office's
    for username, name, role in (("somchai", "สมชาย ใจดี", "caseworker"), ("supat", "สุพัฒน์ มั่นคง", "supervisor")):
        cli(dep.env, "users", "add", "--username", username, "--office", "NACC-23", "--role", role,
            "--display-name", name, input_text=PASSWORD + "\n")
    photo = tmp_path / "ที่ทำการ.jpg"
    photo.write_bytes(jpeg_with_gps((640, 480)))
    slip = tmp_path / "สลิปโอนเงิน.pdf"
    slip.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    out = Path(os.environ.get("SODSONG_SHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)

    run = subprocess.run(
        [sys.executable, str(FLOW), "--intake", dep.intake.base, "--desk", f"http://127.0.0.1:{dep.casework_port}",
         "--photo", str(photo), "--document", str(slip), "--out", str(out)],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"browser journey failed:\n{run.stderr[-4000:]}\n{dep.logs()}"
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["console_errors"] == [] and seen["failed_responses"] == [], seen

    # the facts in words: category, the accused's type, the amount with separators, the date once, both files
    facts = seen["facts"]
    assert CATEGORIES["bribery"]["th"] in facts and OFFICIAL_TYPES["local_executive"]["th"] in facts
    assert "20,000 บาท" in facts and "5 ต.ค. 2569" in facts and "Oct 2026" not in facts
    assert "นายสมมุติ ใจร้าย" in facts and "องค์การบริหารส่วนตำบลท่าพริก" in facts
    assert facts.count("ภาพถ่าย") == 1 and "PDF" in facts
    assert "อีก 7 วัน" in seen["deadlines"] or "อีก 6 วัน" in seen["deadlines"]  # acknowledge within 7 days
    assert not seen["ask_open_at_first"]  # forms are collapsed until wanted

    # each action comes back with what happened, where it happened
    notices, landed = seen["notices"], seen["landed"]
    assert notices["template_saved"].startswith("บันทึกแบบข้อความแล้ว")
    assert notices["acknowledged"].startswith("ตอบรับเรื่องแล้ว") and landed["acknowledged"].endswith("#status")
    assert seen["status_after_ack"] == "acknowledged"
    assert seen["question_filled"] == "ท่านมีสำเนาสลิปโอนเงินหรือเลขที่บัญชีผู้รับเงินหรือไม่ กรุณาส่งเพิ่มเติมทางหน้าติดตามเรื่อง"
    assert seen["question_en_filled"].startswith("Do you have a copy")
    assert notices["question_sent"].startswith("ส่งคำถามถึงผู้แจ้งแล้ว") and "Question sent to the tipster" not in \
        notices["question_sent"] and landed["question_sent"].endswith("#conversation")
    assert notices["internal_note"].startswith("บันทึกภายในแล้ว") and landed["internal_note"].endswith("#notes")
    assert notices["tipster_note"].startswith("ส่งข้อความถึงผู้แจ้งแล้ว")
    assert "ตรวจสอบทะเบียนใบอนุญาต" in seen["internal_notes"]
    assert any(o.startswith("สมชาย ใจดี") for o in seen["assignee_options"])
    assert notices["assigned"].startswith("มอบหมายให้ สมชาย ใจดี แล้ว") and landed["assigned"].endswith("#assignment")
    assert notices["extended"].startswith("ขยายกำหนดแจ้งความคืบหน้าถึง") and landed["extended"].endswith("#deadlines")
    assert "ขยายแล้ว" in seen["deadlines_after_extension"]
    assert seen["handover_offices"] > 100 and "ตราด" in seen["handover_office_sample"]  # offices by name, local first
    assert notices["proposed"].startswith("เสนอยุติเรื่องแล้ว") and landed["proposed"].endswith("#closure")
    assert notices["approved"].startswith("ยุติเรื่องแล้ว") and seen["status_after_approval"] == "closed"
    assert "สมชาย ใจดี" in seen["timeline"] and "สุพัฒน์ มั่นคง" in seen["timeline"]

    # no raw code on any case page the journey saw
    for name, text in seen["texts"].items():
        assert raw_codes_in(text) == [], f"{name}: {raw_codes_in(text)}"

    # one screen holds the conversation and the facts; the whole page stays short
    assert max(seen["heights"].values()) < MAX_HEIGHT, seen["heights"]
    print("case page heights (px):", seen["heights"])
