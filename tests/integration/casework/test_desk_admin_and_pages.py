"""Account administration by role, the operator's content-free view, and the web forms' round trips."""
import re

from tests.integration.casework.conftest import PASSWORD, Desk, add_user, desk_for, desk_running, open_case, outbox


def test_agency_admins_manage_their_agency_and_system_admins_everyone(memory_cfg):
    cfg = memory_cfg
    with desk_running(cfg) as (_, base):
        pacc = desk_for(base, cfg, "pacc-admin", "agency_admin", "PACC")
        root = desk_for(base, cfg, "root", "system_admin", "SODSONG")
        cw = desk_for(base, cfg, "somchai", "caseworker")
        new = {"username": "malee", "office_code": "PACC-R1", "role": "supervisor", "password": PASSWORD}
        r = pacc.post("/api/v1/users", new)
        assert r.status_code == 201 and r.json()["office_code"] == "PACC-R1" and "password" not in r.text
        assert pacc.post("/api/v1/users", new).status_code == 409
        assert pacc.post("/api/v1/users", {**new, "username": "x1", "office_code": "NACC-23"}).status_code == 403
        assert pacc.post("/api/v1/users", {**new, "username": "x2", "role": "operator"}).status_code == 403
        assert pacc.post("/api/v1/users", {**new, "username": "x3", "password": "short"}).status_code == 400
        assert cw.post("/api/v1/users", {**new, "username": "x4"}).status_code == 403
        assert cw.get("/api/v1/users").status_code == 403
        r = root.post("/api/v1/users", {**new, "username": "ops", "office_code": "SODSONG", "role": "operator",
                                        "totp": True})
        assert r.status_code == 201 and r.json()["totp_uri"].startswith("otpauth://totp/")
        assert {u["username"] for u in pacc.get("/api/v1/users").json()["items"]} == {"pacc-admin", "somchai",
                                                                                      "malee"}
        assert {u["username"] for u in root.get("/api/v1/users").json()["items"]} >= {"root", "ops", "malee"}
        assert pacc.post("/api/v1/users/ops/disable").status_code == 404  # not theirs: not found
        assert Desk(base).sign_in("malee").status_code == 201
    created = [e["payload"]["role"] for e in outbox(cfg, "account.created")]
    assert created == ["agency_admin", "system_admin", "caseworker", "supervisor", "operator"]


def test_operators_see_queues_never_cases(memory_cfg):
    cfg = memory_cfg
    open_case(cfg, "SS-OPS0-0001")
    with desk_running(cfg) as (_, base):
        ops = desk_for(base, cfg, "ops", "operator", "SODSONG")
        cw = desk_for(base, cfg, "somchai", "caseworker")
        r = ops.get("/api/v1/ops")
        assert r.status_code == 200 and "casework" in {s["service"] for s in r.json()["services"]}
        assert "SS-OPS0" not in r.text
        assert cw.get("/api/v1/ops").status_code == 404
        assert ops.get("/api/v1/cases").status_code == 403
        assert ops.get("/api/v1/cases/SS-OPS0-0001").status_code == 404
        assert ops.get("/api/v1/stats").status_code == 403


