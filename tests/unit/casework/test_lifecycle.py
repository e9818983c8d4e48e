"""The transition table, written out independently of services.casework.domain.lifecycle: every (from, to, role)."""
import itertools

import pytest

from services.casework.domain import lifecycle
from services.casework.domain.errors import TransitionError
from services.casework.domain.lifecycle import STATES
from shared.vocabulary import TIPSTER_STATUSES

CW, SUP, TRI, SYS = "caseworker", "supervisor", "triage_officer", "system"
OTHER_ROLES = ("agency_admin", "operator", "auditor", "volunteer", "system_admin")
ROLES = (CW, SUP, TRI, SYS) + OTHER_ROLES

OPEN = ("received", "acknowledged", "under_review", "investigating")
# (from, to) -> {role: "do" | "propose"}; anything not listed is forbidden for everyone.
EXPECTED = {
    ("received", "acknowledged"): {CW: "do", SUP: "do", TRI: "do"},
    ("acknowledged", "under_review"): {CW: "do", SUP: "do"},
    ("under_review", "investigating"): {CW: "do", SUP: "do"},
    ("received", "under_review"): {SUP: "do"},
    ("received", "investigating"): {SUP: "do"},
    ("acknowledged", "investigating"): {SUP: "do"},
    ("under_review", "acknowledged"): {SUP: "do"},
    ("investigating", "under_review"): {SUP: "do"},
    ("closed", "under_review"): {SUP: "do"},
    ("closed", "investigating"): {SUP: "do"},
    ("transferred", "received"): {SYS: "do"},
    ("referred", "received"): {SYS: "do"},
}
for _s in ("transferred", "referred"):  # routing refused the hand-over: back where it was
    for _t in ("acknowledged", "under_review", "investigating"):
        EXPECTED[(_s, _t)] = {SYS: "do"}
for _s in OPEN:
    EXPECTED[(_s, "closed")] = {SUP: "do", CW: "propose", TRI: "propose"}
    EXPECTED[(_s, "transferred")] = {CW: "do", SUP: "do", TRI: "do"}
    EXPECTED[(_s, "referred")] = {CW: "do", SUP: "do", TRI: "do"}


def test_the_table_has_exactly_the_expected_transitions():
    assert set(lifecycle.RULES) == set(EXPECTED)


@pytest.mark.parametrize("source,target,role", list(itertools.product(STATES, STATES, ROLES)))
def test_every_transition_for_every_role(source, target, role):
    expected = EXPECTED.get((source, target), {}).get(role)
    resolution = "substantiated" if target == "closed" else None
    if expected is None:
        with pytest.raises(TransitionError) as err:
            lifecycle.check(source, target, role, reason="เหตุผล", resolution=resolution)
        assert err.value.key in ("case.transition_not_allowed", "case.transition_not_permitted")
        if (source, target) not in EXPECTED:
            assert err.value.key == "case.transition_not_allowed"
    else:
        decision = lifecycle.check(source, target, role, reason="เหตุผล", resolution=resolution)
        assert decision.proposal_only is (expected == "propose")


@pytest.mark.parametrize("source,target", sorted(EXPECTED))
def test_every_allowed_transition_needs_a_reason(source, target):
    role = next(iter(EXPECTED[(source, target)]))
    resolution = "duplicate" if target == "closed" else None
    for reason in (None, "", "   \n"):
        with pytest.raises(TransitionError) as err:
            lifecycle.check(source, target, role, reason=reason, resolution=resolution)
        assert err.value.key == "case.reason_required"


@pytest.mark.parametrize("source", OPEN)
def test_closing_needs_a_known_resolution_and_nothing_else_takes_one(source):
    with pytest.raises(TransitionError) as err:
        lifecycle.check(source, "closed", SUP, reason="r")
    assert err.value.key == "case.resolution_required"
    with pytest.raises(TransitionError):
        lifecycle.check(source, "closed", SUP, reason="r", resolution="because")
    for resolution in lifecycle.RESOLUTIONS:
        assert not lifecycle.check(source, "closed", SUP, reason="r", resolution=resolution).proposal_only
    with pytest.raises(TransitionError) as err:
        lifecycle.check(source, "transferred", SUP, reason="r", resolution="duplicate")
    assert err.value.key == "case.resolution_only_when_closing"


def test_unknown_states_are_refused():
    with pytest.raises(TransitionError) as err:
        lifecycle.check("received", "archived", SUP, reason="r")
    assert err.value.key == "case.unknown_state"


def test_the_six_resolutions():
    assert set(lifecycle.RESOLUTIONS) == {"substantiated", "unsubstantiated", "insufficient_information",
                                          "not_competent", "duplicate", "withdrawn"}


def test_targets_lists_what_a_role_may_do():
    assert lifecycle.targets("received", CW) == ["acknowledged", "closed", "transferred", "referred"]
    assert lifecycle.targets("closed", CW) == []
    assert lifecycle.targets("closed", SUP) == ["under_review", "investigating"]
    assert lifecycle.targets("received", "volunteer") == []


@pytest.mark.parametrize("state", STATES)
def test_every_state_has_thai_and_english_words_for_tipster_and_staff(state):
    tipster = lifecycle.tipster_label(state)
    staff = lifecycle.staff_label(state)
    for label in (tipster, staff):
        assert set(label) == {"th", "en"} and all(label.values())
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in label["th"])  # Thai script
    if state in TIPSTER_STATUSES:
        assert tipster == TIPSTER_STATUSES[state]  # what intake's status page already uses


def test_closed_label_names_the_resolution():
    label = lifecycle.tipster_label("closed", "unsubstantiated")
    assert label["th"].startswith(TIPSTER_STATUSES["closed"]["th"]) and "ไม่มีมูล" in label["th"]
    assert "unsubstantiated" in label["en"]


@pytest.mark.parametrize("state,expected", [("received", "open"), ("acknowledged", "open"),
                                            ("under_review", "open"), ("investigating", "open"),
                                            ("transferred", "open"), ("referred", "open"), ("closed", "closed")])
def test_open311_has_only_open_and_closed(state, expected):
    assert lifecycle.open311_status(state) == expected


def test_agencies_rename_states_for_their_staff_but_the_canonical_state_stays():
    overrides = {"PACC": {"under_review": {"th": "แสวงหาข้อเท็จจริง", "en": "Fact-finding"}},
                 "PACC-R2": {"investigating": {"th": "ไต่สวน", "en": "Inquiry"}},
                 "NACC": {"closed": {"th": "only thai"}}}
    assert lifecycle.staff_label("under_review", "PACC-R2", overrides)["en"] == "Fact-finding"
    assert lifecycle.staff_label("investigating", "PACC-R2", overrides)["en"] == "Inquiry"
    assert lifecycle.staff_label("investigating", "PACC-R1", overrides) == lifecycle.STAFF_LABELS["investigating"]
    assert lifecycle.staff_label("closed", "NACC", overrides) == lifecycle.STAFF_LABELS["closed"]  # incomplete: ignored
    assert lifecycle.tipster_label("under_review") == TIPSTER_STATUSES["under_review"]  # tipsters never see renames
