"""Intake's view of where each tip stands, kept current from routing and casework events (the rules: domain/status.py).

Answering the tipster from this projection means the status page needs no call to another service. Events may
arrive out of order (several relays, redeliveries); each consumer runs in one unit of work (`uow.repo`) with the
inbox row that makes it run once.
"""
from __future__ import annotations

import json

from services.intake.crypto import Keyring
from services.intake.domain.status import (QUESTION_LABEL, agency_of, human_timeline, move_headline, received_label,
                                           tipster_status)
from services.intake.models import Question, TimelineEntry, Tip
from services.intake.usecases.submission import aad
from shared.clock import aware_utc, iso_utc
from shared.vocabulary import TIPSTER_STATUSES


# the tipster's states that mean an office has acknowledged the tip (the public statistics count from the first)
ACKNOWLEDGED = ("acknowledged", "under_review", "investigating", "closed")


def _tip(repo, reference: str) -> Tip:
    tip = repo.tip_by_reference(reference, for_update=True)  # locked: each event moves the status
    if tip is None:
        # intake made every tip it hears about; an unknown reference is a bug or a forged event
        raise LookupError(f"no tip with reference {reference}")
    return tip


def _line(repo, tip: Tip, status: str, event, at, label=None, *, seq=None, agency=None) -> None:
    label = label or TIPSTER_STATUSES[status]
    repo.add_timeline(TimelineEntry(tip_id=tip.id, source_event_id=event.id, status=status, label_th=label["th"][:300],
                           label_en=label["en"][:300], at=at, seq=seq, agency_code=agency))


def on_tip_routed(uow, event) -> None:
    p = event.payload
    tip = _tip(uow.repo, p["reference"])
    status = "triage" if p["triage"] else "routed"
    move_headline(tip, status, p["decided_at"], None, p["agency"])
    if not p.get("hop"):
        # routing's first decision; a later one (a transfer) is told by the case reopening at its new office
        _line(uow.repo, tip, status, event, p["decided_at"], agency=p["agency"]["code"])


def on_case_opened(uow, event) -> Tip:
    p = event.payload
    tip = _tip(uow.repo, p["reference"])
    # a triage case is held by the coordinating office until a triage officer names the competent one
    status = "triage" if p.get("triage") else "received"
    if move_headline(tip, status, p["opened_at"], p.get("case_version"), p["office"]):
        tip.closure_json = tip.closed_at = None
    _line(uow.repo, tip, status, event, p["opened_at"], None if p.get("triage") else received_label(p["office"]),
          seq=p.get("case_version"), agency=p["office"]["code"])
    return tip


def on_case_status_changed(uow, event, keyring: Keyring | None = None) -> Tip:
    p = event.payload
    tip = _tip(uow.repo, p["reference"])
    status = tipster_status(p["to_status"])
    if status in ACKNOWLEDGED and (tip.acknowledged_at is None or aware_utc(tip.acknowledged_at) > p["changed_at"]):
        tip.acknowledged_at = p["changed_at"]  # the first acknowledgement, whatever order the events come in
    if move_headline(tip, status, p["changed_at"], p.get("case_version"), p.get("office")):
        tip.closed_at = p["changed_at"] if status == "closed" else None
        closure = p.get("closure") if status == "closed" else None
        if closure and keyring is not None:
            tip.closure_json = keyring.encrypt_text(json.dumps(closure, ensure_ascii=False),
                                                    aad("intake_tips.closure_json", tip.id))
        else:
            tip.closure_json = None
    if status == "received":
        return tip  # back at an office: case.opened tells it (a re-opening), or a refused hand-over (nothing)
    _line(uow.repo, tip, status, event, p["changed_at"], label=p["tipster_label"], seq=p.get("case_version"),
          agency=p["office_code"])
    return tip


def on_question_asked(uow, event, keyring: Keyring) -> Tip:
    """A caseworker's question: kept sealed, shown on the status page, a line in the timeline (status unchanged)."""
    p = event.payload
    repo = uow.repo
    tip = _tip(repo, p["reference"])
    if repo.question(p["question_id"]) is not None:
        return tip  # the same question announced twice
    text = {"text": p["text"], "text_en": p.get("text_en")}
    repo.add(Question(id=p["question_id"], tip_id=tip.id, asked_at=p["asked_at"],
                      text_enc=keyring.encrypt_text(json.dumps(text, ensure_ascii=False),
                                                    aad("intake_questions.text_enc", p["question_id"]))),
             TimelineEntry(tip_id=tip.id, source_event_id=event.id, status="question",
                           label_th=QUESTION_LABEL["th"], label_en=QUESTION_LABEL["en"], at=p["asked_at"]))
    return tip


def questions_of(repo, keyring: Keyring, tip: Tip) -> list[dict]:
    out = []
    for q in repo.questions(tip.id):
        text = json.loads(keyring.decrypt_text(q.text_enc, aad("intake_questions.text_enc", q.id)))
        out.append({"question_id": q.id, "text": text["text"], "text_en": text.get("text_en"),
                    "asked_at": iso_utc(q.asked_at), "answered": q.answered_at is not None})
    return out


def closure_of(tip: Tip, keyring: Keyring | None) -> dict | None:
    """Why the case was closed, for the tipster: the resolution's words and the office's reason."""
    if tip.status != "closed" or not tip.closure_json or keyring is None:
        return None
    c = json.loads(keyring.decrypt_text(tip.closure_json, aad("intake_tips.closure_json", tip.id)))
    return {"resolution": c["resolution"], "resolution_label": c["resolution_label"],
            "reason": {"th": c["reason_th"], "en": c.get("reason_en")}}


def status_view(repo, tip: Tip, keyring: Keyring | None = None) -> dict:
    return {
        "reference": tip.reference,
        "status": tip.status,
        "status_label": TIPSTER_STATUSES.get(tip.status),
        "agency": agency_of(tip),
        "timeline": [
            {"status": t.status, "label": {"th": t.label_th, "en": t.label_en}, "at": iso_utc(t.at)}
            for t in human_timeline(repo.timeline(tip.id))
        ],
        "closure": closure_of(tip, keyring),
        "questions": questions_of(repo, keyring, tip) if keyring is not None else [],
        "messages_sent": repo.message_count(tip.id),
        "receipt_change_recommended": bool(tip.receipt_shared),
    }


def volunteer_view(tip: Tip) -> dict:
    """What the volunteer who filed a tip may see: where it stands, never who sent it or what came later."""
    return {"reference": tip.reference, "status": tip.status, "status_label": TIPSTER_STATUSES.get(tip.status),
            "agency": agency_of(tip), "submitted_at": iso_utc(tip.submitted_at), "updated_at": iso_utc(tip.updated_at)}
