"""Journey (a) in headless Chromium against RabbitMQ + PostgreSQL (a process per service): the tipster and the
caseworker talk through the tip — files, a question, an answer with a file, a note for the tipster."""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from shared.vocabulary import OFFICIAL_TYPES
from tests.integration.intake.helpers import jpeg_with_gps
from tests.support.deployment import Deployment
from tests.support.processes import cli

CHROMIUM = Path("/usr/bin/chromium")
FLOW = Path(__file__).with_name("conversation_journey.py")
PASSWORD = "รหัสผ่าน-สนทนา-2569"


@pytest.fixture(params=["real", "embedded"])
def deployment(request, tmp_path):
    with ExitStack() as stack:
        yield Deployment(request.param, tmp_path / "server", stack)


def test_the_tipster_and_the_caseworker_talk_through_the_tip(deployment, tmp_path):
    from PIL import Image

    assert CHROMIUM.exists(), "headless Chromium is needed: apt-get install -y chromium"
    dep = deployment
    dep.start()
    cli(dep.env, "users", "add", "--username", "wipa", "--office", "PACC-R2", "--role", "caseworker",
        "--display-name", "วิภา รักงาน", input_text=PASSWORD + "\n")
    photo = tmp_path / "ถนน.jpg"
    photo.write_bytes(jpeg_with_gps((640, 480)))
    document = tmp_path / "ใบตรวจรับ.pdf"
    document.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    out = Path("/tmp") / f"sodsong-conversation-{tmp_path.name}"
    out.mkdir(exist_ok=True)

    run = subprocess.run(
        [sys.executable, str(FLOW), "--intake", dep.intake.base, "--desk", f"http://127.0.0.1:{dep.casework_port}",
         "--username", "wipa", "--photo", str(photo), "--document", str(document), "--out", str(out)],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"browser journey failed:\n{run.stderr[-4000:]}\n{dep.logs()}"
    seen = json.loads(run.stdout.strip().splitlines()[-1])

    assert seen["external_requests"] == []
    assert seen["failed_responses"] == [], seen["failed_responses"]
    assert seen["console_errors"] == []
    assert seen["reference"].startswith("SS-") and seen["receipt_digits"] == 16
    assert "15 ต.ค. 2569" in seen["case_event_date"]  # one date format: Thai month, Buddhist year
    assert OFFICIAL_TYPES["state_official"]["th"] in seen["case_event_date"]
    assert "state_official" not in seen["case_event_date"]
    assert "ภาพถ่าย" in seen["photo_link_text"] and "Photo" not in seen["photo_link_text"]

    # the download is the EXIF-stripped copy intake keeps
    downloaded = (out / "downloaded-photo.jpg").read_bytes()
    assert seen["download_sha256"] == hashlib.sha256(downloaded).hexdigest()
    assert downloaded != photo.read_bytes() and not Image.open(io.BytesIO(downloaded)).getexif()
    assert Image.open(io.BytesIO(downloaded)).size == (640, 480)
    assert seen["download_suggested_name"].endswith(".jpg")
    assert seen["desk_url_after_download"].endswith(f"/cases/{seen['reference']}")

    assert seen["question_notice"].startswith("ส่งคำถามถึงผู้แจ้งแล้ว")
    assert seen["tipster_question"] == "ท่านทราบชื่อผู้รับเหมาหรือเลขที่สัญญาหรือไม่"
    assert seen["answer_notice"]
    assert seen["tipster_thread_after_answer"] == ["files", "question", "answer"]
    assert seen["desk_answer_text"].startswith("บริษัท ตราดรุ่งเรืองก่อสร้าง")
    assert len(seen["desk_answer_files"]) == 1 and "PDF" in seen["desk_answer_files"][0]
    assert seen["desk_thread"] == ["report", "files", "question", "answer"]  # the report's own words first
    assert "คำตอบของผู้แจ้ง" in seen["desk_thread_text"] and "The tipster's answer" not in seen["desk_thread_text"]
    assert seen["desk_thread_after_note"] == ["report", "files", "question", "answer", "note"]
    assert seen["tipster_thread"] == ["files", "question", "answer", "note"]
    assert seen["tipster_note"].startswith("ได้รับสำเนาใบตรวจรับแล้ว")
    assert "แจ้งแล้ว" in seen["deadlines_text"]

    # the API agrees with the pages, and the desk's download matches what the API describes
    token = requests.post(f"http://127.0.0.1:{dep.casework_port}/api/v1/session", timeout=30,
                          json={"username": "wipa", "password": PASSWORD}).json()["token"]
    case = requests.get(f"http://127.0.0.1:{dep.casework_port}/api/v1/cases/{seen['reference']}", timeout=30,
                        headers={"Authorization": f"Bearer {token}"}).json()
    photo_meta = next(a for a in case["attachments"] if a["media_type"] == "image/jpeg")
    assert photo_meta["sha256"] == seen["download_sha256"]
    trail = {e["event_type"] for e in dep.audit_trail(seen["reference"])}
    assert {"case.evidence_viewed", "tip.evidence_served", "tip.feedback_recorded"} <= trail
