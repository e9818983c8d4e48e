"""intake's use cases against a real database (SQLite and PostgreSQL): idempotency, the receipt guard,
encryption at rest, messages and questions, new receipts, volunteers, Open311 and key rotation."""
from __future__ import annotations

import hashlib
import io
import json

import eventlet
import pytest
from PIL import Image
from sqlalchemy import func, select, text

from services.intake import crypto, rotation
from services.intake.domain.attachments import Upload
from services.intake.domain.callers import PUBLIC, partner_caller, volunteer_caller
from services.intake.domain.errors import IntakeError
from services.intake.models import Attachment, IdempotentResponse, Message, Question, Tip, Volunteer
from services.intake.receipts import ReceiptHasher
from services.intake.usecases import credentials, projection
from services.intake.usecases import open311 as open311_queries
from services.intake.usecases.application import IntakeApp
from services.intake.web import open311
from services.intake.web.errors import as_api_error
from shared.clock import utcnow
from shared.events import new_event
from tests.integration.intake import helpers
from tests.integration.intake.conftest import make_app, make_config
from tests.support.tips import tip

IDENTIFIED = tip(reporter={"anonymous": False, "name": "สมชาย ใจกล้า", "phone": "0812345678",
                           "email": "somchai@example.org", "consent_to_contact": True, "notify_via": ["sms"]})


def outbox(app, type_=None):
    t = app.db.tables.outbox
    with app.db.reading() as s:
        rows = [json.loads(r) for r in s.execute(select(t.c.body).order_by(t.c.seq)).scalars()]
    return [r for r in rows if type_ is None or r["type"] == type_]


def count(app, model):
    with app.db.reading() as s:
        return s.execute(select(func.count()).select_from(model)).scalar()


def jpeg_with_gps() -> bytes:
    return helpers.jpeg_with_gps((64, 48), (20, 120, 200), software="Owner: Somchai")


# -- filing, encryption at rest ------------------------------------------------------------------------------------
def test_identified_tip_is_sealed_at_rest_and_events_carry_no_identity(app):
    status, body, replayed = app.file_tip(IDENTIFIED, [Upload("ID card of Somchai.jpg", jpeg_with_gps())])
    assert status == 201 and not replayed and len(body["receipt"]) == 16
    with app.db.reading() as s:
        raw_rows = [str(r) for r in s.execute(text("SELECT * FROM intake_tips")).all()]
        raw_att = s.execute(text("SELECT content, filename_enc FROM intake_attachments")).one()
    dump = " ".join(raw_rows) + str(raw_att)
    for secret in ("สมชาย", "0812345678", "somchai@example.org", "เรียกรับเงิน", "เจ้าพนักงานที่ดิน",
                   body["receipt"], "Somchai"):
        assert secret not in dump
    assert raw_rows and "e1:" in raw_rows[0]

    events = outbox(app)
    assert [e["type"] for e in events] == ["tip.received", "tip.attachments_received"]
    wire = json.dumps(events, ensure_ascii=False)
    for secret in ("สมชาย", "0812345678", "somchai@example.org", body["receipt"], "ID card"):
        assert secret not in wire
    assert events[0]["payload"]["description"] == IDENTIFIED["description"]  # facts go on, identity does not
    assert events[0]["payload"]["tipster_id"].startswith("tp_")

    with app.db.reading() as s:
        row = s.execute(select(Tip)).scalar_one()
        from services.intake.usecases.submission import reporter_of
        assert reporter_of(app.keyring, row)["phone"] == "0812345678"
        att = s.execute(select(Attachment)).scalar_one()
        stored = app.keyring.decrypt(att.content, f"intake_attachments.content:{att.id}")
        sha = att.sha256
    assert hashlib.sha256(stored).hexdigest() == sha == events[1]["payload"]["attachments"][0]["sha256"]
    with Image.open(io.BytesIO(stored)) as im:
        assert not im.getexif() and im.size == (64, 48)
    assert b"PhoneMaker" not in stored and b"Somchai" not in stored


def test_every_optional_fact_reaches_tip_received_including_the_new_accused_types(app):
    """An event date, an amount and the accused's position and organisation go on to routing in tip.received."""
    full = tip(event_date="2026-10-20", amount_thb="50000.50",
               location={"province_code": "23", "district_code": "2301", "subdistrict_code": "230101",
                         "place": "หน้าศาลากลางจังหวัดตราด"},
               accused={"official_type": "pacc_staff", "name": "นายสมมติ ตัวอย่าง", "position": "นิติกร",
                        "organization": "สำนักงาน ป.ป.ท. เขต 2"})
    status, body, _ = app.file_tip(full)
    assert status == 201
    payload = outbox(app, "tip.received")[0]["payload"]
    assert payload["event_date"] == "2026-10-20" and payload["amount_thb"] == "50000.50"
    assert payload["accused"] == full["accused"]
    assert payload["location"]["place"] == "หน้าศาลากลางจังหวัดตราด"


