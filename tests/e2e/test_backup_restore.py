"""The restore drill on PostgreSQL: back up the data and, apart from it, the keys; lose the database and the key
file; restore both; the tipster's receipt still opens the report, files and messages still decrypt, and the audit
chain verifies."""
import json
import time
from pathlib import Path

import psycopg2
import requests
from sqlalchemy.engine import make_url

from tests.support.environments import PG_ADMIN
from tests.support.processes import wait_for
from tests.support.tips import tip

DESCRIPTION = "ปลัดอำเภอเรียกรับเงิน 20,000 บาทเพื่อแลกกับการออกหนังสือรับรองที่ดิน มีพยานสองคนเห็นเหตุการณ์"


def _full_tip() -> dict:
    return tip(description=DESCRIPTION, event_date="2026-10-02", amount_thb="20000.00",
               location={"province_code": "23", "district_code": "2301", "subdistrict_code": "230101",
                         "place": "ที่ว่าการอำเภอเมืองตราด ชั้น 2"},
               accused={"official_type": "state_official", "name": "นายสมมติ ตัวอย่าง", "position": "ปลัดอำเภอ",
                        "organization": "ที่ว่าการอำเภอเมืองตราด"},
               reporter={"anonymous": False, "name": "นางสาวผู้แจ้ง ทดสอบ", "phone": "+66 81 234 5678",
                         "email": "tipster@example.org", "consent_to_contact": True, "notify_via": ["email"]})


def _drop(db_url: str) -> None:
    name = make_url(db_url).database
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        cur.execute(f'DROP DATABASE "{name}"')
    admin.close()


def test_backup_drop_restore_receipt_and_audit_still_work(real_deployment, tmp_path):
    dep = real_deployment
    dep.start()
    body = _full_tip()
    parts = [("tip", (None, json.dumps(body, ensure_ascii=False).encode(), "application/json")),
             ("attachments", ("ใบเสร็จ.pdf", b"%PDF-1.4\n% receipt of the payment\n%%EOF\n", "application/pdf"))]
    r = requests.post(f"{dep.intake.base}/api/v1/tips", files=parts, timeout=30)
    assert r.status_code == 201, r.text + dep.logs()
    reference, receipt = r.json()["reference"], r.json()["receipt"]
    before = dep.wait_status(receipt, lambda s: s["status"] == "received", timeout=30)
    m = requests.post(f"{dep.intake.base}/api/v1/tips/messages", headers={"X-Receipt": receipt},
                      json={"text": "มีคลิปเสียงตอนเรียกเงินด้วย"}, timeout=30)
    assert m.status_code == 201, m.text
    wait_for(lambda: len(dep.audit_trail(reference)) >= 4, 30, message="audit entries")
    dep.stop_all()

    data_dir, keys_file = tmp_path / "backup-data", tmp_path / "backup-keys" / "intake-keys.yaml"
    keys_file.parent.mkdir()
    made = json.loads(dep.cli("backup", "data", "--out", str(data_dir)).stdout)
    assert [d["kind"] for d in made["databases"]] == ["postgresql"]
    assert dep.cli("backup", "keys", "--out", str(keys_file)).returncode == 0
    assert keys_file.stat().st_mode & 0o077 == 0

    # the data backup alone reveals neither the keys nor the tip
    key_material = [v for v in __import__("yaml").safe_load(keys_file.read_text())["keys"].values()]
    dump_bytes = b"".join(p.read_bytes() for p in data_dir.iterdir())
    for secret in key_material:
        assert secret.encode() not in dump_bytes
    for plain in (DESCRIPTION, "นางสาวผู้แจ้ง", "tipster@example.org"):
        assert plain.encode() not in dump_bytes

    # disaster: the database and the key file are gone
    _drop(dep.env["SODSONG_DB_URL"])
    keys_dir = Path(dep.env["SODSONG_DATA_DIR"]).parent / (Path(dep.env["SODSONG_DATA_DIR"]).name + "-keys")
    assert (keys_dir / "intake-keys.yaml").exists() and (keys_dir / "casework-keys.yaml").exists()
    __import__("shutil").rmtree(keys_dir)  # every key, not only intake's

    restored = json.loads(dep.cli("restore", "data", str(data_dir), "--create-database").stdout)
    assert restored["restored"] == [made["databases"][0]["file"]]
    assert dep.cli("restore", "keys", str(keys_file)).returncode == 0
    dep.cli("db", "upgrade")
    dep.start()

    after = dep.wait_status(receipt, lambda s: s["status"] == "received", timeout=30)
    assert after["reference"] == reference and after["agency"] == before["agency"]
    assert after["messages_sent"] == 1
    again = requests.post(f"{dep.intake.base}/api/v1/tips/messages", headers={"X-Receipt": receipt},
                          json={"text": "ขอบคุณที่ยังติดตามเรื่องนี้"}, timeout=30)
    assert again.status_code == 201, again.text
    assert dep.intake.status(receipt).json()["messages_sent"] == 2
    # a new tip flows through the restored deployment too
    fresh = dep.intake.submit(tip())
    assert fresh.status_code == 201
    dep.wait_status(fresh.json()["receipt"], lambda s: s["status"] == "received", timeout=30)
    time.sleep(1.0)
    verdict = dep.cli("audit", "verify")
    assert verdict.stdout.startswith("ok:"), verdict.stdout + verdict.stderr
    assert dep.cli("intake", "rotate-keys", "--check").returncode == 0  # every value opens with the restored keys
