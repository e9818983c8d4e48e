"""Desk search over sealed case text, through the blind index (shared.blind_index).

Indexed: the description, the place, and the accused's organisation and position (Thai and English words).
The reference is clear metadata and is matched directly (a prefix such as "SS-7KQ2" works).
"""
from __future__ import annotations

import json
import re

from sqlalchemy import delete, func, insert, or_, select

from services.casework.models import Case, SearchTerm
from shared import blind_index

SERVICE = "casework"
_REFERENCE = re.compile(r"^SS-[A-Z0-9]{1,4}(-[A-Z0-9]{0,4})?$", re.IGNORECASE)


def texts_of(facts: dict) -> list[str]:
    accused = facts.get("accused") if isinstance(facts.get("accused"), dict) else {}
    location = facts.get("location") if isinstance(facts.get("location"), dict) else {}
    return [facts.get("description") or "", location.get("place") or "", accused.get("organization") or "",
            accused.get("position") or ""]


def index_case(session, case: Case) -> int:
    """(Re)build a case's entries in the index from its facts; returns how many terms it holds."""
    facts = json.loads(case.facts_json) if case.facts_json else {}
    hashes = blind_index.index_terms(SERVICE, *texts_of(facts))
    session.execute(delete(SearchTerm).where(SearchTerm.case_id == case.id))
    if hashes:
        session.execute(insert(SearchTerm), [{"case_id": case.id, "term": h} for h in sorted(hashes)])
    return len(hashes)


def condition(query: str):
    """A WHERE clause on Case for a desk query: every word found in the case's text, or its reference."""
    query = (query or "").strip()
    clauses = []
    if _REFERENCE.match(query):
        clauses.append(Case.reference.like(query.upper() + "%"))
    hashes = blind_index.query_terms(SERVICE, query)
    if hashes:
        matching = (select(SearchTerm.case_id).where(SearchTerm.term.in_(sorted(hashes)))
                    .group_by(SearchTerm.case_id).having(func.count(SearchTerm.term) == len(hashes)))
        clauses.append(Case.id.in_(matching))
    if not clauses:
        return Case.id.is_(None)  # nothing searchable in the query: nothing found
    return or_(*clauses)


def reindex_all(session, batch: int = 200) -> int:
    """Rebuild the whole index (after the index key changed, or for cases from before the index existed)."""
    done, last = 0, ""
    while True:
        cases = session.execute(select(Case).where(Case.id > last).order_by(Case.id).limit(batch)).scalars().all()
        if not cases:
            return done
        for case in cases:
            index_case(session, case)
            done += 1
        last = cases[-1].id
