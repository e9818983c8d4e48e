"""The one event envelope, and the catalogue of event types with their payload schemas.

Every message between services is an envelope:
  id (uuid), type ("tip.received"), version (int), occurred_at (UTC ISO 8601),
  correlation_id (the tip's reference), causation_id (id of the event that caused this one, if any),
  actor ({"kind", "id"}), payload (checked against the catalogue's schema for type+version).

Payloads never carry the tipster's identity or contact: only a pseudonymous `tipster_id`.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from shared.vocabulary import CATEGORIES, CHANNELS, LANGUAGES, OFFICIAL_TYPES

ACTOR_KINDS = ("tipster", "volunteer", "partner", "user", "system")


class _Payload(Schema):
    class Meta:
        unknown = EXCLUDE  # tolerant reader: a newer producer may add fields


class Bilingual(_Payload):
    th = fields.String(required=True)
    en = fields.String(required=True)


class AgencyRef(_Payload):
    code = fields.String(required=True)
    name_th = fields.String(required=True)
    name_en = fields.String(required=True)


class Location(_Payload):
    province_code = fields.String(required=True)
    district_code = fields.String(allow_none=True, load_default=None)
    subdistrict_code = fields.String(allow_none=True, load_default=None)
    place = fields.String(allow_none=True, load_default=None)


class Accused(_Payload):
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


class TipFacts(_Payload):
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


class TipReceived(TipFacts):
    pass


class TipRouted(_Payload):
    reference = fields.String(required=True)
    agency = fields.Nested(AgencyRef, required=True)
    triage = fields.Boolean(required=True)
    rule = fields.String(required=True)
    rules_version = fields.String(required=True)
    reasons = fields.Nested(Bilingual, required=True)
    statute = fields.String(allow_none=True, load_default=None)
    decided_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    tip = fields.Nested(TipFacts, required=True)
    # added for transfers and triage decisions (issue 4); absent on events from before
    hop = fields.Integer(allow_none=True, load_default=None)          # 0 = first decision, then +1 per move
    kind = fields.String(allow_none=True, load_default=None,
                         validate=validate.OneOf(("automatic", "manual", "transfer")))
    previous_office = fields.String(allow_none=True, load_default=None)  # the office the tip leaves


class CaseOpened(_Payload):
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office = fields.Nested(AgencyRef, required=True)
    category = fields.String(required=True)
    province_code = fields.String(required=True)
    status = fields.String(required=True)
    acknowledge_due = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    feedback_due = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    opened_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    triage = fields.Boolean(load_default=False)  # in the coordinating office's triage queue, not yet decided
    # the case's version after this change (one more per change of state): a consumer keeps the highest it has
    # seen, so a late or redelivered event never moves the tipster's status back; absent on older events
    case_version = fields.Integer(allow_none=True, load_default=None)


class ClosureForTipster(_Payload):
    """Why a case was closed, in words written for the tipster (Thai; English when the office gave it)."""
    resolution = fields.String(required=True)
    resolution_label = fields.Nested(Bilingual, required=True)
    reason_th = fields.String(required=True)
    reason_en = fields.String(allow_none=True, load_default=None)


class CaseStatusChanged(_Payload):
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    from_status = fields.String(required=True)
    to_status = fields.String(required=True)
    tipster_label = fields.Nested(Bilingual, required=True)
    changed_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    # the case's version after this change (see CaseOpened.case_version); absent on older events
    case_version = fields.Integer(allow_none=True, load_default=None)
    # set when to_status is "closed": what the tipster is told about why
    closure = fields.Nested(ClosureForTipster, allow_none=True, load_default=None)
    # the office the case is with after this change (the tipster's status names it); absent on older events
    office = fields.Nested(AgencyRef, allow_none=True, load_default=None)


class CaseClosureRejected(_Payload):
    """A supervisor rejected a caseworker's closure proposal; the case stays in the state it is in."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    status = fields.String(required=True)            # the state the case stays in
    proposed_resolution = fields.String(required=True)
    proposed_by = fields.String(required=True)       # desk account id
    reason = fields.String(required=True)            # the supervisor's reason
    rejected_by = fields.String(required=True)       # desk account id
    rejected_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class NotificationRecorded(_Payload):
    delivery_id = fields.String(required=True)
    reference = fields.String(allow_none=True, load_default=None)
    recipient_kind = fields.String(required=True)  # office | tipster | user | operator
    recipient_id = fields.String(required=True)    # office code or pseudonymous id, never an address
    channel = fields.String(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)


