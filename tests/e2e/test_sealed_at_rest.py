"""Nothing readable at rest: a tip carrying a unique marker in every free-text field, every follow-up and every
desk text goes the whole way (question, answer, more information, notes, transfer, close), then every file of
the data directory (SQLite databases with their -wal/-shm, the notification file) and a pg_dump of the
PostgreSQL database are scanned for the marker: it is nowhere. Files are owner-only; keys are elsewhere."""
import json
import os
import stat
import subprocess
import uuid
from pathlib import Path

import requests

from tests.e2e.test_casework_desk import _add_user, _desk, _healthy, _sign_in
from tests.integration.intake.helpers import jpeg_with_gps
from tests.support.processes import wait_for


def _marked_tip(m):
    return {
        "category": "bribery",
        "description": f"เจ้าหน้าที่ที่ดินเรียกรับเงินใต้โต๊ะ {m} เพื่อเร่งออกโฉนดที่ดินให้ชาวบ้าน",
        "event_date": "2026-10-03",
        "amount_thb": "5000.00",
        "location": {"province_code": "23", "district_code": "2301", "subdistrict_code": "230101",
                     "place": f"สำนักงานที่ดินจังหวัดตราด {m}"},
        "accused": {"official_type": "state_official", "name": f"นายสมมติ {m}", "position": f"เจ้าพนักงานที่ดิน {m}",
                    "organization": f"สำนักงานที่ดินจังหวัดตราด {m}"},
        "reporter": {"anonymous": False, "name": f"นางผู้แจ้ง {m}", "phone": "+66 81 234 5678",
                     "email": f"{m}@example.org", "notify_via": ["email"], "consent_to_contact": True},
    }


def _scan(dep, marker: bytes) -> dict:
    """Every database file (SQLite with its -wal/-shm) and a pg_dump: where the marker is readable."""
    hits = {}
    files = [p for p in sorted(Path(dep.data_dir).rglob("*")) if p.is_file() and ".db" in p.name]
    if dep.mode == "embedded":
        assert {"intake.db", "routing.db", "casework.db", "notify.db", "audit.db"} <= {p.name for p in files}
    for path in files:
        if marker in path.read_bytes():
            hits[str(path)] = path.read_bytes().count(marker)
    db_url = dep.env.get("SODSONG_DB_URL")
    if db_url:
        dump = subprocess.run(["pg_dump", "--no-owner", db_url], capture_output=True, check=True, timeout=120).stdout
        assert b"CREATE TABLE public.casework_cases" in dump and b"intake_tips" in dump
        if marker in dump:
            lines = [line for line in dump.splitlines() if marker in line]
            hits["pg_dump"] = [line[:160] for line in lines]
    return hits


