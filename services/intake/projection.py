"""Intake's view of where each tip stands, kept current from routing and casework events.

Answering the tipster from this projection means the status page needs no call to another service. Events may
arrive out of order (several relays, redeliveries). Casework numbers every change of a case's state
(`case_version` on case.opened and case.status_changed): the headline status is the case's state at the highest
version heard, so it follows the case wherever it goes — a transfer, a refused transfer, a reopening — and a
late event never moves it back. Before the case exists, routing's decision moves the status forward by rank.

The timeline is for a person: one line per step they care about, in the order the steps happened. A hand-over
that routing refused (the case stayed where it was) and a triage stop that ends at the same office leave no
line; a line that only repeats the one before it is not shown again.
"""
from __future__ import annotations

from sqlalchemy import func, select

from services.intake.models import Message, Question, TimelineEntry, Tip
from services.intake.submission import STATUS_RANK, aad
from shared.clock import aware_utc, iso_utc
from shared.vocabulary import TIPSTER_STATUSES


def _tip(session, reference: str) -> Tip:
    # locked: tip.routed and case.opened for one tip may be handled at the same moment, and each moves the status
    tip = session.execute(select(Tip).where(Tip.reference == reference).with_for_update()).scalar_one_or_none()
    if tip is None:
        # intake made every tip it hears about; an unknown reference is a bug or a forged event
        raise LookupError(f"no tip with reference {reference}")
    return tip


def _line(session, tip: Tip, status: str, event, at, label=None, *, seq=None, agency=None) -> None:
    label = label or TIPSTER_STATUSES[status]
    session.add(TimelineEntry(tip_id=tip.id, source_event_id=event.id, status=status, label_th=label["th"][:300],
                              label_en=label["en"][:300], at=at, seq=seq, agency_code=agency))


def _headline(tip: Tip, status: str, at, version: int | None, agency: dict | None = None) -> bool:
    """Set the headline status if this event is newer than what the tip shows; True if it was."""
    if version is None:
        # an event from before case versions (or routing's, before the case exists): forward by rank only
        rank = STATUS_RANK.get(status, 0)
        if tip.case_version or rank < tip.status_rank:
            return False
    elif version <= (tip.case_version or 0):
        return False
    else:
        tip.case_version = version
    tip.status = status
    tip.status_rank = STATUS_RANK.get(status, 0)
    tip.updated_at = at
    if agency:
        tip.agency_code, tip.agency_name_th, tip.agency_name_en = agency["code"], agency["name_th"], agency["name_en"]
    return True


def on_tip_routed(uow, event) -> None:
    p = event.payload
    tip = _tip(uow.session, p["reference"])
    status = "triage" if p["triage"] else "routed"
    _headline(tip, status, p["decided_at"], None, p["agency"])
    if not p.get("hop"):
        # routing's first decision; a later one (a transfer) is told by the case reopening at its new office
        _line(uow.session, tip, status, event, p["decided_at"], agency=p["agency"]["code"])


def received_label(office: dict) -> dict:
    return {"th": f"{office['name_th']} ได้รับเรื่องของท่านแล้ว", "en": f"{office['name_en']} has received your report"}


def on_case_opened(uow, event) -> None:
    p = event.payload
    tip = _tip(uow.session, p["reference"])
    # a triage case is held by the coordinating office until a triage officer names the competent one
    status = "triage" if p.get("triage") else "received"
    if _headline(tip, status, p["opened_at"], p.get("case_version"), p["office"]):
        tip.closure_json = None
    _line(uow.session, tip, status, event, p["opened_at"], None if p.get("triage") else received_label(p["office"]),
          seq=p.get("case_version"), agency=p["office"]["code"])


# what the tipster is told of a state casework has and the tipster's vocabulary has not
_TIPSTER_STATUS = {"referred": "transferred"}


def on_case_status_changed(uow, event, keyring=None) -> None:
    import json

    p = event.payload
    tip = _tip(uow.session, p["reference"])
    status = _TIPSTER_STATUS.get(p["to_status"], p["to_status"])
    if status not in TIPSTER_STATUSES:
        status = "under_review"
    if _headline(tip, status, p["changed_at"], p.get("case_version"), p.get("office")):
        closure = p.get("closure") if status == "closed" else None
        if closure and keyring is not None:
            tip.closure_json = keyring.encrypt_text(json.dumps(closure, ensure_ascii=False),
                                                    aad("intake_tips.closure_json", tip.id))
        else:
            tip.closure_json = None
    if status == "received":
        return  # back at an office: case.opened tells it (a re-opening), or it is a refused hand-over (nothing)
    _line(uow.session, tip, status, event, p["changed_at"], label=p["tipster_label"], seq=p.get("case_version"),
          agency=p["office_code"])


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


def human_timeline(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """The lines a person reads: in the order things happened; a hand-over shown only when the case then opened
    at another office (or is still on its way); no line that repeats the one before it."""
    entries = sorted(entries, key=lambda t: (_aware(t.at), t.seq or 0, t.id or 0))
    shown: list[TimelineEntry] = []
    last_status = None  # the last status line shown (questions and messages are lines of their own, never merged)
    for i, entry in enumerate(entries):
        if entry.status not in TIPSTER_STATUSES:
            shown.append(entry)
            continue
        if entry.status == "transferred":
            after = next((e for e in entries[i + 1:] if e.seq is not None), None)
            if after is not None and not (after.status in ("received", "triage")
                                          and (after.agency_code is None or after.agency_code != entry.agency_code)):
                continue  # refused, or decided in favour of the same office: nothing moved
        if last_status is not None and (last_status.status, last_status.label_th) == (entry.status, entry.label_th):
            continue
        shown.append(entry)
        last_status = entry
    return shown


def closure_of(tip: Tip, keyring) -> dict | None:
    """Why the case was closed, for the tipster: the resolution's words and the office's reason."""
    import json

    if tip.status != "closed" or not tip.closure_json or keyring is None:
        return None
    c = json.loads(keyring.decrypt_text(tip.closure_json, aad("intake_tips.closure_json", tip.id)))
    return {"resolution": c["resolution"], "resolution_label": c["resolution_label"],
            "reason": {"th": c["reason_th"], "en": c.get("reason_en")}}


def status_view(session, tip: Tip, keyring=None) -> dict:
    timeline = human_timeline(session.execute(
        select(TimelineEntry).where(TimelineEntry.tip_id == tip.id)).scalars().all())
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
        "closure": closure_of(tip, keyring),
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


def _aware(value):
    return aware_utc(value)
