"""Every endpoint × every role × a case the role may not see → 404, indistinguishable from a case that does not
exist; and the role's own cases are reachable, so the 404s are not an accident of a broken endpoint. The operator
page (/ops, /api/v1/ops and its forms) is 404 for every role but operator and system_admin, exactly like an
unknown URL."""
import re

import pytest

from services.casework.domain.policy import OPS_ROLES, ROLES
from sodsong import registry
from tests.integration.casework.conftest import Desk, add_user, desk_running, open_case, outbox

# Each role's home office (an agency code for agency-wide roles) and the cases it may read.
HOME = {"caseworker": "PACC-R2", "supervisor": "PACC-R2", "triage_officer": "DAMRONGTHAM-23",
        "agency_admin": "PACC", "operator": "SODSONG", "auditor": "PACC", "volunteer": "PACC-R2",
        "system_admin": "SODSONG", "coordinator": "SODSONG"}
CASES = {
    "SS-OWNR-0001": dict(office="PACC-R2"),                              # PACC-R2's case
    "SS-SIBL-0001": dict(office="PACC-R1"),                              # a sibling office, same agency
    "SS-NACC-0001": dict(office="NACC-23"),                              # another agency
    "SS-TRIA-0001": dict(office="DAMRONGTHAM-23", triage=True),          # a triage case
    "SS-DAMR-0001": dict(office="DAMRONGTHAM-23", triage=False),         # not in triage
    "SS-PTRI-0001": dict(office="PACC-R2", triage=True),                 # PACC-R2's own triage case
    "SS-VOLU-0001": dict(office="NACC-23", volunteer_id="vol-matrix"),   # filed by the volunteer
}
READABLE = {
    "caseworker": {"SS-OWNR-0001"},
    "supervisor": {"SS-OWNR-0001", "SS-PTRI-0001"},
    "triage_officer": {"SS-TRIA-0001"},
    "agency_admin": set(),
    "operator": set(),
    "auditor": {"SS-OWNR-0001", "SS-SIBL-0001", "SS-PTRI-0001"},
    "volunteer": {"SS-VOLU-0001"},
    "system_admin": set(),
    "coordinator": set(),  # counts of a network's area, never a case
}

API = [("GET", "/api/v1/cases/{ref}", None),
       ("GET", "/api/v1/cases/{ref}/access-log", None),
       ("POST", "/api/v1/cases/{ref}/transitions", {"to": "acknowledged", "reason": "ทดสอบ"}),
       ("POST", "/api/v1/cases/{ref}/transfer", {"reason": "ทดสอบ"}),
       ("POST", "/api/v1/cases/{ref}/triage-decision", {"office": "NACC-23", "reason": "ทดสอบ"}),
       ("POST", "/api/v1/cases/{ref}/notes", {"visibility": "internal", "text": "ทดสอบ"}),
       ("POST", "/api/v1/cases/{ref}/questions", {"text": "ทดสอบ"}),
       ("POST", "/api/v1/cases/{ref}/assignment", {"assignee": "me"}),
       ("POST", "/api/v1/cases/{ref}/deadlines", {"months": 6, "reason": "ทดสอบ"})]
WEB = [("GET", "/cases/{ref}", None),
       ("POST", "/cases/{ref}/transition", {"to": "acknowledged", "reason": "ทดสอบ"}),
       ("POST", "/cases/{ref}/triage-decision", {"office": "NACC-23", "reason": "ทดสอบ"}),
       ("POST", "/cases/{ref}/notes", {"visibility": "internal", "text": "ทดสอบ"}),
       ("POST", "/cases/{ref}/questions", {"text": "ทดสอบ"}),
       ("POST", "/cases/{ref}/assignment", {"assignee": "me"}),
       ("POST", "/cases/{ref}/deadlines", {"months": "6", "reason": "ทดสอบ"})]
# The operator page: no case in it, and for every role but operator and system_admin it does not exist at all.
OPS_API = [("GET", "/api/v1/ops", None),
           ("POST", "/api/v1/ops/dead-letters/casework/1/redrive", None),
           ("POST", "/api/v1/ops/deliveries/notify/00000000-0000-0000-0000-000000000000/retry", None)]
OPS_WEB = [("GET", "/ops", None),
           ("GET", "/ops/notifications", None),
           ("POST", "/ops/dead-letters/routing/1/redrive", {}),
           ("POST", "/ops/deliveries/notify/00000000-0000-0000-0000-000000000000/retry", {})]


