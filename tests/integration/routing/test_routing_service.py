"""The routing service's handlers, on the memory transport and on RabbitMQ + PostgreSQL: triage decisions,
transfers (loops, the transfer limit, a supervisor's override), duplicate candidates, redelivery."""
from __future__ import annotations

import itertools
import json
import time
import uuid

import pytest
from sqlalchemy import select

from services.routing.repository import RoutingRepository
from services.routing.usecases.decisions import history_of
from shared.clock import utcnow
from shared.events import new_event
from tests.support.inprocess import db, environment, publish, running
from tests.support.processes import wait_for

FAST_RETRIES = {"events": {"max_attempts": 3, "backoff_seconds": [0.05, 0.1], "broker_delivery_limit": 20}}

BRIBE = ("นายก อบต.เกาะช้าง เรียกรับเงินจากผู้รับเหมาโครงการก่อสร้างถนนคอนกรีต 50,000 บาท "
         "เพื่อให้ได้งาน")
BRIBE_REWORDED = ("ผู้รับเหมาถูกนายกองค์การบริหารส่วนตำบลเกาะช้างเรียกเงิน 50000 บาท "
                  "แลกกับการได้งานสร้างถนนคอนกรีตในหมู่บ้าน")
LAND = "เจ้าหน้าที่ที่ดินเรียกรับเงิน 5,000 บาทเพื่อเร่งออกโฉนดให้ชาวบ้าน"


@pytest.fixture(params=["memory", "rabbitmq"])
def cfg(request, tmp_path):
    with environment(request.param, tmp_path, FAST_RETRIES) as config:
        yield config


def reference() -> str:
    body = uuid.uuid4().hex[:8].upper()
    return f"SS-{body[:4]}-{body[4:]}"


def tip_received(ref: str, **changes):
    payload = {
        "reference": ref, "tipster_id": "tp_test", "channel": "web", "language": "th",
        "category": "bribery", "description": LAND, "event_date": None, "amount_thb": None,
        "location": {"province_code": "23"}, "accused": {"official_type": "state_official"},
        "submitted_at": utcnow(), "volunteer_id": None,
    }
    payload.update(changes)
    return new_event("tip.received", payload, correlation_id=ref)


def transfer_requested(ref: str, from_office: str, suggested: str | None, hop: int = 1, *,
                       override: bool = False, reason: str = "ไม่อยู่ในอำนาจของหน่วยงานนี้"):
    return new_event("case.transfer_requested", {
        "reference": ref, "case_id": f"case-{ref}", "from_office": from_office, "mode": "transfer",
        "reason": reason, "suggested_office": suggested, "hop": hop, "requested_by": "user-7",
        "requested_at": utcnow(), "supervisor_override": override,
    }, correlation_id=ref, actor={"kind": "user", "id": "user-7"})


def triage_decided(ref: str, office: str, decided: str, reason: str):
    return new_event("case.triage_decided", {
        "reference": ref, "case_id": f"case-{ref}", "office_code": office, "decided_agency": decided,
        "reason": reason, "decided_by": "triage-1", "decided_at": utcnow(),
    }, correlation_id=ref, actor={"kind": "user", "id": "triage-1"})


def emitted(cfg, ref: str, event_type: str) -> list[dict]:
    """The payloads routing has emitted (its outbox), oldest first."""
    routing_db = db(cfg, "routing")
    outbox = routing_db.tables.outbox
    with routing_db.reading() as s:
        bodies = s.execute(select(outbox.c.body).where(outbox.c.correlation_id == ref,
                                                       outbox.c.event_type == event_type)
                           .order_by(outbox.c.seq)).scalars().all()
    return [json.loads(body)["payload"] for body in bodies]


def wait_emitted(cfg, ref, event_type, count=1, timeout=15):
    return wait_for(lambda: (lambda found: found if len(found) >= count else None)(emitted(cfg, ref, event_type)),
                    timeout, message=f"{count} {event_type} for {ref}")


