"""`sodsong routing explain FILE` and `sodsong routing rules check`, run as an operator runs them."""
from __future__ import annotations

import json
import os

import pytest

from tests.support.processes import cli

TRAT_STATE_OFFICIAL = {
    "category": "bribery",
    "description": "เจ้าหน้าที่ที่ดินเรียกรับเงิน 5,000 บาทเพื่อเร่งออกโฉนดให้ชาวบ้าน",
    "location": {"province_code": "23", "district_code": "2301"},
    "accused": {"official_type": "state_official"},
}


@pytest.fixture
def env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SODSONG")}
    env.update({"SODSONG_DATA_DIR": str(tmp_path / "data"), "SODSONG_LOG_LEVEL": "WARNING",
                "SODSONG__metrics__http": ""})
    return env


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_explain_one_tip(env, tmp_path):
    result = cli(env, "routing", "explain", write(tmp_path, "tip.json", json.dumps(TRAT_STATE_OFFICIAL)))
    (line,) = result.stdout.splitlines()
    decision = json.loads(line)
    assert decision["agency"] == "PACC-R2" and decision["triage"] is False
    assert decision["agency_name_en"] == "PACC Region 2 (Chon Buri)"
    assert decision["rule"] and decision["statute"] and decision["rules_version"]
    assert decision["reasons"]["th"] and decision["reasons"]["en"]


def test_explain_an_array_keeps_order_and_ids(env, tmp_path):
    tips = [
        {"id": "a", **TRAT_STATE_OFFICIAL},
        {"id": "b", **TRAT_STATE_OFFICIAL, "accused": {"official_type": "local_executive"}},
        {"id": "c", **TRAT_STATE_OFFICIAL, "category": "other"},
        {"id": "d", **TRAT_STATE_OFFICIAL, "submitted_at": "not a time"},
        "not an object",
    ]
    result = cli(env, "routing", "explain", write(tmp_path, "tips.json", json.dumps(tips, ensure_ascii=False)))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("id") for line in lines] == ["a", "b", "c", "d", None]
    assert lines[0]["agency"] == "PACC-R2"
    assert lines[1]["agency"] == "NACC-23"
    assert lines[2]["triage"] is True and lines[2]["agency"] is None and lines[2]["coordinator"] == "PACC-R2"
    assert "submitted_at" in lines[3]["error"]
    assert lines[4] == {"error": "a tip must be a JSON object"}


def test_explain_reads_standard_input(env):
    result = cli(env, "routing", "explain", "-", input_text=json.dumps(TRAT_STATE_OFFICIAL))
    assert json.loads(result.stdout)["agency"] == "PACC-R2"


def test_explain_rejects_a_file_that_is_not_json(env, tmp_path):
    path = write(tmp_path, "broken.json", '{"category": "bribery",')
    result = cli(env, "routing", "explain", path, check=False)
    assert result.returncode == 2
    assert "not JSON" in result.stderr and path in result.stderr
    assert result.stdout == ""


def test_explain_a_missing_file_is_a_usage_error(env, tmp_path):
    result = cli(env, "routing", "explain", str(tmp_path / "nope.json"), check=False)
    assert result.returncode == 2 and "nope.json" in result.stderr


def test_rules_check_passes_on_the_shipped_rules(env):
    result = cli(env, "routing", "rules", "check")
    assert result.stdout.startswith("ok:")
    assert result.stderr.strip() == ""


def refused_override(env, tmp_path, override: str):
    """`sodsong routing rules check` with this override file, which it refuses (exit 1)."""
    env["SODSONG__routing__overrides"] = write(tmp_path, "override.yaml", override)
    result = cli(env, "routing", "rules", "check", check=False)
    assert result.returncode == 1
    return result


def test_rules_check_names_an_unknown_office_in_the_override_file(env, tmp_path):
    result = refused_override(env, tmp_path, "offices:\n  NOWHERE-99:\n    hotline: '1111'\n")
    assert "override: unknown office NOWHERE-99" in result.stderr
    assert not result.stdout.startswith("ok")


def test_rules_check_names_the_provinces_an_override_leaves_without_an_office(env, tmp_path):
    result = refused_override(env, tmp_path, "offices:\n  PACC-R2:\n    provinces: []\n")
    problems = result.stderr.splitlines()
    assert "province 23: needs exactly one PACC office, has none" in problems
    assert all("PACC" in p or "coordinator" in p or "rule" in p for p in problems)


def test_rules_check_reports_a_field_an_override_may_not_change(env, tmp_path):
    result = refused_override(env, tmp_path, "offices:\n  PACC-R2:\n    provenance: verified\n")
    assert "override: office PACC-R2 cannot change provenance" in result.stderr
