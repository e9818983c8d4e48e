"""PACC Act 2551 s.3's exclusions and the conflict-of-interest check: each excluded category, chosen from the
list and described in words, and each office an accused may work in."""
from datetime import datetime, timedelta, timezone

import pytest

from services.routing.domain.rules import load_engine

SUBMITTED = datetime(2026, 11, 15, 10, 0, tzinfo=timezone(timedelta(hours=7)))


@pytest.fixture(scope="module")
def engine():
    return load_engine()


def tip(official_type="state_official", position=None, organization=None, category="bribery", province="23",
        event_date="2026-09-01"):
    return {"category": category, "description": "เรียกรับเงินเพื่อช่วยให้คดีไม่ถูกดำเนินการ", "event_date": event_date,
            "location": {"province_code": province, "district_code": None, "subdistrict_code": None},
            "accused": {"official_type": official_type, "name": "นายสมมติ ใจดี", "position": position,
                        "organization": organization}}


def family(code):
    return code.split("-", 1)[0] if code else None


# (how the tipster describes the accused) -> (rule, agency or None for triage, triage desk, words in the reasons)
EXCLUDED = [
    # chosen from the list
    (dict(official_type="judge"), "r5-pacc-excluded-officials", "NACC-23", None, "s.28(2)"),
    (dict(official_type="court_staff"), "r5-pacc-excluded-officials", "NACC-23", None, "s.3"),
    (dict(official_type="prosecutor"), "r5-pacc-excluded-officials", "NACC-23", None, "s.3"),
    (dict(official_type="parliament_staff"), "r5-pacc-excluded-officials", "NACC-23", None, "s.3"),
    (dict(official_type="independent_organ_staff"), "r5-pacc-excluded-officials", "NACC-23", None, "s.3"),
    (dict(official_type="constitutional_organ_staff"), "r5-pacc-excluded-officials", "NACC-23", None, "s.3"),
    (dict(official_type="pacc_staff"), "r5-pacc-excluded-officials", "NACC-23", None, "s.3"),
    (dict(official_type="nacc_staff"), "r3-nacc-staff", None, "DAMRONGTHAM-23", "s.3"),
    (dict(official_type="local_executive"), "r5-local-politician", "NACC-23", None, "s.3"),
    (dict(official_type="local_council_member"), "r5-local-politician", "NACC-23", None, "s.3"),
    (dict(official_type="senior_executive"), "r3-political-senior", "NACC", None, "s.3"),
    (dict(official_type="political_office_holder"), "r3-political-senior", "NACC", None, "s.28"),
    # "civil servant" (the form's old only choice) with the words that say who it really is
    (dict(position="ผู้พิพากษาศาลจังหวัดตราด"), "r5-pacc-excluded-officials", "NACC-23", None,
     "The position 'ผู้พิพากษาศาลจังหวัดตราด' is a judge: PACC Act 2551 s.3 excludes judges"),
    (dict(position="นิติกร", organization="ศาลจังหวัดตราด"), "r5-pacc-excluded-officials", "NACC-23", None,
     "The organisation 'ศาลจังหวัดตราด' is a court: PACC Act 2551 s.3 excludes judges and court staff"),
    (dict(position="อัยการจังหวัด"), "r5-pacc-excluded-officials", "NACC-23", None, "public prosecutors"),
    (dict(organization="สำนักงานอัยการจังหวัดตราด"), "r5-pacc-excluded-officials", "NACC-23", None,
     "public prosecution service"),
    (dict(organization="สำนักงานเลขาธิการวุฒิสภา"), "r5-pacc-excluded-officials", "NACC-23", None, "Parliament"),
    (dict(organization="สำนักงาน กกต. จังหวัดตราด"), "r5-pacc-excluded-officials", "NACC-23", None,
     "independent organs"),
    (dict(organization="สำนักงานการตรวจเงินแผ่นดินภูมิภาคที่ 2"), "r5-pacc-excluded-officials", "NACC-23", None,
     "State Audit Office"),
    (dict(organization="สำนักงานผู้ตรวจการแผ่นดิน"), "r5-pacc-excluded-officials", "NACC-23", None, "Ombudsman"),
    (dict(position="นิติกรชำนาญการ", organization="สำนักงาน ป.ป.ท. เขต 2"), "r5-pacc-excluded-officials",
     "NACC-23", None, "excludes the PACC's own staff"),
    (dict(position="เจ้าหน้าที่สืบสวน", organization="ปปท.เขต๒"), "r5-pacc-excluded-officials", "NACC-23", None,
     "the PACC"),
    (dict(organization="สำนักงาน ป.ป.ช. ประจำจังหวัดตราด"), "r3-nacc-staff", None, "DAMRONGTHAM-23", "NACC"),
    (dict(position="นายก อบต.", organization="อบต.ห้วงน้ำขาว"), "r5-local-politician", "NACC-23", None,
     "local executive"),
    (dict(position="ส.อบต. หมู่ 3"), "r5-local-politician", "NACC-23", None, "local council member"),
    (dict(position="ผู้ว่าราชการจังหวัดตราด"), "r3-political-senior", "NACC", None, "senior executive"),
    (dict(official_type="unknown", position="ผู้พิพากษา"), "r5-pacc-excluded-officials", "NACC-23", None, "judge"),
    # a specific choice the PACC may act on, and words that show someone it may not: the words win
    (dict(official_type="soe_employee", organization="ศาลจังหวัดตราด"), "r5-pacc-excluded-officials", "NACC-23",
     None, "court"),
]


