"""The operator page in a real browser: headless Chromium (Debian package `chromium`) driven by Playwright, JS off.

Embedded Sodsong runs as a subprocess; an operator account is made with `sodsong users add`; a dead letter (whose
body carries a tip's description) and a dead delivery (to an office's address) are written into routing's and
notify's databases as the services would; the browser (another subprocess, tests/browser/ops_flow.py) signs in,
opens the operations page, reads its tables and presses "Redrive"; routing's redriver then takes the letter.
"""
import json
import subprocess
import sys
import uuid
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import insert

from shared import config as config_mod
from shared import deadletters
from shared.clock import utcnow
from sodsong.registry import service_db_for
from tests.support.deployment import Deployment
from tests.support.processes import cli, wait_for

CHROMIUM = Path("/usr/bin/chromium")
FLOW = Path(__file__).with_name("ops_flow.py")
PASSWORD = "รหัสผ่าน-ผู้ดูแลระบบ-2569"
SECRET = "เจ้าหน้าที่เรียกรับเงินสองแสนบาทหลังเลิกงาน"
ADDRESS = "saraban@pacc-r2.example.go.th"


@pytest.fixture
def deployment(tmp_path):
    with ExitStack() as stack:
        yield Deployment("embedded", tmp_path, stack)


def _seed(dep) -> tuple[int, str]:
    from services.notify.usecases import TABLE

    config = config_mod.load(env=dep.env)
    letter = deadletters.record(
        service_db_for("routing", config), "sodsong.routing.on_tip_received",
        {"id": str(uuid.uuid4()), "type": "tip.received", "correlation_id": "SS-BRWS-0001",
         "payload": {"description": SECRET}},
        "ValidationError: {'payload': {'tip': ['Missing data for required field.']}}", 4)
    now = utcnow()
    delivery = str(uuid.uuid4())
    notify = service_db_for("notify", config)
    with notify.transaction() as uow:
        uow.session.execute(insert(TABLE).values(
            id=delivery, event_id=str(uuid.uuid4()), reference="SS-BRWS-0001", recipient_kind="office",
            recipient_id="PACC-R2", channel="smtp", address=ADDRESS, template="office_new_case", language="th",
            context_json=json.dumps({"note": SECRET}, ensure_ascii=False), status="dead", attempts=6,
            last_error=f"permanent: 550 mailbox {ADDRESS} unavailable", next_attempt_at=now, created_at=now,
            updated_at=now))
    return letter, delivery


def test_an_operator_redrives_a_dead_letter_in_the_browser(deployment, tmp_path):
    assert CHROMIUM.exists(), "headless Chromium is needed: apt-get install -y chromium"
    dep = deployment
    dep.start()
    cli(dep.env, "users", "add", "--username", "ops-somsri", "--office", "SODSONG", "--role", "operator",
        "--display-name", "สมศรี ผู้ดูแลระบบ", input_text=PASSWORD + "\n")
    letter, delivery = _seed(dep)

    shots = tmp_path / "screenshots"
    shots.mkdir()
    run = subprocess.run(
        [sys.executable, str(FLOW), "--desk", f"http://127.0.0.1:{dep.casework_port}", "--username", "ops-somsri",
         "--letter-service", "routing", "--letter-id", str(letter), "--screenshots", str(shots)],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, f"browser flow failed:\n{run.stderr[-4000:]}\n{dep.logs()}"
    seen = json.loads(run.stdout.strip().splitlines()[-1])

    assert seen["unauthenticated_url"].endswith("/login")
    assert seen["refresh"] == "10; url=/ops"
    assert "สถานะระบบ" in seen["heading"] and "Operations" not in seen["heading"]
    headings = " | ".join(seen["section_headings"])
    for thai, english in (("สิ่งที่ต้องดูแล", "Needs attention"), ("บริการ", "Services"), ("คิวข้อความ", "Queues"),
                          ("เหตุการณ์ค้าง", "Dead letters"), ("การส่งแจ้งเตือน", "Deliveries")):
        assert thai in headings and english not in headings, (thai, headings)  # one language a page
    assert seen["tables"] == ["services", "queues", "dead-letters", "delivery-states", "delivery-problems"]
    assert seen["services"] == ["intake", "routing", "casework", "notify", "audit"]
    assert seen["queues"] > 10  # embedded: the page is served by the process that holds the memory broker
    assert {"dead-letters", "dead-deliveries"} <= set(seen["flags"])
    assert seen["letter_status_before"] == "dead" and "tip.received" in seen["letter_text"]
    assert "SS-BRWS-0001" in seen["letter_text"]
    assert seen["delivery_rows"] == ["dead"]
    for secret in (SECRET, ADDRESS, "example.go.th", "PACC-R2"):
        assert secret not in seen["page_text"], secret

    assert seen["notice"].startswith("ขอให้ประมวลผลซ้ำแล้ว")
    assert seen["letter_status_after"] in ("redrive_requested", "redriving", "dead")
    assert seen["console_errors"] == []
    desk = f"http://127.0.0.1:{dep.casework_port}"
    assert all(url.startswith(desk) for url in seen["requests"]), seen["requests"]  # nothing from elsewhere
    assert {p.name for p in shots.iterdir()} == {"ops.png", "ops-after-redrive.png"}

    # routing's redriver took it: still not a valid tip, so it is dead again, counted twice
    wait_for(lambda: [x for x in dep.cli_json("ops", "dlq", "list", "--service", "routing")
                      if x["id"] == letter and x["times_dead"] == 2], 20, message="redriven letter dead again")
