"""casework's retention step: closed cases are anonymised `closed_case_days` after closing (per agency).

What stays: the reference, office, category, province, states, dates, resolution and the timeline's kinds and
times (what statistics and the office's register need). What goes: the description, place and accused, notes,
questions and answers, the tipster's messages, the details of timeline entries, and the case's search index.
"""
from __future__ import annotations

import json
from datetime import timedelta

from shared.clock import aware_utc
from shared.retention import Step, period_for

KEEP_FACTS = ("channel", "language", "category", "event_date", "submitted_at")


def anonymised_facts(facts: dict) -> dict:
    """What a closed case keeps of its facts once anonymised."""
    kept = {k: facts.get(k) for k in KEEP_FACTS}
    kept["location"] = {"province_code": (facts.get("location") or {}).get("province_code")}
    kept["accused"] = {"official_type": (facts.get("accused") or {}).get("official_type")}
    kept["description"] = ""
    kept["anonymised"] = True
    return kept


def steps(config: dict) -> list[Step]:
    def closed_cases(uow, now):
        done = 0
        for case in uow.repo.closed_cases():
            if json.loads(case.facts_json or "{}").get("anonymised"):
                continue
            days = period_for(config, "closed_case_days", case.office_code)
            if aware_utc(case.closed_at) < now - timedelta(days=days):
                uow.repo.anonymise(case, anonymised_facts(json.loads(case.facts_json or "{}")))
                done += 1
        return done

    return [Step("closed_cases_anonymised", closed_cases)]