@pytest.mark.parametrize("described, rule, agency, desk, words", EXCLUDED)
def test_excluded_categories_never_reach_the_pacc(engine, described, rule, agency, desk, words):
    decision = engine.decide(tip(**described), SUBMITTED)
    assert (decision.rule, decision.agency, decision.coordinator) == (rule, agency, desk)
    assert family(decision.agency) != "PACC" and family(decision.coordinator) != "PACC"
    assert words in decision.reasons["en"]
    assert decision.reasons["th"] and decision.statute
    assert decision.accused["excluded_agencies"] == ["PACC"]


@pytest.mark.parametrize("described", [d for d, *_ in EXCLUDED])
@pytest.mark.parametrize("category, barred", [("other", False), ("bribery", True), ("maladministration", False),
                                              ("unusual_wealth", False)])
def test_excluded_categories_are_not_triaged_by_the_pacc_either(engine, described, category, barred):
    decision = engine.decide(tip(**described, category=category, event_date="2010-01-01" if barred else None),
                             SUBMITTED)
    for office in (decision.agency, decision.coordinator):
        assert family(office) != "PACC"
    if decision.triage and decision.rule in {"r1-time-barred", "r2-category-other"}:
        # the usual desk is set aside with its reason: the statute's exclusion, or the accused working there
        assert "PACC Act 2551 s.3" in decision.statute or "The accused works at" in decision.reasons["en"]
        assert "instead of PACC Region 2" in decision.reasons["en"]


def test_the_issue_case_pacc_region_2_legal_officer(engine):
    """A legal officer of PACC Region 2, typed as a state official: never PACC-R2, nor any PACC office."""
    decision = engine.decide(tip(position="นิติกร", organization="สำนักงาน ป.ป.ท. เขต 2"), SUBMITTED)
    assert decision.agency == "NACC-23" and not decision.triage
    assert decision.accused["official_type_given"] == "state_official"
    assert decision.accused["official_type"] == "pacc_staff"
    assert decision.accused["conflicted"] == ["PACC", "PACC-R2"]
    assert decision.reasons["th"].startswith("หน่วยงาน 'สำนักงาน ป.ป.ท. เขต 2' เป็นสำนักงาน ป.ป.ท.: มาตรา 3")
    assert "Below senior-executive" not in decision.reasons["en"]


