"""intake's use cases without a database: IntakeApp and the event consumers over an in-memory repository
(tests/support/fakes_intake.py), the events checked as the outbox would store them."""
from __future__ import annotations

import base64
import threading
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from nameko.testing.services import worker_factory

from services.intake import crypto
from services.intake.domain.errors import IdempotencyConflict, ReceiptUnknown, ValidationFailed
from services.intake.models import Tip
from services.intake.receipts import ReceiptHasher
from services.intake.service import Service
from services.intake.usecases import conversation, projection
from services.intake.usecases.application import IntakeApp
from shared.events import new_event
from tests.support.fakes_intake import FakeIntakeDatabase
from tests.support.tips import tip

PACC = {"code": "PACC-R2", "name_th": "สำนักงาน ป.ป.ท. เขต 2", "name_en": "PACC Region 2"}
NACC = {"code": "NACC-23", "name_th": "สำนักงาน ป.ป.ช. ประจำจังหวัดตราด", "name_en": "NACC Trat"}


@pytest.fixture
def app():
    config = {"intake": {"max_body_bytes": 65536, "receipt_key": base64.b64encode(b"\x03" * 32).decode()}}
    keyring = crypto.from_settings({"current": "a", "keys": {"a": base64.b64encode(b"\x07" * 32).decode()}})
    return IntakeApp(FakeIntakeDatabase(), ReceiptHasher(time_cost=1, memory_cost_kib=8192), keyring, config)


def test_submitting_a_tip_stores_it_sealed_and_emits_tip_received(app):
    status, body, replayed = app.file_tip(tip(), client="192.0.2.1")
    assert (status, replayed) == (201, False) and body["status"] == "submitted"
    [stored] = app.db.repo.rows[Tip].values()
    assert stored.reference == body["reference"] and stored.status == "submitted"
    assert stored.receipt_mac == app.receipt_key.mac(body["receipt"]) and body["receipt"] not in stored.facts_json
    assert "เรียกรับเงิน" not in stored.facts_json  # sealed
    [event] = app.db.uow.emitted("tip.received")
    payload = event.payload
    assert payload["reference"] == body["reference"] and payload["tipster_id"] == stored.tipster_id
    assert payload["category"] == tip()["category"] and payload["location"]["province_code"] == "23"
    assert "reporter" not in payload and event.actor == {"kind": "tipster", "id": "anonymous"}
    assert event.correlation_id == body["reference"]
    assert [e.status for e in app.db.repo.timeline(stored.id)] == ["submitted"]


def test_an_invalid_tip_stores_nothing_and_emits_nothing(app):
    with pytest.raises(ValidationFailed) as refused:
        app.file_tip(tip(category="not-a-category"))
    assert "category" in refused.value.fields
    assert not app.db.repo.rows[Tip] and not app.db.uow.events


def test_a_duplicate_idempotency_key_returns_the_first_receipt(app):
    first = app.file_tip(tip(), idempotency_key="retry-1")
    again = app.file_tip(tip(), idempotency_key="retry-1")
    assert again == (201, first[1], True)
    assert len(app.db.repo.rows[Tip]) == 1 and len(app.db.uow.emitted("tip.received")) == 1
    with pytest.raises(IdempotencyConflict):
        app.file_tip(tip(description="อีกเรื่องหนึ่งที่ไม่เหมือนเรื่องแรกเลยแม้แต่น้อย"), idempotency_key="retry-1")


def test_a_tipster_reply_emits_its_event_and_answers_the_question(app):
    _, body, _ = app.file_tip(tip())
    asked = new_event("case.question_asked", {"reference": body["reference"], "case_id": "c1",
                                              "office_code": "PACC-R2", "question_id": "q-1",
                                              "text": "มีใบเสร็จไหม", "asked_at": datetime.now(timezone.utc)},
                      correlation_id=body["reference"])
    app.db.consume(asked, lambda uow, e: projection.on_question_asked(uow, e, app.keyring))
    result = app.add_message(body["receipt"], "192.0.2.1", {"text": "มีครับ", "in_reply_to": "q-1"})
    assert result["status"] == "sent"
    [added] = app.db.uow.emitted("tip.message_added")
    assert added.payload["text"] == "มีครับ" and added.payload["in_reply_to"] == "q-1"
    assert added.payload["reference"] == body["reference"] and added.actor["kind"] == "tipster"
    view = app.status(body["receipt"], "192.0.2.1")
    assert view["questions"][0]["answered"] and view["messages_sent"] == 1
    assert [m["kind"] for m in view["messages"]] == ["question", "answer"]


