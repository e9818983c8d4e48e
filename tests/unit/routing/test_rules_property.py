"""Whatever arrives, routing gives exactly one outcome: an office that exists, or triage with a coordinator —
and never an office the accused works in, nor one of an agency the statute forbids to act on them."""
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.routing.domain.accused import ACCUSED_PATH
from services.routing.domain.rules import load_engine
from shared import geography

ENGINE = load_engine()
# Words tipsters write for where the accused works or what they are: every phrase in the recognition list, some
# with typos and spacing, and ordinary words that name no listed body.
_PHRASES = sorted({str(p) for raw in (yaml.safe_load(ACCUSED_PATH.read_text(encoding="utf-8"))["organisations"]
                                      + yaml.safe_load(ACCUSED_PATH.read_text(encoding="utf-8"))["positions"])
                   for p in raw.get("phrases", [])})
_FILLED = [p.replace("{n}", "2").replace("{province}", "จังหวัดตราด") for p in _PHRASES]
_PLAIN = ["นิติกร", "เจ้าพนักงานที่ดิน", "สำนักงานที่ดินจังหวัดตราด", "อบต.ห้วงน้ำขาว", "ปลัด อบต.", "ครู", ""]
accused_words = st.one_of(
    st.none(), st.sampled_from(_FILLED + _PLAIN),
    st.builds(lambda a, b, gap: f"{a}{gap}{b}", st.sampled_from(_FILLED + _PLAIN), st.sampled_from(_FILLED + _PLAIN),
              st.sampled_from(["", " ", "  ", " / "])),
    st.text(max_size=20))
RULE_IDS = {rule.id for rule in ENGINE.rules}
INPUT_CHECK_IDS = {check_id for check_id, _ in ENGINE.input_checks.values()}
PROVINCES = st.sampled_from(geography.province_codes())

aware_datetimes = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=7)), timezone(timedelta(hours=-5))]))
junk = st.one_of(st.none(), st.text(max_size=12), st.integers(), st.lists(st.text(max_size=3), max_size=2))


def valid_tips():
    return st.fixed_dictionaries({
        "category": st.sampled_from(ENGINE.categories),
        "description": st.text(max_size=40),
        "event_date": st.one_of(st.none(), st.dates().map(lambda d: d.isoformat())),
        "location": st.fixed_dictionaries({"province_code": PROVINCES, "district_code": st.none(),
                                           "subdistrict_code": st.none()}),
        "accused": st.fixed_dictionaries({"official_type": st.sampled_from(ENGINE.official_types),
                                          "name": st.text(max_size=10), "position": accused_words,
                                          "organization": accused_words}),
    })


def any_tips():
    return st.fixed_dictionaries({}, optional={
        "category": st.one_of(st.sampled_from(ENGINE.categories), junk),
        "event_date": st.one_of(st.dates().map(lambda d: d.isoformat()), junk),
        "location": st.one_of(st.fixed_dictionaries({}, optional={"province_code": st.one_of(PROVINCES, junk)}),
                              junk),
        "accused": st.one_of(
            st.fixed_dictionaries({}, optional={"official_type": st.one_of(st.sampled_from(ENGINE.official_types),
                                                                           junk),
                                                "position": st.one_of(accused_words, junk),
                                                "organization": st.one_of(accused_words, junk)}),
            junk),
    })


def assert_one_outcome(decision, tip=None):
    assert decision.rules_version == ENGINE.rules_version
    if tip is not None:
        screening = ENGINE.screen(tip)
        for office in (decision.agency, decision.coordinator):
            assert screening.forbidding(ENGINE.directory.office(office)) is None, (office, screening)
    assert decision.reasons["th"] and decision.reasons["en"]
    if decision.triage:
        assert decision.agency is None
        assert ENGINE.directory.office(decision.coordinator) is not None
    else:
        assert decision.agency is not None
        assert ENGINE.directory.office(decision.agency) is not None
        assert decision.coordinator is None


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(tip=valid_tips(), submitted_at=aware_datetimes)
def test_valid_tips_are_decided_by_a_rule(tip, submitted_at):
    decision = ENGINE.decide(tip, submitted_at)
    assert_one_outcome(decision, tip)
    catch_all = {rule.id for rule in ENGINE.rules if rule.catch_all}
    assert decision.rule in (RULE_IDS - catch_all) | {ENGINE.conflict_rule}


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(tip=any_tips(), submitted_at=aware_datetimes)
def test_any_input_gets_one_outcome_and_never_crashes(tip, submitted_at):
    decision = ENGINE.decide(tip, submitted_at)
    assert_one_outcome(decision, tip)
    assert decision.rule in RULE_IDS | INPUT_CHECK_IDS | {ENGINE.conflict_rule}


@settings(max_examples=200)
@given(tip=valid_tips(), submitted_at=aware_datetimes, text=st.text(max_size=40))
def test_the_description_and_the_accuseds_name_never_change_the_route(tip, submitted_at, text):
    # (the position and organisation do: they may show who the accused is and where they work)
    changed = {**tip, "description": text, "accused": {**tip["accused"], "name": text}}
    assert ENGINE.decide(changed, submitted_at) == ENGINE.decide(tip, submitted_at)


@settings(max_examples=300)
@given(tip=valid_tips(), submitted_at=aware_datetimes)
def test_pacc_never_gets_an_official_it_may_not_act_on(tip, submitted_at):
    decision = ENGINE.decide(tip, submitted_at)
    excluded = {x.agency for x in ENGINE.exclusions if decision.accused["official_type"] in x.official_types
                or tip["accused"]["official_type"] in x.official_types}
    for office in (decision.agency, decision.coordinator):
        if office:
            assert ENGINE.directory.office(office).agency not in excluded


@pytest.mark.parametrize("tip", [None, [], "bribery", 42])
def test_non_dict_tips_are_triaged(tip):
    assert_one_outcome(ENGINE.decide(tip, datetime.now(timezone.utc)))