def test_every_endpoint_every_role_every_foreign_case_is_404(cfg):
    assert set(HOME) == set(ROLES) == set(READABLE)
    registry.migrate("notify", cfg["notify"]["db_url"])  # the operators' retry acts on notify's deliveries
    for reference, spec in CASES.items():
        open_case(cfg, reference, **spec)
    with desk_running(cfg) as (_, base):
        api, web = {}, {}
        for role in ROLES:
            add_user(cfg, f"u-{role}", role, HOME[role], volunteer_id="vol-matrix" if role == "volunteer" else None)
            api[role] = Desk(base)
            assert api[role].sign_in(f"u-{role}").status_code == 201
            web[role] = Desk(base)
            assert web[role].web_sign_in(f"u-{role}").status_code == 303

        missing_api = {}
        for method, path, body in API:
            r = api["supervisor"].http.request(method, base + path.format(ref="SS-NONE-0000"),
                                               json=body, headers=api["supervisor"]._headers(), timeout=30)
            missing_api[path] = (r.status_code, r.text)
            assert r.status_code == 404, (path, r.text)

        checked = 0
        for role in ROLES:
            csrf = web[role].csrf()
            for reference in CASES:
                foreign = reference not in READABLE[role]
                for method, path, body in API:
                    url = base + path.format(ref=reference)
                    r = api[role].http.request(method, url, json=body, headers=api[role]._headers(), timeout=30)
                    if foreign:
                        assert (r.status_code, r.text) == missing_api[path], (role, reference, method, path)
                        checked += 1
                    else:
                        assert r.status_code != 404, (role, reference, method, path, r.text)
                for method, path, body in WEB:
                    url = base + path.format(ref=reference)
                    if method == "GET":
                        r = web[role].http.get(url, allow_redirects=False, timeout=30)
                    else:
                        r = web[role].http.post(url, data={**body, "csrf": csrf}, allow_redirects=False, timeout=30)
                    if foreign:
                        assert r.status_code == 404, (role, reference, path, r.status_code)
                        assert reference not in r.text
                        checked += 1
                    else:
                        assert r.status_code != 404, (role, reference, path)
        assert checked > 500

        # lists, statistics and CSV never include a foreign case either
        for role in ROLES:
            r = api[role].get("/api/v1/cases", params={"per_page": 100})
            if role in ("agency_admin", "operator", "system_admin"):
                assert r.status_code == 403
            elif role == "coordinator":  # no case list at all, or an empty one
                assert r.status_code == 403 or r.json()["items"] == [], r.text
            else:
                assert {c["reference"] for c in r.json()["items"]} == READABLE[role], role
            # the inbox page shows open cases by default; every case, open or not, is the broadest list
            page = web[role].http.get(base + "/cases?show=all", timeout=30).text
            assert set(re.findall(r"SS-[A-Z]{4}-\d{4}", page)) == (
                set() if role in ("agency_admin", "operator", "system_admin") else READABLE[role])

        stats_totals = {}
        for role in ROLES:
            r = api[role].get("/api/v1/stats")
            if role in ("operator", "volunteer", "coordinator"):
                assert r.status_code == 403
                continue
            stats_totals[role] = r.json()["totals"]["total"]
            offices = {g["office"]["code"] for g in r.json()["groups"]}
            csv = api[role].get("/api/v1/stats.csv").content.decode("utf-8-sig")
            assert {line.split(",")[0] for line in csv.splitlines()[1:]} == offices
        assert stats_totals == {"caseworker": 1, "supervisor": 2, "triage_officer": 1, "agency_admin": 3,
                                "auditor": 3, "system_admin": 7}

        # the operator page: 404 exactly like a URL the desk does not have, except for the operators
        unknown_api = api["supervisor"].get("/api/v1/no-such-endpoint")
        unknown_page = web["supervisor"].http.get(base + "/no-such-page", timeout=30)
        assert unknown_api.status_code == unknown_page.status_code == 404
        for role in ROLES:
            csrf = web[role].csrf()
            for method, path, body in OPS_API + OPS_WEB:
                if path.startswith("/api/"):
                    r = api[role].http.request(method, base + path, headers=api[role]._headers(), timeout=30)
                elif method == "GET":
                    r = web[role].http.get(base + path, allow_redirects=False, timeout=30)
                else:
                    r = web[role].http.post(base + path, data={**body, "csrf": csrf}, allow_redirects=False,
                                            timeout=30)
                if role in OPS_ROLES:
                    if path.startswith("/api/"):
                        expected = 409 if method == "POST" else 200  # no such dead letter / delivery to act on
                    else:
                        expected = 303 if path == "/ops/notifications" or method == "POST" else 200
                    assert r.status_code == expected, (role, path, r.status_code, r.text[:300])
                    assert not re.findall(r"SS-[A-Z]{4}-\d{4}", r.text), (role, path)
                else:
                    unknown = unknown_api if path.startswith("/api/") else unknown_page
                    assert (r.status_code, r.text, r.headers.get("Content-Type")) == (
                        404, unknown.text, unknown.headers.get("Content-Type")), (role, path)
                    assert "Cache-Control" not in r.headers, (role, path)  # not even the desk's own headers

    # the foreign attempts left no trace on the cases: nothing but their own roles' reads and writes
    for reference in CASES:
        viewers = {e["payload"]["viewer_role"] for e in outbox(cfg, "case.viewed", reference)}
        assert viewers == {role for role in ROLES if reference in READABLE[role]}, reference


