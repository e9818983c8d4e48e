"""Intake's view of where each tip stands, kept current from routing and casework events.

Answering the tipster from this projection means the status page needs no call to another service. Events may
arrive out of order (several relays, redeliveries): the status only moves forward by rank, but every event
adds its line to the timeline.
"""
from __future__ import annotations

from sqlalchemy import func, select

from services.intake.models import Message, Question, TimelineEntry, Tip
from services.intake.submission import STATUS_RANK, aad
from shared.events import iso_utc
from shared.vocabulary import TIPSTER_STATUSES


def _tip(session, reference: str) -> Tip:
    # locked: tip.routed and case.opened for one tip may be handled at the same moment, and each moves the status
    tip = session.execute(select(Tip).where(Tip.reference == reference).with_for_update()).scalar_one_or_none()
    if tip is None:
        # intake made every tip it hears about; an unknown reference is a bug or a forged event
        raise LookupError(f"no tip with reference {reference}")
    return tip


def _advance(session, tip: Tip, status: str, event, at, label=None):
    label = label or TIPSTER_STATUSES[status]
    session.add(TimelineEntry(tip_id=tip.id, source_event_id=event.id, status=status,
                              label_th=label["th"], label_en=label["en"], at=at))
    rank = STATUS_RANK.get(status, 0)
    if rank >= tip.status_rank:
        tip.status = status
        tip.status_rank = rank
        tip.updated_at = at


def on_tip_routed(uow, event) -> None:
    p = event.payload
    tip = _tip(uow.session, p["reference"])
    tip.agency_code = p["agency"]["code"]
    tip.agency_name_th = p["agency"]["name_th"]
    tip.agency_name_en = p["agency"]["name_en"]
    _advance(uow.session, tip, "triage" if p["triage"] else "routed", event, p["decided_at"])


def on_case_opened(uow, event) -> None:
    p = event.payload
    tip = _tip(uow.session, p["reference"])
    tip.agency_code = p["office"]["code"]
    tip.agency_name_th = p["office"]["name_th"]
    tip.agency_name_en = p["office"]["name_en"]
    # a triage case is held by the coordinating office until a triage officer names the competent one
    _advance(uow.session, tip, "triage" if p.get("triage") else "received", event, p["opened_at"])


def on_case_status_changed(uow, event) -> None:
    p = event.payload
    tip = _tip(uow.session, p["reference"])
    status = p["to_status"] if p["to_status"] in TIPSTER_STATUSES else "under_review"
    _advance(uow.session, tip, status, event, p["changed_at"], label=p["tipster_label"])


QUESTION_LABEL = {"th": "เจ้าหน้าที่มีคำถามถึงท่าน กรุณาตอบในหน้าติดตามเรื่อง",
                  "en": "The office has a question for you; please answer it on the status page"}


def on_question_asked(uow, event, keyring) -> None:
    """A caseworker's question: kept sealed, shown on the status page, a line in the timeline (status unchanged)."""
    p = event.payload
    tip = _tip(uow.session, p["reference"])
    if uow.session.get(Question, p["question_id"]) is not None:
        return  # the same question announced twice
    text = {"text": p["text"], "text_en": p.get("text_en")}
    import json

    uow.session.add(Question(id=p["question_id"], tip_id=tip.id, asked_at=p["asked_at"],
                             text_enc=keyring.encrypt_text(json.dumps(text, ensure_ascii=False),
                                                           aad("intake_questions.text_enc", p["question_id"]))))
    uow.session.add(TimelineEntry(tip_id=tip.id, source_event_id=event.id, status="question",
                                  label_th=QUESTION_LABEL["th"], label_en=QUESTION_LABEL["en"], at=p["asked_at"]))


def questions_of(session, keyring, tip: Tip) -> list[dict]:
    import json

    out = []
    for q in session.execute(select(Question).where(Question.tip_id == tip.id)
                             .order_by(Question.asked_at, Question.id)).scalars():
        text = json.loads(keyring.decrypt_text(q.text_enc, aad("intake_questions.text_enc", q.id)))
        out.append({"question_id": q.id, "text": text["text"], "text_en": text.get("text_en"),
                    "asked_at": _iso(q.asked_at), "answered": q.answered_at is not None})
    return out


def status_view(session, tip: Tip, keyring=None) -> dict:
    timeline = session.execute(
        select(TimelineEntry).where(TimelineEntry.tip_id == tip.id).order_by(TimelineEntry.at, TimelineEntry.id)
    ).scalars().all()
    agency = None
    if tip.agency_code:
        agency = {"code": tip.agency_code, "name_th": tip.agency_name_th, "name_en": tip.agency_name_en}
    return {
        "reference": tip.reference,
        "status": tip.status,
        "status_label": TIPSTER_STATUSES.get(tip.status),
        "agency": agency,
        "timeline": [
            {"status": t.status, "label": {"th": t.label_th, "en": t.label_en}, "at": _iso(t.at)}
            for t in timeline
        ],
        "questions": questions_of(session, keyring, tip) if keyring is not None else [],
        "messages_sent": session.execute(select(func.count()).select_from(Message)
                                         .where(Message.tip_id == tip.id)).scalar(),
        "receipt_change_recommended": bool(tip.receipt_shared),
    }


def volunteer_view(tip: Tip) -> dict:
    """What the volunteer who filed a tip may see: where it stands, never who sent it or what came later."""
    agency = None
    if tip.agency_code:
        agency = {"code": tip.agency_code, "name_th": tip.agency_name_th, "name_en": tip.agency_name_en}
    return {"reference": tip.reference, "status": tip.status, "status_label": TIPSTER_STATUSES.get(tip.status),
            "agency": agency, "submitted_at": _iso(tip.submitted_at), "updated_at": _iso(tip.updated_at)}


def _iso(value):
    return iso_utc(value)
