from datetime import date, datetime, timedelta, timezone

import pytest
from marshmallow import ValidationError

from services.intake.domain.tip import TipSchema, reporter_identity
from tests.support.tips import tip


def errors(body):
    with pytest.raises(ValidationError) as err:
        TipSchema().load(body)
    return err.value.messages


def test_anonymous_tip_keeps_no_identity():
    loaded = TipSchema().load(tip())
    assert loaded["reporter"]["anonymous"] is True and reporter_identity(loaded) is None


def test_identity_only_when_not_anonymous_and_contact_needs_consent():
    assert "anonymous" in errors(tip(reporter={"name": "สมชาย"}))["reporter"]
    assert "notify_via" in errors(tip(reporter={"anonymous": False, "phone": "0812345678",
                                                "notify_via": ["sms"]}))["reporter"]
    loaded = TipSchema().load(tip(reporter={"anonymous": False, "phone": "0812345678", "notify_via": ["sms"],
                                            "consent_to_contact": True}))
    assert reporter_identity(loaded)["phone"] == "0812345678"
    assert "anonymous" in errors(tip(reporter={"anonymous": 1}))["reporter"]


def test_today_in_bangkok_is_not_the_future():
    bangkok_today = datetime.now(timezone(timedelta(hours=7))).date()
    assert TipSchema().load(tip(event_date=bangkok_today.isoformat()))["event_date"] == bangkok_today
    assert "event_date" in errors(tip(event_date=(bangkok_today + timedelta(days=1)).isoformat()))
    assert "event_date" in errors(tip(event_date=date(1900, 1, 1).isoformat()))


@pytest.mark.parametrize("field, value", [
    ("description", "ข้อความ\x07ที่มีเสียงกริ่ง"), ("description", "\ud800 lone surrogate here"),
    ("amount_thb", "NaN"), ("amount_thb", -0.01), ("amount_thb", 10**13), ("category", None),
])
def test_hardened_fields(field, value):
    assert field in errors(tip(**{field: value}))


def test_multiline_description_is_fine():
    assert TipSchema().load(tip(description="บรรทัดแรก\nบรรทัดสอง\tมีแท็บ"))["description"].count("\n") == 1
