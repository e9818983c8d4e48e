"""A case's life through the desk API, with the events each step commits, on both transports."""
from services.casework.domain.lifecycle import TIPSTER_STATUSES
from tests.integration.casework.conftest import add_user, feedback_recorded, desk_for, desk_running, open_case, outbox
from tests.support.inprocess import db


def _events(cfg, event_type, reference):
    return [e["payload"] for e in outbox(cfg, event_type, reference)]


def test_received_to_closed_with_a_supervisor_approving(cfg):
    open_case(cfg, "SS-LIFE-0001")
    with desk_running(cfg) as (_, base):
        cw = desk_for(base, cfg, "somchai", "caseworker", display_name="สมชาย ใจดี")
        sup = desk_for(base, cfg, "supat", "supervisor")

        listing = cw.get("/api/v1/cases").json()
        assert [c["reference"] for c in listing["items"]] == ["SS-LIFE-0001"]
        assert listing["items"][0]["status"] == "received" and listing["total"] == 1

        case = cw.get("/api/v1/cases/SS-LIFE-0001").json()
        assert case["status"] == "received" and case["open311_status"] == "open"
        assert case["facts"]["description"].startswith("รายละเอียดลับ")
        assert case["possible_duplicates"] == []
        assert {t["to"] for t in case["allowed_transitions"]} == {"acknowledged", "closed", "transferred", "referred"}
        assert set(case["deadlines"]) == {"acknowledge", "feedback"}

        # a transition needs a reason
        r = cw.post("/api/v1/cases/SS-LIFE-0001/transitions", {"to": "acknowledged", "reason": "   "})
        assert r.status_code == 400 and r.json()["error"]["code"] == "case.reason_required"
        r = cw.post("/api/v1/cases/SS-LIFE-0001/transitions", {"to": "acknowledged"})
        assert r.status_code == 400 and "reason" in r.json()["fields"]
        # and must be in the table
        r = cw.post("/api/v1/cases/SS-LIFE-0001/transitions", {"to": "investigating", "reason": "ข้ามขั้น"})
        assert r.status_code == 403 and r.json()["error"]["code"] == "case.transition_not_permitted"

        for to in ("acknowledged", "under_review", "investigating"):
            r = cw.post("/api/v1/cases/SS-LIFE-0001/transitions", {"to": to, "reason": f"ดำเนินการ {to}"})
            assert r.status_code == 200, r.text
            assert r.json()["status"] == to

        # the caseworker proposes closing; the state stays until a supervisor approves
        r = cw.post("/api/v1/cases/SS-LIFE-0001/transitions",
                    {"to": "closed", "reason": "ไม่พบพยานหลักฐาน", "resolution": "unsubstantiated",
                     "tipster_reason": "ตรวจสอบแล้วไม่พบพยานหลักฐานที่สนับสนุนข้อกล่าวหา"})
        assert r.status_code == 202 and r.json()["status"] == "investigating"
        assert r.json()["pending_closure"]["resolution"] == "unsubstantiated"
        case = sup.get("/api/v1/cases/SS-LIFE-0001").json()
        assert case["pending_closure"]["by"]["username"] == "somchai"
        r = sup.post("/api/v1/cases/SS-LIFE-0001/transitions",
                     {"to": "closed", "reason": "อนุมัติ", "resolution": "unsubstantiated",
                      "tipster_reason": "ตรวจสอบแล้วไม่พบพยานหลักฐานที่สนับสนุนข้อกล่าวหา",
                      "tipster_reason_en": "We found no evidence supporting the allegation."})
        assert r.status_code == 200 and r.json()["status"] == "closed"

        case = sup.get("/api/v1/cases/SS-LIFE-0001").json()
        assert case["open311_status"] == "closed" and case["resolution"] == "unsubstantiated"
        assert case["pending_closure"] is None
        assert case["deadlines"]["acknowledge"]["met_at"] and case["deadlines"]["feedback"]["met_at"]
        moves = [(e["detail"]["from"], e["detail"]["to"], e["detail"]["reason"]) for e in case["timeline"]
                 if e["kind"] == "transition"]
        assert moves == [("received", "acknowledged", "ดำเนินการ acknowledged"),
                         ("acknowledged", "under_review", "ดำเนินการ under_review"),
                         ("under_review", "investigating", "ดำเนินการ investigating"),
                         ("investigating", "closed", "อนุมัติ")]
        assert [e["actor"]["username"] for e in case["timeline"] if e["kind"] == "transition"][-1] == "supat"

        # reopening: supervisors only, with a reason
        r = cw.post("/api/v1/cases/SS-LIFE-0001/transitions", {"to": "under_review", "reason": "มีหลักฐานใหม่"})
        assert r.status_code == 403
        r = sup.post("/api/v1/cases/SS-LIFE-0001/transitions", {"to": "under_review", "reason": "มีหลักฐานใหม่"})
        assert r.status_code == 200 and r.json()["status"] == "under_review"

    changes = _events(cfg, "case.status_changed", "SS-LIFE-0001")
    assert [(c["from_status"], c["to_status"]) for c in changes] == [
        ("received", "acknowledged"), ("acknowledged", "under_review"), ("under_review", "investigating"),
        ("investigating", "closed"), ("closed", "under_review")]
    assert changes[0]["tipster_label"] == TIPSTER_STATUSES["acknowledged"]
    assert changes[0]["office_code"] == "PACC-R2"
    assert "ไม่มีมูล" in changes[3]["tipster_label"]["th"]
    # every read was recorded, content-free
    views = _events(cfg, "case.viewed", "SS-LIFE-0001")
    assert len(views) == 3 and {v["viewer_role"] for v in views} == {"caseworker", "supervisor"}
    assert all(set(v) == {"reference", "case_id", "office_code", "viewer_id", "viewer_role", "view", "viewed_at"}
               for v in views)