def history(cfg, ref):
    with db(cfg, "routing").reading() as s:
        return history_of(RoutingRepository(s), ref)


def send(cfg, event):
    publish(cfg, event.to_wire())


def test_a_triage_officers_decision_is_routed_as_a_manual_decision(cfg):
    ref = reference()
    with running(cfg, "routing"):
        send(cfg, tip_received(ref, category="other"))
        first = wait_emitted(cfg, ref, "tip.routed")[0]
        assert first["triage"] is True and first["agency"]["code"] == "PACC-R2"
        assert (first["hop"], first["kind"], first["previous_office"]) == (0, "automatic", None)

        send(cfg, triage_decided(ref, "PACC-R2", "NACC-23", "ผู้ถูกกล่าวหาเป็นนายกเทศมนตรี"))
        manual = wait_emitted(cfg, ref, "tip.routed", 2)[1]
    assert manual["agency"] == {"code": "NACC-23", "name_th": "สำนักงาน ป.ป.ช. ประจำจังหวัดตราด",
                                "name_en": "NACC Trat Provincial Office"}
    assert manual["triage"] is False
    assert (manual["rule"], manual["kind"], manual["hop"], manual["previous_office"]) == \
        ("manual", "manual", 1, "PACC-R2")
    assert "ผู้ถูกกล่าวหาเป็นนายกเทศมนตรี" in manual["reasons"]["th"]
    assert "ผู้ถูกกล่าวหาเป็นนายกเทศมนตรี" in manual["reasons"]["en"]
    assert "triage officer" in manual["reasons"]["en"]
    assert manual["tip"]["reference"] == ref and manual["tip"]["category"] == "other"
    assert manual["tip"]["tipster_id"] == "tp_test"
    steps = history(cfg, ref)
    assert [(h["hop"], h["kind"], h["agency"], h["triage"]) for h in steps] == \
        [(0, "automatic", "PACC-R2", True), (1, "manual", "NACC-23", False)]
    assert steps[1]["decided_by"] == "triage-1" and steps[1]["previous_agency"] == "PACC-R2"


def test_the_accuseds_own_office_is_refused_for_triage_decisions_and_transfers(cfg):
    """A PACC Region 2 officer described in words: routed to NACC Trat; neither a triage officer nor an office
    can then send the tip to any PACC office, not even with a supervisor's approval."""
    ref = reference()
    accused = {"official_type": "state_official", "name": "นายสมมติ ตัวอย่าง", "position": "นิติกร",
               "organization": "สำนักงาน ป.ป.ท. เขต 2"}
    with running(cfg, "routing"):
        send(cfg, tip_received(ref, category="other", accused=accused))
        first = wait_emitted(cfg, ref, "tip.routed")[0]
        assert (first["triage"], first["agency"]["code"]) == (True, "NACC-23")
        assert "PACC Region 2" in first["reasons"]["en"]

        send(cfg, triage_decided(ref, "NACC-23", "PACC-R2", "ให้ ป.ป.ท. ตรวจสอบ"))
        refused = wait_emitted(cfg, ref, "tip.transfer_refused")[0]
        assert (refused["reason_code"], refused["request"], refused["suggested_agency"]) == \
            ("conflicted", "triage_decision", "PACC-R2")

        send(cfg, triage_decided(ref, "NACC-23", "NACC-23", "อยู่ในอำนาจ ป.ป.ช."))
        decided = wait_emitted(cfg, ref, "tip.routed", 2)[1]
        assert (decided["agency"]["code"], decided["triage"]) == ("NACC-23", False)

        send(cfg, transfer_requested(ref, "NACC-23", "PACC", hop=2, override=True))
        again = wait_emitted(cfg, ref, "tip.transfer_refused", 2)[1]
    assert (again["reason_code"], again["request"]) == ("conflicted", "transfer")
    assert again["reasons"]["th"] and "the accused works there" in again["reasons"]["en"]
    assert [h["agency"] for h in history(cfg, ref)] == ["NACC-23", "NACC-23"]


