"""The tipster's side of the conversation, as intake announces it: answers, added information, files."""
from __future__ import annotations

import json

from sqlalchemy import select

from services.casework.models import Case, CaseEvent, Question, TipsterMessage
from shared.events import iso_utc


def message_added(uow, event) -> None:
    p = event.payload
    session = uow.session
    if session.get(TipsterMessage, p["message_id"]) is not None:
        return
    session.add(TipsterMessage(
        id=p["message_id"], reference=p["reference"], kind="message", in_reply_to=p.get("in_reply_to"),
        body=p["text"], attachments_json=json.dumps(p.get("attachments") or [], ensure_ascii=False, default=str),
        added_at=p["added_at"]))
    case = session.execute(select(Case).where(Case.reference == p["reference"])).scalar_one_or_none()
    if case is None:
        return  # the case is not open yet; the message waits under the reference and shows when it is
    question = _question(session, case, p.get("in_reply_to"))
    if question is not None and question.answer is None:
        question.answer, question.answered_at = p["text"], p["added_at"]
    session.add(CaseEvent(case_id=case.id, kind="tipster_message", actor="tipster", at=p["added_at"],
                          detail_json=json.dumps({"message_id": p["message_id"],
                                                  "answers_question": question.id if question else None,
                                                  "attachments": len(p.get("attachments") or [])})))


def attachments_received(uow, event) -> None:
    p = event.payload
    key = f"files:{event.id}"
    if uow.session.get(TipsterMessage, key) is not None:
        return
    uow.session.add(TipsterMessage(
        id=key, reference=p["reference"], kind="attachments", in_reply_to=None, body="",
        attachments_json=json.dumps(p["attachments"], ensure_ascii=False, default=str), added_at=p["received_at"]))


def of_reference(session, reference: str) -> list[dict]:
    rows = session.execute(select(TipsterMessage).where(TipsterMessage.reference == reference)
                           .order_by(TipsterMessage.added_at)).scalars()
    return [{"id": m.id, "kind": m.kind, "in_reply_to": m.in_reply_to, "text": m.body,
             "attachments": json.loads(m.attachments_json), "at": iso_utc(m.added_at)} for m in rows]


def _question(session, case: Case, in_reply_to):
    if not in_reply_to or not str(in_reply_to).isdigit():
        return None
    question = session.get(Question, int(in_reply_to))
    return question if question is not None and question.case_id == case.id else None




def feedback_recorded(uow, event) -> None:
    """`tip.feedback_recorded`: intake holds an office note in the tipster's thread, so the tipster has had
    feedback: the 3-month feedback deadline is met (once, at the first such note)."""
    p = event.payload
    case = uow.session.execute(select(Case).where(Case.reference == p["reference"]).with_for_update()
                               ).scalar_one_or_none()
    if case is None:
        raise LookupError(f"no case for {p['reference']}")  # tried again, then dead-lettered for an operator
    first = case.feedback_given_at is None
    if first:
        case.feedback_given_at = p["recorded_at"]
    uow.session.add(CaseEvent(case_id=case.id, kind="feedback_recorded", actor="system", at=p["recorded_at"],
                              detail_json=json.dumps({"note_id": p["note_id"], "first": first})))
