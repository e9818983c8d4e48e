"""Content sealed on the wire: every content field the catalogue declares is sealed by the relay and opened by the
consumer; every valid payload round-trips; metadata stays clear; a consumer without the bus key is not hurt."""
import base64
import copy
import json
import secrets

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import fields

from shared import bus_sealing, sealing
from shared.clock import utcnow
from shared.events import CATALOGUE, from_wire, new_event

REF = "SS-WIRE-0001"
NOW = utcnow()


def _tip():
    return {"reference": REF, "tipster_id": "tp-1", "channel": "web", "language": "th", "category": "bribery",
            "description": "x", "event_date": "2026-10-03", "amount_thb": "5000.00",
            "location": {"province_code": "23", "district_code": "2301", "subdistrict_code": "230101", "place": "x"},
            "accused": {"official_type": "state_official", "name": "x", "position": "x", "organization": "x"},
            "submitted_at": NOW, "volunteer_id": None}


BASE = {
    "tip.received": _tip,
    "tip.routed": lambda: {"reference": REF, "agency": {"code": "NACC-23", "name_th": "ป.ป.ช. ตราด",
                                                        "name_en": "NACC Trat"},
                           "triage": False, "rule": "r1", "rules_version": "v1", "reasons": {"th": "x", "en": "x"},
                           "statute": "s", "decided_at": NOW, "tip": _tip(), "hop": 1, "kind": "transfer",
                           "previous_office": "PACC-R2"},
    "case.status_changed": lambda: {"reference": REF, "case_id": "c1", "office_code": "NACC-23",
                                    "from_status": "investigating", "to_status": "closed",
                                    "tipster_label": {"th": "ปิดเรื่อง", "en": "Closed"}, "changed_at": NOW,
                                    "case_version": 4,
                                    "closure": {"resolution": "substantiated",
                                                "resolution_label": {"th": "มีมูล", "en": "Substantiated"},
                                                "reason_th": "x", "reason_en": "x"}},
    "case.closure_rejected": lambda: {"reference": REF, "case_id": "c1", "office_code": "NACC-23",
                                      "status": "investigating", "proposed_resolution": "unfounded",
                                      "proposed_by": "u1", "reason": "x", "rejected_by": "u2", "rejected_at": NOW},
    "case.transfer_requested": lambda: {"reference": REF, "case_id": "c1", "from_office": "PACC-R2",
                                        "mode": "transfer", "reason": "x", "suggested_office": "NACC-23", "hop": 1,
                                        "requested_by": "u1", "requested_at": NOW, "supervisor_override": False},
    "case.triage_decided": lambda: {"reference": REF, "case_id": "c1", "office_code": "NACC-HQ",
                                    "decided_agency": "NACC-23", "reason": "x", "decided_by": "u1",
                                    "decided_at": NOW, "supervisor_override": False},
    "case.note_added": lambda: {"reference": REF, "case_id": "c1", "office_code": "NACC-23", "note_id": "n1",
                                "visibility": "tipster_visible", "text": "x", "added_at": NOW},
    "case.question_asked": lambda: {"reference": REF, "case_id": "c1", "office_code": "NACC-23",
                                    "question_id": "q1", "text": "x", "asked_at": NOW},
    "tip.message_added": lambda: {"reference": REF, "tipster_id": "tp-1", "message_id": "m1", "in_reply_to": "q1",
                                  "text": "x", "attachments": [{"attachment_id": "a1", "media_type": "image/jpeg",
                                                                "size": 10, "sha256": "0" * 64}],
                                  "added_at": NOW},
}


@pytest.fixture(autouse=True)
def bus_key():
    kid = "t" + secrets.token_hex(3)
    sealing.install_keys(bus_sealing.KEYRING, kid, {kid: secrets.token_bytes(32)})
    yield kid


def _set(payload, path, value):
    *parents, last = path.split(".")
    for part in parents:
        payload = payload[part]
    payload[last] = value


def _get(payload, path):
    for part in path.split("."):
        payload = payload[part]
    return payload


def _schema_field(schema, path):
    *parents, last = path.split(".")
    for part in parents:
        schema = schema.fields[part].schema
    return schema.fields[last]


def test_every_content_event_type_has_a_sample_and_every_declared_path_is_a_text_field():
    content_types = {name for name, spec in CATALOGUE.items() if spec.content}
    assert content_types == set(BASE)
    for name, spec in CATALOGUE.items():
        for path in spec.content:
            assert isinstance(_schema_field(spec.schema(), path), fields.String), (name, path)


texts = st.text(min_size=1, max_size=200).filter(lambda t: t.strip())


