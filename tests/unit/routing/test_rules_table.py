"""The routing rules, case by case, against an oracle written straight from the rule list."""
from datetime import date, datetime, timedelta, timezone

import pytest
import yaml

from services.routing.domain.rules import RULES_PATH, is_time_barred, load_engine

BANGKOK_TIME = timezone(timedelta(hours=7))
SUBMITTED = datetime(2026, 11, 15, 10, 0, tzinfo=BANGKOK_TIME)
CORRUPTION = {"bribery", "procurement", "embezzlement", "abuse_of_power", "budget_misuse", "land_encroachment"}
CATEGORIES = sorted(CORRUPTION | {"conflict_of_interest", "unusual_wealth", "maladministration", "other"})
OFFICIAL_TYPES = ["political_office_holder", "local_executive", "local_council_member", "senior_executive",
                  "state_official", "kamnan_village_head", "soe_employee", "private_person", "unknown",
                  "police_officer", "military_officer", "university_staff", "judge", "court_staff", "prosecutor",
                  "parliament_staff", "independent_organ_staff", "constitutional_organ_staff", "nacc_staff",
                  "pacc_staff"]
# PACC Act 2551 s.3: officials the PACC may not act on (domain-th.md 1.2), and political office holders, who are
# not state officials at all (NACC Act 2561 s.4).
PACC_EXCLUDED = {"political_office_holder", "senior_executive", "judge", "court_staff", "prosecutor",
                 "local_executive", "local_council_member", "parliament_staff", "constitutional_organ_staff",
                 "independent_organ_staff", "nacc_staff", "pacc_staff"}
PACC_REGION = {"10": "PACC", "23": "PACC-R2", "50": "PACC-R5", "12": "PACC-R1", "90": "PACC-R9"}


@pytest.fixture(scope="module")
def engine():
    return load_engine()


def make_tip(category="bribery", official_type="state_official", province="23", event_date=None):
    tip = {
        "category": category,
        "description": "เรียกรับเงิน",
        "location": {"province_code": province, "district_code": None, "subdistrict_code": None},
        "accused": {"official_type": official_type, "name": "", "position": "", "organization": ""},
    }
    if event_date is not None:
        tip["event_date"] = event_date
    return tip


def oracle(official_type, category, province, barred):
    """(rule id, agency or None): the rule list, written out by hand."""
    nacc = "NACC" if province == "10" else f"NACC-{province}"
    if barred:
        return "r1-time-barred", None
    if category == "other":
        return "r2-category-other", None
    if official_type in ("political_office_holder", "senior_executive") and category != "maladministration":
        return "r3-political-senior", "NACC"
    if official_type == "nacc_staff" and category != "maladministration":
        return "r3-nacc-staff", None
    if category in ("unusual_wealth", "conflict_of_interest"):
        return "r4-wealth-conflict", nacc
    if official_type in ("local_executive", "local_council_member") and category in CORRUPTION:
        return "r5-local-politician", nacc
    if official_type in PACC_EXCLUDED - {"political_office_holder", "senior_executive", "nacc_staff"} \
            and category in CORRUPTION:
        return "r5-pacc-excluded-officials", nacc
    if category == "maladministration":
        return "r6-maladministration", f"DAMRONGTHAM-{province}"
    if official_type in ("state_official", "kamnan_village_head", "soe_employee", "police_officer",
                         "military_officer", "university_staff") and category in CORRUPTION:
        return "r7-state-official", PACC_REGION[province]
    if official_type == "private_person":
        return ("r8-private-bid-rigging", "DSI") if category == "procurement" else ("r8-private-other", "POLICE")
    if official_type == "unknown":
        return ("r9-unknown-budget", "OAG") if category == "budget_misuse" else ("r9-unknown-other", None)
    return "r10-fallback", None


