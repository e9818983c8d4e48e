"""A tip about a PACC Region 2 official, described in Thai words, and one about a judge filed by a partner over
Open311: each case opens at a lawful office the accused does not work in (RabbitMQ + PostgreSQL, a process per
service)."""
from __future__ import annotations

import requests

from shared.vocabulary import OFFICIAL_TYPES
from tests.integration.intake.helpers import intake_cli
from tests.support.processes import wait_for

PACC_R2_OFFICER = {
    "channel": "web",
    "language": "th",
    "category": "bribery",
    "description": "นิติกรของสำนักงาน ป.ป.ท. เขต 2 โทรมาเรียกเงิน 50,000 บาท แลกกับการไม่ส่งเรื่องร้องเรียนของชาวบ้าน"
                   "เรื่องบ่อขยะต่อ มีบันทึกเสียงการโทรและสลิปโอนเงินบางส่วน",
    "event_date": "2026-10-20",
    "amount_thb": "50000",
    "location": {"province_code": "23", "district_code": "2301", "subdistrict_code": "230101",
                 "place": "ร้านกาแฟหน้าศาลากลางจังหวัดตราด"},
    "accused": {"official_type": "state_official", "name": "นายสมมติ ตัวอย่าง", "position": "นิติกรชำนาญการ",
                "organization": "สำนักงาน ป.ป.ท. เขต 2"},
    "reporter": {"anonymous": False, "name": "นางสาวผู้แจ้ง ใจกล้า", "phone": "081-234-5678",
                 "email": "tipster@example.org", "notify_via": ["email"], "consent_to_contact": True},
}


def test_a_pacc_region_2_official_described_in_words_is_never_sent_to_the_pacc(real_deployment):
    dep = real_deployment
    dep.start()
    response = dep.intake.submit(PACC_R2_OFFICER)
    assert response.status_code == 201, response.text + dep.logs()[-4000:]
    reference, receipt = response.json()["reference"], response.json()["receipt"]

    status = dep.wait_status(receipt, lambda s: (s.get("agency") or {}).get("code") is not None, timeout=30)
    assert status["agency"]["code"] == "NACC-23"
    assert status["agency"]["name_th"] == "สำนักงาน ป.ป.ช. ประจำจังหวัดตราด"

    # the case opens at the NACC's Trat office, and no PACC office has it, not even for triage
    cases = wait_for(lambda: dep.office_cases("NACC-23"), 30, message="case opened at NACC Trat")
    assert [(c["reference"], c["triage"]) for c in cases] == [(reference, False)]
    for pacc in ("PACC-R2", "PACC"):
        assert dep.office_cases(pacc) == []

    trail = wait_for(lambda: (lambda t: t if {"tip.received", "tip.routed", "case.opened"}
                              <= {e["event_type"] for e in t} else None)(dep.audit_trail(reference)),
                     30, message="audit trail")
    assert "tip.routed" in {e["event_type"] for e in trail}

    # a partner files a tip about a judge over Open311 with one of the new types: not the PACC either
    key = intake_cli(dep.env, "intake", "partners", "add", "--id", "traffy", "--name", "Traffy").stdout.strip()
    definition = requests.get(f"{dep.intake.base}/open311/v2/services/bribery.json", timeout=30).json()
    offered = next(a for a in definition["attributes"] if a["code"] == "official_type")["values"]
    assert {v["key"] for v in offered} == set(OFFICIAL_TYPES)
    assert {"key": "judge", "name": "ผู้พิพากษา / ตุลาการ / Judge"} in offered
    form = {"api_key": key, "service_code": "bribery", "address_id": "230101",
            "description": "ผู้พิพากษาเรียกรับเงินเพื่อให้ประกันตัวผู้ต้องหาในคดียาเสพติด",
            "attribute[official_type]": "judge", "attribute[accused_position]": "ผู้พิพากษา",
            "attribute[accused_organization]": "ศาลจังหวัดตราด", "attribute[event_date]": "2026-10-01"}
    filed = requests.post(f"{dep.intake.base}/open311/v2/requests.json", data=form, timeout=30)
    assert filed.status_code == 200, filed.text
    judge_reference = filed.json()[0]["service_request_id"]
    cases = wait_for(lambda: (lambda c: c if len(c) == 2 else None)(dep.office_cases("NACC-23")), 30,
                     message="judge case opened at NACC Trat")
    assert judge_reference in {c["reference"] for c in cases}
    assert dep.office_cases("PACC-R2") == []
