"""A tip through LINE, end to end: a signed conversation with the bot (LINE simulated on loopback) files a tip with
a shared location and a photo, the receipt it gives opens the status API, the case opens at the competent office,
the office's question reaches the chat and the answer typed in LINE reaches the case. A bad signature stores
nothing; a redelivered event has no second effect; the LINE user id appears in no log and no event."""
from __future__ import annotations

import hashlib
import io
import json
import re
import time
from contextlib import ExitStack

import pytest
import requests
import sqlalchemy as sa
from PIL import Image

from services.intake.line.simulator import LineSimulator
from shared.config import normalise_db_url
from tests.e2e.test_casework_desk import _add_user, _desk, _healthy, _sign_in
from tests.e2e.test_sealed_at_rest import _scan
from tests.integration.intake.helpers import jpeg_with_gps
from tests.support.deployment import Deployment
from tests.support.processes import wait_for

SECRET = "line-test-channel-secret-4b1f"


@pytest.fixture(params=["real", "embedded"])
def line_deployment(request, tmp_path):
    with ExitStack() as stack:
        sim = stack.enter_context(LineSimulator(channel_secret=SECRET))
        line = {"channel_secret": SECRET, "channel_access_token": sim.access_token, "api_base": sim.base_url,
                "data_api_base": sim.base_url, "poll_seconds": 0.2}
        # no notify.channels.line: notices to LINE go out through the bot's own account (intake.line)
        dep = Deployment(request.param, tmp_path, stack, extra_env={
            "SODSONG__intake__line": json.dumps(line),
            "SODSONG__intake__tipster_notices": json.dumps({"poll_seconds": 0.2}),
        })
        sim.webhook_url = f"http://127.0.0.1:{dep.intake_port}/line/webhook"
        yield dep, sim


def _intake_rows(dep, sql: str):
    if dep.mode == "real":
        url = normalise_db_url(dep.env["SODSONG_DB_URL"])
    else:
        url = f"sqlite:///{dep.data_dir / 'intake.db'}"
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).all()
    finally:
        engine.dispose()


def _count(dep, table: str) -> int:
    return _intake_rows(dep, f"SELECT count(*) FROM {table}")[0][0]


