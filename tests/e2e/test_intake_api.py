"""intake over HTTP (`sodsong run`, embedded): files, idempotency, messages, new receipts, volunteers, Open311,
the receipt guard, the OpenAPI document, and bad input (4xx in Thai and English, nothing stored, never 5xx)."""
from __future__ import annotations

import json
import re
from contextlib import ExitStack

import pytest
import requests
from sqlalchemy import func, select

from services.intake.models import Attachment, Message, Tip
from shared import config as config_mod
from sodsong.registry import service_db_for
from tests.integration.intake.helpers import intake_cli, jpeg_with_gps
from tests.support.deployment import Deployment
from tests.support.tips import tip

LIMITS = "{max_file_bytes: 200000, max_tip_bytes: 300000, max_files: 4}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with ExitStack() as stack:
        dep = Deployment("embedded", tmp_path_factory.mktemp("intake-api"), stack,
                         extra_env={"SODSONG__intake__attachments": LIMITS})
        dep.start()
        yield dep


def url(server, path):
    return f"{server.intake.base}{path}"


def stored(server, model=Tip) -> int:
    with service_db_for("intake", config_mod.load(env=server.env)).reading() as session:
        return session.execute(select(func.count()).select_from(model)).scalar()


def multipart_tip(server, body, files, **kw):
    parts = [("tip", (None, json.dumps(body, ensure_ascii=False).encode(), "application/json"))]
    parts += [("attachments", f) for f in files]
    return requests.post(url(server, "/api/v1/tips"), files=parts, timeout=30, **kw)


def assert_bilingual_error(r, status, code=None, field=None):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"]["message"]["th"] and body["error"]["message"]["en"]
    if code:
        assert body["error"]["code"] == code, body
    if field:
        assert field in body["fields"], body["fields"]
        for m in body["fields"][field]:
            assert m["th"] and m["en"]