def test_notes_questions_assignment_and_extension(cfg):
    open_case(cfg, "SS-NOTE-0001")
    with desk_running(cfg) as (_, base):
        cw = desk_for(base, cfg, "somchai", "caseworker", display_name="สมชาย")
        sup = desk_for(base, cfg, "supat", "supervisor")
        add_user(cfg, "other", "caseworker", "PACC-R1")

        r = cw.post("/api/v1/cases/SS-NOTE-0001/notes", {"visibility": "internal", "text": "โทรหาพยานแล้ว"})
        assert r.status_code == 201
        assert sup.get("/api/v1/cases/SS-NOTE-0001").json()["deadlines"]["feedback"]["met_at"] is None
        r = cw.post("/api/v1/cases/SS-NOTE-0001/notes", {"visibility": "tipster_visible", "text": "ได้รับเรื่องแล้ว"})
        assert r.status_code == 201
        # written is not given: the feedback counts once intake has the note in the tipster's thread
        assert sup.get("/api/v1/cases/SS-NOTE-0001").json()["deadlines"]["feedback"]["met_at"] is None
        feedback_recorded(cfg, "SS-NOTE-0001", r.json()["id"])
        r = cw.post("/api/v1/cases/SS-NOTE-0001/notes", {"visibility": "public", "text": "x"})
        assert r.status_code == 400
        r = cw.post("/api/v1/cases/SS-NOTE-0001/questions", {"text": "เกิดเหตุวันที่เท่าไร"})
        assert r.status_code == 201
        r = cw.post("/api/v1/cases/SS-NOTE-0001/questions", {"text": "มีพยานหรือไม่", "text_en": "Any witnesses?"})
        assert r.status_code == 201

        # caseworkers may take an unassigned case, not give it to others; supervisors assign within the office
        assert cw.post("/api/v1/cases/SS-NOTE-0001/assignment", {"assignee": "supat"}).status_code == 403
        r = cw.post("/api/v1/cases/SS-NOTE-0001/assignment", {"assignee": "me"})
        assert r.status_code == 200 and r.json()["assignee"]["username"] == "somchai"
        assert sup.post("/api/v1/cases/SS-NOTE-0001/assignment", {"assignee": "other"}).status_code == 400
        assert sup.post("/api/v1/cases/SS-NOTE-0001/assignment", {"assignee": "supat"}).status_code == 200

        # feedback deadline: supervisor only, with a reason, up to six months
        body = {"months": 6, "reason": "ต้องรอเอกสารจากหน่วยงานอื่น"}
        assert cw.post("/api/v1/cases/SS-NOTE-0001/deadlines", body).status_code == 403
        assert sup.post("/api/v1/cases/SS-NOTE-0001/deadlines", {"months": 7, "reason": "x"}).status_code == 400
        assert sup.post("/api/v1/cases/SS-NOTE-0001/deadlines", {"months": 6}).status_code == 400
        r = sup.post("/api/v1/cases/SS-NOTE-0001/deadlines", body)
        assert r.status_code == 200, r.text

        case = sup.get("/api/v1/cases/SS-NOTE-0001").json()
        assert [n["visibility"] for n in case["notes"]] == ["internal", "tipster_visible"]
        assert case["questions"][0]["text"] == "เกิดเหตุวันที่เท่าไร"
        assert case["deadlines"]["feedback"]["met_at"] and case["deadlines"]["feedback"]["extended"]
        assert case["assignee"]["username"] == "supat"
        filtered = sup.get("/api/v1/cases", params={"assignee": "supat"}).json()
        assert [c["reference"] for c in filtered["items"]] == ["SS-NOTE-0001"]
        assert sup.get("/api/v1/cases", params={"assignee": "none"}).json()["total"] == 0

    notes = _events(cfg, "case.note_added", "SS-NOTE-0001")
    assert [(n["visibility"], n["text"]) for n in notes] == [("internal", None),
                                                             ("tipster_visible", "ได้รับเรื่องแล้ว")]
    questions = _events(cfg, "case.question_asked", "SS-NOTE-0001")
    assert [(q["text"], q["text_en"]) for q in questions] == [("เกิดเหตุวันที่เท่าไร", None),
                                                              ("มีพยานหรือไม่", "Any witnesses?")]
    assigned = _events(cfg, "case.assigned", "SS-NOTE-0001")
    assert [a["caseworker_name"] for a in assigned] == ["สมชาย", "supat"]
    assert _events(cfg, "case.deadline_extended", "SS-NOTE-0001")[0]["deadline"] == "feedback"