def triage_desk(official_type, province):
    """Where a triaged tip is reviewed: the PACC office, unless the PACC may not act on the accused; then the
    NACC office, unless the accused is NACC staff; then the Damrongtham centre."""
    if official_type == "nacc_staff":
        return f"DAMRONGTHAM-{province}"
    if official_type in PACC_EXCLUDED:
        return "NACC" if province == "10" else f"NACC-{province}"
    return PACC_REGION[province]


@pytest.mark.parametrize("province", sorted(PACC_REGION))
@pytest.mark.parametrize("official_type", OFFICIAL_TYPES)
@pytest.mark.parametrize("category", CATEGORIES)
def test_every_official_type_and_category(engine, official_type, category, province):
    decision = engine.decide(make_tip(category, official_type, province, "2025-06-01"), SUBMITTED)
    rule, agency = oracle(official_type, category, province, barred=False)
    assert (decision.rule, decision.agency) == (rule, agency)
    assert decision.triage is (agency is None)
    if decision.triage:
        assert decision.coordinator == triage_desk(official_type, province)
    else:
        assert decision.coordinator is None
        assert decision.agency_name_th and decision.agency_name_en


@pytest.mark.parametrize("official_type", OFFICIAL_TYPES)
@pytest.mark.parametrize("category", CATEGORIES)
def test_time_bar_comes_first(engine, official_type, category):
    decision = engine.decide(make_tip(category, official_type, "23", "2015-01-01"), SUBMITTED)
    assert decision.rule == "r1-time-barred"
    assert decision.triage and decision.agency is None
    assert decision.coordinator == triage_desk(official_type, "23")
    assert decision.statute.startswith("NACC Act 2561 s.55")


@pytest.mark.parametrize("event_date, barred", [
    ("2016-11-15", False),  # exactly ten years
    ("2016-11-16", False),  # ten years less a day
    ("2016-11-14", True),   # ten years and a day
    ("2026-11-15", False),
    ("2030-01-01", False),  # a future date is no reason to bar
])
def test_time_bar_boundary(engine, event_date, barred):
    decision = engine.decide(make_tip(event_date=event_date), SUBMITTED)
    assert (decision.rule == "r1-time-barred") is barred
    assert decision.agency == (None if barred else "PACC-R2")


def test_time_bar_counts_bangkok_calendar_days(engine):
    # 20:00 UTC on 14 Nov is already 15 Nov in Bangkok, so 14 Nov 2016 is ten years and a day earlier.
    late_evening_utc = datetime(2026, 11, 14, 20, 0, tzinfo=timezone.utc)
    assert engine.decide(make_tip(event_date="2016-11-14"), late_evening_utc).rule == "r1-time-barred"
    early_utc = datetime(2026, 11, 14, 10, 0, tzinfo=timezone.utc)
    assert engine.decide(make_tip(event_date="2016-11-14"), early_utc).rule == "r7-state-official"


@pytest.mark.parametrize("event, submitted, barred", [
    (date(2014, 2, 28), date(2024, 2, 29), False),
    (date(2014, 2, 27), date(2024, 2, 29), True),
    (date(2016, 2, 29), date(2026, 2, 28), False),
    (date(2016, 2, 29), date(2026, 3, 1), True),
])
def test_time_bar_leap_days(event, submitted, barred):
    assert is_time_barred(event, submitted, 10) is barred


@pytest.mark.parametrize("submitted", ["2026-11-15T10:00:00+07:00", "2026-11-15"])
def test_submitted_at_may_be_an_iso_string(engine, submitted):
    assert engine.decide(make_tip(event_date="2016-11-14"), submitted).rule == "r1-time-barred"
    assert engine.decide(make_tip(event_date="2016-11-15"), submitted).rule == "r7-state-official"


def test_missing_event_date_is_not_time_barred(engine):
    assert engine.decide(make_tip(), SUBMITTED).agency == "PACC-R2"


def test_event_date_may_carry_a_time(engine):
    assert engine.decide(make_tip(event_date="2010-05-01T08:30:00"), SUBMITTED).rule == "r1-time-barred"


