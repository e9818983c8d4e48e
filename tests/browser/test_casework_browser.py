"""The desk in a real browser: headless Chromium (Debian package `chromium`) driven by Playwright, JavaScript off.

Embedded Sodsong runs as a subprocess; an account is made with `sodsong users add`; a Trat tip goes in through
intake's API; the browser (another subprocess, tests/browser/desk_flow.py) signs in, opens the case, acknowledges
it with a reason and reads the timeline; the tipster's receipt then shows the new status.
"""
import json
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from shared.vocabulary import TIPSTER_STATUSES
from tests.support.deployment import Deployment
from tests.support.processes import cli
from tests.support.tips import tip

CHROMIUM = Path("/usr/bin/chromium")
FLOW = Path(__file__).with_name("desk_flow.py")
PASSWORD = "รหัสผ่าน-เบราว์เซอร์-2569"


@pytest.fixture
def deployment(tmp_path):
    with ExitStack() as stack:
        yield Deployment("embedded", tmp_path, stack)


def test_a_caseworker_acknowledges_a_case_in_the_browser(deployment, tmp_path):
    assert CHROMIUM.exists(), "headless Chromium is needed: apt-get install -y chromium"
    dep = deployment
    dep.start()
    cli(dep.env, "users", "add", "--username", "somchai", "--office", "PACC-R2", "--role", "caseworker",
        "--display-name", "สมชาย ใจดี", input_text=PASSWORD + "\n")
    submitted = dep.intake.submit(tip())
    assert submitted.status_code == 201, submitted.text
    reference, receipt = submitted.json()["reference"], submitted.json()["receipt"]
    dep.wait_status(receipt, lambda s: s["status"] == "received", timeout=15)

    shots = tmp_path / "screenshots"
    shots.mkdir()
    run = subprocess.run(
        [sys.executable, str(FLOW), "--desk", f"http://127.0.0.1:{dep.casework_port}", "--username", "somchai",
         "--reference", reference, "--screenshots", str(shots)],
        input=PASSWORD + "\n", capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, f"browser flow failed:\n{run.stderr[-4000:]}\n{dep.logs()}"
    seen = json.loads(run.stdout.strip().splitlines()[-1])

    assert seen["unauthenticated_url"].endswith("/login")
    assert seen["inbox_references"] == [reference]
    assert seen["search_references"] == [reference] and seen["search_value"] == "โฉนด"
    assert seen["search_miss_references"] == []
    assert "กล่องเรื่อง" in seen["inbox_heading"] and "Inbox" not in seen["inbox_heading"]  # one language a page
    assert seen["status_before"] == "received"
    assert seen["description"] == tip()["description"]
    assert seen["action_forms"] == ["acknowledge", "assign", "close", "handover-form"]  # a caseworker cannot skip steps
    assert seen["reason_invalid_when_empty"] and seen["url_after_empty_reason"].endswith(f"/cases/{reference}")
    assert seen["notice"].startswith("ตอบรับเรื่องแล้ว")
    assert seen["status_after"] == "acknowledged"
    assert seen["status_text"].startswith("ตอบรับเรื่องแล้ว")
    assert seen["timeline_kinds"] == ["opened", "transition"]
    assert seen["timeline_to"] == [None, "acknowledged"]
    assert "รับเรื่องไว้พิจารณาแล้ว" in seen["timeline_text"] and "สมชาย ใจดี" in seen["timeline_text"]
    assert "สถิติ" in seen["stats_heading"]
    assert seen["after_sign_out_url"].endswith("/login")
    assert seen["console_errors"] == []
    assert {p.name for p in shots.iterdir()} == {"inbox.png", "search.png", "case.png", "stats.png"}

    status = dep.wait_status(receipt, lambda s: s["status"] == "acknowledged", timeout=15)
    assert status["timeline"][-1]["label"] == TIPSTER_STATUSES["acknowledged"]
    assert [t["status"] for t in status["timeline"]] == ["submitted", "routed", "received", "acknowledged"]
