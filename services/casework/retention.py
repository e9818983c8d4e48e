"""casework's retention step: closed cases are anonymised `closed_case_days` after closing (per agency).

What stays: the reference, office, category, province, states, dates, resolution and the timeline's kinds and
times (what statistics and the office's register need). What goes: the description, place and accused, notes,
questions and answers, the tipster's messages, the details of timeline entries, and the case's search index.
"""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import delete, select, update

from services.casework.models import Case, CaseEvent, Handover, Note, Question, SearchTerm, TipsterMessage
from shared.clock import aware_utc
from shared.retention import Step, period_for

KEEP_FACTS = ("channel", "language", "category", "event_date", "submitted_at")


def anonymise(session, case: Case) -> None:
    facts = json.loads(case.facts_json) if case.facts_json else {}
    kept = {k: facts.get(k) for k in KEEP_FACTS}
    kept["location"] = {"province_code": (facts.get("location") or {}).get("province_code")}
    kept["accused"] = {"official_type": (facts.get("accused") or {}).get("official_type")}
    kept["description"] = ""
    kept["anonymised"] = True
    case.facts_json = json.dumps(kept, ensure_ascii=False)
    case.pending_closure_json = None
    case.closure_reason_json = None
    session.execute(update(Handover).where(Handover.reference == case.reference).values(reason="", refusal_json=None))
    session.execute(delete(Note).where(Note.case_id == case.id))
    session.execute(delete(Question).where(Question.case_id == case.id))
    session.execute(delete(TipsterMessage).where(TipsterMessage.reference == case.reference))
    session.execute(delete(SearchTerm).where(SearchTerm.case_id == case.id))
    session.execute(update(CaseEvent).where(CaseEvent.case_id == case.id).values(detail_json="{}"))


def steps(config: dict) -> list[Step]:
    def closed_cases(uow, now):
        done = 0
        for case in uow.session.execute(select(Case).where(Case.status == "closed", Case.closed_at.is_not(None))
                                        ).scalars():
            if json.loads(case.facts_json or "{}").get("anonymised"):
                continue
            days = period_for(config, "closed_case_days", case.office_code)
            if aware_utc(case.closed_at) < now - timedelta(days=days):
                anonymise(uow.session, case)
                done += 1
        return done

    return [Step("closed_cases_anonymised", closed_cases)]
