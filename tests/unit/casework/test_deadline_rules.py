from datetime import datetime, timezone

import pytest

from services.casework.domain import deadlines
from services.casework.domain.errors import TransitionError
from services.casework.models import Case

OPENED = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def test_per_agency_and_per_office_settings_override_the_defaults():
    config = {"feedback_months": 2, "agencies": {"NACC": {"acknowledge_days": 5}, "NACC-23": {"acknowledge_days": 3}}}
    assert deadlines.settings_for(config, "PACC-R2")["acknowledge_days"] == 7
    assert deadlines.settings_for(config, "PACC-R2")["feedback_months"] == 2
    assert deadlines.settings_for(config, "NACC")["acknowledge_days"] == 5
    assert deadlines.settings_for(config, "NACC-10")["acknowledge_days"] == 5
    assert deadlines.settings_for(config, "NACC-23")["acknowledge_days"] == 3
    assert deadlines.settings_for(None)["max_feedback_months"] == 6


def _case(feedback_due=None):
    return Case(office_code="PACC-R2", opened_at=OPENED, feedback_due=feedback_due or deadlines.add_months(OPENED, 3))


def test_feedback_may_be_extended_up_to_six_months_only():
    assert deadlines.extended_feedback_due(_case(), 6, {}) == datetime(2027, 5, 30, 9, 0, tzinfo=timezone.utc)
    assert deadlines.extended_feedback_due(_case(), 4, {}) == datetime(2027, 3, 30, 9, 0, tzinfo=timezone.utc)
    for months in (3, 7, 2):
        with pytest.raises(TransitionError):
            deadlines.extended_feedback_due(_case(), months, {})
    with pytest.raises(TransitionError):  # already extended to 6: 5 is not an extension
        deadlines.extended_feedback_due(_case(deadlines.add_months(OPENED, 6)), 5, {})
    assert deadlines.extended_feedback_due(_case(), 8, {"max_feedback_months": 9})