def test_sealed_values_do_not_open_in_another_row(sqlite_app):
    app = sqlite_app
    app.file_tip(tip())
    app.file_tip(tip())
    with app.db.transaction() as uow:
        a, b = uow.session.execute(select(Tip)).scalars().all()
        a.facts_json = b.facts_json  # an insider swaps ciphertexts between rows
    from services.intake.usecases.submission import facts_of
    with app.db.reading() as s:
        moved = s.get(Tip, a.id)
        with pytest.raises(crypto.DecryptionError):
            facts_of(app.keyring, moved)


# -- idempotency ----------------------------------------------------------------------------------------------------
def test_same_key_same_body_returns_the_first_response_and_one_tip(app):
    first = app.file_tip(tip(), idempotency_key="k-1")
    again = app.file_tip(tip(), idempotency_key="k-1")
    assert first[0] == again[0] == 201
    assert again[1] == first[1] and again[2] is True  # same reference AND the same receipt
    assert count(app, Tip) == 1 and len(outbox(app, "tip.received")) == 1
    with app.db.reading() as s:
        stored = s.execute(select(IdempotentResponse.response_enc)).scalar_one()
    assert first[1]["receipt"] not in stored and stored.startswith("e1:")


def test_same_key_different_body_is_409_and_nothing_stored(app):
    app.file_tip(tip(), idempotency_key="k-2")
    with pytest.raises(IntakeError) as refused:
        app.file_tip(tip(description="เรื่องอื่นที่ไม่เหมือนเดิมเลยแม้แต่น้อย"), idempotency_key="k-2")
    assert as_api_error(refused.value).status == 409 and as_api_error(refused.value).key == "idempotency.conflict"
    assert count(app, Tip) == 1


def test_keys_are_scoped_per_caller_and_expire(sqlite_app):
    app = sqlite_app
    app.file_tip(tip(), idempotency_key="shared")
    credentials.add_volunteer(app.db, "vol-1", "STRONG Trat", ["230101"])
    with app.db.reading() as s:
        vol = s.get(Volunteer, "vol-1")
        s.expunge(vol)
    app.file_tip(tip(), caller=volunteer_caller(vol), idempotency_key="shared")
    assert count(app, Tip) == 2  # another caller's key space
    with app.db.transaction() as uow:
        for row in uow.session.execute(select(IdempotentResponse)).scalars():
            row.expires_at = utcnow()
    status, body, replayed = app.file_tip(tip(), idempotency_key="shared")
    assert not replayed and count(app, Tip) == 3  # after 24 hours the key is free again


def test_concurrent_retries_with_one_key_make_one_tip(sqlite_app):
    app = sqlite_app
    results = [eventlet.spawn(app.file_tip, tip(), (), idempotency_key="race") for _ in range(6)]
    bodies = [g.wait()[1] for g in results]
    assert len({b["reference"] for b in bodies}) == 1 and len({b["receipt"] for b in bodies}) == 1
    assert count(app, Tip) == 1


# -- messages, questions, new receipts ---------------------------------------------------------------------------
def ask(app, reference, question_id="q-1", text_th="ท่านมีสำเนาใบเสร็จหรือไม่", ev=None):
    ev = ev or new_event("case.question_asked", {"reference": reference, "case_id": "case-1", "office_code": "PACC-R2",
                                           "question_id": question_id, "text": text_th, "asked_at": utcnow()},
                   correlation_id=reference)
    app.db.consume(ev, "on_case_question_asked", lambda uow, e: projection.on_question_asked(uow, e, app.keyring))
    return ev