def test_no_session_is_401_and_a_forged_token_is_the_same(memory_cfg):
    open_case(memory_cfg, "SS-OWNR-0001")
    with desk_running(memory_cfg) as (_, base):
        anonymous, forged = Desk(base), Desk(base)
        forged.token = "A" * 43
        for method, path, body in API:
            for client in (anonymous, forged):
                r = client.http.request(method, base + path.format(ref="SS-OWNR-0001"), json=body,
                                        headers=client._headers(), timeout=30)
                assert r.status_code == 401 and r.json()["error"]["code"] == "request.unauthorized"
        for method, path, body in WEB + OPS_WEB:
            r = anonymous.http.request(method, base + path.format(ref="SS-OWNR-0001"), data=body,
                                       allow_redirects=False, timeout=30)
            assert r.status_code == 303 and r.headers["Location"] == "/login"
        for method, path, body in OPS_API:
            for client in (anonymous, forged):
                r = client.http.request(method, base + path, headers=client._headers(), timeout=30)
                assert r.status_code == 401 and r.json()["error"]["code"] == "request.unauthorized"


@pytest.mark.parametrize("role", ["caseworker", "supervisor"])
def test_volunteer_and_auditor_views_carry_no_internal_content(memory_cfg, role):
    cfg = memory_cfg
    open_case(cfg, "SS-OWNR-0001", volunteer_id="vol-1")
    with desk_running(cfg) as (_, base):
        staff = Desk(base)
        add_user(cfg, "staff", role)
        staff.sign_in("staff")
        staff.post("/api/v1/cases/SS-OWNR-0001/transitions", {"to": "acknowledged", "reason": "เหตุผลภายใน"})
        staff.post("/api/v1/cases/SS-OWNR-0001/notes", {"visibility": "internal", "text": "บันทึกภายใน"})
        staff.post("/api/v1/cases/SS-OWNR-0001/notes", {"visibility": "tipster_visible", "text": "แจ้งผู้แจ้ง"})
        add_user(cfg, "vol", "volunteer", "PACC-R2", volunteer_id="vol-1")
        add_user(cfg, "aud", "auditor", "PACC")
        volunteer, auditor = Desk(base), Desk(base)
        volunteer.sign_in("vol")
        auditor.sign_in("aud")
        seen_by_volunteer = volunteer.get("/api/v1/cases/SS-OWNR-0001")
        seen_by_auditor = auditor.get("/api/v1/cases/SS-OWNR-0001")
        assert seen_by_volunteer.status_code == seen_by_auditor.status_code == 200
        assert seen_by_volunteer.json()["view"] == "status"
        assert "notes" not in seen_by_volunteer.json()  # status and office only: the tipster's notes are theirs
        assert seen_by_volunteer.json()["office"]["code"] == "PACC-R2"
        assert seen_by_auditor.json()["view"] == "audit"
        for text in ("เหตุผลภายใน", "บันทึกภายใน", "รายละเอียดลับ", "แจ้งผู้แจ้ง"):
            assert text not in seen_by_volunteer.text and text not in seen_by_auditor.text
        log = auditor.get("/api/v1/cases/SS-OWNR-0001/access-log").json()["views"]
        assert [v["role"] for v in log] == ["volunteer", "auditor"]
        assert volunteer.get("/api/v1/cases/SS-OWNR-0001/access-log").status_code == 403