def test_transfer_accepted_loop_refused_then_allowed_by_a_supervisor(cfg):
    ref = reference()
    with running(cfg, "routing"):
        send(cfg, tip_received(ref))
        assert wait_emitted(cfg, ref, "tip.routed")[0]["agency"]["code"] == "PACC-R2"

        send(cfg, transfer_requested(ref, "PACC-R2", "NACC-23", reason="ผู้ถูกกล่าวหาเป็นผู้บริหารท้องถิ่น"))
        moved = wait_emitted(cfg, ref, "tip.routed", 2)[1]
        assert (moved["agency"]["code"], moved["kind"], moved["hop"], moved["previous_office"], moved["triage"]) \
            == ("NACC-23", "transfer", 1, "PACC-R2", False)
        assert "ผู้ถูกกล่าวหาเป็นผู้บริหารท้องถิ่น" in moved["reasons"]["th"]

        # NACC-23 wants to send it back where it came from: a loop
        send(cfg, transfer_requested(ref, "NACC-23", "PACC-R2", hop=2))
        refused = wait_emitted(cfg, ref, "tip.transfer_refused")[0]
        assert refused == {
            "reference": ref, "case_id": f"case-{ref}", "from_office": "NACC-23", "suggested_agency": "PACC-R2",
            "reason_code": "loop", "reasons": refused["reasons"], "request": "transfer",
            "refused_at": refused["refused_at"]}
        assert "supervisor" in refused["reasons"]["en"] and refused["reasons"]["th"]
        assert len(emitted(cfg, ref, "tip.routed")) == 2  # the tip did not move

        # with a supervisor's approval it may go back
        send(cfg, transfer_requested(ref, "NACC-23", "PACC-R2", hop=2, override=True))
        back = wait_emitted(cfg, ref, "tip.routed", 3)[2]
    assert (back["agency"]["code"], back["hop"], back["previous_office"]) == ("PACC-R2", 2, "NACC-23")
    assert "supervisor approved" in back["reasons"]["en"]
    steps = history(cfg, ref)
    assert [(h["hop"], h["agency"], h["supervisor_override"]) for h in steps] == \
        [(0, "PACC-R2", False), (1, "NACC-23", False), (2, "PACC-R2", True)]


def test_the_sixth_transfer_is_refused(cfg):
    ref = reference()
    chain = ["PACC-R2", "NACC-23", "DAMRONGTHAM-23", "OMBUDSMAN", "DSI", "POLICE"]
    with running(cfg, "routing"):
        send(cfg, tip_received(ref))
        wait_emitted(cfg, ref, "tip.routed")
        for hop, (here, there) in enumerate(itertools.pairwise(chain), start=1):
            send(cfg, transfer_requested(ref, here, there, hop=hop))
            assert wait_emitted(cfg, ref, "tip.routed", hop + 1)[hop]["agency"]["code"] == there
        send(cfg, transfer_requested(ref, "POLICE", "OAG", hop=6, override=True))
        refused = wait_emitted(cfg, ref, "tip.transfer_refused")[0]
    assert refused["reason_code"] == "hop_limit"
    assert "5" in refused["reasons"]["en"] and "5" in refused["reasons"]["th"]
    assert [h["agency"] for h in history(cfg, ref)] == chain


def test_transfer_to_an_office_not_in_the_directory_is_refused(cfg):
    ref = reference()
    with running(cfg, "routing"):
        send(cfg, tip_received(ref))
        wait_emitted(cfg, ref, "tip.routed")
        send(cfg, transfer_requested(ref, "PACC-R2", "NOWHERE-99"))
        refused = wait_emitted(cfg, ref, "tip.transfer_refused")[0]
        assert refused["reason_code"] == "unknown_office" and "NOWHERE-99" in refused["reasons"]["en"]
        # without a suggestion the rules decide again; PACC-R2 is where it is, so it goes to triage
        send(cfg, transfer_requested(ref, "PACC-R2", None))
        moved = wait_emitted(cfg, ref, "tip.routed", 2)[1]
    assert (moved["agency"]["code"], moved["triage"], moved["kind"], moved["rule"]) == \
        ("PACC-R2", True, "transfer", "transfer-triage")