class CaseViewed(_Payload):
    """Someone opened a case. Content-free: who, which case, when, and which view."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    viewer_id = fields.String(required=True)     # desk user id
    viewer_role = fields.String(required=True)
    view = fields.String(required=True)          # detail | status | audit
    viewed_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class CaseTransferRequested(_Payload):
    """An office hands a case on (transfer: it is not competent; refer: another body must act); routing decides."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    from_office = fields.String(required=True)
    mode = fields.String(required=True, validate=validate.OneOf(("transfer", "refer")))
    reason = fields.String(required=True)
    suggested_office = fields.String(allow_none=True, load_default=None)
    hop = fields.Integer(required=True)          # transfers so far, including this one (loop protection)
    requested_by = fields.String(required=True)  # desk user id
    requested_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class CaseAssigned(_Payload):
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    assignee_id = fields.String(required=True)
    caseworker_name = fields.String(required=True)
    category = fields.String(required=True)
    province_code = fields.String(required=True)
    due_by = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    assigned_by = fields.String(required=True)
    assigned_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class CaseNoteAdded(_Payload):
    """A note on a case. `text` is carried only for notes meant for the tipster; internal notes stay in casework."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    note_id = fields.String(required=True)
    visibility = fields.String(required=True, validate=validate.OneOf(("internal", "tipster_visible")))
    text = fields.String(allow_none=True, load_default=None)
    added_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class CaseQuestionAsked(_Payload):
    """The office asks the tipster something; intake can show it on the receipt's status page."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    question_id = fields.String(required=True)
    text = fields.String(required=True)
    text_en = fields.String(allow_none=True, load_default=None)  # the office's English wording, when it wrote one
    asked_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class CaseDeadlineAlert(_Payload):
    """A deadline is near (reminder) or passed (breach, escalated to the office's supervisors)."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf(("acknowledge", "feedback")))
    due_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    assignee_id = fields.String(allow_none=True, load_default=None)
    caseworker_name = fields.String(allow_none=True, load_default=None)
    escalate_to = fields.String(required=True, validate=validate.OneOf(("assignee", "office", "supervisor")))
    raised_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class CaseDeadlineExtended(_Payload):
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf(("acknowledge", "feedback")))
    previous_due = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    new_due = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    extended_by = fields.String(required=True)
    extended_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class AccountChanged(_Payload):
    """Desk accounts and sign-ins (ASVS 16.3.1). Never a password, token or TOTP code."""
    user_id = fields.String(required=True)       # "unknown" when a sign-in named no existing account
    office_code = fields.String(allow_none=True, load_default=None)
    role = fields.String(allow_none=True, load_default=None)
    detail = fields.String(allow_none=True, load_default=None)  # e.g. "bad_credentials", "throttled", "totp"
    at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    producer: str
    schema: type[Schema]
    # payload fields that are content (free text from a tipster or an office), as dotted paths: sealed for the
    # services that need them while the event is on the broker (shared.bus_sealing); everything else stays clear
    content: tuple[str, ...] = ()


_TIP_CONTENT = ("description", "location.place", "accused.name", "accused.position", "accused.organization")

CATALOGUE: dict[str, EventType] = {
    t.name: t
    for t in (
        EventType("tip.received", 1, "intake", TipReceived, _TIP_CONTENT),
        EventType("tip.routed", 1, "routing", TipRouted,
                  ("reasons.th", "reasons.en") + tuple(f"tip.{path}" for path in _TIP_CONTENT)),
        EventType("case.opened", 1, "casework", CaseOpened),
        EventType("case.status_changed", 1, "casework", CaseStatusChanged,
                  ("closure.reason_th", "closure.reason_en")),
        EventType("case.closure_rejected", 1, "casework", CaseClosureRejected, ("reason",)),
        EventType("notification.sent", 1, "notify", NotificationRecorded),
        EventType("notification.failed", 1, "notify", NotificationRecorded),
        EventType("case.viewed", 1, "casework", CaseViewed),
        EventType("case.transfer_requested", 1, "casework", CaseTransferRequested, ("reason",)),
        EventType("case.assigned", 1, "casework", CaseAssigned),
        EventType("case.note_added", 1, "casework", CaseNoteAdded, ("text",)),
        EventType("case.question_asked", 1, "casework", CaseQuestionAsked, ("text", "text_en")),
        EventType("case.deadline_reminder", 1, "casework", CaseDeadlineAlert),
        EventType("case.deadline_breached", 1, "casework", CaseDeadlineAlert),
        EventType("case.deadline_extended", 1, "casework", CaseDeadlineExtended),
        EventType("account.created", 1, "casework", AccountChanged),
        EventType("account.disabled", 1, "casework", AccountChanged),
        EventType("account.signed_in", 1, "casework", AccountChanged),
        EventType("account.signed_out", 1, "casework", AccountChanged),
        EventType("account.sign_in_failed", 1, "casework", AccountChanged),
        EventType("account.password_changed", 1, "casework", AccountChanged),
        EventType("account.password_reset_issued", 1, "casework", AccountChanged),
    )
}


class ActorSchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf(ACTOR_KINDS))
    id = fields.String(required=True)


class EnvelopeSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf(CATALOGUE))
    version = fields.Integer(required=True, strict=True)
    occurred_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    causation_id = fields.String(allow_none=True, load_default=None)
    actor = fields.Nested(ActorSchema, required=True)
    payload = fields.Dict(required=True)


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    version: int
    occurred_at: datetime
    correlation_id: str
    causation_id: str | None
    actor: dict
    payload: dict = field(repr=False)

    def to_wire(self) -> dict:
        """JSON-ready dict; the payload is dumped through its catalogue schema."""
        spec = CATALOGUE[self.type]
        return {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "occurred_at": self.occurred_at.astimezone(timezone.utc).isoformat(),
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "actor": dict(self.actor),
            "payload": spec.schema().dump(self.payload),
        }


SYSTEM = {"kind": "system", "id": "sodsong"}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware_utc(value: datetime | None) -> datetime | None:
    """A stored timestamp as an aware UTC datetime: SQLite hands them back naive (every one is written as UTC)."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def iso_utc(value: datetime | None, timespec: str = "auto") -> str | None:
    value = aware_utc(value)
    return value.astimezone(timezone.utc).isoformat(timespec=timespec) if value is not None else None


