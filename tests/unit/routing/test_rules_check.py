"""`rules check`: clean data passes; each kind of breakage is reported."""
from datetime import datetime, timezone

import pytest
import yaml

from services.routing.domain.directory import AGENCIES_PATH, load_directory
from services.routing.domain.rules import RULES_PATH, load_engine
from services.routing.domain.rules_check import check, check_files


def load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dump(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def rule(spec, rule_id):
    return next(r for r in spec["rules"] if r["id"] == rule_id)


def agency(spec, code):
    return next(o for o in spec["offices"] if o["code"] == code)


def test_shipped_data_is_clean():
    assert check(load_engine()) == []
    assert check_files() == []


def test_shadowed_rule_is_reported(tmp_path):
    spec = load(RULES_PATH)
    shadow = {"id": "r0-everyone-to-pacc", "when": {"official_type": [
                  "state_official", "kamnan_village_head", "soe_employee", "police_officer", "military_officer",
                  "university_staff"]},
              "office_of": "PACC", "statute": "PACC Act 2551 s.3", "reasons": {"th": "ก", "en": "a"}}
    spec["rules"].insert(1, shadow)
    problems = check_files(rules_path=dump(tmp_path, "rules.yaml", spec))
    assert any("r7-state-official is never reached" in p for p in problems)
    assert not any("r0-everyone-to-pacc" in p for p in problems)


def test_unknown_agency_code_is_reported(tmp_path):
    spec = load(RULES_PATH)
    rule(spec, "r8-private-bid-rigging")["agency"] = "DSI-BIDS"
    problems = check_files(rules_path=dump(tmp_path, "rules.yaml", spec))
    assert "rule r8-private-bid-rigging: DSI-BIDS for province 23 is not in the directory" in problems


def test_vocabulary_typo_is_reported(tmp_path):
    spec = load(RULES_PATH)
    rule(spec, "r8-private-bid-rigging")["when"]["category"] = ["procurment"]
    problems = check_files(rules_path=dump(tmp_path, "rules.yaml", spec))
    assert "rule r8-private-bid-rigging: category value 'procurment' is not in the vocabulary" in problems
    assert any("r8-private-bid-rigging is never reached" in p for p in problems)


def test_gap_without_catch_all_is_reported(tmp_path):
    spec = load(RULES_PATH)
    spec["rules"] = [r for r in spec["rules"] if r["id"] not in {"r9-unknown-other", "r10-fallback"}]
    path = dump(tmp_path, "rules.yaml", spec)
    assert "no rule decides unknown x bribery (Bangkok, recent)" in check_files(rules_path=path)
    # The engine still gives the gap one outcome.
    tip = {"category": "bribery", "location": {"province_code": "10"}, "accused": {"official_type": "unknown"}}
    decision = load_engine(rules_path=path).decide(tip, datetime(2026, 11, 1, tzinfo=timezone.utc))
    assert (decision.rule, decision.triage, decision.coordinator) == ("no-rule", True, "PACC")


def test_catch_all_must_be_last(tmp_path):
    spec = load(RULES_PATH)
    fallback = spec["rules"].pop()
    spec["rules"].insert(3, fallback)
    problems = check_files(rules_path=dump(tmp_path, "rules.yaml", spec))
    assert "the catch-all rule must be the last rule" in problems


def test_province_without_pacc_office_is_reported(tmp_path):
    spec = load(AGENCIES_PATH)
    agency(spec, "PACC-R2")["provinces"].remove("23")
    path = dump(tmp_path, "agencies.yaml", spec)
    problems = check_files(agencies_path=path)
    assert "province 23: needs exactly one PACC office, has none" in problems
    assert "rule r7-state-official: a PACC office for province 23 is not in the directory" in problems
    assert "province 23: the triage coordinator is not in the directory" in problems
    # Routing into the gap triages instead of failing.
    tip = {"category": "bribery", "location": {"province_code": "23"},
           "accused": {"official_type": "state_official"}}
    engine = load_engine(load_directory(agencies_path=path))
    decision = engine.decide(tip, datetime(2026, 11, 1, tzinfo=timezone.utc))
    assert (decision.rule, decision.agency, decision.coordinator) == ("directory-no-office", None, "PACC")
    assert "PACC" in decision.reasons["en"] and "Trat" in decision.reasons["en"]


def test_province_with_two_pacc_offices_is_reported(tmp_path):
    spec = load(AGENCIES_PATH)
    agency(spec, "PACC-R3")["provinces"].append("23")
    problems = check_files(agencies_path=dump(tmp_path, "agencies.yaml", spec))
    assert problems == ["province 23: needs exactly one PACC office, has PACC-R2, PACC-R3"]


def test_missing_provincial_nacc_office_is_reported(tmp_path):
    spec = load(AGENCIES_PATH)
    spec["per_province"][0]["skip"] = ["10", "96"]
    problems = check_files(agencies_path=dump(tmp_path, "agencies.yaml", spec))
    assert "province 96: needs exactly one NACC office, has none" in problems


def test_unknown_province_code_in_directory_is_reported(tmp_path):
    spec = load(AGENCIES_PATH)
    agency(spec, "PACC-R9")["provinces"].append("97")
    problems = check_files(agencies_path=dump(tmp_path, "agencies.yaml", spec))
    assert "office PACC-R9: unknown province code 97" in problems


@pytest.mark.parametrize("text, message", [
    ("rules: [\n", "cannot read"),
    ("version: '1'\nrules:\n  - id: x\n    when: {colour: [red]}\n    triage: true\n"
     "    reasons: {th: ก, en: a}\n", "unknown condition colour"),
    ("version: '1'\nrules:\n  - id: x\n    agency: OAG\n    triage: true\n    reasons: {th: ก, en: a}\n",
     "exactly one of office_of, agency, triage"),
    ("rules: []\n", "no version"),
    ("version: '1'\nrules: []\n", "no list of rules"),
    ("version: '1'\nrules: [oops]\n", "must be a mapping"),
])
def test_unloadable_rules_file_is_reported(tmp_path, text, message):
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    problems = check_files(rules_path=path)
    assert len(problems) == 1 and message in problems[0]


# --- exclusions, recognition and conflict of interest ----------------------------------------------------------

def test_a_rule_sending_an_excluded_official_to_the_pacc_is_reported(tmp_path):
    spec = load(RULES_PATH)
    rule(spec, "r5-pacc-excluded-officials")["office_of"] = "PACC"
    problems = check_files(rules_path=dump(tmp_path, "rules.yaml", spec))
    assert ("rule r5-pacc-excluded-officials sends judge x bribery to PACC, which PACC Act 2551 s.3 excludes "
            "(exclusion x-pacc-courts)") in problems
    assert any("sends pacc_staff x bribery to PACC" in p for p in problems)


def test_every_exclusion_is_reachable_by_words(tmp_path):
    from services.routing.domain.accused import ACCUSED_PATH

    spec = load(ACCUSED_PATH)
    spec["organisations"] = [e for e in spec["organisations"] if e["id"] != "org-court"]
    spec["positions"] = [e for e in spec["positions"] if e["id"] != "pos-judge"]
    problems = check_files(accused_path=dump(tmp_path, "accused.yaml", spec))
    assert problems == ["exclusion x-pacc-courts: no position or organisation in the recognition list leads to "
                        "it, so it is reached only when the tipster picks the type"]


def test_an_exclusion_of_an_unknown_type_is_reported(tmp_path):
    spec = load(RULES_PATH)
    spec["exclusions"][0]["official_types"].append("judges")
    problems = check_files(rules_path=dump(tmp_path, "rules.yaml", spec))
    assert "exclusion x-pacc-political: official type 'judges' is not in the vocabulary" in problems


def test_a_rule_naming_an_office_without_its_statute_is_reported(tmp_path):
    spec = load(RULES_PATH)
    rule(spec, "r5-pacc-excluded-officials")["statute"] = ""
    problems = check_files(rules_path=dump(tmp_path, "rules.yaml", spec))
    assert "rule r5-pacc-excluded-officials: names an office but no statute" in problems


def test_vocabulary_must_be_the_forms(tmp_path):
    spec = load(RULES_PATH)
    spec["vocabulary"]["official_types"].remove("court_staff")
    problems = check_files(rules_path=dump(tmp_path, "rules.yaml", spec))
    assert "official type 'court_staff' is offered to tipsters but not in the rules' vocabulary" in problems


def test_recognition_naming_unknown_types_or_offices_is_reported(tmp_path):
    from services.routing.domain.accused import ACCUSED_PATH

    spec = load(ACCUSED_PATH)
    entry = next(e for e in spec["organisations"] if e["id"] == "org-audit")
    entry["official_type"] = "auditor"
    entry["works_at"] = {"office": "OAG-HQ"}
    problems = check_files(accused_path=dump(tmp_path, "accused.yaml", spec))
    assert "recognition org-audit: official type 'auditor' is not in the vocabulary" in problems
    assert "recognition org-audit: office OAG-HQ is not in the directory" in problems


def test_a_province_without_a_triage_desk_the_accused_may_have_is_reported(tmp_path):
    spec = load(RULES_PATH)
    spec["triage"]["alternates"] = [{"office_of": "NACC"}]
    problems = check_files(rules_path=dump(tmp_path, "rules.yaml", spec))
    assert "no triage desk for nacc_staff working at an unlisted office in province 23" in problems
    # the engine still gives one outcome, at an office the accused does not work in
    engine = load_engine(rules_path=tmp_path / "rules.yaml")
    tip = {"category": "other", "location": {"province_code": "23"}, "accused": {"official_type": "nacc_staff"}}
    decision = engine.decide(tip, datetime(2026, 11, 1, tzinfo=timezone.utc))
    assert decision.triage and decision.coordinator not in {"PACC-R2", "NACC-23", "NACC", "PACC"}


def test_an_exclusion_without_a_statute_cannot_be_loaded(tmp_path):
    spec = load(RULES_PATH)
    spec["exclusions"][0]["statute"] = ""
    problems = check_files(rules_path=dump(tmp_path, "rules.yaml", spec))
    assert len(problems) == 1 and "needs the statute" in problems[0]
