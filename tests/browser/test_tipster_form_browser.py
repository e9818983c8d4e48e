"""The public tipster pages in Chromium on a phone, with JavaScript off and on (tipster_form_journey.py), against
intake with RabbitMQ and PostgreSQL: pickers, anonymity, errors, kept files, language switch, axe-core."""
from __future__ import annotations

import json
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from tests.integration.intake.helpers import jpeg_with_gps
from tests.support import axe
from tests.support.deployment import Deployment

SCRIPT = Path(__file__).with_name("tipster_form_journey.py")


def test_a_villager_files_on_a_phone_with_pickers_kept_files_and_both_languages(tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    (files / "photo.jpg").write_bytes(jpeg_with_gps())
    (files / "evidence.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    (files / "tool.exe").write_bytes(b"MZ\x90\x00" + bytes(200))
    (files / "big.pdf").write_bytes(b"%PDF-1.4\n" + bytes(11 * 1024 * 1024))
    shots = tmp_path / "shots"
    shots.mkdir()
    with ExitStack() as stack:
        dep = Deployment("real", tmp_path / "server", stack)
        dep.start("intake")
        run = subprocess.run([sys.executable, str(SCRIPT), dep.intake.base, str(files), str(shots)],
                             capture_output=True, text=True, timeout=240)
        assert run.returncode == 0, run.stderr[-4000:]
        seen = json.loads(run.stdout.strip().splitlines()[-1])
    print(axe.table(seen["axe"]))
    assert seen["external_requests"] == []
    # no JavaScript: the lists come from the server, nothing typed or attached is lost on the way
    assert "เมืองตราด" in seen["nojs_districts"] and "คลองใหญ่" in seen["nojs_districts"]
    assert "บางพระ" in seen["nojs_subdistricts"]
    assert seen["nojs_kept_after_step"] == 2 and seen["nojs_place_kept"] == "บ้านเลขที่ 12 หมู่ 3"
    # every mistake at once, beside its field, in the page's language, with the limit it broke
    assert seen["error_items"] == 2
    assert "10" in seen["error_description_th"] and "10,000" in seen["error_description_th"]
    assert "อีเมล" in seen["error_email_th"]
    assert "reporter." not in seen["page_text_th"] and "location." not in seen["page_text_th"]
    assert seen["kept_files_on_error"] == 2 and seen["kept_subdistrict"] == "230101"
    assert "characters" in seen["error_box_en"] and seen["lang_after_switch"] == "en"
    assert seen["kept_after_switch"] == {"description": "สั้น", "email": "mali@b", "files": 2,
                                         "subdistrict": "230101"}
    # the kept files reached the office with the tip
    assert seen["receipt_title_en"] == "Your report has been received"
    assert seen["receipt_again"]["reference"] == seen["reference"]
    assert seen["receipt_again"]["title"] == "ได้รับเรื่องของท่านแล้ว"
    assert seen["receipt_again"]["receipt"].replace(" ", "") not in seen["receipt_again"]["url"]
    assert len(seen["status_files"]) == 2
    assert seen["status_en"]["lang"] == "en" and seen["status_en"]["reference"].strip() == seen["reference"]
    assert seen["status_upload_error"]["kept_text"] == "มีพยานอีกคน ชื่อเล่นว่าแดง"
    assert "not accepted" in seen["status_upload_error"]["errors"]
    assert seen["new_receipt_again"] == {"same": True, "lang": "th", "old": False}
    # JavaScript: filter by name, contact fields only when chosen, a too-large file never sent
    assert seen["step_hidden_with_js"] and seen["contact_hidden_when_anonymous"]
    assert seen["contact_shown_when_giving"]
    assert seen["js_province"] == "23" and seen["js_district"] == "2301"
    assert "10 MB" in seen["client_file_error"] and seen["blocked_url"].rstrip("/").endswith(("", "/"))
    assert "/report" not in seen["blocked_url"] and seen["client_file_error_after"] == ""
    assert seen["errors_focused_th"] == "errors" and seen["errors_focused_en"] == "errors"
    # the keyboard reaches every part of the form in order
    order = seen["tab_order"]
    wanted = ["category", "description", "event_date", "amount_thb", "province", "district", "subdistrict",
              "place", "official_type", "attachments", "anon-yes", "submit"]
    positions = [order.index(name) for name in wanted]
    assert positions == sorted(positions), order
    # axe-core: no serious or critical violation on any public page, in Thai and English
    pages = {r["page"] for r in seen["axe"]}
    assert {"report-th", "report-en", "receipt-th", "receipt-en", "status-th", "status-en", "trust-th",
            "trust-en", "errors-th", "errors-en", "status-form-th", "status-refused-en"} <= pages
    bad = {r["page"]: axe.serious(r) for r in seen["axe"] if axe.serious(r)}
    assert bad == {}, json.dumps(bad, ensure_ascii=False, indent=1)
