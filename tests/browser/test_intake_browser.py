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
    assert seen["error_box"] and "อย่างน้อย 10 ตัวอักษร" in seen["error_box"] or "10 ถึง 10,000" in seen["error_box"]
    assert "10,000 characters" in seen["error_box"]  # the other language, on request
    assert seen["kept_description"].strip() == "สั้นไป"
    assert status is not None


ACCUSED_SCRIPT = Path(__file__).with_name("accused_types.py")


def test_the_accused_types_read_well_on_a_phone_and_a_pacc_official_is_not_sent_to_the_pacc(tmp_path):
    from shared.vocabulary import OFFICIAL_TYPE_GROUPS, OFFICIAL_TYPES

    shots = tmp_path / "shots"
    shots.mkdir()
    with ExitStack() as stack:
        dep = Deployment("embedded", tmp_path / "server", stack)
        dep.start()
        run = subprocess.run([sys.executable, str(ACCUSED_SCRIPT), dep.intake.base, str(shots)],
                             capture_output=True, text=True, timeout=180)
        assert run.returncode == 0, run.stderr[-4000:]
        seen = json.loads(run.stdout.strip().splitlines()[-1])
    for lang in ("th", "en"):
        groups = seen[f"groups_{lang}"]
        assert [g["group"] for g in groups] == [g[lang] for g in OFFICIAL_TYPE_GROUPS.values()]
        offered = {code: label for g in groups for code, label in g["options"]}
        assert offered == {code: labels[lang] for code, labels in OFFICIAL_TYPES.items()}
        assert not seen[f"page_overflows_{lang}"]
    assert seen["groups_th"][2]["options"][0][1] == "ผู้พิพากษา / ตุลาการ"
    assert seen["groups_en"][2]["options"][0][1] == "Judge"
    assert seen["selected_th"] == "ไม่ทราบ / ไม่แน่ใจ" and seen["selected_en"] == "Unknown / not sure"
    assert "ตำแหน่งและหน่วยงาน" in seen["help_th"] and "position and organisation" in seen["help_en"]
    assert seen["status"] not in (None, "submitted", "triage")
    assert seen["agency"] == "สำนักงาน ป.ป.ช. ประจำจังหวัดตราด"
    for name in ("accused-th-closed", "accused-th-open", "accused-en-open", "accused-status"):
        assert (shots / f"{name}.png").stat().st_size > 0
