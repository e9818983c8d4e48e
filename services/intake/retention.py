"""intake's retention steps: failed-receipt guard rows, expired idempotent responses, and the tipster's identity
and contact once their case has been closed for `tipster_identity_days_after_closure` (per agency)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from services.intake.models import GuardBucket, IdempotentResponse, Tip
from shared.events import aware_utc
from shared.retention import Step, period_for, settings


def steps(config: dict) -> list[Step]:
    def guard(uow, now):
        cutoff = now - timedelta(days=float(settings(config)["guard_days"]))
        return uow.session.execute(delete(GuardBucket).where(
            GuardBucket.window_start < cutoff,
            or_(GuardBucket.locked_until.is_(None), GuardBucket.locked_until < now))).rowcount

    def idempotency(uow, now):
        return uow.session.execute(delete(IdempotentResponse).where(IdempotentResponse.expires_at < now)).rowcount

    def identity(uow, now):
        rows = uow.session.execute(select(Tip.id, Tip.agency_code, Tip.updated_at).where(
            Tip.status == "closed", Tip.reporter_json.is_not(None))).all()
        due = [r.id for r in rows
               if aware_utc(r.updated_at) < now - timedelta(days=period_for(
                   config, "tipster_identity_days_after_closure", r.agency_code))]
        if not due:
            return 0
        return uow.session.execute(update(Tip).where(Tip.id.in_(due)).values(reporter_json=None)).rowcount

    return [Step("guard_rows", guard), Step("expired_idempotent_responses", idempotency),
            Step("tipster_identities_removed", identity)]
