"""The catalogue of event types: each contract is declared once, by the module of the service that produces it.

An event type is a name, a version, its producer, the marshmallow schema of its payload, and which payload fields
are content (sealed on the broker, shared.bus_sealing). The producer is enforced: a service's unit of work refuses
to emit another service's event type (shared.db), the broker lets a service publish only its own types
(shared.topology), and a consumer refuses an event sent by anyone but its producer (shared.reliable).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone

from marshmallow import EXCLUDE, Schema, fields, validate

# Every event is produced by one of the five services.
PRODUCERS = ("intake", "routing", "casework", "notify", "audit")


class Payload(Schema):
    class Meta:
        unknown = EXCLUDE  # tolerant reader: a newer producer may add fields


class Bilingual(Payload):
    th = fields.String(required=True)
    en = fields.String(required=True)


class AgencyRef(Payload):
    code = fields.String(required=True)
    name_th = fields.String(required=True)
    name_en = fields.String(required=True)


class RetentionApplied(Payload):
    """What kind of data a retention run deleted, and how many rows; never content (every service has one)."""
    service = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.Length(min=1, max=40))
    count = fields.Integer(required=True, validate=validate.Range(min=1))
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


CATALOGUE: dict[str, EventType] = {}


class Contracts:
    """One producer's contracts: `contracts.declare(name, schema, content=...)` adds one to the catalogue."""

    def __init__(self, producer: str):
        if producer not in PRODUCERS:
            raise ValueError(f"unknown producer {producer!r}")
        self.producer = producer

    def declare(self, name: str, schema: type[Schema], content: tuple[str, ...] = (), version: int = 1) -> EventType:
        if name in CATALOGUE:
            raise ValueError(f"event type {name} is declared twice")
        spec = EventType(name, version, self.producer, schema, content)
        CATALOGUE[name] = spec
        return spec

    def retention(self) -> EventType:
        return self.declare(f"{self.producer}.retention_applied", RetentionApplied)


def producer_of(event_type: str) -> str:
    return CATALOGUE[event_type].producer
