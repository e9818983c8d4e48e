"""Filing on someone's behalf, in a real browser against the real transport: every service in its own process on
RabbitMQ + PostgreSQL (a fresh vhost and database). A hotline officer records a tip received by phone and the case
opens at the competent office with channel "phone"; a volunteer with one desk account (no --office, no token of
their own) files for a citizen on a phone, prints the slip and sees the status of the tips they filed.
Chromium walks tests/browser/assisted_filing_flow.py in a subprocess.

Screenshots go to a temporary directory (SODSONG_SCREENSHOTS to keep them somewhere else).
"""
import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from tests.integration.intake.helpers import intake_cli
from tests.support import axe
from tests.support.deployment import Deployment
from tests.support.processes import cli, wait_for

CHROMIUM = Path("/usr/bin/chromium")
FLOW = Path(__file__).with_name("assisted_filing_flow.py")
PASSWORDS = {"hotline1206": "รหัสผ่าน-สายด่วน-1206-ยาวพอ", "somchai": "รหัสผ่าน-สมชาย-2569-ยาวพอ",
             "vol-malee": "รหัสผ่าน-อาสา-มาลี-2569"}
DESCRIPTION = ("ผู้แจ้งโทรสายด่วน 1206 แจ้งว่าเจ้าพนักงานที่ดินอำเภอเมืองตราดเรียกรับเงิน 5,000 บาทเพื่อเร่งออกโฉนด "
               "นัดรับเงินที่ร้านกาแฟหน้าสำนักงาน")