def test_questions_show_on_status_and_answers_go_to_casework_without_identity(app):
    _, body, _ = app.file_tip(IDENTIFIED)
    ev = ask(app, body["reference"])
    ask(app, body["reference"], ev=ev)  # a redelivery: absorbed
    ask(app, body["reference"])  # the same question announced again in a new event: still one question
    view = app.status(body["receipt"], "192.0.2.10")
    assert view["questions"] == [{"question_id": "q-1", "text": "ท่านมีสำเนาใบเสร็จหรือไม่", "text_en": None,
                                  "asked_at": view["questions"][0]["asked_at"], "answered": False}]
    assert view["timeline"][-1]["status"] == "question" and view["status"] == "submitted"
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    result = app.add_message(body["receipt"], "192.0.2.10", {"text": "มีครับ แนบมาให้แล้ว", "in_reply_to": "q-1"},
                             [Upload("receipt.pdf", pdf)])
    assert result["attachments"] == 1
    view = app.status(body["receipt"], "192.0.2.10")
    assert view["questions"][0]["answered"] and view["messages_sent"] == 1
    added = outbox(app, "tip.message_added")[0]
    assert added["payload"]["text"] == "มีครับ แนบมาให้แล้ว" and added["payload"]["in_reply_to"] == "q-1"
    assert added["payload"]["attachments"][0]["media_type"] == "application/pdf"
    assert "สมชาย" not in json.dumps(added, ensure_ascii=False) and "0812345678" not in json.dumps(added)
    with app.db.reading() as s:
        assert "แนบมาให้แล้ว" not in s.execute(select(Message.text_enc)).scalar_one()
        assert "ใบเสร็จ" not in s.execute(select(Question.text_enc)).scalar_one()


def test_message_rules(sqlite_app):
    app = sqlite_app
    _, body, _ = app.file_tip(tip())
    for data, field in [({"text": "   "}, "text"), ({"text": "ok", "in_reply_to": "nope"}, "in_reply_to"),
                        ({"text": "ok", "extra": 1}, "extra"), ({"text": 5}, "text")]:
        with pytest.raises(IntakeError) as refused:
            app.add_message(body["receipt"], "c", data)
        assert as_api_error(refused.value).status == 400 and field in as_api_error(refused.value).fields
    with pytest.raises(IntakeError) as refused:
        app.add_message("9999999999999999", "c", {"text": "hello"})
    assert as_api_error(refused.value).status == 404
    assert count(app, Message) == 0


def test_new_receipt_revokes_the_old_one(app):
    _, body, _ = app.file_tip(tip())
    fresh = app.new_receipt(body["receipt"], "c")
    assert fresh["receipt"] != body["receipt"] and fresh["reference"] == body["reference"]
    assert app.status(fresh["receipt"], "c")["reference"] == body["reference"]
    with pytest.raises(IntakeError) as refused:
        app.status(body["receipt"], "c")
    assert as_api_error(refused.value).status == 404
    replaced = outbox(app, "tip.receipt_replaced")
    assert len(replaced) == 1 and body["receipt"] not in json.dumps(replaced)
    assert fresh["receipt"] not in json.dumps(replaced)


# -- volunteers -------------------------------------------------------------------------------------------------------
def test_volunteer_files_within_area_and_sees_only_status(app):
    token = credentials.add_volunteer(app.db, "vol-trat-1", "STRONG Trat", ["230101", "230102"])
    volunteer = app.volunteer(f"Bearer {token}")
    with app.db.reading() as s:
        assert token not in str(s.execute(text("SELECT * FROM intake_volunteers")).all())
    status, body, _ = app.file_tip(IDENTIFIED, caller=volunteer_caller(volunteer))
    assert status == 201 and body["receipt_change_recommended"] is True
    received = outbox(app, "tip.received")[0]
    assert received["payload"]["volunteer_id"] == "vol-trat-1" and received["payload"]["channel"] == "volunteer"
    assert received["actor"] == {"kind": "volunteer", "id": "vol-trat-1"}
    app.add_message(body["receipt"], "c", {"text": "ข้อมูลเพิ่มเติมจากผู้แจ้งเอง"})
    listing = app.volunteer_tips(volunteer)
    assert [t["reference"] for t in listing["tips"]] == [body["reference"]]
    dumped = json.dumps(listing, ensure_ascii=False)
    for secret in ("สมชาย", "0812345678", "ข้อมูลเพิ่มเติม", "เรียกรับเงิน", body["receipt"]):
        assert secret not in dumped
    assert set(listing["tips"][0]) == {"reference", "status", "status_label", "agency", "submitted_at",
                                       "updated_at"}
    with pytest.raises(IntakeError) as refused:  # outside the volunteer's subdistricts
        app.file_tip(tip(location={"province_code": "10"}), caller=volunteer_caller(volunteer))
    assert as_api_error(refused.value).status == 403 and as_api_error(refused.value).key == "volunteer.outside_area"
    with pytest.raises(IntakeError) as refused:
        app.file_tip(tip(volunteer_id="someone-else"), caller=volunteer_caller(volunteer))
    assert as_api_error(refused.value).status == 403
    with pytest.raises(IntakeError) as refused:  # the public cannot claim to be a volunteer
        app.file_tip(tip(channel="volunteer"))
    assert as_api_error(refused.value).status == 401
    credentials.disable_volunteer(app.db, "vol-trat-1")
    with pytest.raises(IntakeError) as refused:
        app.volunteer(f"Bearer {token}")
    assert as_api_error(refused.value).status == 401
    # the citizen takes a new receipt: the volunteer's copy stops working
    fresh = app.new_receipt(body["receipt"], "c")
    assert app.status(fresh["receipt"], "c")["receipt_change_recommended"] is False


