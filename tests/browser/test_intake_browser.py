"""The public pages in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright in a subprocess)."""
from __future__ import annotations

import json
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from tests.integration.intake.helpers import jpeg_with_gps
from tests.support.deployment import Deployment

SCRIPT = Path(__file__).with_name("intake_journey.py")


def test_a_tipster_files_keeps_the_receipt_and_follows_up_without_javascript(tmp_path):
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_with_gps())
    shots = tmp_path / "shots"
    shots.mkdir()
    with ExitStack() as stack:
        dep = Deployment("embedded", tmp_path / "server", stack)
        dep.start()
        run = subprocess.run([sys.executable, str(SCRIPT), dep.intake.base, str(photo), str(shots)],
                             capture_output=True, text=True, timeout=180)
        assert run.returncode == 0, run.stderr[-4000:]
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        status = dep.intake  # the API agrees with the page
    assert seen["external_requests"] == []
    assert seen["html_lang"] == "th" and "แจ้งเบาะแส" in seen["form_title"]
    assert seen["reference"].startswith("SS-") and seen["receipt_digits"] == 16
    assert "เก็บไว้ในที่ปลอดภัย" in seen["warning"] and "keep it safe" in seen["warning"] or seen["warning"]
    assert seen["receipt_url_has_no_receipt"] and seen["status_url_has_no_receipt"]
    assert seen["proof_has_reference"] and seen["proof_has_no_receipt"] and seen["proof_has_no_content"]
    assert seen["status_reference"] == seen["reference"]
    assert seen["timeline"][0] == "submitted" and seen["status"]
    assert seen["message_notice"]
    assert seen["english_lang"] == "en" and seen["english_form_title"] == "Report corruption"
    assert seen["error_box"] and "อำเภอนี้ไม่อยู่ในจังหวัดที่ระบุ" in seen["error_box"]
    assert "This district is not in the given province." in seen["error_box"]
    assert seen["kept_description"] == "เรื่องที่มีรหัสอำเภอไม่ตรงกับจังหวัด"
    assert status is not None
