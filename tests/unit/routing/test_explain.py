"""`routing explain`: one compact JSON object per tip."""
import json
from datetime import datetime, timezone

import pytest

from services.routing.domain.explain import explain_lines
from services.routing.domain.rules import load_engine

NOW = datetime(2026, 11, 15, 3, 0, tzinfo=timezone.utc)
TRAT_BRIBE = {
    "id": "tip-1",
    "category": "bribery",
    "description": "เจ้าหน้าที่ที่ดินเรียกรับเงินเพื่อเร่งออกโฉนด",
    "event_date": "2026-10-01",
    "location": {"province_code": "23", "district_code": "2301", "subdistrict_code": None},
    "accused": {"official_type": "state_official", "name": "", "position": "เจ้าพนักงานที่ดิน",
                "organization": "สำนักงานที่ดินจังหวัดตราด"},
}


@pytest.fixture(scope="module")
def engine():
    return load_engine()


def test_one_tip_gives_one_line(engine):
    lines = explain_lines(TRAT_BRIBE, engine, NOW)
    assert len(lines) == 1
    assert "\n" not in lines[0]
    result = json.loads(lines[0])
    assert result["id"] == "tip-1"
    assert result["agency"] == "PACC-R2"
    assert result["triage"] is False
    assert result["rule"] == "r7-state-official"
    assert result["statute"]
    assert result["rules_version"] == engine.rules_version
    assert "ตราด" in lines[0]  # Thai is written as is, not as \u escapes
    assert "\\u0e" not in lines[0]


def test_a_list_gives_a_line_per_tip_in_order(engine):
    other = {**TRAT_BRIBE, "id": "tip-2", "category": "other"}
    barred = {**TRAT_BRIBE, "id": "tip-3", "event_date": "2015-01-01"}
    results = [json.loads(line) for line in explain_lines([TRAT_BRIBE, other, barred], engine, NOW)]
    assert [(r["id"], r["agency"], r["triage"], r["rule"]) for r in results] == [
        ("tip-1", "PACC-R2", False, "r7-state-official"),
        ("tip-2", None, True, "r2-category-other"),
        ("tip-3", None, True, "r1-time-barred"),
    ]
    assert results[1]["coordinator"] == "PACC-R2"
    assert set(results[1]["reasons"]) == {"th", "en"}


def test_submitted_at_in_the_tip_sets_the_time_bar(engine):
    tip = {**TRAT_BRIBE, "event_date": "2016-11-14"}
    assert json.loads(explain_lines(tip, engine, NOW)[0])["rule"] == "r1-time-barred"
    earlier = {**tip, "submitted_at": "2026-11-13T12:00:00+07:00"}
    assert json.loads(explain_lines(earlier, engine, NOW)[0])["rule"] == "r7-state-official"


def test_bad_entries_are_reported_per_line(engine):
    lines = explain_lines([TRAT_BRIBE, "not a tip", {**TRAT_BRIBE, "submitted_at": "yesterday"}], engine, NOW)
    results = [json.loads(line) for line in lines]
    assert results[0]["agency"] == "PACC-R2"
    assert results[1] == {"error": "a tip must be a JSON object"}
    assert results[2]["error"] == "submitted_at is not an ISO 8601 timestamp"


def test_empty_list_gives_no_lines(engine):
    assert explain_lines([], engine, NOW) == []


def test_the_sample_of_excluded_categories_never_reaches_the_pacc(engine):
    """docs/examples/excluded-accused.json: one tip per excluded category, typed and in words."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[3] / "docs" / "examples" / "excluded-accused.json"
    tips = json.loads(sample.read_text(encoding="utf-8"))
    results = {r["id"]: r for r in map(json.loads, explain_lines(tips, engine, NOW))}
    assert len(results) == len(tips) >= 20
    may_go_to_pacc = {"not-excluded-land-office", "police-conflict", "damrongtham-conflict"}
    for tip_id, result in results.items():
        offices = {result["agency"], result["coordinator"]} - {None}
        if tip_id not in may_go_to_pacc:
            assert not any(o.startswith("PACC") for o in offices), (tip_id, offices)
            assert result["accused"]["excluded_agencies"] == ["PACC"], tip_id
        assert not offices & set(result["accused"]["conflicted"]), tip_id
    assert results["pacc-r2-in-words"]["agency"] == "NACC-23"
    assert results["damrongtham-conflict"]["rule"] == "conflict-of-interest"
    assert results["not-excluded-land-office"]["agency"] == "PACC-R2"