VOLUNTEER_DESCRIPTION = "ผู้ใหญ่บ้านเรียกเก็บเงินค่าลงชื่อรับเบี้ยยังชีพผู้สูงอายุคนละ 200 บาท"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    assert CHROMIUM.exists(), "headless Chromium is needed: apt-get install -y chromium"
    with ExitStack() as stack:
        dep = Deployment("real", tmp_path_factory.mktemp("assisted"), stack)
        dep.start()
        # the hotline's staff work at PACC headquarters; the tip they record goes wherever the statute says
        cli(dep.env, "users", "add", "--username", "hotline1206", "--office", "PACC", "--role", "caseworker",
            "--display-name", "สายด่วน 1206", input_text=PASSWORDS["hotline1206"] + "\n")
        cli(dep.env, "users", "add", "--username", "somchai", "--office", "PACC-R2", "--role", "caseworker",
            "--display-name", "สมชาย ใจดี", input_text=PASSWORDS["somchai"] + "\n")
        # a volunteer: registered in intake's registry (their area), and one desk account — no office needed
        intake_cli(dep.env, "volunteers", "add", "--id", "vol-malee", "--network", "STRONG Trat",
                   "--subdistricts", "230101,230102")
        cli(dep.env, "users", "add", "--username", "vol-malee", "--role", "volunteer",
            "--display-name", "มาลี อาสา", input_text=PASSWORDS["vol-malee"] + "\n")
        yield dep


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    where = os.environ.get("SODSONG_SCREENSHOTS")
    path = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _walk(dep, journey, shots):
    plan = {"desk": f"http://127.0.0.1:{dep.casework_port}", "intake": f"http://127.0.0.1:{dep.intake_port}",
            "passwords": PASSWORDS, "staff": "hotline1206", "volunteer": "vol-malee", "description": DESCRIPTION,
            "volunteer_description": VOLUNTEER_DESCRIPTION}
    run = subprocess.run([sys.executable, str(FLOW), journey, str(shots)], input=json.dumps(plan),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"{journey} journey failed:\n{run.stderr[-4000:]}\n{dep.logs()}"
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["failed_responses"] == [] and seen["external_requests"] == []
    assert seen["console_errors"] == []
    for name in seen["screenshots"]:
        assert (shots / name).stat().st_size > 10_000
    return seen


def _desk_case(dep, username, reference, attachments=0):
    desk = f"http://127.0.0.1:{dep.casework_port}"
    token = requests.post(f"{desk}/api/v1/session", json={"username": username, "password": PASSWORDS[username]},
                          timeout=30).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    def opened():
        r = requests.get(f"{desk}/api/v1/cases/{reference}", headers=headers, timeout=30)
        return r.json() if r.status_code == 200 and len(r.json().get("attachments") or []) >= attachments else None
    return wait_for(opened, 30, interval=0.3, message="the case at the competent office")


def test_a_hotline_officer_records_a_phone_tip_and_the_case_opens_at_the_competent_office(deployment, shots):
    dep = deployment
    seen = _walk(dep, "staff", shots)
    assert "โทรศัพท์" in seen["desk_page_heading"]
    assert seen["channel_choices"] == ["phone", "letter", "walk_in"] and seen["my_tips_shown"] == 0
    slip = seen["slip"]
    assert slip["channel"] == "phone" and len(slip["receipt"].replace(" ", "").replace("-", "")) == 16
    assert slip["url"].endswith("/assisted/report?lang=th")  # the receipt is on the page, never in a URL
    assert not any(slip["receipt"].replace(" ", "") in url.replace("%20", "") for url in seen["urls"])
    assert "อ่านรหัสรับแจ้งให้ผู้แจ้ง" in seen["slip_text"]
    assert seen["english_heading"].startswith("Record a tip received by phone")
    assert seen["kept_after_steps"] == DESCRIPTION  # the place pickers' steps keep what was typed
    assert seen["back_to_desk"].endswith("/file")
    assert seen["letter_slip"]["channel"] == "letter" and "Letter" in seen["letter_slip_text"]

    # the case opens at PACC Region 2 (Trat), not at the hotline's own office, with the channel recorded
    case = _desk_case(dep, "somchai", slip["reference"], attachments=1)
    text = json.dumps(case, ensure_ascii=False)
    assert case["office"]["code"] == "PACC-R2"
    assert '"channel": "phone"' in text and "ร้านกาแฟ" in text
    assert "มาลี" not in text and "081-234-5678" not in text and "malee" not in text  # the caller stays in intake
    assert len(case["attachments"]) == 1
    assert {c["reference"] for c in dep.office_cases("PACC-R2")} >= {slip["reference"]}
    assert slip["reference"] not in {c["reference"] for c in dep.office_cases("PACC")}
    # the caller follows the report with the receipt alone, and is advised to get a new one
    status = dep.wait_status(slip["receipt"], lambda s: s["status"] == "received", timeout=30)
    assert status["agency"]["code"] == "PACC-R2"


def test_a_volunteer_files_for_a_citizen_on_a_phone_prints_the_slip_and_follows_the_status(deployment, shots):
    dep = deployment
    seen = _walk(dep, "volunteer", shots)
    assert seen["volunteer_landing"].endswith("/file")  # signed in once, straight to their page
    assert seen["my_tips_before"] == 0 and seen["channel_choices"] == 0
    assert seen["area_choices"] == ["", "230101", "230102"]  # their own subdistricts, by name
    slip = seen["slip"]
    assert slip["channel"] == "volunteer" and len(slip["receipt"].replace(" ", "").replace("-", "")) == 16
    assert seen["print_button_visible"] and seen["print_hidden_controls"] and seen["print_receipt_visible"]
    [mine] = seen["my_tips"]
    assert mine["reference"] == slip["reference"] and mine["status"] in ("submitted", "routed", "received")
    assert VOLUNTEER_DESCRIPTION[:20] not in seen["page_text"]  # status only, no content
    assert slip["receipt"] not in seen["page_text"]  # the receipt was on the slip alone
    assert seen["english_heading"] == "File a tip for a citizen"
    assert slip["reference"] in seen["my_tips_en"]
    # axe-core (WCAG 2.2 A/AA) on every page the volunteer used: no serious or critical violation
    print(axe.table(seen["axe"]))
    assert {r["page"] for r in seen["axe"]} == {"volunteer-desk-th", "volunteer-form-th", "volunteer-slip-th",
                                                "volunteer-my-tips-th", "volunteer-form-en"}
    assert {r["page"]: axe.serious(r) for r in seen["axe"] if axe.serious(r)} == {}
    case = _desk_case(dep, "somchai", slip["reference"])
    assert '"channel": "volunteer"' in json.dumps(case, ensure_ascii=False)


def test_scripts_use_the_same_ticket_staff_file_a_walk_in_through_the_api(deployment):
    dep = deployment
    desk = f"http://127.0.0.1:{dep.casework_port}"
    token = requests.post(f"{desk}/api/v1/session", json={"username": "hotline1206",
                                                          "password": PASSWORDS["hotline1206"]}, timeout=30).json()
    issued = requests.post(f"{desk}/api/v1/filing-tickets", headers={"Authorization": f"Bearer {token['token']}"},
                           timeout=30)
    assert issued.status_code == 201 and issued.json()["channels"] == ["phone", "letter", "walk_in"]
    body = {"channel": "walk_in", "category": "bribery", "language": "th",
            "description": "ผู้แจ้งมาที่สำนักงาน แจ้งว่าเจ้าหน้าที่เทศบาลเรียกเงินค่าต่อใบอนุญาตร้านค้า",
            "location": {"province_code": "23"}, "accused": {"official_type": "state_official"},
            "reporter": {"anonymous": False, "name": "นายเดิน มาเอง", "phone": "0891112222"}}
    header = {issued.json()["header"]: issued.json()["ticket"]}
    filed = requests.post(issued.json()["submit_url"], json=body, headers=header, timeout=30)
    assert filed.status_code == 201, filed.text
    assert filed.json()["receipt_change_recommended"] is True
    assert requests.post(issued.json()["submit_url"], json=dict(body, channel="web"), headers=header,
                         timeout=30).status_code == 400
    assert requests.post(issued.json()["submit_url"], json=body, headers={"X-Filing-Ticket": "forged.x"},
                         timeout=30).status_code == 401
    volunteer = requests.post(f"{desk}/api/v1/session", json={"username": "vol-malee",
                                                              "password": PASSWORDS["vol-malee"]}, timeout=30).json()
    vol_ticket = requests.post(f"{desk}/api/v1/filing-tickets",
                                 headers={"Authorization": f"Bearer {volunteer['token']}"}, timeout=30)
    assert vol_ticket.status_code == 201 and vol_ticket.json()["kind"] == "volunteer"
