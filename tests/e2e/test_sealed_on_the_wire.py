"""Nothing readable on the wire: a tip with a unique marker in every free-text field goes through question,
answer, a note for the tipster, a transfer and a closing reason, while a queue bound to the events exchange with
`#` (the test's own broker user, in its throw-away vhost) receives a copy of every event the services publish.
No message body holds the marker, yet the case opens with the tipster's words and the tipster's status shows the
office's question, note and closing reason."""
import json
import uuid

import requests
from kombu import Connection, Exchange, Queue

from shared import sealing
from tests.e2e.test_casework_desk import _add_user, _desk, _healthy, _sign_in
from tests.e2e.test_sealed_at_rest import _marked_tip
from tests.support.processes import wait_for


def test_a_marked_tip_travels_sealed_through_the_broker(real_deployment):
    dep = real_deployment
    marker = "mk" + uuid.uuid4().hex[:14]
    dep.start()
    _add_user(dep, "somchai", "caseworker")
    _add_user(dep, "nacc-sup", "supervisor", "NACC-23")

    with Connection(dep.env["SODSONG_AMQP_URI"]) as conn:
        events = Exchange("sodsong.events", type="topic", durable=True, passive=True)
        wiretap = Queue(f"wiretap-{uuid.uuid4().hex[:8]}", exchange=events, routing_key="#", durable=False,
                        auto_delete=False)
        wiretap(conn.default_channel).declare()

        tip = _marked_tip(marker)
        submitted = requests.post(f"{dep.intake.base}/api/v1/tips", json=tip, timeout=30)
        assert submitted.status_code == 201, submitted.text
        reference, receipt = submitted.json()["reference"], submitted.json()["receipt"]
        dep.wait_status(receipt, lambda s: s["status"] == "received", timeout=30)
        wait_for(lambda: _healthy(dep), 30, message="casework answering")
        desk = _desk(dep)
        auth = {"Authorization": f"Bearer {_sign_in(dep, 'somchai').json()['token']}"}

        def post(path, body, headers=auth):
            r = requests.post(f"{desk}{path}", headers=headers, json=body, timeout=30)
            assert r.status_code in (200, 201), r.text
            return r.json()

        def case(headers=auth):
            r = requests.get(f"{desk}/api/v1/cases/{reference}", headers=headers, timeout=30)
            return r.json() if r.status_code == 200 else None

        opened = wait_for(case, 30, message="case opened")
        assert marker in opened["facts"]["description"]                 # the office reads the tipster's words
        post(f"/api/v1/cases/{reference}/transitions", {"to": "acknowledged", "reason": f"รับเรื่องแล้ว {marker}"})
        post(f"/api/v1/cases/{reference}/questions", {"text": f"เกิดเหตุวันไหน {marker}"})
        status = dep.wait_status(receipt, lambda s: s.get("questions"), timeout=30)
        assert marker in status["questions"][0]["text"]
        r = requests.post(f"{dep.intake.base}/api/v1/tips/messages", headers={"X-Receipt": receipt}, timeout=30,
                          json={"text": f"เกิดเหตุวันที่ 3 ตุลาคม {marker}",
                                "in_reply_to": str(status["questions"][0]["question_id"])})
        assert r.status_code == 201, r.text
        wait_for(lambda: (c := case()) and c["questions"][0]["answer"], 30, message="answer on the case")
        assert marker in case()["questions"][0]["answer"]
        post(f"/api/v1/cases/{reference}/notes", {"visibility": "tipster_visible", "text": f"แจ้งผู้แจ้ง {marker}"})
        status = dep.wait_status(receipt, lambda s: any(m["from"] == "office" and m["kind"] == "note"
                                                        for m in s["messages"]), timeout=30)
        note = [m for m in status["messages"] if m["kind"] == "note"][0]
        assert note["text"] == f"แจ้งผู้แจ้ง {marker}"                  # the tipster reads the office's note

        post(f"/api/v1/cases/{reference}/transfer",
             {"reason": f"ผู้ถูกกล่าวหาเป็นผู้ดำรงตำแหน่งระดับสูง {marker}", "suggested_office": "NACC-23"})
        sup = {"Authorization": f"Bearer {_sign_in(dep, 'nacc-sup').json()['token']}"}
        moved = wait_for(lambda: case(sup), 30, message="case at NACC-23")
        assert moved["office"]["code"] == "NACC-23" and marker in moved["facts"]["description"]
        post(f"/api/v1/cases/{reference}/transitions",
             {"to": "closed", "reason": f"ไม่มีมูลตามที่กล่าวหา {marker}", "resolution": "unsubstantiated",
              "tipster_reason": f"ตรวจสอบแล้วไม่พบการกระทำผิด {marker}",
              "tipster_reason_en": f"No wrongdoing was found {marker}"}, headers=sup)
        closed = dep.wait_status(receipt, lambda s: s["status"] == "closed", timeout=30)
        assert marker in json.dumps(closed, ensure_ascii=False)          # the closing reason reached the tipster
        wait_for(lambda: "case.status_changed" in [e["event_type"] for e in dep.audit_trail(reference)][-3:], 20,
                 message="closing audited")

        bodies = []
        with conn.SimpleQueue(wiretap) as tap:
            while True:
                try:
                    message = tap.get(timeout=2)
                except tap.Empty:
                    break
                bodies.append(message.body if isinstance(message.body, bytes) else message.body.encode())
                message.ack()
        wiretap(conn.default_channel).delete()

    types = [json.loads(b)["type"] for b in bodies]
    for expected in ("tip.received", "tip.routed", "case.opened", "case.question_asked", "tip.message_added",
                     "case.note_added", "case.transfer_requested", "case.status_changed"):
        assert expected in types, (expected, sorted(set(types)))
    readable = [json.loads(b)["type"] for b in bodies if marker.encode() in b]
    assert readable == [], f"marker readable on the wire in {readable}"
    # content travels sealed, metadata in clear
    received = json.loads(next(b for b in bodies if json.loads(b)["type"] == "tip.received"))
    assert sealing.is_sealed(received["payload"]["description"])
    assert sealing.is_sealed(received["payload"]["accused"]["name"])
    assert received["payload"]["category"] == "bribery" and received["payload"]["location"]["province_code"] == "23"
    assert received["payload"]["reference"] == reference
    notes = [json.loads(b)["payload"] for b in bodies if json.loads(b)["type"] == "case.note_added"]
    assert any(n["visibility"] == "tipster_visible" and sealing.is_sealed(n["text"]) for n in notes)
