"""Closing the conversation, in a real browser against the real transport: every service in its own process on
RabbitMQ + PostgreSQL (a fresh vhost and database), tips filed through intake's API with every field filled in,
desk accounts made with `sodsong users add`, and Chromium (tests/browser/handover_closure_flow.py, a subprocess)
walking each journey at a desk (1366×768) and on the tipster's phone (390×844).

Screenshots go to a temporary directory (SODSONG_SCREENSHOTS to keep them somewhere else).
"""
import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.support.deployment import Deployment
from tests.support.processes import cli
from tests.support.tips import tip

CHROMIUM = Path("/usr/bin/chromium")
FLOW = Path(__file__).with_name("handover_closure_flow.py")
ACCOUNTS = {  # username: (office, role, display name)
    "somchai": ("PACC-R2", "caseworker", "สมชาย ใจดี"),
    "supat": ("PACC-R2", "supervisor", "สุภัทร หัวหน้าดี"),
    "kanya": ("PACC-R2", "triage_officer", "กันยา คัดกรอง"),
    "nacc-trat": ("NACC-23", "caseworker", "วิชัย ป.ป.ช. ตราด"),
}
PASSWORDS = {name: f"รหัสผ่าน-{name}-2569-ยาวพอ" for name in ACCOUNTS}


def full_tip(**changes) -> dict:
    """A Trat tip with every optional field filled in."""
    body = tip(
        description="เจ้าพนักงานที่ดินอำเภอเมืองตราดเรียกรับเงิน 5,000 บาทเพื่อเร่งออกโฉนด โดยนัดรับเงินที่ร้านกาแฟหน้าสำนักงาน",
        event_date="2026-10-14", amount_thb="5000.00", language="th",
        location={"province_code": "23", "district_code": "2301", "subdistrict_code": "230101",
                  "place": "ร้านกาแฟหน้าสำนักงานที่ดินจังหวัดตราด"},
        accused={"official_type": "state_official", "name": "นายสมศักดิ์ (นามสมมุติ)",
                 "position": "เจ้าพนักงานที่ดินชำนาญการ", "organization": "สำนักงานที่ดินจังหวัดตราด"},
        reporter={"anonymous": False, "name": "นางสาวมาลี ใจกล้า", "phone": "081-234-5678",
                  "email": "malee@example.com", "line_user_id": "malee.trat", "notify_via": ["email"],
                  "consent_to_contact": True},
    )
    body.update(changes)
    return body


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    assert CHROMIUM.exists(), "headless Chromium is needed: apt-get install -y chromium"
    with ExitStack() as stack:
        dep = Deployment("real", tmp_path_factory.mktemp("conversation"), stack)
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


def _file(dep, body, expect_status):
    r = dep.intake.submit(body)
    assert r.status_code == 201, r.text
    reference, receipt = r.json()["reference"], r.json()["receipt"]
    dep.wait_status(receipt, lambda s: s["status"] == expect_status, timeout=30)
    return reference, receipt