def test_transfer_goes_through_routing_and_the_new_decision_moves_the_case(cfg):
    from services.casework.usecases import routing_decisions

    open_case(cfg, "SS-MOVE-0001", "DAMRONGTHAM-23", triage=True)
    with desk_running(cfg) as (_, base):
        tri = desk_for(base, cfg, "triage", "triage_officer", "DAMRONGTHAM-23")
        cw_new = desk_for(base, cfg, "nacc", "caseworker", "NACC-23")
        assert tri.get("/api/v1/cases").json()["total"] == 1
        assert tri.post("/api/v1/cases/SS-MOVE-0001/notes", {"visibility": "internal",
                        "text": "บันทึกภายในของศูนย์ดำรงธรรม: ผู้แจ้งโทรมาสองครั้ง"}).status_code == 201
        r = tri.post("/api/v1/cases/SS-MOVE-0001/transfer", {"reason": "ผู้ถูกกล่าวหาเป็นนักการเมือง",
                                                              "suggested_office": "NACC-23"})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "transferred" and r.json()["transfer"]["hop"] == 1
        assert tri.post("/api/v1/cases/SS-MOVE-0001/transitions",
                        {"to": "closed", "reason": "x", "resolution": "duplicate",
                         "tipster_reason": "ซ้ำ"}).status_code == 409
        assert tri.post("/api/v1/cases/SS-MOVE-0001/transitions",
                        {"to": "acknowledged", "reason": "x"}).status_code == 403  # only routing brings it back
        requested = _events(cfg, "case.transfer_requested", "SS-MOVE-0001")
        assert requested == [{**requested[0], "from_office": "DAMRONGTHAM-23", "mode": "transfer",
                              "suggested_office": "NACC-23", "hop": 1, "reason": "ผู้ถูกกล่าวหาเป็นนักการเมือง"}]

        # routing (later) decides again for the same reference: the case moves to the new office
        event = open_case(cfg, "SS-MOVE-0001", "NACC-23")
        assert event.type == "tip.routed"
        # the sending office keeps a read-only record: where it went, why, the current state — not the facts
        record = tri.get("/api/v1/cases/SS-MOVE-0001")
        assert record.status_code == 200, record.text
        record = record.json()
        assert record["view"] == "handover" and record["read_only"] is True and "facts" not in record
        assert record["current"]["status"] == "received"
        [handed] = record["handovers"]
        assert handed["destination"]["code"] == "NACC-23" and handed["mode"] == "transfer"
        assert handed["reason"] == "ผู้ถูกกล่าวหาเป็นนักการเมือง" and handed["requested_at"]
        assert [n["text"] for n in record["notes"]] == ["บันทึกภายในของศูนย์ดำรงธรรม: ผู้แจ้งโทรมาสองครั้ง"]
        assert [h["reference"] for h in tri.get("/api/v1/handovers").json()["items"]] == ["SS-MOVE-0001"]
        assert tri.post("/api/v1/cases/SS-MOVE-0001/notes",
                        {"visibility": "internal", "text": "x"}).status_code == 404  # read-only
        case = cw_new.get("/api/v1/cases/SS-MOVE-0001").json()
        assert case["office"]["code"] == "NACC-23" and case["status"] == "received"
        assert case["notes"] == []  # the sending office's internal note did not travel
        assert [h["from_office"] for h in case["handed_over_here"]] == ["DAMRONGTHAM-23"]
        # the receiving office's own caseworkers have no record of it (they did not hand it on)
        assert cw_new.get("/api/v1/handovers").json()["items"] == []
        assert "rerouted" in [e["kind"] for e in case["timeline"]]
        # a replayed decision changes nothing
        with db(cfg, "casework").transaction() as uow:
            routing_decisions.open_case(uow, event, {})
        assert cw_new.get("/api/v1/cases").json()["total"] == 1

    opened = _events(cfg, "case.opened", "SS-MOVE-0001")
    assert [o["office"]["code"] for o in opened] == ["DAMRONGTHAM-23", "NACC-23"]
    changes = _events(cfg, "case.status_changed", "SS-MOVE-0001")
    assert [(c["from_status"], c["to_status"]) for c in changes] == [("received", "transferred"),
                                                                      ("transferred", "received")]