# -- Open311 ----------------------------------------------------------------------------------------------------------
class Form(dict):
    def getlist(self, key):
        return [self[key]] if key in self else []


def test_open311_partner_sees_only_its_own_requests_and_only_what_it_sent(app):
    key_a = credentials.add_partner(app.db, "traffy", "Traffy Fondue")
    credentials.add_partner(app.db, "other", "Other app")
    form = Form({"api_key": key_a, "service_code": "procurement", "address_id": "230101",
                 "address_string": "อบต. ท่าพริก", "description": "ฮั้วประมูลถนนลาดยางหมู่ 3 ราคาสูงเกินจริง",
                 "first_name": "มานี", "phone": "0899999999", "attribute[official_type]": "local_executive"})
    tip_data = open311.tip_from_form(form)
    _, body, _ = app.file_tip(tip_data, caller=partner_caller("traffy"))
    app.add_message(body["receipt"], "c", {"text": "ข้อมูลลับที่ผู้แจ้งเพิ่มทีหลัง"})
    with app.db.reading() as s:
        mine = open311_queries.one_request(app.db.repository(s), app.keyring, "traffy", body["reference"])
        listed = open311_queries.list_requests(app.db.repository(s), app.keyring, "traffy", {})
        with pytest.raises(IntakeError) as refused:
            open311_queries.one_request(app.db.repository(s), app.keyring, "other", body["reference"])
        assert as_api_error(refused.value).status == 404
        assert open311_queries.list_requests(app.db.repository(s), app.keyring, "other", {}) == []
    assert mine == listed and mine[0]["status"] == "open"
    assert mine[0]["description"] == form["description"] and mine[0]["address_id"] == "230101"
    dumped = json.dumps(mine, ensure_ascii=False)
    assert "ข้อมูลลับ" not in dumped and "มานี" not in dumped and "0899999999" not in dumped
    received = outbox(app, "tip.received")[0]["payload"]
    assert received["channel"] == "open311" and received["location"]["district_code"] == "2301"
    assert "มานี" not in json.dumps(received, ensure_ascii=False)


# -- key rotation -------------------------------------------------------------------------------------------------------
def test_rotate_keys_reseals_everything_and_old_key_can_then_go(sqlite_app, tmp_path):
    app = sqlite_app
    _, body, _ = app.file_tip(IDENTIFIED, [Upload("a.jpg", jpeg_with_gps())], idempotency_key="rot")
    ask(app, body["reference"])
    app.add_message(body["receipt"], "c", {"text": "เพิ่มเติม"}, [Upload(None, b"plain text evidence\n")])
    closed = new_event("case.status_changed", {
        "reference": body["reference"], "case_id": "case-1", "office_code": "PACC-R2", "from_status": "received",
        "to_status": "closed", "tipster_label": {"th": "ยุติ", "en": "Closed"}, "changed_at": utcnow(),
        "case_version": 2, "closure": {"resolution": "withdrawn", "resolution_label": {"th": "ถอน", "en": "withdrawn"},
                                       "reason_th": "ผู้แจ้งขอถอนเรื่องทางโทรศัพท์", "reason_en": None}},
        correlation_id=body["reference"])
    app.db.consume(closed, "on_case_status_changed",
                   lambda uow, e: projection.on_case_status_changed(uow, e, keyring=app.keyring))
    old = app.keyring
    new_id = "k-new"
    both = crypto.Keyring(new_id, {**old.keys, new_id: b"\x07" * 32})
    assert rotation.count_stale(app.db, both)["stale"] >= 7
    result = rotation.reseal_all(app.db, both, batch=2)
    assert result["stale"] == 0 and result["resealed"] >= 7
    only_new = crypto.Keyring(new_id, {new_id: b"\x07" * 32})
    cfg = make_config(tmp_path)
    rotated = IntakeApp(app.db, app.hasher, only_new, cfg)
    view = rotated.status(body["receipt"], "c")
    assert view["questions"][0]["text"]
    assert view["closure"]["reason"]["th"] == "ผู้แจ้งขอถอนเรื่องทางโทรศัพท์"  # the closure reason was re-sealed too
    again = rotated.file_tip(IDENTIFIED, [Upload("a.jpg", jpeg_with_gps())], idempotency_key="rot")
    assert again[2] is True and again[1]["receipt"] == body["receipt"]