def new_event(type_: str, payload: dict, correlation_id: str, *, causation: Event | None = None,
              actor: dict | None = None, occurred_at: datetime | None = None) -> Event:
    """Create an event, validating the payload against the catalogue so a bad event never leaves a service."""
    spec = CATALOGUE[type_]
    wire_payload = spec.schema().dump(payload)
    errors = spec.schema().validate(wire_payload)
    if errors:
        raise ValidationError(errors)
    return Event(
        id=str(uuid.uuid4()),
        type=type_,
        version=spec.version,
        occurred_at=occurred_at or utcnow(),
        correlation_id=correlation_id,
        causation_id=causation.id if causation else None,
        actor=actor or SYSTEM,
        payload=spec.schema().load(wire_payload),
    )


def from_wire(body) -> Event:
    """Parse and validate a received envelope. Raises marshmallow.ValidationError if it is not one."""
    if not isinstance(body, dict):
        raise ValidationError({"_schema": ["envelope must be a JSON object"]})
    env = EnvelopeSchema().load(body)
    spec = CATALOGUE[env["type"]]
    if env["version"] != spec.version:
        raise ValidationError({"version": [f"unsupported version {env['version']} of {env['type']}"]})
    payload = spec.schema().load(env["payload"])
    return Event(
        id=str(env["id"]),
        type=env["type"],
        version=env["version"],
        occurred_at=env["occurred_at"],
        correlation_id=env["correlation_id"],
        causation_id=env["causation_id"],
        actor=env["actor"],
        payload=payload,
    )