@pytest.mark.parametrize("event_type", sorted(BASE))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_valid_payload_round_trips_sealed_on_the_wire(event_type, data):
    spec = CATALOGUE[event_type]
    payload = BASE[event_type]()
    marker = "mk" + secrets.token_hex(6)
    for path in spec.content:
        optional = _schema_field(spec.schema(), path).allow_none
        value = data.draw(st.one_of(st.none(), texts) if optional else texts, label=path)
        _set(payload, path, None if value is None else f"{value} {marker}")
    event = new_event(event_type, payload, REF)
    clear = event.to_wire()
    wire = json.loads(json.dumps(bus_sealing.seal_body(clear), ensure_ascii=False))

    assert marker not in json.dumps(wire, ensure_ascii=False)           # no content readable on the wire
    for path in spec.content:
        value = _get(clear["payload"], path)
        assert (value is None) == (_get(wire["payload"], path) is None)
        if value is not None:
            assert sealing.is_sealed(_get(wire["payload"], path))
    metadata = copy.deepcopy(wire)                                       # ... and the rest is exactly as it was
    expected = copy.deepcopy(clear)
    for path in spec.content:
        _set(metadata["payload"], path, None)
        _set(expected["payload"], path, None)
    assert metadata == json.loads(json.dumps(expected, ensure_ascii=False))

    assert from_wire(bus_sealing.open_body(wire)) == event


def test_a_consumer_without_the_bus_key_gets_the_sealed_strings_and_does_not_fail(monkeypatch):
    event = new_event("case.note_added", {**BASE["case.note_added"](), "text": "ข้อความถึงผู้แจ้ง"}, REF)
    wire = bus_sealing.seal_body(event.to_wire())
    monkeypatch.delitem(sealing._sealers, bus_sealing.KEYRING)
    received = from_wire(bus_sealing.open_body(wire))
    assert sealing.is_sealed(received.payload["text"])
    assert received.payload["reference"] == REF and received.payload["visibility"] == "tipster_visible"


def test_a_producer_of_content_without_the_bus_key_refuses_to_send_it_clear(monkeypatch):
    event = new_event("case.question_asked", {**BASE["case.question_asked"](), "text": "ถามผู้แจ้ง"}, REF)
    monkeypatch.delitem(sealing._sealers, bus_sealing.KEYRING)
    with pytest.raises(sealing.SealError):
        bus_sealing.seal_body(event.to_wire())
    plain = new_event("case.opened", {"reference": REF, "case_id": "c1", "office": {
        "code": "NACC-23", "name_th": "ป", "name_en": "N"}, "category": "bribery", "province_code": "23",
        "status": "received", "acknowledge_due": NOW, "feedback_due": NOW, "opened_at": NOW}, REF).to_wire()
    assert bus_sealing.seal_body(plain) == plain                         # no content: nothing to seal, no key needed


def test_a_sealed_field_does_not_open_in_another_event_or_field():
    first = bus_sealing.seal_body(new_event("case.question_asked", {**BASE["case.question_asked"](),
                                                                    "text": "ความลับ"}, REF).to_wire())
    second = bus_sealing.seal_body(new_event("case.question_asked", {**BASE["case.question_asked"](),
                                                                     "text": "อื่น"}, REF).to_wire())
    second["payload"]["text"] = first["payload"]["text"]                 # moved into another event
    assert bus_sealing.open_body(second)["payload"]["text"] == first["payload"]["text"]  # stays sealed
    assert bus_sealing.open_body(first)["payload"]["text"] == "ความลับ"


def test_rotation_a_new_current_key_seals_and_events_sealed_before_still_open(bus_key):
    old = bus_sealing.seal_body(new_event("tip.message_added", {**BASE["tip.message_added"](),
                                                                "text": "ก่อนเปลี่ยนกุญแจ"}, REF).to_wire())
    new_kid = "n" + secrets.token_hex(3)
    sealing.install_keys(bus_sealing.KEYRING, new_kid, {new_kid: secrets.token_bytes(32)})
    new = bus_sealing.seal_body(new_event("tip.message_added", {**BASE["tip.message_added"](),
                                                                "text": "หลังเปลี่ยนกุญแจ"}, REF).to_wire())
    assert sealing.key_id(old["payload"]["text"]) == bus_key
    assert sealing.key_id(new["payload"]["text"]) == new_kid
    assert bus_sealing.open_body(old)["payload"]["text"] == "ก่อนเปลี่ยนกุญแจ"
    assert bus_sealing.open_body(new)["payload"]["text"] == "หลังเปลี่ยนกุญแจ"


def test_the_bus_keyring_is_made_in_the_keys_directory_and_rotates_there(tmp_path):
    config = {"data_dir": str(tmp_path / "data")}
    first = bus_sealing.install(config)
    assert (tmp_path / "data-keys" / "bus-keys.yaml").exists()
    assert bus_sealing.install(config, "notify") is None and bus_sealing.install(config, "audit") is None
    kid = sealing.add_key_to_file(config, bus_sealing.KEYRING)
    again = bus_sealing.install(config)
    assert again.current == kid != first.current and first.current in again.keys
    assert len(base64.b64encode(again.keys[kid])) == 44
