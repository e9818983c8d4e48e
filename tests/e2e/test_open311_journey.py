"""A partner's whole Open311 GeoReport v2 journey on the real deployment (a process per service, RabbitMQ and
PostgreSQL): discovery and the service list in XML and JSON; a point alone refused with the reason; a POST with a
point, a media link and every optional attribute in Thai; the request read back in XML and JSON with the point as
kept (rounded); the office's desk shows the media link as a link (API and page); and a tipster's SMS in the notify
file channel says nothing that gives them away."""
from __future__ import annotations

import re

import requests

from shared.notifications.channels import read_file_channel
from tests.integration.intake.helpers import intake_cli
from tests.support.open311 import records, valid_xml
from tests.support.processes import cli, wait_for
from tests.support.tips import tip

PASSWORD = "รหัสผ่าน-ของ-มาลี-2569"
MEDIA = "https://photos.example.org/อบต/ใบเสร็จ-หมู่3.jpg?v=2"
BANG_PHRA = {"lat": "12.243718", "long": "102.513492"}  # Trat's Bang Phra, near the district office
THAI_ATTRIBUTES = {
    "attribute[official_type]": "state_official",
    "attribute[accused_name]": "นายสมปอง ตัวอย่าง",
    "attribute[accused_position]": "เจ้าพนักงานที่ดิน",
    "attribute[accused_organization]": "สำนักงานที่ดินจังหวัดตราด",
    "attribute[province_code]": "23",
    "attribute[district_code]": "2301",
    "attribute[subdistrict_code]": "230101",
    "attribute[event_date]": "2026-11-20",
    "attribute[amount_thb]": "5000",
    "attribute[language]": "th",
    "attribute[exact_location]": "false",
}


