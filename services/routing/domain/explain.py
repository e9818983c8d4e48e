"""Routing decisions as JSON lines, for `sodsong routing explain FILE`.

Each tip may carry `submitted_at` (ISO 8601); without it the decision is made as of now. A tip that carries
an `id` gets it echoed, so lines can be matched to tips.
"""
from __future__ import annotations

import json
from datetime import datetime

from shared.clock import aware_utc, utcnow

from .rules import RuleEngine, load_engine


def explain_lines(obj, engine: RuleEngine | None = None, now: datetime | None = None) -> list[str]:
    engine = engine or load_engine()
    now = now or utcnow()
    tips = obj if isinstance(obj, list) else [obj]
    return [json.dumps(_explain(tip, engine, now), ensure_ascii=False) for tip in tips]


def _explain(tip, engine: RuleEngine, now: datetime) -> dict:
    if not isinstance(tip, dict):
        return {"error": "a tip must be a JSON object"}
    submitted_at = now
    if tip.get("submitted_at") is not None:
        given = _submitted_at(tip["submitted_at"])
        if given is None:
            return {"id": tip.get("id"), "error": "submitted_at is not an ISO 8601 timestamp"}
        submitted_at = given
    result = engine.decide(tip, submitted_at).as_dict()
    if "id" in tip:
        result = {"id": tip["id"], **result}
    return result


def _submitted_at(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return aware_utc(moment)
