"""Events routing produces: where a tip goes (first decision, triage decision, transfer), a refused transfer, and
earlier tips that may describe the same matter."""
from __future__ import annotations

from datetime import timezone

from marshmallow import fields, validate

from shared.events.catalogue import AgencyRef, Bilingual, Contracts, Payload
from shared.events.intake import TIP_CONTENT, TipFacts


class TipRouted(Payload):
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


class TipTransferRefused(Payload):
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


class DuplicateCandidate(Payload):
    reference = fields.String(required=True)
    score = fields.Float(required=True)               # text similarity, 0..1
    reasons = fields.Nested(Bilingual, required=True)
    signals = fields.List(fields.String(), load_default=list)  # e.g. same_province, same_accused_name


class TipDuplicatesFound(Payload):
    """Earlier tips that may describe the same matter, for a caseworker to confirm or dismiss (never merged)."""
    reference = fields.String(required=True)
    candidates = fields.List(fields.Nested(DuplicateCandidate), required=True, validate=validate.Length(min=1))
    detected_at = fields.AwareDateTime(allow_none=True, load_default=None, default_timezone=timezone.utc)


ROUTING = Contracts("routing")
ROUTING.declare("tip.routed", TipRouted, ("reasons.th", "reasons.en") + tuple(f"tip.{path}" for path in TIP_CONTENT))
ROUTING.declare("tip.transfer_refused", TipTransferRefused)
ROUTING.declare("tip.duplicates_found", TipDuplicatesFound)
ROUTING.retention()
