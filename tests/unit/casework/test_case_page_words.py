"""The case page speaks in words: countdowns, amounts, one date format per language, timeline lines in Thai and
English, names instead of user ids; and a rendered case page shows no raw code (a scan of its visible text)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest

from services.casework.domain import wording
from services.casework.domain.deadlines import countdown
from services.casework.domain.lifecycle import RESOLUTIONS
from services.casework.domain.policy import Principal
from services.casework.usecases import case_actions, case_reading, offices, reply_templates, routing_decisions
from services.casework.usecases.case_reading import DeskSettings
from services.casework.web.rendering import PAGES, day, when, when_text
from shared.clock import utcnow
from shared.vocabulary import CATEGORIES
from tests.support.fakes import FakeDatabase
from tests.support.fakes_casework import FakeCaseworkRepository, tip_routed

SETTINGS = DeskSettings(deadlines={}, state_labels={})
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)  # 10:00 in Bangkok


@pytest.mark.parametrize("due, th, en, late", [
    (NOW + timedelta(days=2), "อีก 2 วัน", "due in 2 days", False),
    (NOW + timedelta(days=1), "ครบกำหนดพรุ่งนี้", "due tomorrow", False),
    (NOW + timedelta(hours=5), "ครบกำหนดวันนี้ (อีก 5 ชั่วโมง)", "due today (in 5 hours)", False),
    (NOW - timedelta(days=3), "เกินกำหนด 3 วัน", "late by 3 days", True),
    (NOW - timedelta(days=1), "เกินกำหนด 1 วัน", "late by 1 day", True),
    (NOW - timedelta(hours=2), "เกินกำหนด 2 ชั่วโมง", "late by 2 hours", True),
])
def test_a_deadline_counts_down_in_words(due, th, en, late):
    said = countdown(due, NOW)
    assert (said["th"], said["en"], said["late"]) == (th, en, late)


def test_days_are_bangkok_calendar_days():
    # 23:00 in Bangkok; due at 01:00 the next Bangkok day is "tomorrow", though only two hours away
    late_evening = datetime(2026, 12, 1, 16, 0, tzinfo=timezone.utc)
    assert countdown(late_evening + timedelta(hours=2), late_evening)["en"] == "due tomorrow"


@pytest.mark.parametrize("value, shown", [("20000.00", "20,000 บาท"), ("1250.5", "1,250.50 บาท"),
                                          ("999", "999 บาท"), ("1234567.89", "1,234,567.89 บาท"), (None, None)])
def test_amounts_have_separators_and_no_empty_satang(value, shown):
    assert wording.baht(value) == shown


def test_one_date_format_per_language():
    moment = "2026-12-01T07:30:00+00:00"
    assert when_text(moment, "th") == "1 ธ.ค. 2569 14:30 น."
    assert when_text(moment, "en") == "1 Dec 2026 14:30"
    html = str(when(moment))
    assert ">1 ธ.ค. 2569 14:30 น.</time>" in html and 'title="1 Dec 2026 14:30"' in html and "2026-12-01T14:30" in html
    assert day("2026-03-05") == "5 มี.ค. 2569" and day("2026-03-05", "en") == "5 Mar 2026"


def test_timeline_lines_say_what_happened_in_words():
    names, offices = {"u-1": "สมชาย ใจดี"}, {"NACC-23": {"th": "ป.ป.ช. ตราด", "en": "NACC Trat"}}
    state = lambda s: {"acknowledged": {"th": "ตอบรับเรื่องแล้ว", "en": "Acknowledged"}}.get(s, {"th": s, "en": s})  # noqa: E731
    said = wording.describe("transition", {"from": "received", "to": "acknowledged"}, state=state, names=names,
                            offices=offices)
    assert said == {"th": "เป็น “ตอบรับเรื่องแล้ว”", "en": "to “Acknowledged”"}
    assert wording.describe("assignment", {"assignee": "u-1"}, state=state, names=names, offices=offices)["th"] \
        == "ให้ สมชาย ใจดี"
    assert "NACC Trat" in wording.describe("transfer_requested", {"mode": "transfer", "suggested_office": "NACC-23"},
                                           state=state, names=names, offices=offices)["en"]
    assert wording.describe("tipster_message", {"answers_question": 1, "attachments": 2}, state=state, names=names,
                            offices=offices) == {"th": "ตอบคำถาม แนบไฟล์ 2 ไฟล์", "en": "an answer 2 files"}
    assert set(wording.EVENT_KINDS) >= {"opened", "transition", "note", "question", "assignment",
                                         "tipster_message", "deadline_extended", "closure_proposed"}


# -- a whole case page, rendered from the use cases on a fake unit of work ---------------------------------------
class _Text(HTMLParser):
    """The text a person reads: text nodes and option labels, never attribute values (codes live there)."""
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def raw_codes_in(text: str) -> list[str]:
    found = [c for c in wording.raw_codes() if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)]
    found += re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)  # a user id
    found += re.findall(r"\b\d{4,}\.\d\d\b", text)  # an amount as stored (20000.00)
    found += re.findall(r"\b(?:received|acknowledged|investigating|closed)\s*→", text)
    return found


def test_the_scan_finds_codes_it_should():
    assert raw_codes_in("ประเภท abuse_of_power") == ["abuse_of_power"]
    assert raw_codes_in("received → acknowledged") == ["received →"]
    assert raw_codes_in("20000.00") == ["20000.00"]


def _case_page(db, principal, reference, lang="th"):
    with db.transaction() as uow:
        body = case_reading.read_case(uow, principal, reference, utcnow(), SETTINGS)
    with db.transaction() as uow:
        repo = uow.repo
        templates = reply_templates.for_office(repo, body["office"]["code"]) if body["view"] == "detail" else {}
        access = case_reading.access_log(repo, principal, reference)["views"] if principal.role in (
            "supervisor", "auditor") else []
    from services.casework.domain import policy
    return body, PAGES.get_template("case.html").render(
        lang=lang, principal=principal, csrf="x", case=body, resolutions=RESOLUTIONS, notice=None, error=None,
        may=lambda a: policy.may(principal, a), templates=templates,
        fill={"question": None, "note": None}, access=access, offices=offices.choices("23", exclude="PACC-R2"))


def test_a_worked_case_page_shows_words_never_codes():
    db = FakeDatabase(FakeCaseworkRepository(), handler="on_tip_routed")
    event = tip_routed("SS-WORD-0001", "PACC-R2", category="abuse_of_power")
    event.payload["tip"].update(amount_thb="20000.00", event_date="2026-10-05",
                                accused={"official_type": "local_executive", "name": "นายสมมุติ",
                                         "position": "นายก อบต.", "organization": "อบต.ท่าพริก"},
                                location={"province_code": "23", "district_code": "2301",
                                          "subdistrict_code": "230101", "place": "หน้าที่ทำการ อบต."})
    assert db.consume(event, lambda uow, ev: routing_decisions.open_case(uow, ev, {}))
    repo = db.uow.repo
    for username, name, role in (("supat", "สุพัฒน์ หัวหน้า", "supervisor"), ("somchai", "สมชาย ใจดี", "caseworker"),
                                 ("audrey", "ออดรีย์ ตรวจสอบ", "auditor")):
        repo.add_user(username=username, display_name=name, office_code="PACC-R2", role=role, password_hash="x",
                      created_at=utcnow(), password_changed_at=utcnow())
    ids = {u.username: u.id for u in repo.users}
    sup = Principal(ids["supat"], "supat", "สุพัฒน์ หัวหน้า", "supervisor", "PACC-R2")
    cw = Principal(ids["somchai"], "somchai", "สมชาย ใจดี", "caseworker", "PACC-R2")
    auditor = Principal(ids["audrey"], "audrey", "ออดรีย์ ตรวจสอบ", "auditor", "PACC-R2")
    ref, now = "SS-WORD-0001", utcnow()
    with db.transaction() as uow:
        reply_templates.save(uow, sup, {"kind": "question", "title": "ขอเอกสาร", "th": "มีเอกสารหรือไม่",
                                        "en": "Do you have documents?"}, now)
        case_actions.transition(uow, cw, ref, to="acknowledged", reason="รับเรื่อง", now=now, settings=SETTINGS)
        case_actions.assign(uow, sup, ref, assignee="somchai", now=now)
        case_actions.add_note(uow, cw, ref, visibility="internal", text="บันทึกภายใน", now=now)
        case_actions.add_note(uow, cw, ref, visibility="tipster_visible", text="กำลังตรวจสอบ", now=now)
        case_actions.ask_question(uow, cw, ref, text="มีเอกสารหรือไม่", now=now)
        case_actions.extend_feedback(uow, sup, ref, months=6, reason="ต้องสอบพยาน", now=now, settings=SETTINGS)
        case_actions.transition(uow, cw, ref, to="closed", reason="ไม่พบมูล", resolution="insufficient_information",
                                tipster_reason="ข้อมูลไม่พอ", now=now, settings=SETTINGS)
    body, html = _case_page(db, sup, ref)
    text = visible_text(html)
    assert raw_codes_in(text) == [], raw_codes_in(text)
    assert "20,000 บาท" in text and CATEGORIES["abuse_of_power"]["th"] in text
    assert "สมชาย ใจดี" in text and "อีก " in text  # the assignee's name; a countdown
    assert "เว็บไซต์" in text  # how the tip came in, in words
    assert body["assignable"] and {u["username"] for u in body["assignable"]} == {"supat", "somchai"}
    assert [t["title"] for t in reply_templates.for_office(repo, "PACC-R2")["question"]] == ["ขอเอกสาร"]
    # the auditor's view: names and words, never ids or codes
    body, html = _case_page(db, auditor, ref)
    text = visible_text(html)
    assert body["view"] == "audit" and raw_codes_in(text) == [], raw_codes_in(text)
    assert "สมชาย ใจดี" in text and "ออดรีย์ ตรวจสอบ" in text  # who acted; who opened it (the access log)


def test_a_volunteer_sees_the_status_and_office_of_a_case_they_filed_never_the_tipsters_notes():
    db = FakeDatabase(FakeCaseworkRepository(), handler="on_tip_routed")
    assert db.consume(tip_routed("SS-VOLU-0001", "PACC-R2", volunteer_id="vol-1"),
                      lambda uow, ev: routing_decisions.open_case(uow, ev, {}))
    cw = Principal("u-cw", "somchai", "สมชาย ใจดี", "caseworker", "PACC-R2")
    volunteer = Principal("u-vol", "vol", "อาสา", "volunteer", "PACC-R2", volunteer_id="vol-1")
    now = utcnow()
    with db.transaction() as uow:
        case_actions.transition(uow, cw, "SS-VOLU-0001", to="acknowledged", reason="เหตุผลของหน่วยงาน", now=now,
                                settings=SETTINGS)
        case_actions.add_note(uow, cw, "SS-VOLU-0001", visibility="tipster_visible", text="ถึงผู้แจ้งเท่านั้น", now=now)
        case_actions.add_note(uow, cw, "SS-VOLU-0001", visibility="internal", text="บันทึกภายใน", now=now)
        case_actions.ask_question(uow, cw, "SS-VOLU-0001", text="คำถามถึงผู้แจ้ง", now=now)
    body, html = _case_page(db, volunteer, "SS-VOLU-0001")
    assert body["view"] == "status" and "notes" not in body and "questions" not in body
    assert body["office"]["code"] == "PACC-R2" and body["tipster_label"]["th"]
    for words in ("ถึงผู้แจ้งเท่านั้น", "บันทึกภายใน", "คำถามถึงผู้แจ้ง", "เหตุผลของหน่วยงาน"):
        assert words not in html and words not in str(body)
    assert 'id="case-status"' in html and "สำนักงาน" in visible_text(html)


def test_templates_belong_to_an_office_and_its_editors():
    db = FakeDatabase(FakeCaseworkRepository(), handler="on_tip_routed")
    sup = Principal("u-sup", "supat", "Supat", "supervisor", "PACC-R2")
    other = Principal("u-o", "nid", "Nid", "supervisor", "NACC-23")
    cw = Principal("u-cw", "somchai", "Somchai", "caseworker", "PACC-R2")
    from services.casework.domain.errors import Forbidden, NotFound, TransitionError
    with db.transaction() as uow:
        saved = reply_templates.save(uow, sup, {"kind": "note", "title": "กำลังตรวจสอบ", "th": "อยู่ระหว่างตรวจสอบ"},
                                     utcnow())
        with pytest.raises(TransitionError):
            reply_templates.save(uow, sup, {"kind": "other", "title": "x", "th": "y"}, utcnow())
        with pytest.raises(Forbidden):
            reply_templates.save(uow, cw, {"kind": "note", "title": "x", "th": "y"}, utcnow())
        with pytest.raises(Forbidden):
            reply_templates.save(uow, sup, {"office": "NACC-23", "kind": "note", "title": "x", "th": "y"}, utcnow())
        with pytest.raises(NotFound):
            reply_templates.delete(uow, other, saved["id"], utcnow())
        reply_templates.save(uow, sup, {"kind": "note", "title": "แก้แล้ว", "th": "ข้อความใหม่"}, utcnow(), saved["id"])
    with db.transaction() as uow:
        repo = uow.repo
        assert [t["title"] for t in reply_templates.for_office(repo, "PACC-R2")["note"]] == ["แก้แล้ว"]
        assert reply_templates.for_office(repo, "NACC-23")["note"] == []
    with db.transaction() as uow:
        reply_templates.delete(uow, sup, saved["id"], utcnow())
    with db.transaction() as uow:
        repo = uow.repo
        assert reply_templates.for_office(repo, "PACC-R2")["note"] == []


def test_adding_changing_and_deleting_a_template_are_each_audited_without_its_words():
    db = FakeDatabase(FakeCaseworkRepository(), handler="on_tip_routed")
    sup = Principal("u-sup", "supat", "Supat", "supervisor", "PACC-R2")
    other = Principal("u-o", "nid", "Nid", "supervisor", "NACC-23")
    from services.casework.domain.errors import NotFound
    with db.transaction() as uow:
        saved = reply_templates.save(uow, sup, {"kind": "question", "title": "ขอเอกสาร", "th": "มีเอกสารหรือไม่"},
                                     utcnow())
    with db.transaction() as uow:
        reply_templates.save(uow, sup, {"kind": "note", "title": "แก้แล้ว", "th": "ข้อความใหม่"}, utcnow(), saved["id"])
    with pytest.raises(NotFound), db.transaction() as uow:
        reply_templates.delete(uow, other, saved["id"], utcnow())  # refused: nothing recorded
    with db.transaction() as uow:
        reply_templates.delete(uow, sup, saved["id"], utcnow())
    audited = [e for e in db.uow.events if e.type.startswith("reply_template.")]
    assert [e.type for e in audited] == ["reply_template.created", "reply_template.changed", "reply_template.deleted"]
    for e in audited:
        assert e.payload["template_id"] == saved["id"] and e.payload["user_id"] == "u-sup"
        assert e.payload["role"] == "supervisor" and e.payload["office_code"] == "PACC-R2"
        assert "ขอเอกสาร" not in str(e.payload) and "ข้อความใหม่" not in str(e.payload)  # ids, never the words
    assert [e.payload["kind"] for e in audited] == ["question", "note", "note"]
    assert all(e.correlation_id == "user:u-sup" for e in audited)


def test_a_triage_case_has_one_send_elsewhere_form_with_offices_by_name():
    db = FakeDatabase(FakeCaseworkRepository(), handler="on_tip_routed")
    assert db.consume(tip_routed("SS-TRIA-0001", "PACC-R2", triage=True),
                      lambda uow, ev: routing_decisions.open_case(uow, ev, {}))
    officer = Principal("u-tri", "tri", "ตรีชา คัดกรอง", "triage_officer", "PACC-R2")
    body, html = _case_page(db, officer, "SS-TRIA-0001")
    assert 'id="triage"' in html and 'id="handover-form"' not in html and html.count("<summary>") >= 1
    assert "สำนักงาน ป.ป.ช. ประจำจังหวัดตราด" in html  # a name, not a bare code
    assert "NACC Trat Provincial Office" not in html  # one language to a page
    assert 'value="PACC-R2"' in html  # "this office is competent" stays possible
    assert raw_codes_in(visible_text(html)) == []
    _, english = _case_page(db, officer, "SS-TRIA-0001", lang="en")
    assert "NACC Trat Provincial Office" in english and "สำนักงาน ป.ป.ช. ประจำจังหวัดตราด" not in english
    assert '<html lang="en">' in english and raw_codes_in(visible_text(english)) == []


def test_a_closed_case_offers_no_assignment():
    db = FakeDatabase(FakeCaseworkRepository(), handler="on_tip_routed")
    assert db.consume(tip_routed("SS-SHUT-0001", "PACC-R2"), lambda uow, ev: routing_decisions.open_case(uow, ev, {}))
    sup = Principal("u-sup", "supat", "Supat", "supervisor", "PACC-R2")
    with db.transaction() as uow:
        case_actions.transition(uow, sup, "SS-SHUT-0001", to="closed", reason="ซ้ำ", resolution="duplicate",
                                tipster_reason="ซ้ำกับเรื่องเดิม", now=utcnow(), settings=SETTINGS)
    _, html = _case_page(db, sup, "SS-SHUT-0001")
    assert 'id="assign"' not in html and 'id="move"' in html  # reopening stays possible
