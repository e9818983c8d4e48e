"""Accounts in a real browser against the real transport: every service in its own process on RabbitMQ +
PostgreSQL (a fresh vhost and database), an agency admin and an operator made with `sodsong users add`, and
Chromium (tests/browser/accounts_flow.py, a subprocess, JavaScript off, 1366×768) walking the account lifecycle
and the caseworker's own page. Afterwards notify holds the new caseworker's own address (account.contacts_changed).

Screenshots go to a temporary directory (SODSONG_SCREENSHOTS to keep them somewhere else).
"""
import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import psycopg2
import pytest

from tests.support.deployment import Deployment
from tests.support.processes import cli, wait_for

CHROMIUM = Path("/usr/bin/chromium")
FLOW = Path(__file__).with_name("accounts_flow.py")
SECRETS = {"r2admin": "รหัสผ่าน-ผู้ดูแล-เขต2-2569", "ops1": "รหัสผ่าน-ผู้ดูแลระบบงาน-2569",
           "first": "รหัสผ่านแรก-สมชาย-2569", "reset": "รหัสผ่านใหม่จากลิงก์-2569",
           "third": "รหัสผ่านที่สาม-ไม่ควรได้-2569", "own": "วลีของสมชายเอง-ยาวพอ-2569"}


@pytest.fixture
def deployment(tmp_path):
    assert CHROMIUM.exists(), "headless Chromium is needed: apt-get install -y chromium"
    with ExitStack() as stack:
        dep = Deployment("real", tmp_path, stack)
        dep.start()
        cli(dep.env, "users", "add", "--username", "r2admin", "--office", "PACC-R2", "--role", "agency_admin",
            "--display-name", "ผู้ดูแลบัญชี เขต 2", input_text=SECRETS["r2admin"] + "\n")
        cli(dep.env, "users", "add", "--username", "ops1", "--office", "PACC", "--role", "operator",
            "--display-name", "ผู้ดูแลระบบงาน", input_text=SECRETS["ops1"] + "\n")
        yield dep


def test_an_agency_admin_runs_an_account_from_creation_to_two_step_sign_in(deployment, tmp_path):
    dep = deployment
    shots = Path(os.environ.get("SODSONG_SCREENSHOTS") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    run = subprocess.run([sys.executable, str(FLOW), "--desk", f"http://127.0.0.1:{dep.casework_port}",
                          "--screenshots", str(shots)],
                         input=json.dumps(SECRETS) + "\n", capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, f"browser flow failed:\n{run.stderr[-4000:]}\n{dep.logs()}"
    seen = json.loads(run.stdout.strip().splitlines()[-1])

    assert seen["nav"] == {"agency_admin": ["stats", "accounts"], "operator": ["ops"],
                           "caseworker": ["inbox", "overdue", "handovers", "file", "stats"]}
    assert "บัญชีผู้ใช้" in seen["admin_home"]
    assert seen["unknown_office"].startswith("ไม่มีหน่วยงานนี้ในทะเบียนหน่วยงาน")
    assert "office directory" not in seen["unknown_office"] and seen["unknown_office_kept_username"] == "somchai"
    assert seen["created_url"].endswith("/accounts/somchai?ok=user.created")
    assert seen["created_notice"].startswith("สร้างบัญชีแล้ว")
    assert "เจ้าหน้าที่ผู้รับผิดชอบเรื่อง" in seen["created_facts"] and "caseworker" not in seen["created_facts"]
    assert "operator" not in seen["role_options"] and "system_admin" not in seen["role_options"]
    assert seen["reset_code"] in seen["reset_link"] and "username=somchai" in seen["reset_link"]
    assert seen["reset_prefilled"] == ["somchai", seen["reset_code"]]
    assert seen["after_reset_url"].endswith("/login?ok=user.password_changed")
    assert seen["reused_link"].startswith("รหัสตั้งรหัสผ่านใหม่ไม่ถูกต้องหรือหมดอายุแล้ว")
    assert seen["disabled_state"].startswith("ระงับแล้ว") and seen["disabled_notice"].startswith("ระงับบัญชีแล้ว")
    assert seen["disabled_sign_in"].startswith("ชื่อผู้ใช้ รหัสผ่าน")
    assert seen["enabled_state"].startswith("ใช้งาน")
    assert seen["throttled"].startswith("เข้าสู่ระบบผิดหลายครั้งเกินไป")
    assert seen["failures_shown"].startswith("5")
    assert seen["unlocked_notice"].startswith("ปลดล็อกแล้ว")
    assert seen["after_unlock_url"].endswith("/cases")
    assert seen["own_change"].startswith("เปลี่ยนรหัสผ่านแล้ว")
    assert seen["qr_svg"] == 1
    assert seen["totp_wrong"].startswith("รหัส 6 หลักไม่ถูกต้อง")
    assert seen["totp_on"].startswith("เปิดใช้การยืนยันตัวตนสองขั้นตอนแล้ว") and seen["totp_state"].startswith("เปิดอยู่")
    assert seen["without_code"].endswith("/login") and seen["with_code"].endswith("/cases")
    assert seen["operator_accounts_status"] == 403 and seen["caseworker_accounts_status"] == 403
    assert seen["console_errors"] == []
    assert {p.name for p in shots.glob("*.png")} >= {"accounts-list.png", "accounts-office-refused.png",
                                                     "account-created.png", "account-reset-issued.png",
                                                     "account-locked.png", "me-totp-qr.png", "me-totp-on.png"}

    # notify keeps the caseworker's own address (casework's account.contacts_changed over RabbitMQ)
    def kept():
        with psycopg2.connect(dep.env["SODSONG_DB_URL"]) as conn, conn.cursor() as cur:
            cur.execute("SELECT role, active FROM notify_staff_contacts")
            return cur.fetchall()
    assert wait_for(kept, 15, message="notify's copy of the contacts") == [("caseworker", True)]