def test_a_partner_files_with_a_point_and_a_link_and_reads_it_back_in_both_formats(real_deployment):
    dep = real_deployment
    dep.start()
    base = f"{dep.intake.base}/open311/v2"

    # discovery and the service list, in both formats
    discovery = valid_xml(requests.get(f"{base}/discovery.xml", timeout=30).content)
    assert discovery.findtext("endpoints/endpoint/url") == base
    as_json = requests.get(f"{base}/discovery.json", timeout=30).json()
    assert as_json["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    xml_services = requests.get(f"{base}/services.xml", timeout=30)
    assert xml_services.headers["Content-Type"].startswith("text/xml")
    codes = [s["service_code"] for s in records(valid_xml(xml_services.content))]
    assert codes == [s["service_code"] for s in requests.get(f"{base}/services.json", timeout=30).json()]
    valid_xml(requests.get(f"{base}/services/bribery.xml", timeout=30).content)
    plain = requests.get(f"{base}/services", timeout=30)  # no suffix: XML, the spec's required format
    assert plain.headers["Content-Type"].startswith("text/xml") and plain.content == xml_services.content

    key = intake_cli(dep.env, "intake", "partners", "add", "--id", "traffy", "--name", "Traffy Fondue").stdout.strip()
    form = {"api_key": key, "service_code": "bribery", "media_url": MEDIA, **BANG_PHRA,
            "description": "เจ้าหน้าที่ที่ดินเรียกเงิน 5,000 บาทเพื่อเร่งรังวัดที่ดิน ได้ถ่ายภาพใบเสร็จปลอมไว้",
            "address_string": "หน้าสำนักงานที่ดิน ถนนหลักเมือง"}

    # a point alone is not a place (no package ships the subdistricts' boundaries): refused, saying so
    alone = requests.post(f"{base}/requests.xml", data=form, timeout=30)
    assert alone.status_code == 400
    error = valid_xml(alone.content)
    assert error.findtext("error/error/code") == "open311.point_is_not_a_place"
    assert "lat/long" in error.findtext("error/description")

    # a JSON body is told which types an Open311 POST takes
    wrong_type = requests.post(f"{base}/requests.json", json=form, timeout=30)
    assert wrong_type.status_code == 415
    assert "application/x-www-form-urlencoded" in wrong_type.json()[0]["description"]

    # the point with the area, a media link and every optional attribute in Thai
    created = requests.post(f"{base}/requests.xml", data={**form, **THAI_ATTRIBUTES}, timeout=30)
    assert created.status_code == 200, created.text
    [answer] = records(valid_xml(created.content, post=True))
    reference = answer["service_request_id"]
    assert re.fullmatch(r"\d{16}", answer["receipt"])

    # read back in both formats: the point rounded to 0.1 degree (the tipster did not choose the exact point)
    [in_xml] = records(valid_xml(requests.get(f"{base}/requests/{reference}.xml", params={"api_key": key},
                                              timeout=30).content))
    [in_json] = requests.get(f"{base}/requests/{reference}.json", params={"api_key": key}, timeout=30).json()
    assert (in_xml["lat"], in_xml["long"]) == ("12.2", "102.5") and (in_json["lat"], in_json["long"]) == (12.2, 102.5)
    assert in_xml["media_url"] == in_json["media_url"] == MEDIA
    assert in_xml["address_id"] == in_json["address_id"] == "230101"
    assert in_json["address"] == "หน้าสำนักงานที่ดิน ถนนหลักเมือง"
    [plain] = records(valid_xml(requests.get(f"{base}/requests/{reference}", params={"api_key": key},
                                             timeout=30).content))  # no suffix: XML (its status may have moved on)
    assert {k: plain[k] for k in ("service_request_id", "lat", "long", "media_url", "address_id")} == {
        k: in_xml[k] for k in ("service_request_id", "lat", "long", "media_url", "address_id")}

    # the office sees the link as a link, on its API and on the case page
    cli(dep.env, "users", "add", "--username", "malee", "--office", "PACC-R2", "--role", "caseworker",
        input_text=PASSWORD + "\n")
    desk = f"http://127.0.0.1:{dep.casework_port}"
    wait_for(lambda: _answers(f"{desk}/health"), 30, message="casework answering")
    token = requests.post(f"{desk}/api/v1/session", json={"username": "malee", "password": PASSWORD},
                          timeout=30).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    case = wait_for(lambda: _case(desk, reference, auth), 30, message="the case at PACC Region 2")
    assert case["facts"]["media_url"] == MEDIA
    assert case["facts"]["location"]["point"] == {"lat": "12.2", "long": "102.5"}

    page = requests.Session()
    login = page.get(f"{desk}/login", timeout=30).text
    csrf = re.search(r'name="login_csrf" value="([^"]+)"', login).group(1)
    signed_in = page.post(f"{desk}/login", data={"username": "malee", "password": PASSWORD, "login_csrf": csrf},
                          timeout=30)
    assert signed_in.status_code == 200, signed_in.text[:500]
    html = page.get(f"{desk}/cases/{reference}", timeout=30).text
    link = re.search(r'<a id="media-url" href="([^"]+)" rel="([^"]+)"', html)
    assert link and link.group(1).replace("&amp;", "&") == MEDIA and "noreferrer" in link.group(2)

    # a tipster who asked for SMS is told only that there is a message, and where
    phone = "0861234567"
    sms_tip = tip(reporter={"anonymous": False, "phone": phone, "consent_to_contact": True, "notify_via": ["sms"]})
    filed = dep.intake.submit(sms_tip)
    assert filed.status_code == 201, filed.text
    sms_reference = filed.json()["reference"]

    def sms():
        return [m for m in read_file_channel(dep.data_dir / "notifications.jsonl") if m["recipient"] == phone] or None

    [first, *_] = wait_for(sms, 40, message="the tipster's SMS in the file channel")
    said = (first["subject"] + " " + first["text"]).lower()
    assert first["text"].startswith("มีข้อความใหม่สำหรับท่าน ดูได้ที่ http")
    for word in ("สอดส่อง", "sodsong", "ทุจริต", "corruption", "รายงาน", "report", "ร้องเรียน", "เบาะแส",
                 sms_reference.lower(), filed.json()["receipt"]):
        assert word not in said, word


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _case(desk: str, reference: str, auth: dict):
    r = requests.get(f"{desk}/api/v1/cases/{reference}", headers=auth, timeout=30)
    return r.json() if r.status_code == 200 else None