def test_transfer_delivered_several_times_moves_the_tip_once(cfg):
    ref = reference()
    with running(cfg, "routing"):
        send(cfg, tip_received(ref))
        wait_emitted(cfg, ref, "tip.routed")
        request = transfer_requested(ref, "PACC-R2", "NACC-23").to_wire()
        for _ in range(5):
            publish(cfg, request)
        # the same request sent again as a new event is stale: the tip has left PACC-R2
        send(cfg, transfer_requested(ref, "PACC-R2", "NACC-23"))
        wait_emitted(cfg, ref, "tip.transfer_refused")
        time.sleep(0.5)
        assert len(emitted(cfg, ref, "tip.routed")) == 2
        assert [r["reason_code"] for r in emitted(cfg, ref, "tip.transfer_refused")] == ["not_current_office"]
    assert [h["agency"] for h in history(cfg, ref)] == ["PACC-R2", "NACC-23"]


def test_duplicates_found_for_a_reworded_tip_about_the_same_accused_only(cfg):
    accused = {"official_type": "local_executive", "name": "นายสมชาย ใจดี",
               "organization": "องค์การบริหารส่วนตำบลเกาะช้าง", "position": "นายก อบต."}
    first, reworded, other_matter, other_province = reference(), reference(), reference(), reference()
    with running(cfg, "routing"):
        send(cfg, tip_received(first, description=BRIBE, accused=accused,
                               location={"province_code": "23", "district_code": "2307"}))
        wait_emitted(cfg, first, "tip.routed")
        send(cfg, tip_received(reworded, description=BRIBE_REWORDED,
                               accused={"official_type": "local_executive", "name": "สมชาย ใจดี",
                                        "organization": "อบต.เกาะช้าง"},
                               location={"province_code": "23", "district_code": "2307"}))
        found = wait_emitted(cfg, reworded, "tip.duplicates_found")[0]
        send(cfg, tip_received(other_matter, description=LAND,
                               accused={"official_type": "state_official", "position": "เจ้าพนักงานที่ดิน"},
                               location={"province_code": "23", "district_code": "2307"}))
        send(cfg, tip_received(other_province, description=BRIBE_REWORDED,
                               accused={"official_type": "local_executive", "name": "สมชาย ใจดี",
                                        "organization": "อบต.เกาะช้าง"},
                               location={"province_code": "20", "district_code": "2001"}))
        wait_emitted(cfg, other_matter, "tip.routed")
        wait_emitted(cfg, other_province, "tip.routed")
        time.sleep(0.5)
        for ref in (first, other_matter, other_province):
            assert emitted(cfg, ref, "tip.duplicates_found") == [], ref
        assert len(emitted(cfg, reworded, "tip.duplicates_found")) == 1
    (candidate,) = found["candidates"]
    assert candidate["reference"] == first
    assert 0 < candidate["score"] <= 1
    assert {"same_province", "same_accused_name", "similar_text"} <= set(candidate["signals"])
    assert "จังหวัดเดียวกัน" in candidate["reasons"]["th"] and "same accused name" in candidate["reasons"]["en"]


def test_a_restarted_instance_rebuilds_its_index_from_the_database(cfg):
    accused = {"official_type": "local_executive", "name": "นายสมชาย ใจดี", "organization": "อบต.เกาะช้าง"}
    first, later = reference(), reference()
    with running(cfg, "routing"):
        send(cfg, tip_received(first, description=BRIBE, accused=accused, location={"province_code": "23"}))
        wait_emitted(cfg, first, "tip.routed")
    with running(cfg, "routing"):
        send(cfg, tip_received(later, description=BRIBE_REWORDED, accused=accused,
                               location={"province_code": "23"}))
        found = wait_emitted(cfg, later, "tip.duplicates_found")[0]
    assert [c["reference"] for c in found["candidates"]] == [first]