def test_web_forms_save_and_come_back_with_bilingual_messages(memory_cfg):
    cfg = memory_cfg
    open_case(cfg, "SS-WEB0-0001")
    add_user(cfg, "somchai", "caseworker", display_name="สมชาย")
    add_user(cfg, "supat", "supervisor")
    with desk_running(cfg) as (_, base):
        web = Desk(base)
        assert web.web_sign_in("somchai").status_code == 303
        inbox = web.http.get(base + "/cases", timeout=30)
        assert "SS-WEB0-0001" in inbox.text and inbox.headers["Content-Type"].startswith("text/html")
        assert web.http.get(base + "/cases?status=closed", timeout=30).text.count("SS-WEB0-0001") == 0
        assert web.http.get(base + "/static/desk.css", timeout=30).headers["Content-Type"].startswith("text/css")

        csrf = web.csrf()
        r = web.form("/cases/SS-WEB0-0001/transition", {"to": "acknowledged", "reason": ""}, csrf)
        assert r.status_code == 303 and r.headers["Location"].endswith("error=case.reason_required#status")
        page = web.http.get(base + r.headers["Location"], timeout=30).text
        assert "กรุณาระบุเหตุผล" in page and "Please give a reason." not in page  # one language a page

        # after each action the page says what happened, at the part of the page the form belongs to
        r = web.form("/cases/SS-WEB0-0001/transition", {"to": "acknowledged", "reason": "รับเรื่อง"}, csrf)
        assert r.headers["Location"].endswith("ok=case.acknowledged#status")
        r = web.form("/cases/SS-WEB0-0001/notes", {"visibility": "tipster_visible", "text": "กำลังตรวจสอบ"}, csrf)
        assert r.headers["Location"].endswith("ok=case.note_sent#conversation")
        r = web.form("/cases/SS-WEB0-0001/questions", {"text": "มีเอกสารเพิ่มเติมหรือไม่"}, csrf)
        assert r.headers["Location"].endswith("ok=case.question_sent#conversation")
        assert "ส่งคำถามถึงผู้แจ้งแล้ว" in web.http.get(base + r.headers["Location"], timeout=30).text
        r = web.form("/cases/SS-WEB0-0001/assignment", {"assignee": "me"}, csrf)
        assert r.headers["Location"].endswith("ok=case.assigned#assignment")
        assert "มอบหมายให้ สมชาย แล้ว" in web.http.get(base + r.headers["Location"], timeout=30).text
        r = web.form("/cases/SS-WEB0-0001/deadlines", {"months": "6", "reason": "x"}, csrf)
        assert r.headers["Location"].endswith("error=request.forbidden#deadlines")
        r = web.form("/cases/SS-WEB0-0001/transition", {"to": "closed", "resolution": "insufficient_information",
                                                         "reason": "ข้อมูลไม่พอ",
                                                         "tipster_reason": "ข้อมูลยังไม่พอที่จะดำเนินการต่อ"}, csrf)
        assert r.headers["Location"].endswith("ok=case.closure_proposed#closure")

        page = web.http.get(base + "/cases/SS-WEB0-0001", timeout=30).text
        assert "กำลังตรวจสอบ" in page and "มีเอกสารเพิ่มเติมหรือไม่" in page
        assert 'data-status="acknowledged"' in page and "รออนุมัติยุติเรื่อง" in page
        assert re.search(r"<option value=\"under_review\">", page)  # the "move the case on" form

        sup = Desk(base)
        sup.web_sign_in("supat")
        # the office's reply templates: a supervisor keeps them; a caseworker inserts them on a case page
        r = sup.form("/templates", {"kind": "question", "title": "ขอเอกสาร", "th": "มีเอกสารเพิ่มเติมหรือไม่",
                                    "en": "Do you have more documents?"})
        assert r.headers["Location"].endswith("ok=template.saved")
        listing = sup.http.get(base + "/templates", timeout=30).text
        ident = re.search(r'data-template="(\d+)"', listing).group(1)
        assert "ขอเอกสาร" in listing
        assert web.http.get(base + "/templates", timeout=30).status_code == 403
        assert web.form("/templates", {"kind": "note", "title": "x", "th": "y"}, csrf).status_code == 403
        r = sup.form(f"/templates/{ident}", {"kind": "question", "title": "", "th": "x"})
        assert r.headers["Location"].endswith("error=template.invalid")
        r = sup.form(f"/templates/{ident}/delete", {})
        assert r.headers["Location"].endswith("ok=template.deleted")
        assert "ขอเอกสาร" not in sup.http.get(base + "/templates", timeout=30).text
        r = sup.form("/cases/SS-WEB0-0001/transition", {"to": "closed", "resolution": "insufficient_information",
                                                         "reason": "อนุมัติ",
                                                         "tipster_reason": "ข้อมูลยังไม่พอที่จะดำเนินการต่อ"})
        assert r.headers["Location"].endswith("ok=case.closed#closure")
        r = sup.form("/cases/SS-WEB0-0001/deadlines", {"months": "6", "reason": "x"})
        assert r.headers["Location"].endswith("error=case.not_open#deadlines")
        stats = sup.http.get(base + "/stats", timeout=30)
        assert stats.status_code == 200 and "PACC-R2" in stats.text
        csv = sup.http.get(base + "/stats.csv", timeout=30)
        assert csv.content.startswith(b"\xef\xbb\xbf")
    statuses = [(e["payload"]["from_status"], e["payload"]["to_status"]) for e in outbox(cfg, "case.status_changed")]
    assert statuses == [("received", "acknowledged"), ("acknowledged", "closed")]