def test_a_tip_filed_and_followed_in_line(line_deployment):
    dep, sim = line_deployment
    dep.start()
    _add_user(dep, "kanya", "caseworker")
    user = sim.user()
    photo = jpeg_with_gps()

    # -- filing, in Thai ---------------------------------------------------------------------------------------
    assert "แจ้งเรื่องใหม่" in [a["label"] for a in _labels(user.follow())]
    user.tap("แจ้งเรื่องใหม่")
    assert "ประเภทใด" in user.texts()[0]
    user.tap("สินบน/เรียกรับเงิน")
    user.say("เจ้าพนักงานที่ดินเรียกรับเงิน 5,000 บาท เพื่อเร่งออกโฉนดให้ชาวบ้านหมู่ 4 มีพยานเห็นสองคน")
    answer = user.send_location("สำนักงานที่ดินจังหวัดตราด", "ถนนหลักเมือง ตำบลบางพระ อำเภอเมืองตราด ตราด 23000",
                                12.2436, 102.5151)
    assert "ต.บางพระ อ.เมืองตราด จ.ตราด" in answer[0]["text"]
    user.tap("ถูกต้อง")
    user.tap("ข้าราชการ/พนักงานรัฐ")
    user.tap("ข้าราชการ/จนท.รัฐ")
    user.say("เจ้าพนักงานที่ดิน สำนักงานที่ดินจังหวัดตราด")
    user.tap("เลือกวันที่", date="2026-11-03")
    got = user.send_image(photo)
    assert "(1 ไฟล์)" in got[0]["text"]
    user.tap("เสร็จแล้ว")
    user.tap("แจ้งผลทาง LINE")
    summary = user.texts()[0]
    assert "สินบน" in summary and "3 พ.ย. 2569" in summary and "ไฟล์: 1 ไฟล์" in summary
    filed = "\n".join(user.tap("ยืนยันส่งเรื่อง") and user.texts())
    reference = re.search(r"SS-[0-9A-Z]{4}-[0-9A-Z]{4}", filed).group(0)
    receipt = re.search(r"(\d{4} \d{4} \d{4} \d{4})", filed).group(1).replace(" ", "")
    assert "ที่ปลอดภัย" in filed

    # -- the receipt works, the case opens at the competent office with the photo ----------------------------
    status = dep.wait_status(receipt, lambda s: s["status"] == "received", timeout=30)
    assert status["reference"] == reference and status["agency"]["code"] == "PACC-R2"
    assert reference in [c["reference"] for c in dep.office_cases("PACC-R2")]
    wait_for(lambda: _healthy(dep), 30, message="casework answering")
    auth = {"Authorization": f"Bearer {_sign_in(dep, 'kanya').json()['token']}"}

    def case():
        return requests.get(f"{_desk(dep)}/api/v1/cases/{reference}", headers=auth, timeout=30).json()

    shown = wait_for(lambda: (c := case()) and c.get("attachments") and c, 30, message="the photo on the case")
    [attachment] = shown["attachments"]
    assert attachment["media_type"] == "image/jpeg"
    download = requests.get(attachment["download_url"], headers=auth, timeout=30)
    assert download.status_code == 200 and hashlib.sha256(download.content).hexdigest() == attachment["sha256"]
    with Image.open(io.BytesIO(download.content)) as seen:  # the office gets the photo, without EXIF or GPS
        assert seen.size == Image.open(io.BytesIO(photo)).size and not seen.getexif()

    # -- the office asks; the tipster is told in LINE (content-free), proves the receipt, reads and answers ----
    mark = sim._seq
    question = "ท่านจำชื่อเจ้าหน้าที่หรือเวลาที่นัดรับเงินได้หรือไม่"
    asked = requests.post(f"{_desk(dep)}/api/v1/cases/{reference}/questions", headers=auth, timeout=30,
                          json={"text": question})
    assert asked.status_code in (200, 201), asked.text
    pushed = wait_for(lambda: sim.pushes_to(user.user_id, after=mark) or None, 30, message="a LINE notice")
    notice = pushed[0].messages[0]["text"]
    # discreet: on a shared phone it says neither the reference nor what the tip is about, nor the service's name
    assert "มีข้อความใหม่" in notice and reference not in notice and question not in notice and "โฉนด" not in notice
    assert "สอดส่อง" not in notice and "ทุจริต" not in notice

    user.say("ติดตาม")
    assert "16 หลัก" in user.texts()[0]  # the LINE user id alone does not open the tip
    user.say(" ".join(receipt[i:i + 4] for i in range(0, 16, 4)))
    texts = "\n".join(user.texts())
    assert reference in texts and question in texts
    user.tap("ตอบคำถาม")
    reply = "ชื่อนายสมปอง นัดรับเงินที่ร้านกาแฟหน้าสำนักงาน เวลาประมาณ 10 โมงเช้า"
    sent_answer = user.say(reply)
    assert "ส่งถึงเจ้าหน้าที่แล้ว" in sent_answer[0]["text"]
    answered = wait_for(lambda: (lambda c: c if c["questions"][0]["answer"] else None)(case()), 30,
                        message="the answer on the case")
    assert answered["questions"][0]["answer"] == reply

    # -- a note the office writes for the tipster is read in LINE ----------------------------------------------
    note = "เราได้รับข้อมูลแล้ว กำลังเรียกเอกสารจากสำนักงานที่ดิน"
    assert requests.post(f"{_desk(dep)}/api/v1/cases/{reference}/notes", headers=auth, timeout=30,
                         json={"visibility": "tipster_visible", "text": note}).status_code == 201
    dep.wait_status(receipt, lambda s: any(m["text"] == note for m in s["messages"]), timeout=30)
    user.tap("ดูสถานะ")
    assert any(note in t for t in user.texts())
    answered = case()

    # -- a redelivered event has no second effect -------------------------------------------------------------
    tips_before, messages_before = _count(dep, "intake_tips"), len(answered["tipster_messages"])
    answer_event = user.events[-1]
    confirm_event = next(e for e in user.events if (e.get("postback") or {}).get("data") == "confirm=yes")
    mark = sim._seq
    assert user.redeliver(answer_event) == 200 and user.redeliver(confirm_event) == 200
    time.sleep(3)
    assert [s for s in sim.sent if s.seq > mark] == []  # no second answer
    assert _count(dep, "intake_tips") == tips_before
    assert len(case()["tipster_messages"]) == messages_before

    # -- a bad or missing signature is refused and nothing is stored -------------------------------------------
    events_before = _count(dep, "intake_line_events")
    forged = sim.user()._event("message", message={"type": "text", "id": "1", "text": "แจ้งเรื่อง",
                                                   "quoteToken": "q"})
    body = json.dumps({"destination": "U" + "0" * 32, "events": [forged]}).encode()
    assert sim.post_webhook([forged], signature="bm90IHRoZSBzaWduYXR1cmU=", body=body).status_code == 401
    assert sim.post_webhook([forged], signature=None, body=body).status_code == 401
    time.sleep(1)
    assert _count(dep, "intake_line_events") == events_before
    assert [s for s in sim.sent if s.seq > mark] == []

    # -- the LINE user id is identity: never in a log line, an event, or anywhere at rest in the clear ---------
    assert user.user_id not in dep.logs()
    outbox = " ".join(str(r) for r in _intake_rows(dep, "SELECT body FROM intake_outbox"))
    assert user.user_id not in outbox and "intake_line" not in outbox
    assert _scan(dep, user.user_id.encode()) == {}  # every database file, and a pg_dump in real mode
    assert _scan(dep, "มีพยานเห็นสองคน".encode()) == {}  # nor what was typed in the chat
    assert sim.errors == []  # the bot kept to LINE's limits throughout


def _labels(messages):
    for m in reversed(messages):
        items = (m.get("quickReply") or {}).get("items")
        if items:
            return [i["action"] for i in items]
    return []