def test_political_maladministration_goes_to_damrongtham(engine):
    decision = engine.decide(make_tip("maladministration", "political_office_holder", "10"), SUBMITTED)
    assert (decision.rule, decision.agency) == ("r6-maladministration", "DAMRONGTHAM-10")
    assert decision.agency_name_th == "ศูนย์ดำรงธรรมกรุงเทพมหานคร"


def test_trat_local_executive_bribery_goes_to_nacc_trat(engine):
    decision = engine.decide(make_tip("bribery", "local_executive", "23"), SUBMITTED)
    assert decision.agency == "NACC-23"
    assert "ตราด" in decision.reasons["th"] and "Trat" in decision.reasons["en"]
    assert decision.statute.startswith("PACC Act 2551 s.3")


def test_bangkok_reasons_do_not_call_bangkok_a_province(engine):
    decision = engine.decide(make_tip("unusual_wealth", "state_official", "10"), SUBMITTED)
    assert decision.agency == "NACC"
    assert "กรุงเทพมหานคร" in decision.reasons["th"] and "จังหวัดกรุงเทพ" not in decision.reasons["th"]


@pytest.mark.parametrize("tip, rule", [
    (make_tip(province="99"), "input-unknown-province"),
    (make_tip(province=""), "input-unknown-province"),
    ({**make_tip(), "location": None}, "input-unknown-province"),
    ({k: v for k, v in make_tip().items() if k != "location"}, "input-unknown-province"),
    (make_tip(category="theft"), "input-unknown-category"),
    ({**make_tip(), "category": ["bribery"]}, "input-unknown-category"),
    (make_tip(official_type="alien"), "input-unknown-official-type"),
    (make_tip(event_date="15/11/2016"), "input-invalid-event-date"),
    (make_tip(event_date="2016-02-30"), "input-invalid-event-date"),
])
def test_unusable_input_is_triaged_not_crashed(engine, tip, rule):
    decision = engine.decide(tip, SUBMITTED)
    assert decision.rule == rule
    assert decision.triage and decision.agency is None
    assert decision.coordinator
    assert decision.reasons["th"] and decision.reasons["en"]


def test_unknown_province_goes_to_the_fallback_coordinator(engine):
    assert engine.decide(make_tip(province="99"), SUBMITTED).coordinator == "PACC"


def test_missing_accused_counts_as_unknown(engine):
    tip = {**make_tip("budget_misuse"), "accused": None}
    assert engine.decide(tip, SUBMITTED).agency == "OAG"


def test_integer_province_code_is_accepted(engine):
    assert engine.decide(make_tip(province=23), SUBMITTED).agency == "PACC-R2"


def test_as_dict_shape(engine):
    result = engine.decide(make_tip(), SUBMITTED).as_dict()
    assert list(result)[:6] == ["agency", "triage", "rule", "reasons", "statute", "rules_version"]
    assert set(result["reasons"]) == {"th", "en"}
    assert result["rules_version"] == engine.rules_version == yaml.safe_load(RULES_PATH.read_text())["version"]


def test_callers_cannot_alter_each_others_decisions(engine):
    first = engine.decide(make_tip(), SUBMITTED)
    first.reasons["en"] = "changed"
    assert engine.decide(make_tip(), SUBMITTED).reasons["en"] != "changed"


def test_configured_coordinator(tmp_path):
    spec = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    spec["triage"]["coordinator"] = {"agency": "NACC"}
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    engine = load_engine(rules_path=path)
    assert engine.decide(make_tip("other", province="23"), SUBMITTED).coordinator == "NACC"


def test_a_decision_takes_well_under_a_millisecond(engine):
    import time

    tips = [make_tip(c, t, p) for c in CATEGORIES for t in OFFICIAL_TYPES for p in PACC_REGION]
    start = time.perf_counter()
    for tip in tips * 5:
        engine.decide(tip, SUBMITTED)
    per_decision = (time.perf_counter() - start) / (len(tips) * 5)
    assert per_decision < 0.001