def test_routing_alone_stops_transfers_at_the_hop_limit_and_agencies_rename_states(memory_cfg):
    cfg = memory_cfg
    cfg["casework"]["state_labels"] = {"PACC": {"received": {"th": "เรื่องเข้าใหม่", "en": "Incoming"}}}
    open_case(cfg, "SS-LOOP-0001")
    with desk_running(cfg) as (_, base):
        cw = desk_for(base, cfg, "somchai", "caseworker")
        item = cw.get("/api/v1/cases").json()["items"][0]
        assert item["status"] == "received" and item["status_label"] == {"th": "เรื่องเข้าใหม่", "en": "Incoming"}
        assert cw.post("/api/v1/cases/SS-LOOP-0001/transfer", {"reason": "ไม่ใช่อำนาจ"}).status_code == 200
        open_case(cfg, "SS-LOOP-0001")  # routing sends it back here
        cw.post("/api/v1/cases/SS-LOOP-0001/transitions", {"to": "acknowledged", "reason": "รับ"})
        # casework does not count hops itself: routing decides, and past its limit it refuses
        r = cw.post("/api/v1/cases/SS-LOOP-0001/transfer", {"reason": "อีกครั้ง", "mode": "refer"})
        assert r.status_code == 200 and r.json()["transfer"]["hop"] == 2
        from services.casework.usecases import routing_decisions
        from shared.clock import utcnow
        from shared.events import new_event
        refused = new_event("tip.transfer_refused", {
            "reference": "SS-LOOP-0001", "case_id": "c", "from_office": "PACC-R2", "suggested_agency": None,
            "reason_code": "hop_limit", "reasons": {"th": "โอนครบจำนวนครั้งแล้ว", "en": "Too many transfers"},
            "request": "transfer", "refused_at": utcnow()}, correlation_id="SS-LOOP-0001")
        assert db(cfg, "casework").consume(refused, "on_transfer_refused", routing_decisions.transfer_refused)
        case = cw.get("/api/v1/cases/SS-LOOP-0001").json()
        assert case["status"] == "acknowledged" and case["transfer_count"] == 1
        r = cw.post("/api/v1/cases/SS-LOOP-0001/transitions", {"to": "referred", "reason": "x",
                                                               "suggested_office": "PACC-R2"})
        assert r.status_code == 400 and r.json()["error"]["code"] == "case.suggested_office_invalid"


def _routing_refuses(cfg, reference, from_office, request="transfer"):
    from services.casework.usecases import routing_decisions
    from shared.clock import utcnow
    from shared.events import new_event

    event = new_event("tip.transfer_refused", {
        "reference": reference, "case_id": "c", "from_office": from_office, "suggested_agency": None,
        "reason_code": "loop",
        "reasons": {"th": "เรื่องเคยอยู่ที่หน่วยงานนั้นแล้ว", "en": "The tip has been there before"},
        "request": request, "refused_at": utcnow()}, correlation_id=reference)
    assert db(cfg, "casework").consume(event, "on_transfer_refused", routing_decisions.transfer_refused)