def test_a_wrong_receipt_is_unknown(app):
    app.file_tip(tip())
    with pytest.raises(ReceiptUnknown):
        app.status("1234 5678 9012 3456", "192.0.2.9")


def later(minutes: int) -> datetime:
    """A moment after the tips the tests file (timelines are in the order things happened)."""
    return datetime.now(timezone.utc) + timedelta(minutes=minutes)


def _opened(reference, minute, office, version):
    at = later(minute)
    return new_event("case.opened", {
        "reference": reference, "case_id": "c1", "office": office, "category": "bribery", "province_code": "23",
        "status": "received", "acknowledge_due": at, "feedback_due": at, "opened_at": at, "triage": False,
        "case_version": version}, correlation_id=reference)


def _changed(reference, minute, office, to, version):
    return new_event("case.status_changed", {
        "reference": reference, "case_id": "c1", "office_code": office["code"], "from_status": "received",
        "to_status": to, "tipster_label": {"th": to, "en": to}, "changed_at": later(minute),
        "case_version": version, "closure": None, "office": office}, correlation_id=reference)


def test_the_status_projection_applies_case_versions_whatever_the_order(app):
    _, body, _ = app.file_tip(tip())
    ref = body["reference"]
    apply_changed = lambda uow, e: projection.on_case_status_changed(uow, e, keyring=app.keyring)  # noqa: E731
    app.db.consume(_opened(ref, 1, PACC, 1), projection.on_case_opened)
    app.db.consume(_changed(ref, 3, PACC, "under_review", 3), apply_changed)
    app.db.consume(_changed(ref, 2, PACC, "acknowledged", 2), apply_changed)  # late: changes nothing
    stored = app.db.repo.tip_by_reference(ref)
    assert (stored.status, stored.case_version) == ("under_review", 3)
    app.db.consume(_opened(ref, 4, NACC, 4), projection.on_case_opened)  # reopened at another office
    assert (stored.status, stored.agency_code) == ("received", "NACC-23")
    view = app.status(body["receipt"], "192.0.2.1")
    assert view["status"] == "received" and view["agency"]["code"] == "NACC-23"
    # the late change still has its line, in the order things happened
    assert [line["status"] for line in view["timeline"]] == ["submitted", "received", "acknowledged", "under_review",
                                                             "received"]


def test_a_note_for_the_tipster_is_kept_once_and_acknowledged(app):
    _, body, _ = app.file_tip(tip())
    note = new_event("case.note_added", {"reference": body["reference"], "case_id": "c1", "note_id": "n-1",
                                         "office_code": "PACC-R2", "visibility": "tipster_visible",
                                         "text": "ได้รับเอกสารแล้ว", "added_at": later(1)},
                     correlation_id=body["reference"])
    apply = lambda uow, e: conversation.on_note_added(uow, e, keyring=app.keyring)  # noqa: E731
    assert app.db.consume(note, apply) and not app.db.consume(note, apply)  # a redelivery: absorbed
    [recorded] = app.db.uow.emitted("tip.feedback_recorded")
    assert recorded.payload["note_id"] == "n-1" and recorded.causation_id == note.id
    thread = app.status(body["receipt"], "c")["messages"]
    assert [(m["from"], m["text"]) for m in thread] == [("office", "ได้รับเอกสารแล้ว")]


# -- the nameko shell, without a database: each entrypoint hands its event to a use case ----------------------------
def _service(app):
    notices = SimpleNamespace(reporter=None, volunteer_contact=None, wakeup=threading.Event())
    return worker_factory(Service, db=app.db, intake=SimpleNamespace(app=app), notices=notices,
                          config={"SODSONG": {"intake": {}}})


def test_the_event_handlers_apply_the_projection_once_and_wake_the_notice_sender(app):
    _, body, _ = app.file_tip(tip())
    service = _service(app)
    opened = _opened(body["reference"], 1, PACC, 1)
    service.on_case_opened(opened)
    assert app.db.repo.tip_by_reference(body["reference"]).status == "received"
    assert service.notices.wakeup.is_set()
    service.notices.wakeup.clear()
    service.on_case_opened(opened)  # a redelivery: the inbox absorbs it, nobody is woken
    assert not service.notices.wakeup.is_set()
    internal = new_event("case.note_added", {"reference": body["reference"], "case_id": "c1", "note_id": "n-2",
                                             "office_code": "PACC-R2", "visibility": "internal",
                                             "added_at": later(2)}, correlation_id=body["reference"])
    service.on_case_note_added(internal)  # an internal note never reaches the tipster
    assert not app.db.uow.emitted("tip.feedback_recorded") and not app.db.repo.office_notes(
        app.db.repo.tip_by_reference(body["reference"]).id)