# --- appended by intake (issue 3): tipster follow-up, evidence, receipt changes (intake consumes casework's
# case.question_asked above for the tipster's status page) -----------------------------------------------------

class AttachmentMeta(_Payload):
    """What other services learn about a file: never its name (a file name can identify the tipster)."""
    attachment_id = fields.String(required=True)
    media_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)


class TipMessageAdded(_Payload):
    """The tipster answered a question or added information. Content for the case file; no identity."""
    reference = fields.String(required=True)
    tipster_id = fields.String(required=True)
    message_id = fields.String(required=True)
    in_reply_to = fields.String(allow_none=True, load_default=None)  # a case.question_asked question_id
    text = fields.String(required=True)
    attachments = fields.List(fields.Nested(AttachmentMeta), load_default=list)
    added_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class TipAttachmentsReceived(_Payload):
    """Files sent with the tip itself (tip.received carries the facts; this carries what files came with it)."""
    reference = fields.String(required=True)
    tipster_id = fields.String(required=True)
    attachments = fields.List(fields.Nested(AttachmentMeta), required=True)
    received_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class TipReceiptReplaced(_Payload):
    """The tipster asked for a new receipt; the old one no longer works. Neither receipt is ever in an event."""
    reference = fields.String(required=True)
    replaced_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class VolunteerChanged(_Payload):
    """intake's volunteer registry: a volunteer id registered (or its token reset) or disabled. Casework keeps the
    list so that only a registered volunteer id can be bound to a desk account. No token, no area, no contact."""
    volunteer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


for _t in (
    EventType("volunteer.registered", 1, "intake", VolunteerChanged),
    EventType("volunteer.disabled", 1, "intake", VolunteerChanged),
    EventType("tip.message_added", 1, "intake", TipMessageAdded, ("text",)),
    EventType("tip.attachments_received", 1, "intake", TipAttachmentsReceived),
    EventType("tip.receipt_replaced", 1, "intake", TipReceiptReplaced),
):
    CATALOGUE.setdefault(_t.name, _t)
del _t


# --- appended by routing (issue 4): triage decisions, transfers, duplicate candidates -----------------------------

class CaseTriageDecided(_Payload):
    """A triage officer at the coordinating office decided which office is competent; routing records it as a
    manual decision and announces it with `tip.routed` (kind "manual")."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)       # the coordinating office whose triage desk decided
    decided_agency = fields.String(required=True)    # code of the office found competent (in the directory)
    reason = fields.String(required=True)            # the officer's reason, shown in tip.routed's reasons
    decided_by = fields.String(required=True)        # desk account id
    decided_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)
    supervisor_override = fields.Boolean(load_default=False)  # may send the tip back to an office it left


class CaseTransferRequestedByOffice(CaseTransferRequested):
    """casework's case.transfer_requested, plus the supervisor's approval to send a tip back to an office it
    has already left (routing refuses such a loop otherwise)."""
    supervisor_override = fields.Boolean(load_default=False)


class TipTransferRefused(_Payload):
    """Routing would not move the tip (loop, too many transfers, unknown office, stale request, ...); the case
    stays where it was. `reasons` says why in both languages."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    from_office = fields.String(required=True)
    suggested_agency = fields.String(allow_none=True, load_default=None)
    reason_code = fields.String(required=True, validate=validate.OneOf((
        "unknown_tip", "not_current_office", "not_in_triage", "unknown_office", "same_office", "loop",
        "hop_limit", "no_alternative", "conflicted")))  # conflicted: the accused works there, or the statute
    reasons = fields.Nested(Bilingual, required=True)          # forbids that agency to act on them
    request = fields.String(load_default="transfer",
                            validate=validate.OneOf(("transfer", "triage_decision")))
    refused_at = fields.AwareDateTime(allow_none=True, load_default=None, default_timezone=timezone.utc)


class DuplicateCandidate(_Payload):
    reference = fields.String(required=True)
    score = fields.Float(required=True)               # text similarity, 0..1
    reasons = fields.Nested(Bilingual, required=True)
    signals = fields.List(fields.String(), load_default=list)  # e.g. same_province, same_accused_name


