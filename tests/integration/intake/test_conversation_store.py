"""Intake's side of the conversation, on SQLite and PostgreSQL: a note for the tipster is sealed, threaded and
acknowledged with tip.feedback_recorded; an internal note changes nothing; the event date survives filing."""
from __future__ import annotations

import functools

from sqlalchemy import select

from services.intake import conversation
from services.intake.models import OfficeNote
from shared.clock import utcnow
from shared.events import new_event
from tests.integration.intake.test_intake_app import count, outbox
from tests.support.tips import tip


def _note(reference, note_id, visibility, text):
    return new_event("case.note_added", {
        "reference": reference, "case_id": "c-1", "office_code": "PACC-R2", "note_id": note_id,
        "visibility": visibility, "text": text, "added_at": utcnow()}, correlation_id=reference,
        actor={"kind": "user", "id": "u-1"})


def test_a_dated_tip_is_filed_and_announced_with_its_date(app):
    status, body, _ = app.file_tip(tip(event_date="2026-08-01", amount_thb="5000.50"))
    assert status == 201
    [received] = outbox(app, "tip.received")
    assert received["payload"]["event_date"] == "2026-08-01"
    assert received["payload"]["amount_thb"] == "5000.50"


def test_notes_for_the_tipster_are_sealed_threaded_and_acknowledged(app):
    _, body, _ = app.file_tip(tip())
    reference, receipt = body["reference"], body["receipt"]
    apply = functools.partial(conversation.on_note_added, keyring=app.keyring)
    secret = "ภายใน: ผู้ถูกร้องเป็นญาติผู้อำนวยการ"
    assert app.db.consume(_note(reference, "1", "internal", None), "on_case_note_added", apply)
    visible = _note(reference, "2", "tipster_visible", "เราได้รับเรื่องและกำลังตรวจสอบ")
    assert app.db.consume(visible, "on_case_note_added", apply)
    assert not app.db.consume(visible, "on_case_note_added", apply)  # redelivered: nothing more

    assert count(app, OfficeNote) == 1
    with app.db.reading() as s:
        sealed = s.execute(select(OfficeNote.text_enc)).scalar_one()
    assert "ตรวจสอบ" not in sealed and sealed.startswith("e1:")
    [ack] = outbox(app, "tip.feedback_recorded")
    assert ack["payload"] == {**ack["payload"], "reference": reference, "note_id": "2", "office_code": "PACC-R2"}
    assert "text" not in ack["payload"]

    view = app.status(receipt, "127.0.0.1")
    assert [(m["from"], m["kind"], m["text"]) for m in view["messages"]] == [
        ("office", "note", "เราได้รับเรื่องและกำลังตรวจสอบ")]
    assert secret not in str(view)
    assert view["timeline"][-1]["status"] == "note"
