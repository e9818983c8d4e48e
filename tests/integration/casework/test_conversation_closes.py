"""Closing the conversation with the tipster, and what each office keeps: closure reasons for the tipster,
rejecting a closure proposal, a refused hand-over restoring exactly the state it left, triage keeping a case at
the coordinating office, duplicates on both cases, and case versions on every event intake orders by."""
from services.casework.usecases import routing_decisions
from shared.clock import utcnow
from shared.events import new_event
from tests.integration.casework.conftest import desk_for, desk_running, open_case, outbox
from tests.support.inprocess import db


def _events(cfg, event_type, reference):
    return [e["payload"] for e in outbox(cfg, event_type, reference)]


def _refuse(cfg, reference, from_office, request="transfer", code="loop"):
    event = new_event("tip.transfer_refused", {
        "reference": reference, "case_id": "c", "from_office": from_office, "suggested_agency": None,
        "reason_code": code, "reasons": {"th": "เรื่องเคยอยู่ที่หน่วยงานนั้นแล้ว", "en": "The tip has been there"},
        "request": request, "refused_at": utcnow()}, correlation_id=reference)
    assert db(cfg, "casework").consume(event, "on_transfer_refused", routing_decisions.transfer_refused)


def test_closing_needs_a_reason_for_the_tipster_and_a_supervisor_can_reject_a_proposal(cfg):
    open_case(cfg, "SS-CLOS-0001")
    with desk_running(cfg) as (_, base):
        cw = desk_for(base, cfg, "somchai", "caseworker", display_name="สมชาย ใจดี")
        sup = desk_for(base, cfg, "supat", "supervisor", display_name="สุภัทร หัวหน้า")
        for to, why in (("acknowledged", "รับเรื่อง"), ("under_review", "ตรวจเอกสาร")):
            assert cw.post("/api/v1/cases/SS-CLOS-0001/transitions", {"to": to, "reason": why}).status_code == 200

        # no reason for the tipster: refused, for a proposal and for a supervisor alike
        no_reason = {"to": "closed", "reason": "ไม่มีมูล", "resolution": "unsubstantiated"}
        for who in (cw, sup):
            r = who.post("/api/v1/cases/SS-CLOS-0001/transitions", no_reason)
            assert r.status_code == 400 and r.json()["error"]["code"] == "case.tipster_reason_required"
        r = cw.post("/api/v1/cases/SS-CLOS-0001/transitions",
                    {"to": "investigating", "reason": "x", "tipster_reason": "ไม่ควรมี"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "case.tipster_reason_only_when_closing"

        # a caseworker proposes; the supervisor rejects it with a reason; the case stays under review
        proposal = dict(no_reason, tipster_reason="ตรวจสอบเอกสารการจัดซื้อแล้วไม่พบความผิดปกติ")
        r = cw.post("/api/v1/cases/SS-CLOS-0001/transitions", proposal)
        assert r.status_code == 202 and r.json()["pending_closure"]["tipster_reason"]["th"].startswith("ตรวจสอบ")
        assert cw.post("/api/v1/cases/SS-CLOS-0001/closure-rejection", {"reason": "x"}).status_code == 403
        assert sup.post("/api/v1/cases/SS-CLOS-0001/closure-rejection", {}).status_code == 400
        r = sup.post("/api/v1/cases/SS-CLOS-0001/closure-rejection",
                     {"reason": "ยังไม่ได้สอบพยานบุคคล กรุณาสอบก่อน"})
        assert r.status_code == 200, r.text
        assert r.json() == {"reference": "SS-CLOS-0001", "status": "under_review", "pending_closure": None}
        case = sup.get("/api/v1/cases/SS-CLOS-0001").json()
        assert case["status"] == "under_review" and case["pending_closure"] is None
        rejected = [e for e in case["timeline"] if e["kind"] == "closure_rejected"]
        assert rejected[0]["detail"]["reason"] == "ยังไม่ได้สอบพยานบุคคล กรุณาสอบก่อน"
        assert rejected[0]["actor"]["username"] == "supat"
        r = sup.post("/api/v1/cases/SS-CLOS-0001/closure-rejection", {"reason": "again"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "case.no_closure_proposal"

        # the supervisor closes with a reason in Thai and English: it goes to intake with the event
        r = sup.post("/api/v1/cases/SS-CLOS-0001/transitions", {
            "to": "closed", "reason": "สอบพยานแล้ว", "resolution": "unsubstantiated",
            "tipster_reason": "ตรวจสอบเอกสารและสอบพยานแล้ว ไม่พบการเรียกรับเงิน",
            "tipster_reason_en": "We checked the documents and heard the witnesses; no bribe was found."})
        assert r.status_code == 200 and r.json()["status"] == "closed"
        assert sup.get("/api/v1/cases/SS-CLOS-0001").json()["closure_reason"]["en"].startswith("We checked")
        # reopening clears the reason; closing again needs a new one
        assert sup.post("/api/v1/cases/SS-CLOS-0001/transitions",
                        {"to": "under_review", "reason": "มีหลักฐานใหม่"}).status_code == 200
        assert sup.get("/api/v1/cases/SS-CLOS-0001").json()["closure_reason"] is None

    [rejection] = _events(cfg, "case.closure_rejected", "SS-CLOS-0001")
    assert rejection["status"] == "under_review" and rejection["proposed_resolution"] == "unsubstantiated"
    assert rejection["reason"] == "ยังไม่ได้สอบพยานบุคคล กรุณาสอบก่อน"
    changes = _events(cfg, "case.status_changed", "SS-CLOS-0001")
    closing = [c for c in changes if c["to_status"] == "closed"]
    assert closing[0]["closure"] == {
        "resolution": "unsubstantiated", "resolution_label": {"th": "ไม่มีมูล", "en": "unsubstantiated"},
        "reason_th": "ตรวจสอบเอกสารและสอบพยานแล้ว ไม่พบการเรียกรับเงิน",
        "reason_en": "We checked the documents and heard the witnesses; no bribe was found."}
    assert changes[-1]["to_status"] == "under_review" and changes[-1]["closure"] is None
    # one version more per change, starting after the opening (case.opened is version 1)
    assert _events(cfg, "case.opened", "SS-CLOS-0001")[0]["case_version"] == 1
    assert [c["case_version"] for c in changes] == list(range(2, 2 + len(changes)))


def test_a_refused_hand_over_restores_exactly_the_state_it_left(cfg):
    open_case(cfg, "SS-REFU-0001", volunteer_id="vol-trat-01")
    open_case(cfg, "SS-REFU-0002")
    with desk_running(cfg) as (_, base):
        cw = desk_for(base, cfg, "somchai", "caseworker")
        before = cw.get("/api/v1/cases/SS-REFU-0001").json()
        assert before["status"] == "received" and before["deadlines"]["acknowledge"]["met_at"] is None
        assert cw.post("/api/v1/cases/SS-REFU-0001/transfer",
                       {"reason": "ไม่ใช่อำนาจ", "suggested_office": "PACC-R1"}).status_code == 200
        _refuse(cfg, "SS-REFU-0001", "PACC-R2")
        after = cw.get("/api/v1/cases/SS-REFU-0001").json()
        # back to "received", not "acknowledged": nobody acknowledged it, and the 7-day deadline still runs
        assert after["status"] == "received" and after["transfer_count"] == 0
        assert after["deadlines"] == before["deadlines"]
        assert after["tipster_label"] == before["tipster_label"]
        # the volunteer who filed it sees what the tipster sees: one "received", no refused transfer
        vol = desk_for(base, cfg, "vol", "volunteer", volunteer_id="vol-trat-01")
        seen = vol.get("/api/v1/cases/SS-REFU-0001").json()
        assert seen["view"] == "status" and [t["status"] for t in seen["timeline"]] == ["received"]

        # from an investigation it goes back to the investigation
        for to in ("acknowledged", "under_review", "investigating"):
            cw.post("/api/v1/cases/SS-REFU-0002/transitions", {"to": to, "reason": "ดำเนินการ"})
        ack = cw.get("/api/v1/cases/SS-REFU-0002").json()["deadlines"]
        assert cw.post("/api/v1/cases/SS-REFU-0002/transfer", {"reason": "ส่งต่อ", "mode": "refer"}
                       ).status_code == 200
        _refuse(cfg, "SS-REFU-0002", "PACC-R2", code="no_alternative")
        case = cw.get("/api/v1/cases/SS-REFU-0002").json()
        assert case["status"] == "investigating" and case["deadlines"] == ack
        # nothing was handed on, so there is no record of a hand-over to follow
        assert cw.get("/api/v1/handovers").json()["items"] == []
    changes = _events(cfg, "case.status_changed", "SS-REFU-0001")
    assert [(c["from_status"], c["to_status"]) for c in changes] == [("received", "transferred"),
                                                                      ("transferred", "received")]


def test_triage_can_keep_a_case_at_the_coordinating_office(cfg):
    open_case(cfg, "SS-KEEP-0001", "DAMRONGTHAM-23", triage=True)
    with desk_running(cfg) as (_, base):
        tri = desk_for(base, cfg, "triage", "triage_officer", "DAMRONGTHAM-23")
        sup = desk_for(base, cfg, "damrong-sup", "supervisor", "DAMRONGTHAM-23")
        r = tri.post("/api/v1/cases/SS-KEEP-0001/triage-decision",
                     {"office": "DAMRONGTHAM-23", "reason": "เรื่องร้องเรียนการบริการของหน่วยงานในจังหวัด ศูนย์ดำเนินการเอง"})
        assert r.status_code == 200, r.text
        assert r.json()["decided_office"] == "DAMRONGTHAM-23"
        [decided] = _events(cfg, "case.triage_decided", "SS-KEEP-0001")
        assert decided["decided_agency"] == decided["office_code"] == "DAMRONGTHAM-23"
        # routing accepts it (a manual decision for the same office): the case leaves the triage desk and stays
        open_case(cfg, "SS-KEEP-0001", "DAMRONGTHAM-23", triage=False)
        case = sup.get("/api/v1/cases/SS-KEEP-0001").json()
        assert case["office"]["code"] == "DAMRONGTHAM-23" and case["triage"] is False
        assert case["status"] == "received" and case["transfer_count"] == 0
        # the triage desk keeps a record of its decision (the case is no longer at the triage desk)
        [kept] = tri.get("/api/v1/handovers").json()["items"]
        assert kept["outcome"] == "kept" and kept["destination"]["code"] == "DAMRONGTHAM-23"
        record = tri.get("/api/v1/cases/SS-KEEP-0001").json()
        assert record["view"] == "handover" and record["current"]["status"] == "received"
        # a caseworker of the office now works it
        cw = desk_for(base, cfg, "damrong-cw", "caseworker", "DAMRONGTHAM-23")
        assert cw.post("/api/v1/cases/SS-KEEP-0001/transitions",
                       {"to": "acknowledged", "reason": "รับเรื่อง"}).status_code == 200
        # a non-triage case still cannot be "transferred" to the office it is with
        r = cw.post("/api/v1/cases/SS-KEEP-0001/transfer", {"reason": "x", "suggested_office": "DAMRONGTHAM-23"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "case.suggested_office_invalid"


def test_possible_duplicates_show_on_both_cases(cfg):
    open_case(cfg, "SS-DUPA-0001")
    open_case(cfg, "SS-DUPA-0002")
    with desk_running(cfg) as (_, base):
        cw = desk_for(base, cfg, "somchai", "caseworker")
        candidates = [{"reference": "SS-DUPA-0001", "score": 0.87, "signals": ["same_province", "same_accused_name"],
                       "reasons": {"th": "ผู้ถูกกล่าวหาเดียวกัน", "en": "Same accused"}}]
        found = new_event("tip.duplicates_found", {"reference": "SS-DUPA-0002", "detected_at": utcnow(),
                                                   "candidates": candidates}, correlation_id="SS-DUPA-0002")
        assert db(cfg, "casework").consume(found, "on_duplicates_found", routing_decisions.duplicates_found)
        again = new_event("tip.duplicates_found", found.payload, correlation_id="SS-DUPA-0002")
        assert db(cfg, "casework").consume(again, "on_duplicates_found", routing_decisions.duplicates_found)
        later = cw.get("/api/v1/cases/SS-DUPA-0002").json()["possible_duplicates"]
        earlier = cw.get("/api/v1/cases/SS-DUPA-0001").json()["possible_duplicates"]
        assert [d["reference"] for d in later] == ["SS-DUPA-0001"]
        assert [d["reference"] for d in earlier] == ["SS-DUPA-0002"]  # the older case shows the newer one
        assert earlier[0]["score"] == 0.87 and earlier[0]["signals"] == ["same_province", "same_accused_name"]


def test_a_sending_office_follows_what_it_handed_on_and_keeps_its_notes(cfg):
    open_case(cfg, "SS-SEND-0001")
    with desk_running(cfg) as (_, base):
        cw = desk_for(base, cfg, "somchai", "caseworker", display_name="สมชาย ใจดี")
        sup = desk_for(base, cfg, "supat", "supervisor")
        other = desk_for(base, cfg, "pacc1", "supervisor", "PACC-R1")
        cw.post("/api/v1/cases/SS-SEND-0001/notes", {"visibility": "internal", "text": "โทรหาหน่วยงานต้นสังกัดแล้ว"})
        cw.post("/api/v1/cases/SS-SEND-0001/notes", {"visibility": "tipster_visible",
                                                     "text": "เรากำลังส่งเรื่องให้หน่วยงานที่มีอำนาจ"})
        r = cw.post("/api/v1/cases/SS-SEND-0001/transfer",
                    {"reason": "ผู้ถูกกล่าวหาเป็นนักการเมืองท้องถิ่น", "suggested_office": "NACC-23"})
        assert r.status_code == 200
        # until routing decides, the case is still here (transferred); then it moves
        assert cw.get("/api/v1/cases/SS-SEND-0001").json()["status"] == "transferred"
        open_case(cfg, "SS-SEND-0001", "NACC-23")
        for who in (cw, sup):
            record = who.get("/api/v1/cases/SS-SEND-0001").json()
            assert record["view"] == "handover" and "facts" not in record and "timeline" not in record
            assert record["handovers"][0]["destination"]["code"] == "NACC-23"
            assert record["handovers"][0]["requested_by"]["display_name"] == "สมชาย ใจดี"
            assert [n["text"] for n in record["notes"]] == ["โทรหาหน่วยงานต้นสังกัดแล้ว"]
            assert [i["reference"] for i in who.get("/api/v1/handovers").json()["items"]] == ["SS-SEND-0001"]
        assert other.get("/api/v1/cases/SS-SEND-0001").status_code == 404  # another office has no record
        nacc = desk_for(base, cfg, "nacc", "caseworker", "NACC-23")
        case = nacc.get("/api/v1/cases/SS-SEND-0001").json()
        assert [n["text"] for n in case["notes"]] == ["เรากำลังส่งเรื่องให้หน่วยงานที่มีอำนาจ"]
        # the receiving office works it; the sending office sees the current state
        nacc.post("/api/v1/cases/SS-SEND-0001/transitions", {"to": "acknowledged", "reason": "รับเรื่อง"})
        assert sup.get("/api/v1/handovers").json()["items"][0]["current"]["status"] == "acknowledged"
        # reading the record is recorded like any read
    viewed = [v for v in _events(cfg, "case.viewed", "SS-SEND-0001") if v["view"] == "handover"]
    assert len(viewed) >= 2
