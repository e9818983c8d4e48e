"""The tipster's side of the conversation, as intake announces it: answers, added information, files."""
from __future__ import annotations

import json

from shared.clock import iso_utc


def message_added(uow, event) -> None:
    """`tip.message_added`: kept under the reference (the case may not be open yet); an answer to one of the
    case's questions is the question's answer."""
    p = event.payload
    if uow.repo.tipster_message(p["message_id"]) is not None:
        return
    uow.repo.add_tipster_message(
        id=p["message_id"], reference=p["reference"], kind="message", in_reply_to=p.get("in_reply_to"),
        body=p["text"], attachments_json=json.dumps(p.get("attachments") or [], ensure_ascii=False, default=str),
        added_at=p["added_at"])
    case = uow.repo.case_by_reference(p["reference"])
    if case is None:
        return  # the case is not open yet; the message waits under the reference and shows when it is
    in_reply_to = p.get("in_reply_to")
    question = (uow.repo.question_of(case, int(in_reply_to))
                if in_reply_to and str(in_reply_to).isdigit() else None)
    if question is not None and question.answer is None:
        question.answer, question.answered_at = p["text"], p["added_at"]
    uow.repo.record(case, "tipster_message", "tipster", p["added_at"], {
        "message_id": p["message_id"], "answers_question": question.id if question else None,
        "attachments": len(p.get("attachments") or [])})


def attachments_received(uow, event) -> None:
    """`tip.attachments_received`: files the tipster added, kept like a message without words."""
    p = event.payload
    key = f"files:{event.id}"
    if uow.repo.tipster_message(key) is not None:
        return
    uow.repo.add_tipster_message(
        id=key, reference=p["reference"], kind="attachments", in_reply_to=None, body="",
        attachments_json=json.dumps(p["attachments"], ensure_ascii=False, default=str), added_at=p["received_at"])


def of_reference(repo, reference: str) -> list[dict]:
    return [{"id": m.id, "kind": m.kind, "in_reply_to": m.in_reply_to, "text": m.body,
             "attachments": json.loads(m.attachments_json), "at": iso_utc(m.added_at)}
            for m in repo.tipster_messages(reference)]


def feedback_recorded(uow, event) -> None:
    """`tip.feedback_recorded`: intake holds an office note in the tipster's thread, so the tipster has had
    feedback: the 3-month feedback deadline is met (once, at the first such note)."""
    p = event.payload
    case = uow.repo.case_by_reference(p["reference"], for_update=True)
    if case is None:
        raise LookupError(f"no case for {p['reference']}")  # tried again, then dead-lettered for an operator
    first = case.feedback_given_at is None
    if first:
        case.feedback_given_at = p["recorded_at"]
    uow.repo.record(case, "feedback_recorded", "system", p["recorded_at"], {"note_id": p["note_id"],
                                                                          "first": first})
