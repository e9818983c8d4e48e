"""Events intake produces: a tip and its files arrive, the tipster follows up, the volunteer registry changes.

Payloads never carry the tipster's identity or contact: only a pseudonymous `tipster_id`.
"""
from __future__ import annotations

from datetime import timezone

from marshmallow import fields, validate

from shared.events.catalogue import Contracts, Payload
from shared.vocabulary import CATEGORIES, CHANNELS, LANGUAGES, OFFICIAL_TYPES


class Location(Payload):
    province_code = fields.String(required=True)
    district_code = fields.String(allow_none=True, load_default=None)
    subdistrict_code = fields.String(allow_none=True, load_default=None)
    place = fields.String(allow_none=True, load_default=None)
    # a point the tipster gave, as intake keeps it (rounded unless they chose the exact point); content: sealed
    lat = fields.String(allow_none=True, load_default=None)
    long = fields.String(allow_none=True, load_default=None)


class Accused(Payload):
    official_type = fields.String(required=True, validate=validate.OneOf(OFFICIAL_TYPES))
    name = fields.String(allow_none=True, load_default=None)
    position = fields.String(allow_none=True, load_default=None)
    organization = fields.String(allow_none=True, load_default=None)


class _IsoDate(fields.Date):
    """A date that producers may hand over already as an ISO string (intake keeps the facts as JSON)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            return self._deserialize(value, attr, obj).isoformat()
        return super()._serialize(value, attr, obj, **kwargs)


class TipFacts(Payload):
    """What other services may know about a tip. No reporter identity, ever."""
    reference = fields.String(required=True)
    tipster_id = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    description = fields.String(required=True)
    event_date = _IsoDate(allow_none=True, load_default=None)
    amount_thb = fields.Decimal(allow_none=True, load_default=None, as_string=True)
    location = fields.Nested(Location, required=True)
    accused = fields.Nested(Accused, required=True)
    submitted_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    volunteer_id = fields.String(allow_none=True, load_default=None)
    # a link to media the tipster keeps elsewhere (Open311's media_url): never fetched by any service
    media_url = fields.String(allow_none=True, load_default=None)


class TipReceived(TipFacts):
    pass


class AttachmentMeta(Payload):
    """What other services learn about a file: never its name (a file name can identify the tipster)."""
    attachment_id = fields.String(required=True)
    media_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)


class TipMessageAdded(Payload):
    """The tipster answered a question or added information. Content for the case file; no identity."""
    reference = fields.String(required=True)
    tipster_id = fields.String(required=True)
    message_id = fields.String(required=True)
    in_reply_to = fields.String(allow_none=True, load_default=None)  # a case.question_asked question_id
    text = fields.String(required=True)
    attachments = fields.List(fields.Nested(AttachmentMeta), load_default=list)
    added_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class TipAttachmentsReceived(Payload):
    """Files sent with the tip itself (tip.received carries the facts; this carries what files came with it)."""
    reference = fields.String(required=True)
    tipster_id = fields.String(required=True)
    attachments = fields.List(fields.Nested(AttachmentMeta), required=True)
    received_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class TipReceiptReplaced(Payload):
    """The tipster asked for a new receipt; the old one no longer works. Neither receipt is ever in an event."""
    reference = fields.String(required=True)
    replaced_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class VolunteerChanged(Payload):
    """intake's volunteer registry: a volunteer id registered (or its token reset) or disabled. Casework keeps the
    list so that only a registered volunteer id can be bound to a desk account, and a network's coordinator sees
    only the volunteers whose area lies in the network (`subdistricts`: the DOPA codes of the volunteer's area;
    absent on older events). No token, no contact."""
    volunteer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    subdistricts = fields.List(fields.String(validate=validate.Regexp(r"^\d{6}$")), allow_none=True,
                               load_default=None)


class TipFeedbackRecorded(Payload):
    """Intake has stored an office's note for the tipster (sealed) and shows it on the status page: only now has the
    tipster been given feedback. Content-free: the note's id, never its text."""
    reference = fields.String(required=True)
    note_id = fields.String(required=True)        # case.note_added's note_id
    office_code = fields.String(required=True)
    recorded_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class EvidenceServed(Payload):
    """Intake handed a file's bytes to a signed link casework issued (the counterpart of case.evidence_viewed)."""
    reference = fields.String(required=True)
    attachment_id = fields.String(required=True)
    office_code = fields.String(required=True)
    viewer_id = fields.String(required=True)
    served_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


# the free text of a tip: sealed on the broker (routing's tip.routed carries the same facts under "tip.")
TIP_CONTENT = ("description", "location.place", "location.lat", "location.long", "accused.name", "accused.position",
               "accused.organization", "media_url")

INTAKE = Contracts("intake")
INTAKE.declare("tip.received", TipReceived, TIP_CONTENT)
INTAKE.declare("tip.attachments_received", TipAttachmentsReceived)
INTAKE.declare("tip.message_added", TipMessageAdded, ("text",))
INTAKE.declare("tip.receipt_replaced", TipReceiptReplaced)
INTAKE.declare("tip.feedback_recorded", TipFeedbackRecorded)
INTAKE.declare("tip.evidence_served", EvidenceServed)
INTAKE.declare("volunteer.registered", VolunteerChanged)
INTAKE.declare("volunteer.disabled", VolunteerChanged)
INTAKE.retention()
