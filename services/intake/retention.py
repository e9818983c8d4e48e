"""intake's retention steps: expired idempotent responses, expired web form drafts (kept files, a receipt to
re-show), and the tipster's identity and contact once their case
has been closed for `tipster_identity_days_after_closure` (per agency). (Failed receipt attempts are counted in
memory only, services.intake.domain.receipt_guard: nothing to delete.)"""
from __future__ import annotations

from datetime import timedelta

from shared.clock import aware_utc
from shared.retention import Step, period_for


def steps(config: dict) -> list[Step]:
    def idempotency(uow, now):
        return uow.repo.forget_responses_expired_before(now)

    def identity(uow, now):
        due = [r.id for r in uow.repo.closed_tips_with_identity()
               if aware_utc(r.updated_at) < now - timedelta(days=period_for(
                   config, "tipster_identity_days_after_closure", r.agency_code))]
        if not due:
            return 0
        return uow.repo.forget_identities(due)

    def form_drafts(uow, now):
        return uow.repo.forget_form_drafts_expired_before(now)

    return [Step("expired_idempotent_responses", idempotency), Step("expired_form_drafts", form_drafts),
            Step("tipster_identities_removed", identity)]