def test_a_marked_tip_leaves_no_readable_trace_at_rest(deployment):
    dep = deployment
    marker = "mk" + uuid.uuid4().hex[:14]
    dep.start()
    _add_user(dep, "somchai", "caseworker")
    _add_user(dep, "nacc-sup", "supervisor", "NACC-23")

    parts = [("tip", (None, json.dumps(_marked_tip(marker), ensure_ascii=False).encode(), "application/json")),
             ("attachments", (f"ใบเสร็จ-{marker}.jpg", jpeg_with_gps(), "image/jpeg"))]
    submitted = requests.post(f"{dep.intake.base}/api/v1/tips", files=parts, timeout=30)
    assert submitted.status_code == 201, submitted.text
    reference, receipt = submitted.json()["reference"], submitted.json()["receipt"]
    dep.wait_status(receipt, lambda s: s["status"] == "received", timeout=30)
    wait_for(lambda: _healthy(dep), 30, message="casework answering")
    desk = _desk(dep)
    auth = {"Authorization": f"Bearer {_sign_in(dep, 'somchai').json()['token']}"}

    def post(path, body, headers=auth, expect=(200, 201)):
        r = requests.post(f"{desk}{path}", headers=headers, json=body, timeout=30)
        assert r.status_code in expect, r.text
        return r.json()

    post(f"/api/v1/cases/{reference}/transitions", {"to": "acknowledged", "reason": f"รับเรื่องแล้ว {marker}"})
    post(f"/api/v1/cases/{reference}/questions", {"text": f"เกิดเหตุวันไหน {marker}"})
    post(f"/api/v1/cases/{reference}/notes", {"visibility": "internal", "text": f"บันทึกภายใน {marker}"})
    post(f"/api/v1/cases/{reference}/notes", {"visibility": "tipster_visible", "text": f"แจ้งผู้แจ้ง {marker}"})
    status = dep.wait_status(receipt, lambda s: s.get("questions"), timeout=15)
    question_id = str(status["questions"][0]["question_id"])
    for body in ({"text": f"เกิดเหตุวันที่ 3 ตุลาคม {marker}", "in_reply_to": question_id},
                 {"text": f"มีพยานอีกสองคน {marker}"}):
        r = requests.post(f"{dep.intake.base}/api/v1/tips/messages", headers={"X-Receipt": receipt}, json=body,
                          timeout=30)
        assert r.status_code == 201, r.text
    more = requests.post(f"{dep.intake.base}/api/v1/tips/messages", headers={"X-Receipt": receipt}, timeout=30,
                         files=[("message", (None, json.dumps({"text": f"ภาพเพิ่มเติม {marker}"}).encode(),
                                             "application/json")),
                                ("attachments", (f"ภาพ-{marker}.jpg", jpeg_with_gps(), "image/jpeg"))])
    assert more.status_code == 201, more.text

    def case_complete():
        case = requests.get(f"{desk}/api/v1/cases/{reference}", headers=auth, timeout=30).json()
        return case if case["questions"][0]["answer"] and len(case["tipster_messages"]) >= 3 else None

    case = wait_for(case_complete, 30, message="answer and messages on the case")
    assert marker in case["facts"]["description"] and marker in case["questions"][0]["answer"]

    post(f"/api/v1/cases/{reference}/transfer",
         {"reason": f"ผู้ถูกกล่าวหาเป็นผู้ดำรงตำแหน่งระดับสูง {marker}", "suggested_office": "NACC-23"})
    sup = {"Authorization": f"Bearer {_sign_in(dep, 'nacc-sup').json()['token']}"}
    moved = wait_for(lambda: (lambda r: r.json() if r.status_code == 200 else None)(
        requests.get(f"{desk}/api/v1/cases/{reference}", headers=sup, timeout=30)), 30, message="case at NACC-23")
    assert moved["office"]["code"] == "NACC-23"
    post(f"/api/v1/cases/{reference}/transitions",
         {"to": "closed", "reason": f"ไม่มีมูลตามที่กล่าวหา {marker}", "resolution": "unsubstantiated",
          "tipster_reason": f"ตรวจสอบแล้วไม่พบการกระทำผิด {marker}",
          "tipster_reason_en": f"No wrongdoing was found {marker}"}, headers=sup)
    dep.wait_status(receipt, lambda s: s["status"] == "closed", timeout=30)

    # the desk still finds the case by a Thai word of the description, its organisation, an English word, or its
    # reference, through the blind index; a word it does not hold finds nothing
    def found(q, headers=sup):
        r = requests.get(f"{desk}/api/v1/cases", headers=headers, params={"q": q}, timeout=30)
        assert r.status_code == 200, r.text
        return [c["reference"] for c in r.json()["items"]]

    assert found("โฉนด") == [reference]
    assert found("เรียกรับเงินใต้โต๊ะ") == [reference]
    assert found("สำนักงานที่ดินจังหวัดตราด") == [reference]
    assert found(marker.upper()) == [reference]
    assert found(reference[:7]) == [reference]
    assert found("โรงพยาบาล") == [] and found("โฉนด", headers=auth) == []  # the old office no longer sees it
    wait_for(lambda: "case.status_changed" in [e["event_type"] for e in dep.audit_trail(reference)][-3:], 20,
             message="closing audited")
    dep.stop_all()

    hits = _scan(dep, marker.encode())
    assert hits == {}, f"marker readable at rest: {json.dumps(hits, ensure_ascii=False, indent=1)}"
    # The embedded file channel is the mail that left (the stand-in for SMTP, LINE, SMS): the tipster's notice
    # went to their address, and says only that there is an update.
    sent = [json.loads(line) for line in (Path(dep.data_dir) / "notifications.jsonl").read_text().splitlines()]
    to_tipster = [m for m in sent if marker in json.dumps(m, ensure_ascii=False)]
    assert to_tipster and all(m["recipient"] == f"{marker}@example.org" and marker not in m["text"]
                              for m in to_tipster)

    data_dir = Path(dep.data_dir)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    loose = {str(p): oct(stat.S_IMODE(p.stat().st_mode)) for p in data_dir.rglob("*")
             if p.is_file() and stat.S_IMODE(p.stat().st_mode) != 0o600}
    assert loose == {}
    keys_dir = data_dir.parent / (data_dir.name + "-keys")
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    assert {"intake-keys.yaml", "routing-keys.yaml", "casework-keys.yaml"} <= set(os.listdir(keys_dir))
    assert not list(data_dir.rglob("*keys*"))
