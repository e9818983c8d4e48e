"""The tip: what the public may send to intake, and the rules it must meet (categories, DOPA geography, dates,
amounts, who may be contacted how). Errors carry keys that shared.i18n translates.

One model (TipSchema) behind every channel: the JSON API, multipart with files, the web form, volunteers, LINE
and Open311 all end up here. Also: which of a tip's facts other services may see, and the tip's reference.
"""
from __future__ import annotations

import re
import secrets
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates, validates_schema

from services.intake.domain.coordinates import CoordinateError, kept_point
from shared import geography
from shared.clock import local_today
from shared.vocabulary import CATEGORIES, CHANNELS, LANGUAGES, NOTIFY_CHANNELS, OFFICIAL_TYPES

MAX_AMOUNT_THB = Decimal("1000000000000")  # one trillion baht: above any real case, below float trouble
EARLIEST_EVENT = date(1950, 1, 1)
MAX_MEDIA_URL = 2000
# C0/C1 control characters other than tab, newline and carriage return (NUL breaks PostgreSQL text columns)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Crockford base32 without look-alikes: references are read aloud over the phone.
_REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    body = "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))
    return f"SS-{body[:4]}-{body[4:]}"


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class Text(fields.String):
    """A string without control characters (multi-line text may keep tab/newline/CR)."""

    def __init__(self, *args, multiline: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self._pattern = _CONTROL if multiline else _LINE_CONTROL

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if self._pattern.search(text):
            raise ValidationError("field.control_chars")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate (from a JSON \ud800 escape) cannot be stored
            raise ValidationError("field.invalid") from None
        return text


class StrictBoolean(fields.Boolean):
    """true or false only: not "yes", 1 or "on" (a tipster's choice to stay anonymous must be unambiguous)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def _text(max_len: int, **kw):
    return Text(validate=validate.Length(max=max_len), allow_none=True, load_default=None, **kw)


def _digits(n: int, error: str):
    return validate.Regexp(rf"^\d{{{n}}}$", error=error)


class LocationSchema(_Strict):
    province_code = Text(required=True, validate=_digits(2, "geo.unknown_province"),
                         metadata={"description": "DOPA province code (2 digits), e.g. 23 = Trat",
                                   "example": "23"})
    district_code = Text(allow_none=True, load_default=None, validate=_digits(4, "geo.unknown_district"),
                         metadata={"description": "DOPA district (amphoe) code, 4 digits", "example": "2301"})
    subdistrict_code = Text(allow_none=True, load_default=None, validate=_digits(6, "geo.unknown_subdistrict"),
                            metadata={"description": "DOPA subdistrict (tambon) code, 6 digits",
                                      "example": "230101"})
    place = _text(300, metadata={"description": "Where, in words (village, office, road)"})
    lat = fields.Raw(allow_none=True, load_default=None, metadata={
        "description": "Latitude (WGS84), with long; kept rounded to 0.1 degree unless exact_point is true. "
                       "A point alone is not a place: the codes above are still needed", "example": 12.24})
    long = fields.Raw(allow_none=True, load_default=None, metadata={
        "description": "Longitude (WGS84), with lat", "example": 102.51})
    exact_point = StrictBoolean(load_default=False, metadata={
        "description": "true: the tipster chose to give the exact point (kept to about 1 m)"})

    @validates_schema(skip_on_field_errors=False)  # a wrong province is told along with a wrong district
    def _codes_exist_and_nest(self, data, **_):
        if "province_code" not in data:  # missing or malformed: its own field error says so
            return
        problems = geography.location_problems(
            data["province_code"], data.get("district_code"), data.get("subdistrict_code"))
        if problems:
            raise ValidationError({name: [key] for name, key in problems.items()})
        _point(data)

    @post_load
    def _keep_point_at_allowed_precision(self, data, **_):
        exact = data.pop("exact_point", False)
        point = _point(data, exact)
        if point is None:
            data.pop("lat", None)
            data.pop("long", None)
        else:
            data["lat"], data["long"] = point
        return data


def _point(data: dict, exact: bool = False) -> tuple[str, str] | None:
    lat, long = data.get("lat"), data.get("long")
    if lat is None and long is None:
        return None
    if lat is None or long is None:
        raise ValidationError({"lat" if lat is None else "long": ["geo.point_needs_both"]})
    try:
        return kept_point(lat, long, exact)
    except CoordinateError as exc:
        raise ValidationError({exc.field: [exc.key]}) from None


class AccusedSchema(_Strict):
    official_type = Text(required=True, validate=validate.OneOf(list(OFFICIAL_TYPES)))
    name = _text(200)
    position = _text(200)
    organization = _text(300)


class ReporterSchema(_Strict):
    anonymous = StrictBoolean(load_default=True, metadata={
        "description": "true (default): nothing that identifies you is stored. false: name and contact are "
                       "stored encrypted, seen by intake only, never sent to other services"})
    name = _text(200)
    phone = Text(allow_none=True, load_default=None,
                 validate=validate.Regexp(r"^\+?[0-9][0-9 \-]{5,19}$", error="field.phone"))
    email = fields.Email(allow_none=True, load_default=None, validate=validate.Length(max=254))
    line_user_id = _text(64)
    notify_via = fields.List(Text(validate=validate.OneOf(NOTIFY_CHANNELS)), load_default=list,
                             validate=validate.Length(max=len(NOTIFY_CHANNELS), error="field.too_many_items"))
    consent_to_contact = StrictBoolean(load_default=False)

    @validates_schema
    def _consistent(self, data, **_):
        identity = [k for k in ("name", "phone", "email", "line_user_id") if data.get(k)]
        if data.get("anonymous", True) and identity:
            raise ValidationError({"anonymous": ["field.anonymous_with_identity"]})
        contact_for = {"email": "email", "sms": "phone", "line": "line_user_id"}
        for channel in data.get("notify_via") or ():
            if not data.get("consent_to_contact") or not data.get(contact_for[channel]):
                raise ValidationError({"notify_via": ["field.contact_needs_consent"]})


_NO_REPORTER = ReporterSchema()  # made once (making a schema deep-copies its fields); it keeps no state


class TipSchema(_Strict):
    channel = Text(load_default="web", validate=validate.OneOf(CHANNELS))
    language = Text(load_default="th", validate=validate.OneOf(LANGUAGES))
    category = Text(required=True, validate=validate.OneOf(list(CATEGORIES)))
    description = Text(required=True, multiline=True, validate=validate.Length(min=10, max=10_000),
                       metadata={"description": "What happened: who, what, when, where, and what evidence exists"})
    event_date = fields.Date(allow_none=True, load_default=None, metadata={"description": "Not in the future"})
    amount_thb = fields.Decimal(allow_none=True, load_default=None, places=2, allow_nan=False,
                                metadata={"description": "Money involved, baht, >= 0"})
    location = fields.Nested(LocationSchema, required=True)
    accused = fields.Nested(AccusedSchema, required=True)
    reporter = fields.Nested(ReporterSchema, load_default=lambda: _NO_REPORTER.load({}))
    media_url = Text(allow_none=True, load_default=None, validate=validate.Length(max=MAX_MEDIA_URL), metadata={
        "description": "A link to a photo or document the tipster keeps elsewhere (http or https). Stored with the "
                       "tip and shown to the office as a link; Sodsong never fetches it"})
    volunteer_id = Text(allow_none=True, load_default=None, validate=validate.Regexp(
        r"^[A-Za-z0-9_.-]{1,64}$", error="field.invalid"),
        metadata={"description": "Set by the server from the volunteer's token; if sent, it must match it"})

    @validates("media_url")
    def _a_plain_web_link(self, value, **_):
        if value is not None and not media_link_ok(value):
            raise ValidationError("field.media_url")

    @validates("event_date")
    def _not_future(self, value, **_):
        if value is None:
            return
        # Thailand is UTC+7: "today" there may already be tomorrow in UTC
        today = local_today()
        if value > today:
            raise ValidationError("field.future_date")
        if value < EARLIEST_EVENT:
            raise ValidationError("field.range")

    @validates("amount_thb")
    def _not_negative(self, value, **_):
        if value is None:
            return
        if value < 0:
            raise ValidationError("field.negative")
        if value > MAX_AMOUNT_THB:
            raise ValidationError("field.range")

    @validates("description")
    def _not_blank(self, value, **_):
        if len(value.strip()) < 10:
            raise ValidationError("field.length")


class MessageSchema(_Strict):
    """The tipster adds information or answers a caseworker's question."""
    text = Text(load_default="", multiline=True, validate=validate.Length(max=10_000))
    in_reply_to = Text(allow_none=True, load_default=None, validate=validate.Length(min=1, max=64),
                       metadata={"description": "question_id of the question being answered"})


def media_link_ok(url: str) -> bool:
    """An absolute http(s) link to a named host, without credentials or spaces: something the office can open
    in a browser, and nothing a browser would run (javascript:, data:)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and bool(host) and parts.username is None and parts.password is None
            and not any(c.isspace() for c in url))


def facts_for_others(tip: dict) -> dict:
    """The part of a tip other services may see: everything except who the reporter is."""
    facts = {
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
    if tip.get("media_url"):
        facts["media_url"] = tip["media_url"]
    return facts


def reporter_identity(tip: dict) -> dict | None:
    """What intake keeps (sealed) about who the reporter is; None for an anonymous tip."""
    reporter = tip.get("reporter") or {}
    if reporter.get("anonymous", True):
        return None
    return {k: reporter.get(k) for k in ("name", "phone", "email", "line_user_id", "notify_via",
                                         "consent_to_contact")}
