"""intake's retention steps: expired idempotent responses, and the tipster's identity and contact once their case
has been closed for `tipster_identity_days_after_closure` (per agency). (Failed receipt attempts are counted in
memory only, services.intake.guard: nothing to delete.)"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from services.intake.models import IdempotentResponse, Tip
from shared.clock import aware_utc
from shared.retention import Step, period_for


def steps(config: dict) -> list[Step]:
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

    return [Step("expired_idempotent_responses", idempotency),
            Step("tipster_identities_removed", identity)]
