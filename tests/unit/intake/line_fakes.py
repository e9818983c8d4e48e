"""A stand-in for the LINE bot's ports: filing validates the tip with intake's own TipSchema, so a conversation
that ends in a filed tip has produced a tip every channel would accept."""
from __future__ import annotations

import json
from datetime import date

from services.intake.line.conversation import PortError, Reply, step
from services.intake.line.messages import as_dicts, batches, to_line
from services.intake.line.simulator import check_messages
from services.intake.domain.tip import TipSchema

RECEIPT = "1234567812345678"


class FakePorts:
    def __init__(self, today=date(2026, 12, 1)):
        self._today = today
        self.files: dict[str, bytes] = {}
        self.filed: list[dict] = []
        self.messages: list[tuple] = []
        self.dropped: list[str] = []
        self.questions = [{"question_id": "q-1", "text": "ท่านจำวันที่ได้หรือไม่", "text_en": None,
                           "asked_at": "2026-11-30T03:00:00+00:00", "answered": False}]
        self.fail_next_file = None

    def today(self):
        return self._today

    def notice_reporter(self):
        return {"anonymous": False, "line_user_id": "U" + "a" * 32, "consent_to_contact": True,
                "notify_via": ["line"]}

    def fetch_file(self, message_id, file_name, already, kind="", size=None):
        if self.fail_next_file:
            key, self.fail_next_file = self.fail_next_file, None
            raise PortError(key)
        file_id = f"f{len(self.files) + 1}"
        self.files[file_id] = message_id.encode()
        return file_id

    def drop_files(self, file_ids):
        self.dropped.extend(file_ids)

    def file_tip(self, tip, file_ids, event_id):
        TipSchema().load(json.loads(json.dumps(tip)))  # raises on anything intake would refuse
        self.filed.append({"tip": tip, "files": list(file_ids)})
        return f"SS-TEST-{len(self.filed):04d}", RECEIPT

    def verify_receipt(self, raw):
        if "".join(ch for ch in raw if ch.isdigit()) != RECEIPT:
            raise PortError("receipt.unknown")
        return "tip-1", "SS-TEST-0001"

    def status(self, tip_id):
        return {"reference": "SS-TEST-0001", "status": "received",
                "status_label": {"th": "หน่วยงานได้รับเรื่องแล้ว", "en": "The office has received your report"},
                "agency": {"code": "PACC-R2", "name_th": "ศูนย์ปฏิบัติการต่อต้านการทุจริต ป.ป.ท. เขต 2",
                           "name_en": "PACC Region 2"},
                "questions": self.questions,
                "messages": [
                    {"from": "tipster", "kind": "files", "text": "", "at": "2026-11-29T01:00:00+00:00"},
                    *[{"from": "office", "kind": "question", "text": q["text"], "at": q["asked_at"],
                       "question_id": q["question_id"], "answered": q["answered"]} for q in self.questions],
                    {"from": "office", "kind": "note", "text": "ได้รับหลักฐานแล้ว ขอบคุณครับ",
                     "at": "2026-11-30T04:00:00+00:00"}]}

    def add_message(self, tip_id, text, in_reply_to, file_ids):
        self.messages.append((tip_id, text, in_reply_to, list(file_ids)))


def run(state, incoming, ports):
    """One step, checked the way LINE would check the answer."""
    new_state, replies = step(state, incoming, ports)
    json.dumps(new_state)  # the state is stored as JSON
    assert all(isinstance(r, Reply) and r.text for r in replies)
    for batch in batches(to_line(replies)):
        check_messages(as_dicts(batch))
    return new_state, replies
