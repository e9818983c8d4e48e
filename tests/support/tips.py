"""Tips as the public API takes them, and a small client for intake."""
from __future__ import annotations

import requests

TRAT_STATE_OFFICIAL = {
    "category": "bribery",
    "description": "เจ้าหน้าที่ที่ดินเรียกรับเงิน 5,000 บาทเพื่อเร่งออกโฉนดให้ชาวบ้าน",
    "location": {"province_code": "23", "district_code": "2301", "subdistrict_code": "230101"},
    "accused": {"official_type": "state_official", "position": "เจ้าพนักงานที่ดิน"},
}


def tip(**changes) -> dict:
    body = {k: (dict(v) if isinstance(v, dict) else v) for k, v in TRAT_STATE_OFFICIAL.items()}
    body.update(changes)
    return body


class IntakeClient:
    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")

    def submit(self, body: dict, **kw) -> requests.Response:
        return requests.post(f"{self.base}/api/v1/tips", json=body, timeout=30, **kw)

    def status(self, receipt: str) -> requests.Response:
        return requests.get(f"{self.base}/api/v1/tips/status", headers={"X-Receipt": receipt}, timeout=30)
