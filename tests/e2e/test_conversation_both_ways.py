"""The conversation closes, against RabbitMQ and PostgreSQL: a tip with a date of events is stored and routed on
every channel; the desk opens the tip's files (audited, as downloads, only for the case's office); a note for the
tipster reaches the tipster and only then counts as feedback; one thread on both sides."""
from __future__ import annotations

import hashlib
import io
import json
import re

import requests

from tests.e2e.test_casework_desk import _add_user, _desk, _healthy, _sign_in
from tests.integration.intake.helpers import intake_cli, jpeg_with_gps
from tests.support.processes import wait_for
from tests.support.tips import tip

PHOTO_NAME = "หลักฐาน-โฉนด.jpg"


def _cases(dep, office):
    return {c["reference"]: c for c in dep.office_cases(office)}


def test_a_tip_with_a_date_of_events_is_stored_and_routed_on_every_channel(real_deployment):
    dep = real_deployment
    dep.start()
    base = dep.intake.base

    api = dep.intake.submit(tip(event_date="2026-08-01", amount_thb="5000.00"))
    assert api.status_code == 201, api.text
    api_status = dep.wait_status(api.json()["receipt"], lambda s: s["status"] == "received", timeout=30)
    assert api_status["agency"]["code"] == "PACC-R2"

    form = {"lang": "th", "category": "bribery", "event_date": "2026-07-15", "amount_thb": "1200",
            "description": "ปลัดเทศบาลเรียกเงินค่าดำเนินการ 1,200 บาทนอกใบเสร็จ", "location.province_code": "23",
            "location.district_code": "2301", "location.subdistrict_code": "230101",
            "accused.official_type": "state_official", "reporter.anonymous": "1"}
    page = requests.post(f"{base}/report", data=form, timeout=30)
    assert page.status_code == 201, page.text[:2000]
    assert page.headers["Content-Type"].startswith("text/html") and not page.text.lstrip().startswith("{")
    digits = re.sub(r"\D", "", re.search(r'id="receipt"[^>]*>([^<]+)<', page.text).group(1))
    dep.wait_status(digits, lambda s: s["status"] == "received", timeout=30)

    key = intake_cli(dep.env, "intake", "partners", "add", "--id", "traffy", "--name", "Traffy").stdout.strip()
    o = requests.post(f"{base}/open311/v2/requests.json", timeout=30, data={
        "api_key": key, "service_code": "procurement", "address_id": "230101",
        "description": "ฮั้วประมูลซ่อมถนนหมู่ 4 ผู้รับเหมารายเดียวชนะทุกครั้ง",
        "attribute[official_type]": "local_executive", "attribute[event_date]": "2026-06-30"})
    assert o.status_code == 200, o.text
    dep.wait_status(o.json()[0]["receipt"], lambda s: s["status"] in ("received", "triage"), timeout=30)

    # more than ten years ago: routing's time-bar rule sends it to triage, which needs the date to reach routing
    barred = dep.intake.submit(tip(event_date="2012-03-01"))
    assert barred.status_code == 201, barred.text
    status = dep.wait_status(barred.json()["receipt"], lambda s: s["status"] == "triage", timeout=30)
    office = status["agency"]["code"]
    assert _cases(dep, office)[barred.json()["reference"]]["triage"] is True

    # the desk reads the dates and the rule that used them
    _add_user(dep, "triage", "triage_officer", office=office)
    _add_user(dep, "somchai", "caseworker")
    wait_for(lambda: _healthy(dep), 30, message="casework answering")
    for user, reference, rule, day in (("triage", barred.json()["reference"], "r1-time-barred", "2012-03-01"),
                                       ("somchai", api.json()["reference"], None, "2026-08-01")):
        auth = {"Authorization": f"Bearer {_sign_in(dep, user).json()['token']}"}
        case = requests.get(f"{_desk(dep)}/api/v1/cases/{reference}", headers=auth, timeout=30).json()
        assert case["facts"]["event_date"] == day
        if rule:
            assert case["routing"]["rule"] == rule


def _file_tip(dep):
    body = tip(event_date="2026-10-02", amount_thb="5000",
               reporter={"anonymous": False, "name": "นายทดสอบ ผู้แจ้ง", "phone": "0812345678",
                         "consent_to_contact": True})
    photo = jpeg_with_gps()
    r = requests.post(f"{dep.intake.base}/api/v1/tips", timeout=30, files=[
        ("tip", (None, json.dumps(body, ensure_ascii=False), "application/json")),
        ("attachments", (PHOTO_NAME, photo, "image/jpeg"))])
    assert r.status_code == 201, r.text
    return r.json(), photo