def test_routing_refusals_triage_decisions_and_duplicates(cfg):
    from services.casework.usecases import routing_decisions
    from shared.clock import utcnow
    from shared.events import new_event

    open_case(cfg, "SS-BACK-0001")
    open_case(cfg, "SS-TRID-0001", "DAMRONGTHAM-23", triage=True)
    open_case(cfg, "SS-DUPL-0001")
    open_case(cfg, "SS-DUPL-0002", "NACC-23")
    with desk_running(cfg) as (_, base):
        cw = desk_for(base, cfg, "somchai", "caseworker")
        sup = desk_for(base, cfg, "supat", "supervisor")
        tri = desk_for(base, cfg, "triage", "triage_officer", "DAMRONGTHAM-23")

        # a refused hand-over comes back to the open state it left, and does not count as a hop
        cw.post("/api/v1/cases/SS-BACK-0001/transitions", {"to": "acknowledged", "reason": "รับ"})
        cw.post("/api/v1/cases/SS-BACK-0001/transitions", {"to": "under_review", "reason": "ตรวจ"})
        body = {"reason": "ไม่ใช่อำนาจ", "suggested_office": "PACC-R1", "supervisor_override": True}
        assert cw.post("/api/v1/cases/SS-BACK-0001/transfer", body).status_code == 403  # supervisors only
        r = sup.post("/api/v1/cases/SS-BACK-0001/transfer", body)
        assert r.status_code == 200 and r.json()["transfer"]["hop"] == 1
        assert outbox(cfg, "case.transfer_requested", "SS-BACK-0001")[0]["payload"]["supervisor_override"] is True
        _routing_refuses(cfg, "SS-BACK-0001", "PACC-R2")
        case = cw.get("/api/v1/cases/SS-BACK-0001").json()
        assert case["status"] == "under_review" and case["transfer_count"] == 0
        refused = [e for e in case["timeline"] if e["kind"] == "transfer_refused"]
        assert refused[0]["detail"]["reason_code"] == "loop"
        _routing_refuses(cfg, "SS-BACK-0001", "PACC-R2")  # a second refusal for a case not handed over: no-op
        assert cw.get("/api/v1/cases/SS-BACK-0001").json()["status"] == "under_review"

        # triage: the coordinating office names the competent one
        assert cw.post("/api/v1/cases/SS-BACK-0001/triage-decision",
                       {"office": "NACC-23", "reason": "x"}).status_code == 409  # not a triage case
        r = tri.post("/api/v1/cases/SS-TRID-0001/triage-decision",
                     {"office": "NACC-23", "reason": "นักการเมืองท้องถิ่น"})
        assert r.status_code == 200 and r.json()["status"] == "transferred"
        decided = outbox(cfg, "case.triage_decided", "SS-TRID-0001")[0]["payload"]
        assert decided["decided_agency"] == "NACC-23" and decided["office_code"] == "DAMRONGTHAM-23"
        _routing_refuses(cfg, "SS-TRID-0001", "DAMRONGTHAM-23", request="triage_decision")
        # handed over straight from "received": back to "received" — a refusal acknowledges nothing
        refused_back = tri.get("/api/v1/cases/SS-TRID-0001").json()
        assert refused_back["status"] == "received"
        assert refused_back["deadlines"]["acknowledge"]["met_at"] is None

        # duplicates: shown only when the caller may see the other case too
        candidates = [
            {"reference": "SS-DUPL-0002", "score": 0.91, "signals": ["same_accused_name"],
             "reasons": {"th": "ผู้ถูกกล่าวหาเดียวกัน", "en": "Same accused"}},
            {"reference": "SS-BACK-0001", "score": 0.72, "signals": ["same_province"],
             "reasons": {"th": "จังหวัดเดียวกัน", "en": "Same province"}}]
        found = new_event("tip.duplicates_found", {"reference": "SS-DUPL-0001", "detected_at": utcnow(),
                                                   "candidates": candidates}, correlation_id="SS-DUPL-0001")
        assert db(cfg, "casework").consume(found, "on_duplicates_found", routing_decisions.duplicates_found)
        duplicates = cw.get("/api/v1/cases/SS-DUPL-0001").json()["possible_duplicates"]
        assert [d["reference"] for d in duplicates] == ["SS-BACK-0001"]  # NACC's case stays invisible
        assert duplicates[0]["signals"] == ["same_province"] and duplicates[0]["status"] == "under_review"
    changes = [(c["payload"]["from_status"], c["payload"]["to_status"])
               for c in outbox(cfg, "case.status_changed", "SS-BACK-0001")]
    assert changes[-2:] == [("under_review", "transferred"), ("transferred", "under_review")]