def _walk(dep, journey, shots, **plan):
    plan = {"desk": f"http://127.0.0.1:{dep.casework_port}", "intake": f"http://127.0.0.1:{dep.intake_port}",
            "passwords": PASSWORDS, **plan}
    run = subprocess.run([sys.executable, str(FLOW), journey, str(shots)], input=json.dumps(plan),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"{journey} journey failed:\n{run.stderr[-4000:]}\n{dep.logs()}"
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["failed_responses"] == [] and seen["external_requests"] == []
    assert seen["console_errors"] == []
    for name in seen["screenshots"]:
        assert (shots / name).stat().st_size > 10_000
    return seen


def test_b_a_transferred_case_is_followed_by_the_sender_worked_by_the_receiver_and_told_to_the_tipster(
        deployment, shots):
    dep = deployment
    reference, receipt = _file(dep, full_tip(), "received")
    seen = _walk(dep, "transfer", shots, reference=reference, receipt=receipt, sender="somchai",
                 sender_supervisor="supat", receiver="nacc-trat", to_office="NACC-23",
                 internal_note="โทรสอบถามสำนักงานที่ดินแล้ว ผู้ถูกกล่าวหาเป็นผู้บริหารท้องถิ่นด้วย (บันทึกภายใน)",
                 transfer_reason="ผู้ถูกกล่าวหาดำรงตำแหน่งทางการเมืองท้องถิ่น อยู่ในอำนาจของ ป.ป.ช.",
                 receiver_reason="รับเรื่องจาก ป.ป.ท. เขต 2 ไว้ดำเนินการ")

    assert seen["notice_after_transfer"].startswith("ส่งคำขอโอน/ส่งต่อเรื่องแล้ว")
    assert seen["status_after_transfer"] == "transferred"
    # the sender's record: where it went, why, the current state — read-only, no facts
    assert seen["record_destination"] == "NACC-23"
    assert "ผู้ถูกกล่าวหาดำรงตำแหน่งทางการเมืองท้องถิ่น" in seen["record_text"]
    assert "สำนักงาน ป.ป.ช. ประจำจังหวัดตราด" in seen["record_text"] or "NACC" in seen["record_text"]
    assert "โทรสอบถามสำนักงานที่ดินแล้ว" in seen["record_text"]  # its own internal note stays with it
    assert "ร้านกาแฟ" not in seen["record_text"]  # the facts are the receiving office's now
    assert seen["record_forms"] == 0
    assert seen["supervisor_handovers"] == [reference]
    assert "โอนเรื่อง" in seen["supervisor_handovers_text"]
    # the receiving office works it, without the sender's internal note
    assert seen["receiver_inbox"] == [reference]
    assert "ร้านกาแฟหน้าสำนักงาน" in seen["receiver_page_text"]
    assert "โทรสอบถามสำนักงานที่ดินแล้ว" not in seen["receiver_page_text"]
    assert seen["receiver_notice"].startswith("ตอบรับเรื่องแล้ว") and seen["receiver_status"] == "acknowledged"
    assert seen["supervisor_record_status"] == "acknowledged"
    # the tipster: acknowledged by the office that has it, one line per step
    tipster = seen["tipster"]
    assert tipster["status"] == "acknowledged" and "ป.ป.ช." in tipster["agency"]
    assert tipster["timeline"] == ["submitted", "routed", "received", "transferred", "received", "acknowledged"]

    status = dep.intake.status(receipt).json()
    assert status["status"] == "acknowledged" and status["agency"]["code"] == "NACC-23"
    assert status["closure"] is None


def test_c_a_triage_officer_keeps_a_trat_case_at_the_coordinating_office(deployment, shots):
    dep = deployment
    # no rule places an "other" matter: it goes to triage at Trat's coordinating office, PACC Region 2
    reference, receipt = _file(dep, full_tip(
        category="other",
        description="เจ้าหน้าที่สำนักงานเขตพื้นที่การศึกษาตราดเรียกเก็บเงินค่าธรรมเนียมย้ายโรงเรียนที่ไม่มีระเบียบรองรับ"),
        "triage")
    seen = _walk(dep, "triage", shots, reference=reference, receipt=receipt, triage_officer="kanya",
                 caseworker="somchai", office="PACC-R2",
                 triage_reason="เป็นการเรียกรับเงินของเจ้าหน้าที่รัฐในเขตจังหวัดตราด อยู่ในอำนาจของ ป.ป.ท. เขต 2 เอง",
                 caseworker_reason="รับเรื่องไว้ตรวจสอบระเบียบค่าธรรมเนียม")

    assert seen["tipster_before"]["status"] == "triage"
    assert any("คัดกรอง" in b for b in seen["triage_badge"])
    assert seen["triage_notice"].startswith("บันทึกผลการคัดกรองแล้ว")
    assert "หน่วยงานนี้มีอำนาจเอง" in seen["triage_record_text"]
    assert reference in seen["caseworker_inbox"]
    assert not any("คัดกรอง" in b for b in seen["caseworker_badges"])  # no longer a triage case
    assert seen["caseworker_status"] == "acknowledged"
    tipster = seen["tipster"]
    assert tipster["status"] == "acknowledged" and "ทุจริตในภาครัฐ เขต 2" in tipster["agency"]
    assert tipster["timeline"] == ["submitted", "triage", "received", "acknowledged"]  # no "transferred"


def test_d_a_case_is_closed_with_a_reason_and_the_tipster_reads_why(deployment, shots):
    dep = deployment
    reference, receipt = _file(dep, full_tip(
        description="ปลัดอำเภอเรียกเงินค่าดำเนินการออกบัตรประชาชน 500 บาท ทั้งที่ไม่มีค่าธรรมเนียม",
        accused={"official_type": "state_official", "name": "นายประยุทธ (นามสมมุติ)", "position": "ปลัดอำเภอ",
                 "organization": "ที่ว่าการอำเภอเมืองตราด"}), "received")
    th = "ตรวจสอบหลักฐานและสอบพยานแล้ว ไม่พบว่ามีการเรียกรับเงินตามที่แจ้ง หากมีหลักฐานใหม่ แจ้งเพิ่มเติมได้ในหน้านี้"
    en = "We checked the evidence and heard witnesses and found no demand for money; send new evidence here."
    seen = _walk(dep, "closure", shots, reference=reference, receipt=receipt, caseworker="somchai",
                 supervisor="supat", resolution="unsubstantiated", proposal_reason="สอบพยานสามปากแล้ว ไม่พบหลักฐาน",
                 tipster_reason=th, tipster_reason_en=en,
                 rejection_reason="ยังไม่ได้ขอภาพจากกล้องวงจรปิดของที่ว่าการอำเภอ กรุณาตรวจก่อน",
                 close_reason="ตรวจภาพจากกล้องวงจรปิดแล้ว ไม่พบการรับเงิน")

    assert seen["proposal_notice"].startswith("เสนอยุติเรื่องแล้ว")
    assert seen["status_after_proposal"] == "acknowledged"
    assert th in seen["pending_text"]
    assert seen["rejection_notice"].startswith("ไม่อนุมัติการยุติเรื่องแล้ว")
    assert seen["status_after_rejection"] == "acknowledged" and seen["pending_after_rejection"] == 0
    assert "closure_rejected" in seen["timeline_kinds"]
    assert seen["status_after_close"] == "closed" and th in seen["desk_closure_reason"]
    tipster, tipster_en = seen["tipster"], seen["tipster_en"]
    assert tipster["status"] == "closed" and tipster["closure_reason"] == th
    assert "ไม่มีมูล" in tipster["closure"]
    assert tipster_en["closure_reason"] == en and "Unsubstantiated" in tipster_en["closure"]
    assert tipster["timeline"] == ["submitted", "routed", "received", "acknowledged", "closed"]

    status = dep.intake.status(receipt).json()
    assert status["closure"] == {"resolution": "unsubstantiated",
                                 "resolution_label": {"th": "ไม่มีมูล", "en": "unsubstantiated"},
                                 "reason": {"th": th, "en": en}}


def test_z_no_event_of_these_journeys_was_dead_lettered(deployment):
    """Every new or changed event (case versions, closure reasons, closure rejections, hand-overs) was taken by
    every consumer, audit included."""
    assert deployment.cli_json("ops", "dlq", "list") == []
    trail_types = {e["event_type"] for e in deployment.cli_json("audit", "trail", _closed_reference(deployment))}
    assert {"case.closure_rejected", "case.status_changed"} <= trail_types


def _closed_reference(dep) -> str:
    cases = dep.office_cases("PACC-R2")
    return next(c["reference"] for c in cases if c["status"] == "closed")
