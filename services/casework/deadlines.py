"""The deadline sweep: raises due reminders and breaches (the rules are services/casework/domain/deadlines.py).

The sweep is a cluster job (shared.jobs: `casework.deadline_sweep`, every `casework.sweep_seconds`), so only the
instance holding its lease sweeps; on top of that every alert has a unique row per case, deadline, kind and due
date, so a reminder or an escalation is raised once even if two sweeps ever overlap.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from services.casework.domain.deadlines import settings_for
from services.casework.domain.lifecycle import OPEN_STATES
from services.casework.models import Case, CaseEvent, DeadlineAlert, User
from shared.clock import aware_utc as _aware

SWEEP_LEASE = "casework.deadline_sweep"


# -- the sweep -----------------------------------------------------------------------------------------------
@dataclass
class SweepResult:
    reminders: list[tuple[str, str]] = field(default_factory=list)   # (reference, deadline)
    breaches: list[tuple[str, str]] = field(default_factory=list)


def sweep(db, deadlines_config: dict | None, *, now: datetime, holder: str, batch: int = 500) -> SweepResult:
    """Raise due reminders and breaches (the caller holds the sweep's lease: shared.jobs)."""
    result = SweepResult()
    for alert in _due_alerts(db, deadlines_config, now, batch):
        if _raise(db, alert, now, holder):
            (result.breaches if alert["kind"] == "breach" else result.reminders).append(
                (alert["reference"], alert["deadline"]))
    return result


def _due_alerts(db, deadlines_config, now, batch) -> list[dict]:
    config = deadlines_config or {}
    per = [settings_for(config, code) for code in (config.get("agencies") or {})] + [settings_for(config)]
    widest_ack = max(timedelta(hours=float(s["remind_acknowledge_hours"])) for s in per)
    widest_fb = max(timedelta(days=float(s["remind_feedback_days"])) for s in per)
    with db.reading() as session:
        candidates = session.execute(select(Case).where(Case.status.in_(OPEN_STATES), or_(
            and_(Case.acknowledged_at.is_(None), Case.acknowledge_due <= now + widest_ack),
            and_(Case.feedback_given_at.is_(None), Case.feedback_due <= now + widest_fb),
        )).order_by(Case.acknowledge_due).limit(batch)).scalars().all()
        if not candidates:
            return []
        ids = [c.id for c in candidates]
        raised = {(a.case_id, a.deadline, a.kind, _aware(a.due_at)) for a in session.execute(
            select(DeadlineAlert).where(DeadlineAlert.case_id.in_(ids))).scalars()}
        assignees = {u.id: u.display_name for u in session.execute(
            select(User).where(User.id.in_({c.assignee_id for c in candidates if c.assignee_id}))).scalars()}
        session.expunge_all()
    due = []
    for case in candidates:
        s = settings_for(config, case.office_code)
        checks = []
        if case.acknowledged_at is None:
            checks.append(("acknowledge", _aware(case.acknowledge_due),
                           timedelta(hours=float(s["remind_acknowledge_hours"]))))
        if case.feedback_given_at is None:
            checks.append(("feedback", _aware(case.feedback_due), timedelta(days=float(s["remind_feedback_days"]))))
        for deadline, due_at, window in checks:
            if due_at <= now:
                kind = "breach"
            elif due_at - window <= now:
                kind = "reminder"
            else:
                continue
            if (case.id, deadline, kind, due_at) in raised:
                continue
            due.append({"case_id": case.id, "reference": case.reference, "office_code": case.office_code,
                        "deadline": deadline, "kind": kind, "due_at": due_at, "assignee_id": case.assignee_id,
                        "caseworker_name": assignees.get(case.assignee_id)})
    return due


def _raise(db, alert: dict, now: datetime, holder: str) -> bool:
    """One alert in its own transaction: its unique row, its timeline line and its event commit together."""
    import json

    try:
        with db.transaction() as uow:
            uow.session.add(DeadlineAlert(case_id=alert["case_id"], deadline=alert["deadline"], kind=alert["kind"],
                                          due_at=alert["due_at"], raised_at=now, raised_by=holder[:120]))
            uow.session.flush()
            breach = alert["kind"] == "breach"
            uow.session.add(CaseEvent(case_id=alert["case_id"], kind="deadline_breached" if breach
                                      else "deadline_reminder", actor="system", at=now, detail_json=json.dumps(
                                          {"deadline": alert["deadline"], "due_at": alert["due_at"].isoformat(),
                                           "escalated_to": "supervisor" if breach else None})))
            uow.emit("case.deadline_breached" if breach else "case.deadline_reminder", {
                "reference": alert["reference"], "case_id": alert["case_id"], "office_code": alert["office_code"],
                "deadline": alert["deadline"], "due_at": alert["due_at"], "assignee_id": alert["assignee_id"],
                "caseworker_name": alert["caseworker_name"],
                "escalate_to": "supervisor" if breach else ("assignee" if alert["assignee_id"] else "office"),
                "raised_at": now,
            }, correlation_id=alert["reference"])
        return True
    except IntegrityError:  # raised already (by an overlapping sweep)
        return False