class TipDuplicatesFound(_Payload):
    """Earlier tips that may describe the same matter, for a caseworker to confirm or dismiss (never merged)."""
    reference = fields.String(required=True)
    candidates = fields.List(fields.Nested(DuplicateCandidate), required=True, validate=validate.Length(min=1))
    detected_at = fields.AwareDateTime(allow_none=True, load_default=None, default_timezone=timezone.utc)


if "supervisor_override" not in CaseTransferRequested._declared_fields:
    # the same event and version: one optional field more, which older readers ignore
    CATALOGUE["case.transfer_requested"] = EventType("case.transfer_requested", 1, "casework",
                                                     CaseTransferRequestedByOffice, ("reason",))
for _t in (
    EventType("case.triage_decided", 1, "casework", CaseTriageDecided, ("reason",)),
    EventType("tip.transfer_refused", 1, "routing", TipTransferRefused),
    EventType("tip.duplicates_found", 1, "routing", TipDuplicatesFound),
):
    CATALOGUE.setdefault(_t.name, _t)
del _t


# --- appended by casework (issue 7): what operators do on the operator page -----------------------------------

class OperatorAction(_Payload):
    """An operator asked for a dead letter to be redriven, or a delivery to be sent again. Ids only: never the
    event's body, a message, an address or a recipient; not even the tip's reference (a tipster notice's
    existence is intake's to keep)."""
    user_id = fields.String(required=True)
    office_code = fields.String(allow_none=True, load_default=None)
    role = fields.String(required=True)
    service = fields.String(required=True)       # whose row: the service of the dead letter, notify or intake
    target_id = fields.String(required=True)     # the dead letter's or the delivery's id
    outcome = fields.String(required=True, validate=validate.OneOf(("requested", "refused")))
    at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


for _t in (
    EventType("ops.dead_letter_redrive_requested", 1, "casework", OperatorAction),
    EventType("ops.delivery_retry_requested", 1, "casework", OperatorAction),
):
    CATALOGUE.setdefault(_t.name, _t)
del _t


# --- the conversation both ways: notes for the tipster reach intake, evidence views are recorded ---------------

class TipFeedbackRecorded(_Payload):
    """Intake has stored an office's note for the tipster (sealed) and shows it on the status page: only now has the
    tipster been given feedback. Content-free: the note's id, never its text."""
    reference = fields.String(required=True)
    note_id = fields.String(required=True)        # case.note_added's note_id
    office_code = fields.String(required=True)
    recorded_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class EvidenceViewed(_Payload):
    """A staff member opened (downloaded) one of a tip's files. Who, which file of which case, when."""
    reference = fields.String(required=True)
    case_id = fields.String(required=True)
    office_code = fields.String(required=True)
    attachment_id = fields.String(required=True)
    viewer_id = fields.String(required=True)      # desk user id
    viewer_role = fields.String(required=True)
    viewed_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


class EvidenceServed(_Payload):
    """Intake handed a file's bytes to a signed link casework issued (the counterpart of case.evidence_viewed)."""
    reference = fields.String(required=True)
    attachment_id = fields.String(required=True)
    office_code = fields.String(required=True)
    viewer_id = fields.String(required=True)
    served_at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


for _t in (
    EventType("tip.feedback_recorded", 1, "intake", TipFeedbackRecorded),
    EventType("case.evidence_viewed", 1, "casework", EvidenceViewed),
    EventType("tip.evidence_served", 1, "intake", EvidenceServed),
):
    CATALOGUE.setdefault(_t.name, _t)
del _t


# --- retention (every service): what kind of data a retention run deleted, and how many rows; never content ----

class RetentionApplied(_Payload):
    service = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.Length(min=1, max=40))
    count = fields.Integer(required=True, validate=validate.Range(min=1))
    at = fields.AwareDateTime(required=True, default_timezone=timezone.utc)


for _service in ("intake", "routing", "casework", "notify", "audit"):
    CATALOGUE.setdefault(f"{_service}.retention_applied",
                         EventType(f"{_service}.retention_applied", 1, _service, RetentionApplied))
del _service
