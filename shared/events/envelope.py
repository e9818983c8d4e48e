"""The one event envelope: building, serialising and validating events.

Every message between services is an envelope:
  id (uuid), type ("tip.received"), version (int), occurred_at (UTC ISO 8601),
  correlation_id (the tip's reference), causation_id (id of the event that caused this one, if any),
  actor ({"kind", "id"}), payload (checked against the catalogue's schema for type+version).

The payload contracts are declared by producer, in the modules next to this one (shared/events/<service>.py).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from shared.clock import utcnow
from shared.events.catalogue import CATALOGUE

ACTOR_KINDS = ("tipster", "volunteer", "partner", "user", "system")

SYSTEM = {"kind": "system", "id": "sodsong"}


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


_ENVELOPE = EnvelopeSchema()
_payload_schemas: dict[type[Schema], Schema] = {}


def payload_schema(type_: str) -> Schema:
    """The catalogue schema of an event type, made once: a marshmallow schema keeps no state between load and
    dump calls, and making one (its fields deep-copied) costs more than using it."""
    cls = CATALOGUE[type_].schema
    schema = _payload_schemas.get(cls)
    if schema is None:
        schema = _payload_schemas[cls] = cls()
    return schema


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
        return {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "occurred_at": self.occurred_at.astimezone(timezone.utc).isoformat(),
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "actor": dict(self.actor),
            "payload": payload_schema(self.type).dump(self.payload),
        }


def new_event(type_: str, payload: dict, correlation_id: str, *, causation: Event | None = None,
              actor: dict | None = None, occurred_at: datetime | None = None) -> Event:
    """Create an event, validating the payload against the catalogue so a bad event never leaves a service.

    The dump is loaded once: that load both validates it (raising what `validate` would report) and makes the
    event's payload."""
    spec = CATALOGUE[type_]
    schema = payload_schema(type_)
    wire_payload = schema.dump(payload)
    return Event(
        id=str(uuid.uuid4()),
        type=type_,
        version=spec.version,
        occurred_at=occurred_at or utcnow(),
        correlation_id=correlation_id,
        causation_id=causation.id if causation else None,
        actor=actor or SYSTEM,
        payload=schema.load(wire_payload),
    )


def from_wire(body) -> Event:
    """Parse and validate a received envelope. Raises marshmallow.ValidationError if it is not one."""
    if not isinstance(body, dict):
        raise ValidationError({"_schema": ["envelope must be a JSON object"]})
    env = _ENVELOPE.load(body)
    spec = CATALOGUE[env["type"]]
    if env["version"] != spec.version:
        raise ValidationError({"version": [f"unsupported version {env['version']} of {env['type']}"]})
    payload = payload_schema(env["type"]).load(env["payload"])
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
