"""A whole intake run at DEBUG log level, then the server's log is searched for everything that could identify a
tipster: names, phones, emails, LINE ids, receipts (plain and as displayed) and the client's address."""
from __future__ import annotations

import json
from contextlib import ExitStack

import requests

from services.intake.receipts import display
from tests.integration.intake.helpers import SourceAddressAdapter, intake_cli, jpeg_with_gps
from tests.support.deployment import Deployment
from tests.support.tips import tip

CLIENT = "127.0.0.77"
PEOPLE = [
    {"name": "นายสมศักดิ์ ตรวจสอบ", "phone": "0814443322", "email": "somsak.tipster@example.org",
     "line_user_id": "U4f1d2c3b4a5e6f7a"},
    {"name": "Mali Witness", "phone": "+66 89 765 4321", "email": "mali.w@example.net"},
    {"name": "ป้าบุญมี ใจดี", "phone": "0927778899", "email": "boonmee@example.com"},
    {"name": "Open311 Reporter", "phone": "0631231234", "email": "o311@example.org"},
    {"name": "ลุงทองดี อาสาพา", "phone": "0845556677", "email": "thongdee@example.org"},
]


def reporter(person, **extra):
    return {"anonymous": False, **{k: v for k, v in person.items()}, "consent_to_contact": True, **extra}


def test_no_identity_receipt_or_client_address_in_the_server_log(tmp_path):
    with ExitStack() as stack:
        dep = Deployment("embedded", tmp_path, stack, extra_env={"SODSONG_LOG_LEVEL": "DEBUG"})
        dep.start()
        http = requests.Session()
        http.mount("http://", SourceAddressAdapter(CLIENT))
        base = dep.intake.base
        receipts = []

        r = http.post(f"{base}/api/v1/tips", json=tip(reporter=reporter(PEOPLE[0], notify_via=["line", "sms"])),
                      timeout=30)
        assert r.status_code == 201, r.text
        receipts.append(r.json()["receipt"])

        parts = [("tip", (None, json.dumps(tip(reporter=reporter(PEOPLE[1]))), "application/json")),
                 ("attachments", (f"{PEOPLE[1]['name']}.jpg", jpeg_with_gps(), "image/jpeg"))]
        r = http.post(f"{base}/api/v1/tips", files=parts, headers={"Idempotency-Key": "log-run-1"}, timeout=30)
        assert r.status_code == 201, r.text
        receipts.append(r.json()["receipt"])
        assert http.post(f"{base}/api/v1/tips", files=parts, headers={"Idempotency-Key": "log-run-1"},
                         timeout=30).json()["receipt"] == receipts[-1]

        form = {"lang": "th", "category": "embezzlement", "description": "เบิกจ่ายค่าอาหารกลางวันเด็กเท็จทั้งปี",
                "location.province_code": "23", "accused.official_type": "local_executive",
                "reporter.name": PEOPLE[2]["name"], "reporter.phone": PEOPLE[2]["phone"],
                "reporter.email": PEOPLE[2]["email"], "reporter.consent_to_contact": "1"}
        page = http.post(f"{base}/report", files={k: (None, v) for k, v in form.items()}, timeout=30)
        assert page.status_code == 201, page.text
        shown = page.text.split('id="receipt" class="secret">')[1].split("<")[0]
        receipts.append(shown.replace(" ", ""))

        key = intake_cli(dep.env, "intake", "partners", "add", "--id", "p1", "--name", "Partner").stdout.strip()
        first, last = PEOPLE[3]["name"].split()
        r = http.post(f"{base}/open311/v2/requests.json", timeout=30, data={
            "api_key": key, "service_code": "bribery", "address_id": "2301", "first_name": first, "last_name": last,
            "phone": PEOPLE[3]["phone"], "email": PEOPLE[3]["email"],
            "description": "ตำรวจจราจรเรียกเก็บเงินรถบรรทุกทุกเช้าที่ด่านตรวจ"})
        assert r.status_code == 200, r.text
        receipts.append(r.json()[0]["receipt"])

        token = intake_cli(dep.env, "volunteers", "add", "--id", "v1", "--network", "N",
                           "--subdistricts", "230101").stdout.strip()
        r = http.post(f"{base}/api/v1/tips", json=tip(reporter=reporter(PEOPLE[4])),
                      headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert r.status_code == 201, r.text
        receipts.append(r.json()["receipt"])

        for receipt in receipts:
            dep.wait_status(receipt, lambda s: bool(s["reference"]), timeout=15)
            assert http.get(f"{base}/api/v1/tips/status", headers={"X-Receipt": display(receipt)},
                            timeout=30).status_code == 200
            assert http.post(f"{base}/status", data={"receipt": receipt}, timeout=30).status_code == 200
        assert http.post(f"{base}/api/v1/tips/messages", headers={"X-Receipt": receipts[0]},
                         json={"text": f"ติดต่อกลับได้ที่ {PEOPLE[0]['phone']}"}, timeout=30).status_code == 201
        fresh = http.post(f"{base}/api/v1/tips/receipt", headers={"X-Receipt": receipts[1]}, timeout=30)
        receipts.append(fresh.json()["receipt"])
        assert http.get(f"{base}/api/v1/tips/status", headers={"X-Receipt": "9" * 16}, timeout=30).status_code == 404
        assert http.get(f"{base}/api/v1/volunteer/tips", headers={"Authorization": f"Bearer {token}"},
                        timeout=30).status_code == 200
        dep.stop_all()
        log = (tmp_path / "all.log").read_text(errors="replace")

    assert "tip.accepted" in log and len(log.splitlines()) > 50  # the log did capture the run
    secrets = [CLIENT, token, key]
    for person in PEOPLE:
        secrets += [v for v in person.values()]
    for receipt in receipts:
        secrets += [receipt, display(receipt), receipt.replace(" ", "")[:12]]
    found = [s for s in secrets if s in log]
    assert not found, f"in the server log: {found}"