@pytest.mark.parametrize("described, category, desk, set_aside", [
    # the rules' office is the accused's own: triage at another office, with the reason
    (dict(organization="ศูนย์ดำรงธรรมจังหวัดตราด"), "maladministration", "PACC-R2", "Trat Provincial Damrongtham"),
    (dict(organization="ศาลากลางจังหวัดตราด"), "maladministration", "PACC-R2", "Trat Provincial Damrongtham"),
    (dict(official_type="private_person", organization="กรมสอบสวนคดีพิเศษ"), "procurement", "PACC-R2",
     "Department of Special Investigation"),
])
def test_the_accuseds_own_office_is_set_aside(engine, described, category, desk, set_aside):
    decision = engine.decide(tip(**described, category=category), SUBMITTED)
    assert decision.triage and decision.agency is None
    assert decision.rule == "conflict-of-interest"
    assert decision.coordinator == desk
    assert f"The accused works at {set_aside}" in decision.reasons["en"]
    assert "ผู้ถูกกล่าวหาทำงานที่" in decision.reasons["th"]


def test_a_triage_desk_at_the_accuseds_office_is_replaced(engine):
    decision = engine.decide(tip(organization="สำนักงาน ป.ป.ท. เขต 2", category="other"), SUBMITTED)
    assert decision.rule == "r2-category-other"
    assert decision.coordinator == "NACC-23"
    assert "The accused works at PACC Region 2" in decision.reasons["en"]
    assert "instead of PACC Region 2" in decision.reasons["en"]


def test_nacc_staff_in_bangkok_and_unknown_province(engine):
    bangkok = engine.decide(tip(organization="สำนักงาน ป.ป.ช.", province="10"), SUBMITTED)
    assert (bangkok.rule, bangkok.coordinator) == ("r3-nacc-staff", "DAMRONGTHAM-10")
    nowhere = engine.decide(tip(official_type="nacc_staff", province="99"), SUBMITTED)
    assert nowhere.rule == "input-unknown-province"
    assert nowhere.coordinator == "OMBUDSMAN"


def test_pacc_staff_where_the_province_is_unknown(engine):
    decision = engine.decide(tip(organization="สำนักงาน ป.ป.ท. เขต 2", province="99"), SUBMITTED)
    assert decision.triage and decision.coordinator == "NACC"


@pytest.mark.parametrize("described", [
    dict(position="เจ้าพนักงานที่ดิน", organization="สำนักงานที่ดินจังหวัดตราด"),
    dict(position="ปลัด อบต.", organization="อบต.ห้วงน้ำขาว"),
    dict(organization="ศาลเจ้าพ่อหลักเมืองตราด"),
    dict(official_type="police_officer", organization="สภ.เมืองตราด"),
    dict(official_type="private_person", organization="สภ.เมืองตราด"),   # the words show a police officer
    dict(official_type="university_staff", organization="มหาวิทยาลัยบูรพา วิทยาเขตจันทบุรี"),
])
def test_officials_the_pacc_may_act_on_still_go_to_the_pacc(engine, described):
    decision = engine.decide(tip(**described), SUBMITTED)
    assert (decision.rule, decision.agency) == ("r7-state-official", "PACC-R2")
    assert decision.accused["excluded_agencies"] == []


def test_old_official_type_codes_keep_working(engine):
    for code in ("political_office_holder", "local_executive", "local_council_member", "senior_executive",
                 "state_official", "kamnan_village_head", "soe_employee", "private_person", "unknown"):
        decision = engine.decide(tip(official_type=code), SUBMITTED)
        assert not decision.rule.startswith("input-"), code


def test_explanation_lists_what_was_recognised(engine):
    result = engine.decide(tip(position="ผู้พิพากษา", organization="ศาลจังหวัดตราด"), SUBMITTED).as_dict()
    assert result["accused"]["recognised"][0]["entry"] == "pos-judge"
    assert result["accused"]["recognised"][1]["entry"] == "org-court"
    assert result["accused"]["official_type"] == "judge"
