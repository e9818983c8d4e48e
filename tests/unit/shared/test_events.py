import json
import uuid

import pytest
from marshmallow import ValidationError

from shared.clock import utcnow
from shared.events import CATALOGUE, TipFacts, from_wire, new_event


def _status_changed(**changes):
    payload = {"reference": "SS-AAAA-BBBB", "case_id": "c1", "office_code": "PACC-R2", "from_status": "received",
               "to_status": "acknowledged", "tipster_label": {"th": "ตอบรับแล้ว", "en": "Acknowledged"},
               "changed_at": utcnow()}
    payload.update(changes)
    return new_event("case.status_changed", payload, "SS-AAAA-BBBB")


def test_envelope_round_trips_through_json():
    event = _status_changed()
    wire = json.loads(json.dumps(event.to_wire()))
    assert set(wire) == {"id", "type", "version", "occurred_at", "correlation_id", "causation_id", "actor",
                         "payload"}
    assert uuid.UUID(wire["id"]) and wire["occurred_at"].endswith("+00:00")
    assert from_wire(wire) == event


def test_causation_and_actor_are_carried():
    cause = _status_changed()
    effect = new_event("case.status_changed", dict(cause.payload), cause.correlation_id, causation=cause,
                       actor={"kind": "user", "id": "u1"})
    assert effect.causation_id == cause.id and effect.actor == {"kind": "user", "id": "u1"}


def test_an_invalid_payload_never_leaves_the_producer():
    with pytest.raises(ValidationError):
        _status_changed(tipster_label={"th": "only thai"})


@pytest.mark.parametrize("mutate", [
    lambda w: w.update(type="tip.unknown"),
    lambda w: w.update(version=2),
    lambda w: w.update(extra="field"),
    lambda w: w.pop("correlation_id"),
    lambda w: w["payload"].pop("reference"),
    lambda w: w.update(actor={"kind": "martian", "id": "x"}),
])
def test_received_envelopes_are_validated(mutate):
    wire = _status_changed().to_wire()
    mutate(wire)
    with pytest.raises(ValidationError):
        from_wire(wire)


def test_no_event_payload_can_carry_a_reporter():
    identity = {"reporter", "name", "phone", "email", "line_user_id", "receipt"}
    for spec in CATALOGUE.values():
        assert not identity & set(spec.schema().fields), spec.name
    assert not identity & set(TipFacts().fields)
