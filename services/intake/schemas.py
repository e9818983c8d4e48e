"""What the public may send to intake, checked at the edge. Errors carry keys that shared.i18n translates."""
from __future__ import annotations

from datetime import date, datetime, timezone

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates, validates_schema

from shared import geography
from shared.vocabulary import CATEGORIES, CHANNELS, LANGUAGES, NOTIFY_CHANNELS, OFFICIAL_TYPES


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _text(max_len: int, **kw):
    return fields.String(validate=validate.Length(max=max_len), allow_none=True, load_default=None, **kw)


class LocationSchema(_Strict):
    province_code = fields.String(required=True, validate=validate.Regexp(r"^\d{2}$", error="geo.unknown_province"))
    district_code = fields.String(allow_none=True, load_default=None,
                                  validate=validate.Regexp(r"^\d{4}$", error="geo.unknown_district"))
    subdistrict_code = fields.String(allow_none=True, load_default=None,
                                     validate=validate.Regexp(r"^\d{6}$", error="geo.unknown_subdistrict"))
    place = _text(300)

    @validates_schema
    def _codes_exist_and_nest(self, data, **_):
        problems = geography.location_problems(
            data["province_code"], data.get("district_code"), data.get("subdistrict_code"))
        if problems:
            raise ValidationError({name: [key] for name, key in problems.items()})


class AccusedSchema(_Strict):
    official_type = fields.String(required=True, validate=validate.OneOf(list(OFFICIAL_TYPES)))
    name = _text(200)
    position = _text(200)
    organization = _text(300)


class ReporterSchema(_Strict):
    anonymous = fields.Boolean(load_default=True)
    name = _text(200)
    phone = fields.String(allow_none=True, load_default=None,
                          validate=validate.Regexp(r"^\+?[0-9 \-]{6,20}$", error="field.phone"))
    email = fields.Email(allow_none=True, load_default=None, validate=validate.Length(max=254))
    line_user_id = _text(64)
    notify_via = fields.List(fields.String(validate=validate.OneOf(NOTIFY_CHANNELS)), load_default=list)
    consent_to_contact = fields.Boolean(load_default=False)


class TipSchema(_Strict):
    channel = fields.String(load_default="web", validate=validate.OneOf(CHANNELS))
    language = fields.String(load_default="th", validate=validate.OneOf(LANGUAGES))
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    description = fields.String(required=True, validate=validate.Length(min=10, max=10_000))
    event_date = fields.Date(allow_none=True, load_default=None)
    amount_thb = fields.Decimal(allow_none=True, load_default=None, places=2, allow_nan=False)
    location = fields.Nested(LocationSchema, required=True)
    accused = fields.Nested(AccusedSchema, required=True)
    reporter = fields.Nested(ReporterSchema, load_default=lambda: ReporterSchema().load({}))
    volunteer_id = _text(64)

    @validates("event_date")
    def _not_future(self, value, **_):
        if value is not None and value > datetime.now(timezone.utc).date():
            raise ValidationError("field.future_date")

    @validates("amount_thb")
    def _not_negative(self, value, **_):
        if value is not None and value < 0:
            raise ValidationError("field.negative")

    @validates("description")
    def _not_blank(self, value, **_):
        if len(value.strip()) < 10:
            raise ValidationError("field.length")


def facts_for_others(tip: dict) -> dict:
    """The part of a tip other services may see: everything except who the reporter is."""
    return {
        "channel": tip["channel"],
        "language": tip["language"],
        "category": tip["category"],
        "description": tip["description"],
        "event_date": tip["event_date"].isoformat() if isinstance(tip.get("event_date"), date) else None,
        "amount_thb": str(tip["amount_thb"]) if tip.get("amount_thb") is not None else None,
        "location": dict(tip["location"]),
        "accused": dict(tip["accused"]),
        "volunteer_id": tip.get("volunteer_id"),
    }
