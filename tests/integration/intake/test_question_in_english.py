"""A question the office also wrote in English reaches the tipster in both languages: casework's
case.question_asked carries `text_en` (sealed on the wire like `text`) and intake's status view shows it."""
from __future__ import annotations

from services.intake.usecases import projection
from shared.clock import utcnow
from shared.events import CATALOGUE, Event, from_wire, new_event
from tests.support.tips import tip


def question(reference: str, text_en: str | None) -> Event:
    payload = {"reference": reference, "case_id": "case-1", "office_code": "PACC-R2", "question_id": "q-1",
               "text": "ท่านมีสำเนาใบเสร็จหรือไม่", "asked_at": utcnow()}
    if text_en is not None:
        payload["text_en"] = text_en
    return new_event("case.question_asked", payload, correlation_id=reference)


def test_the_contract_carries_the_english_text_as_content():
    assert "text_en" in CATALOGUE["case.question_asked"].content
    wire = question("SS-ENGL-0001", "Do you have a copy of the receipt?").to_wire()
    assert from_wire(wire).payload["text_en"] == "Do you have a copy of the receipt?"
    assert from_wire(question("SS-ENGL-0001", None).to_wire()).payload["text_en"] is None


def test_the_status_view_shows_the_english_text_when_the_office_wrote_one(app):
    _, body, _ = app.file_tip(tip(language="en"))
    ev = question(body["reference"], "Do you have a copy of the receipt?")
    app.db.consume(ev, "on_case_question_asked", lambda uow, e: projection.on_question_asked(uow, e, app.keyring))
    (asked,) = app.status(body["receipt"], "192.0.2.10")["questions"]
    assert (asked["text"], asked["text_en"]) == ("ท่านมีสำเนาใบเสร็จหรือไม่", "Do you have a copy of the receipt?")
