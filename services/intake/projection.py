"""Intake's view of where each tip stands, kept current from routing and casework events.

Answering the tipster from this projection means the status page needs no call to another service. Events may
arrive out of order (several relays, redeliveries): the status only moves forward by rank, but every event
adds its line to the timeline.
"""
from __future__ import annotations

from sqlalchemy import select

from services.intake.models import TimelineEntry, Tip
from services.intake.submission import STATUS_RANK
from shared.vocabulary import TIPSTER_STATUSES


def _tip(session, reference: str) -> Tip:
    tip = session.execute(select(Tip).where(Tip.reference == reference)).scalar_one_or_none()
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
    _advance(uow.session, tip, "received", event, p["opened_at"])


def on_case_status_changed(uow, event) -> None:
    p = event.payload
    tip = _tip(uow.session, p["reference"])
    status = p["to_status"] if p["to_status"] in TIPSTER_STATUSES else "under_review"
    _advance(uow.session, tip, status, event, p["changed_at"], label=p["tipster_label"])


def status_view(session, tip: Tip) -> dict:
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
    }


def _iso(value):
    from datetime import timezone

    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()