def test_the_desk_opens_the_tips_files_and_the_conversation_goes_both_ways(real_deployment):
    from PIL import Image

    dep = real_deployment
    dep.start()
    _add_user(dep, "somsri", "caseworker")
    _add_user(dep, "other", "caseworker", office="NACC-22")
    created, photo = _file_tip(dep)
    reference, receipt = created["reference"], created["receipt"]
    dep.wait_status(receipt, lambda s: s["status"] == "received", timeout=30)
    wait_for(lambda: _healthy(dep), 30, message="casework answering")
    session = _sign_in(dep, "somsri").json()
    auth = {"Authorization": f"Bearer {session['token']}"}
    desk = _desk(dep)

    def case():
        return requests.get(f"{desk}/api/v1/cases/{reference}", headers=auth, timeout=30).json()

    opened = wait_for(lambda: (c := case()) and c.get("attachments") and c, 30, message="attachments on the case")
    [attachment] = opened["attachments"]
    assert {"id", "media_type", "size", "sha256", "download_url"} <= set(attachment)
    assert attachment["media_type"] == "image/jpeg"

    download = requests.get(attachment["download_url"], headers=auth, timeout=30)
    assert download.status_code == 200, download.text
    assert download.history and download.history[0].status_code == 302
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Type"] == "image/jpeg"
    assert hashlib.sha256(download.content).hexdigest() == attachment["sha256"]
    assert len(download.content) == attachment["size"]
    assert download.content != photo
    assert not Image.open(io.BytesIO(download.content)).getexif()  # the stripped copy: no GPS, no camera
    # the redirect went to a short-lived signed link; tampering with it, or another office, gets nothing
    signed = download.history[0].headers["Location"]
    assert requests.get(signed.replace("user=", "user=x"), timeout=30).status_code == 404
    assert requests.get(signed.split("&sig=")[0] + "&sig=" + "0" * 64, timeout=30).status_code == 404
    other = {"Authorization": f"Bearer {_sign_in(dep, 'other').json()['token']}"}
    assert requests.get(attachment["download_url"], headers=other, timeout=30,
                        allow_redirects=False).status_code == 404
    assert requests.get(f"{desk}/api/v1/cases/{reference}", headers=other, timeout=30).status_code == 404
    assert requests.get(attachment["download_url"], timeout=30, allow_redirects=False).status_code == 401

    # the office asks; the tipster answers with another file
    asked = requests.post(f"{desk}/api/v1/cases/{reference}/questions", headers=auth, timeout=30,
                          json={"text": "ท่านมีสำเนาใบเสร็จหรือไม่"})
    assert asked.status_code == 201, asked.text
    status = dep.wait_status(receipt, lambda s: s["questions"], timeout=30)
    question_id = status["questions"][0]["question_id"]
    answer = requests.post(f"{dep.intake.base}/api/v1/tips/messages", headers={"X-Receipt": receipt}, timeout=30,
                           files=[("message", (None, json.dumps({"text": "มีครับ แนบมาให้แล้ว",
                                                                  "in_reply_to": question_id}), "application/json")),
                                  ("attachments", ("ใบเสร็จ.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))])
    assert answer.status_code == 201, answer.text

    # an internal note stays in casework; a note for the tipster travels, and only then is feedback given
    before = case()
    assert before["deadlines"]["feedback"]["met_at"] is None
    internal = "ภายใน: ตรวจสอบประวัติเจ้าหน้าที่ก่อน"
    for visibility, text in (("internal", internal), ("tipster_visible", "เราได้รับใบเสร็จแล้ว กำลังตรวจสอบ")):
        r = requests.post(f"{desk}/api/v1/cases/{reference}/notes", headers=auth, timeout=30,
                          json={"visibility": visibility, "text": text})
        assert r.status_code == 201, r.text
    status = dep.wait_status(receipt, lambda s: any(m["from"] == "office" and "ใบเสร็จแล้ว" in m["text"]
                                                    for m in s["messages"]), timeout=30)
    thread = [(m["from"], m["kind"], m["text"]) for m in status["messages"]]
    assert thread == [("tipster", "files", ""), ("office", "question", "ท่านมีสำเนาใบเสร็จหรือไม่"),
                      ("tipster", "answer", "มีครับ แนบมาให้แล้ว"),
                      ("office", "note", "เราได้รับใบเสร็จแล้ว กำลังตรวจสอบ")]
    assert all(m["at"] for m in status["messages"])
    assert [a["filename"] for a in status["messages"][0]["attachments"]] == [PHOTO_NAME]
    assert internal not in json.dumps(status, ensure_ascii=False)
    page = requests.post(f"{dep.intake.base}/status", data={"receipt": receipt}, timeout=30).text
    assert "เราได้รับใบเสร็จแล้ว" in page and "มีครับ แนบมาให้แล้ว" in page and internal not in page

    after = wait_for(lambda: (c := case())["deadlines"]["feedback"]["met_at"] and c, 30, message="feedback met")
    assert "feedback_recorded" in [t["kind"] for t in after["timeline"]]
    kinds = [(i["from"], i["kind"]) for i in after["conversation"]]
    assert kinds == [("tipster", "files"), ("office", "question"), ("tipster", "answer"), ("office", "note")]
    assert after["conversation"][2]["attachments"][0]["media_type"] == "application/pdf"
    assert len(after["attachments"]) == 2

    wanted = {"case.evidence_viewed", "tip.evidence_served", "tip.feedback_recorded"}
    trail = wait_for(lambda: (t := dep.audit_trail(reference)) and wanted <= {e["event_type"] for e in t} and t,
                     30, message="evidence views and feedback in the audit chain")
    viewed = [e for e in trail if e["event_type"] == "case.evidence_viewed"]
    assert len(viewed) == 1 and viewed[0]["actor"] == f"user:{session['user']['id']}"