# -- the tip journey over HTTP -----------------------------------------------------------------------------------
def test_multipart_tip_message_and_new_receipt(server):
    r = multipart_tip(server, tip(), [("photo.jpg", jpeg_with_gps(), "image/jpeg"),
                                      ("note.txt", "บันทึกเหตุการณ์".encode(), "text/plain")])
    assert r.status_code == 201, r.text
    receipt = r.json()["receipt"]
    status = server.wait_status(receipt, lambda s: s["status"] == "received")
    assert status["questions"] == [] and status["receipt_change_recommended"] is False

    m = requests.post(url(server, "/api/v1/tips/messages"), headers={"X-Receipt": receipt},
                      files=[("message", (None, json.dumps({"text": "มีพยานอีกสองคน"}), "application/json")),
                             ("attachments", ("more.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))], timeout=30)
    assert m.status_code == 201 and m.json()["attachments"] == 1
    j = requests.post(url(server, "/api/v1/tips/messages"), headers={"X-Receipt": receipt},
                      json={"text": "ข้อมูลเพิ่มเติม"}, timeout=30)
    assert j.status_code == 201
    assert server.intake.status(receipt).json()["messages_sent"] == 2

    fresh = requests.post(url(server, "/api/v1/tips/receipt"), headers={"X-Receipt": receipt}, timeout=30)
    assert fresh.status_code == 201 and fresh.json()["message"]["th"]
    assert server.intake.status(receipt).status_code == 404
    assert server.intake.status(fresh.json()["receipt"]).json()["reference"] == r.json()["reference"]


def test_idempotency_key_over_http(server):
    before = stored(server)
    headers = {"Idempotency-Key": "retry-after-timeout-1"}
    first = server.intake.submit(tip(), headers=headers)
    again = server.intake.submit(tip(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("Idempotent-Replayed") == "true"
    other = server.intake.submit(tip(description="อีกเรื่องหนึ่งที่ต่างจากเดิมโดยสิ้นเชิง"), headers=headers)
    assert_bilingual_error(other, 409, "idempotency.conflict")
    assert stored(server) == before + 1
    files = [("a.jpg", jpeg_with_gps(), "image/jpeg")]
    h2 = {"Idempotency-Key": "multipart-retry"}
    a = multipart_tip(server, tip(), files, headers=h2)
    b = multipart_tip(server, tip(), files, headers=h2)  # a new multipart boundary, the same request
    assert a.status_code == b.status_code == 201 and a.json() == b.json()
    c = multipart_tip(server, tip(), [("b.jpg", jpeg_with_gps((81, 60)), "image/jpeg")], headers=h2)
    assert c.status_code == 409


# -- volunteers -------------------------------------------------------------------------------------------------------
def test_volunteer_files_for_a_citizen_and_lists_status_only(server):
    token = intake_cli(server.env, "volunteers", "add", "--id", "vol-trat-7", "--network", "STRONG Trat",
                       "--subdistricts", "230101,230102").stdout.strip()
    assert token.startswith("svt_")
    auth = {"Authorization": f"Bearer {token}"}
    r = server.intake.submit(tip(reporter={"anonymous": False, "name": "นางสาวมะลิ ทดสอบ", "phone": "0861112222"}),
                             headers=auth)
    assert r.status_code == 201 and r.json()["receipt_change_recommended"] is True
    listing = requests.get(url(server, "/api/v1/volunteer/tips"), headers=auth, timeout=30)
    assert listing.status_code == 200
    assert [t["reference"] for t in listing.json()["tips"]] == [r.json()["reference"]]
    assert "มะลิ" not in listing.text and "0861112222" not in listing.text and "เรียกรับเงิน" not in listing.text
    assert_bilingual_error(requests.get(url(server, "/api/v1/volunteer/tips"), timeout=30), 401,
                           "volunteer.unauthorized")
    assert_bilingual_error(requests.get(url(server, "/api/v1/volunteer/tips"),
                                        headers={"Authorization": "Bearer svt_wrong"}, timeout=30), 401)
    outside = server.intake.submit(tip(location={"province_code": "10"}), headers=auth)
    assert_bilingual_error(outside, 403, "volunteer.outside_area")
    listed = json.loads(intake_cli(server.env, "volunteers", "list", "--json").stdout)
    assert listed[0]["id"] == "vol-trat-7" and token not in json.dumps(listed)


# -- Open311 ------------------------------------------------------------------------------------------------------------
def test_open311_partner_flow(server):
    services = requests.get(url(server, "/open311/v2/services.json"), timeout=30).json()
    assert len(services) == 10 and {"service_code", "service_name", "metadata", "type"} <= set(services[0])
    definition = requests.get(url(server, "/open311/v2/services/procurement.json"), timeout=30).json()
    assert definition["service_code"] == "procurement" and definition["attributes"]
    key = intake_cli(server.env, "intake", "partners", "add", "--id", "traffy", "--name", "Traffy").stdout.strip()
    other = intake_cli(server.env, "intake", "partners", "add", "--id", "other", "--name", "Other").stdout.strip()
    form = {"api_key": key, "service_code": "procurement", "address_id": "230101",
            "description": "ฮั้วประมูลซ่อมถนนหมู่ 4 ผู้รับเหมารายเดียวชนะทุกครั้ง",
            "attribute[official_type]": "local_executive"}
    r = requests.post(url(server, "/open311/v2/requests.json"), data=form, timeout=30)
    assert r.status_code == 200, r.text
    created = r.json()[0]
    reference = created["service_request_id"]
    assert len(created["receipt"]) == 16
    one = requests.get(url(server, f"/open311/v2/requests/{reference}.json"), params={"api_key": key}, timeout=30)
    assert one.status_code == 200 and one.json()[0]["status"] == "open"
    assert one.json()[0]["description"] == form["description"]
    listed = requests.get(url(server, "/open311/v2/requests.json"), params={"api_key": key}, timeout=30).json()
    assert [x["service_request_id"] for x in listed] == [reference]
    assert requests.get(url(server, "/open311/v2/requests.json"), params={"api_key": other}, timeout=30).json() == []
    hidden = requests.get(url(server, f"/open311/v2/requests/{reference}.json"), params={"api_key": other},
                          timeout=30)
    assert hidden.status_code == 404 and hidden.json()[0]["code"] == 404
    no_key = requests.post(url(server, "/open311/v2/requests.json"), data={**form, "api_key": "nope"}, timeout=30)
    assert no_key.status_code == 403 and " / " in no_key.json()[0]["description"]
    bad = requests.post(url(server, "/open311/v2/requests.json"),
                        data={**form, "address_id": "999999"}, timeout=30)
    assert bad.status_code == 400 and bad.json()[0]["fields"]
    unknown = requests.post(url(server, "/open311/v2/requests.json"), data={**form, "service_code": "x"}, timeout=30)
    assert unknown.status_code == 404


def test_openapi_document_is_served(server):
    doc = requests.get(url(server, "/api/v1/openapi.json"), timeout=30).json()
    assert doc["openapi"].startswith("3.") and "/api/v1/tips" in doc["paths"]
    assert "Tip" in doc["components"]["schemas"]


def test_pages_have_no_external_resources(server):
    for path in ("/", "/?lang=en", "/status"):
        r = requests.get(url(server, path), timeout=30)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
        assert "http://" not in r.text and "https://" not in r.text
        # scripts only from this site (the pickers' progressive enhancement) or inert JSON data; none inline
        scripts = re.findall(r"<script[^>]*>", r.text)
        assert all('src="/static/' in tag or 'type="application/json"' in tag for tag in scripts), scripts
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert "แจ้งเบาะแส" in requests.get(url(server, "/"), timeout=30).text
    assert "Report corruption" in requests.get(url(server, "/?lang=en"), timeout=30).text


# -- bad input -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body, field", [
    (tip(amount_thb="abc"), "amount_thb"),
    (tip(amount_thb=True), "amount_thb"),
    (tip(event_date=20240101), "event_date"),
    (tip(accused={"position": "นายก"}), "accused.official_type"),
    (tip(accused={"official_type": "state_official", "rank": "x"}), "accused.rank"),
    (tip(location={"province_code": "23", "district_code": "1001"}), "location.district_code"),
    (tip(location={"province_code": "23", "district_code": "99x9"}), "location.district_code"),
    (tip(location="Trat"), "location"),
    (tip(reporter={"anonymous": "yes"}), "reporter.anonymous"),
    (tip(reporter={"anonymous": True, "phone": "0812345678"}), "reporter.anonymous"),
    (tip(reporter={"anonymous": False, "notify_via": ["sms"]}), "reporter.notify_via"),
    (tip(language="fr"), "language"),
    (tip(channel="open311"), "channel"),
    (tip(description="ก" * 9), "description"),
    (tip(description="เรื่องนี้\x00มีอักขระควบคุม"), "description"),
    (tip(accused={"official_type": "state_official", "name": "x" * 201}), "accused.name"),
    (tip(event_date="1900-01-01"), "event_date"),
    (tip(amount_thb="1e20"), "amount_thb"),
])
def test_more_field_errors(server, body, field):
    before = stored(server)
    assert_bilingual_error(server.intake.submit(body), 400, "request.validation_failed", field)
    assert stored(server) == before


@pytest.mark.parametrize("make, status, code", [
    (lambda: [("a.exe", b"MZ\x90\x00" + b"\x00" * 200, "image/jpeg")], 415, "attachment.unsupported_type"),
    (lambda: [("big.txt", b"a" * 200_001, "text/plain")], 413, "attachment.too_large"),
    (lambda: [(f"p{i}.txt", b"b" * 150_000, "text/plain") for i in range(3)], 413, None),
    (lambda: [(f"p{i}.txt", b"c", "text/plain") for i in range(5)], 413, "attachment.too_many"),
    (lambda: [("empty.pdf", b"", "application/pdf")], 400, "attachment.empty"),
    (lambda: [("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50, "image/jpeg")], 415, None),
])
def test_bad_attachments_store_nothing(server, make, status, code):
    before, before_files = stored(server), stored(server, Attachment)
    r = multipart_tip(server, tip(), make())
    assert_bilingual_error(r, status, code)
    assert stored(server) == before and stored(server, Attachment) == before_files


@pytest.mark.parametrize("parts, status, code", [
    ([("attachments", ("a.txt", b"x", "text/plain"))], 400, "request.missing_tip_part"),
    ([("tip", (None, b'{"category": ', "application/json"))], 400, "request.invalid_json"),
    ([("tip", (None, b'{"description": "\xff\xfe"}', "application/json"))], 400, None),
    ([("tip", (None, b"[1]", "application/json"))], 400, "request.not_object"),
])
def test_bad_multipart_bodies(server, parts, status, code):
    before = stored(server)
    r = requests.post(url(server, "/api/v1/tips"), files=parts, timeout=30)
    assert_bilingual_error(r, status, code)
    assert stored(server) == before


def test_other_bad_requests(server):
    before = stored(server)
    r = requests.post(url(server, "/api/v1/tips"), data="hello", headers={"Content-Type": "text/plain"}, timeout=30)
    assert_bilingual_error(r, 415, "request.wrong_content_type")
    assert r.json()["error"]["message"]["detail"]["accepted"] == ["application/json", "multipart/form-data"]
    r = requests.post(url(server, "/api/v1/tips"), data=b"--x\r\nbroken", timeout=30,
                      headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert 400 <= r.status_code < 500
    r = server.intake.submit(tip(), headers={"Idempotency-Key": "bad\x7fkey"})
    assert_bilingual_error(r, 400, "idempotency.invalid_key")
    r = server.intake.submit(tip(), headers={"Idempotency-Key": "k" * 256})
    assert_bilingual_error(r, 400, "idempotency.invalid_key")
    r = requests.post(url(server, "/api/v1/tips/messages"), headers={"X-Receipt": "1234"}, json={"text": "x"},
                      timeout=30)
    assert_bilingual_error(r, 404, "receipt.unknown")
    r = requests.post(url(server, "/open311/v2/requests.json"), json={"a": 1}, timeout=30)
    assert r.status_code == 415
    r = requests.post(url(server, "/api/v1/tips"), data=b"x" * 2_000_000, timeout=30,
                      headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 413
    assert stored(server) == before and stored(server, Message) >= 0


# -- the receipt guard, on its own server (it locks out this test's address) ---------------------------------------
def test_receipt_guessing_is_throttled_with_429_but_a_working_receipt_is_answered(tmp_path):
    with ExitStack() as stack:
        dep = Deployment("embedded", tmp_path, stack, extra_env={
            "SODSONG__intake__receipt_guard": "{client_failures: 5, throttled_interval_seconds: 60}"})
        dep.start()
        good = dep.intake.submit(tip()).json()["receipt"]
        answers = [dep.intake.status(f"{i:016d}") for i in range(5)]
        assert {a.status_code for a in answers} == {404} and len({a.text for a in answers}) == 1
        assert dep.intake.status(good).status_code == 200  # throttled, not locked: the interval's one lookup
        throttled = dep.intake.status(f"{7:016d}")
        assert_bilingual_error(throttled, 429, "receipt.too_many_attempts")
        assert 1 <= int(throttled.headers["Retry-After"]) <= 60
        page = requests.post(f"{dep.intake.base}/status", data={"receipt": "1111 2222 3333 4444"}, timeout=30)
        assert page.status_code == 429 and "text/html" in page.headers["Content-Type"]
        assert page.headers["Retry-After"]
