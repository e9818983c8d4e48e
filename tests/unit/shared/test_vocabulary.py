"""The one list of official types: every type in one group, Thai and English labels, LINE-sized short labels."""
import pytest

from shared.vocabulary import (
    OFFICIAL_TYPE_GROUPS,
    OFFICIAL_TYPES,
    official_type_label,
    official_type_quick_replies,
)

# Tips already filed carry these codes; they must stay valid.
FILED_BEFORE = ("political_office_holder", "local_executive", "local_council_member", "senior_executive",
                "state_official", "kamnan_village_head", "soe_employee", "private_person", "unknown")
# PACC Act 2551 s.3's exclusions and the other categories the statutes treat differently.
STATUTORY = ("judge", "court_staff", "prosecutor", "parliament_staff", "constitutional_organ_staff",
             "independent_organ_staff", "pacc_staff", "nacc_staff", "police_officer", "military_officer",
             "university_staff", "soe_employee")


def test_old_codes_stay_and_every_statutory_category_has_a_type():
    assert set(FILED_BEFORE) | set(STATUTORY) <= set(OFFICIAL_TYPES)


def test_every_type_is_in_exactly_one_group():
    grouped = [code for group in OFFICIAL_TYPE_GROUPS.values() for code in group["types"]]
    assert sorted(grouped) == sorted(OFFICIAL_TYPES)


@pytest.mark.parametrize("code", sorted(OFFICIAL_TYPES))
def test_labels_in_both_languages_and_short_enough_for_a_line_button(code):
    labels = OFFICIAL_TYPES[code]
    assert labels["th"] and labels["en"] and labels["th"] != labels["en"]
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in labels["th"])
    for lang in ("th", "en"):
        assert 0 < len(labels[f"short_{lang}"]) <= 20


def test_quick_replies_two_steps_each_within_lines_thirteen_buttons():
    groups = official_type_quick_replies("th")
    assert len(groups) == len(OFFICIAL_TYPE_GROUPS) <= 13
    assert all(len(item["label"]) <= 20 and item["data"].startswith("official_type_group=") for item in groups)
    for key in OFFICIAL_TYPE_GROUPS:
        items = official_type_quick_replies("en", key)
        assert 0 < len(items) <= 13
        assert all(len(i["label"]) <= 20 and i["data"].removeprefix("official_type=") in OFFICIAL_TYPES
                   for i in items)
    judge = next(i for i in official_type_quick_replies("th", "justice") if i["data"] == "official_type=judge")
    assert judge["display_text"] == OFFICIAL_TYPES["judge"]["th"]


def test_label_of_an_unknown_code_is_the_code():
    assert official_type_label("judge", "en") == "Judge"
    assert official_type_label("retired", "th") == "retired"
