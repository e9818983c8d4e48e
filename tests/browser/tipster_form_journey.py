"""The public tipster pages on a phone (Chromium 390×844), with JavaScript off and on: place pickers, one
anonymity choice, a form that comes back with every mistake explained and its files kept, the language switch on
the form, the receipt and the status page, the trust page, the keyboard alone, and axe-core on every page.

Run as a subprocess by tests/browser/test_tipster_form_browser.py:
    python tests/browser/tipster_form_journey.py BASE_URL FILES_DIR SCREENSHOT_DIR
Prints one JSON object with what it saw; exits non-zero on any failure.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.support import axe  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--lang=th-TH"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
DESCRIPTION = "ปลัด อบต. เรียกเงิน 5,000 บาทจากชาวบ้านเพื่อเซ็นรับรองเอกสารสิทธิ์ที่ดิน มีคลิปเสียงและใบเสร็จปลอม"


def submit(page, selector="#submit"):
    with page.expect_navigation():
        page.click(selector)


def main(base: str, files: str, shots: str) -> dict:
    seen: dict = {"external_requests": [], "axe": []}
    photo, pdf, program, big = (str(Path(files) / n) for n in ("photo.jpg", "evidence.pdf", "tool.exe", "big.pdf"))

    def shot(page, name):
        page.screenshot(path=f"{shots}/{name}.png", full_page=True)

    def check(page, name):
        seen["axe"].append(axe.check(page, name))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        # -- 1. no JavaScript: the server-rendered steps --------------------------------------------------------
        ctx = browser.new_context(java_script_enabled=False, locale="th-TH", **PHONE)
        page = ctx.new_page()
        page.on("request", lambda r: None if r.url.startswith(base) else seen["external_requests"].append(r.url))
        page.goto(f"{base}/")
        page.select_option("#category", "bribery")
        page.fill("#description", "สั้น" + " " * 10)  # long enough for the browser, not once trimmed
        page.fill("#place", "บ้านเลขที่ 12 หมู่ 3")
        page.set_input_files("#attachments", [photo, pdf])
        page.select_option("#province", "23")
        submit(page, "#show-places")  # the districts of Trat; the files go along and are kept
        seen["nojs_districts"] = page.eval_on_selector_all("#district option", "os => os.map(o => o.textContent)")
        seen["nojs_kept_after_step"] = page.eval_on_selector_all("#kept-files label", "ls => ls.length")
        seen["nojs_place_kept"] = page.input_value("#place")
        page.select_option("#district", "2301")
        submit(page, "#show-places")
        seen["nojs_subdistricts"] = page.eval_on_selector_all("#subdistrict option", "os => os.map(o => o.textContent)")
        page.select_option("#subdistrict", "230101")
        page.check("#anon-no")
        page.fill("#r_email", "mali@b")  # an address to the browser, not one that can be written to
        shot(page, "nojs-form-th")
        submit(page)  # two mistakes: the description is too short, the e-mail is not one
        seen["error_status_th"] = page.title()
        seen["error_box_th"] = page.text_content("#errors")
        seen["error_description_th"] = page.text_content("#err-description-1")
        seen["error_email_th"] = page.text_content("#err-reporter-email-1")
        seen["error_items"] = page.eval_on_selector_all("#errors > ul > li", "ls => ls.length")
        seen["kept_files_on_error"] = page.eval_on_selector_all("#kept-files input:checked", "is => is.length")
        seen["kept_subdistrict"] = page.input_value("#subdistrict")
        seen["page_text_th"] = page.text_content("main")
        shot(page, "nojs-errors-th")
        submit(page, "#lang-switch")  # the other language: everything stays, errors too
        seen["error_box_en"] = page.text_content("#errors")
        seen["lang_after_switch"] = page.get_attribute("html", "lang")
        seen["kept_after_switch"] = {"description": page.input_value("#description").strip(),
                                     "email": page.input_value("#r_email"),
                                     "files": page.eval_on_selector_all("#kept-files input:checked", "is => is.length"),
                                     "subdistrict": page.input_value("#subdistrict")}
        shot(page, "nojs-errors-en")
        page.fill("#description", DESCRIPTION)
        page.fill("#r_email", "mali@example.org")
        page.fill("#r_name", "มะลิ")
        page.fill("#r_phone", "0812345678")
        page.fill("#r_line", "mali.line")
        page.fill("#event_date", "2026-10-01")
        page.fill("#amount_thb", "5000")
        page.select_option("#official_type", "state_official")
        page.fill("#accused_name", "นายสมมติ")
        page.fill("#accused_position", "ปลัด อบต.")
        page.fill("#accused_org", "อบต. ตัวอย่าง")
        page.check("#notify-email")
        page.check("#consent")
        submit(page)
        seen["receipt_title_en"] = page.text_content("h1")
        reference = page.text_content("#reference").strip()
        receipt = page.text_content("#receipt").strip()
        seen["reference"] = reference
        shot(page, "nojs-receipt-en")
        submit(page, "#lang-switch")  # the receipt once more, in Thai, from this browser's session
        seen["receipt_again"] = {"title": page.text_content("h1"), "reference": page.text_content("#reference").strip(),
                                 "receipt": page.text_content("#receipt").strip(), "url": page.url}
        shot(page, "nojs-receipt-th")
        page.goto(f"{base}/status")
        page.fill("#receipt-input", receipt)
        submit(page, "#check")
        seen["status_files"] = page.eval_on_selector_all("#thread li.file", "ls => ls.map(l => l.textContent)")
        submit(page, "#lang-switch")  # English without typing the receipt again
        seen["status_en"] = {"lang": page.get_attribute("html", "lang"), "reference": page.text_content("#reference"),
                             "title": page.text_content("h1")}
        page.fill("#info", "มีพยานอีกคน ชื่อเล่นว่าแดง")
        page.set_input_files("#info-files", program)
        submit(page, "#send-info")
        seen["status_upload_error"] = {"kept_text": page.input_value("#info"), "errors": page.text_content("#errors")}
        shot(page, "nojs-status-upload-error-en")
        submit(page, "#new-receipt")  # a new receipt is shown once too, and once more in the other language
        new_receipt = page.text_content("#receipt").strip()
        submit(page, "#lang-switch")
        seen["new_receipt_again"] = {"same": page.text_content("#receipt").strip() == new_receipt,
                                     "lang": page.get_attribute("html", "lang"), "old": new_receipt == receipt}
        shot(page, "nojs-new-receipt-th")
        ctx.close()

        # -- 2. JavaScript on: the pickers fill and filter themselves, checks before sending, axe, keyboard -------
        ctx = browser.new_context(java_script_enabled=True, bypass_csp=True, locale="th-TH", **PHONE)
        page = ctx.new_page()
        page.on("request", lambda r: None if r.url.startswith(base) else seen["external_requests"].append(r.url))
        page.goto(f"{base}/")
        check(page, "report-th")
        shot(page, "report-th")
        seen["contact_hidden_when_anonymous"] = page.is_hidden("#r_name")
        seen["step_hidden_with_js"] = page.is_hidden("#show-places")
        # keyboard alone: tab from the top of the page through the form
        order = []
        page.keyboard.press("Tab")
        for _ in range(60):
            order.append(page.evaluate("() => document.activeElement.id || document.activeElement.name || "
                                       "document.activeElement.tagName"))
            page.keyboard.press("Tab")
        seen["tab_order"] = order
        page.focus("#category")
        page.keyboard.press("ArrowDown")
        page.fill("#description", DESCRIPTION)
        page.fill("#province-filter", "ตราด")
        page.wait_for_selector("#district option[value='2301']", state="attached")
        seen["js_province"] = page.input_value("#province")
        page.fill("#district-filter", "เมือง")
        page.wait_for_selector("#subdistrict option[value='230101']", state="attached")
        seen["js_district"] = page.input_value("#district")
        page.select_option("#subdistrict", "230101")
        page.check("#anon-no")
        seen["contact_shown_when_giving"] = page.is_visible("#r_name")
        page.check("#anon-yes")
        page.set_input_files("#attachments", big)
        seen["client_file_error"] = page.text_content("#file-errors")
        page.click("#submit")
        page.wait_for_timeout(300)
        seen["blocked_url"] = page.url
        page.set_input_files("#attachments", [photo])
        seen["client_file_error_after"] = page.text_content("#file-errors")
        shot(page, "report-js-filled-th")
        submit(page)
        receipt = page.text_content("#receipt").strip()
        check(page, "receipt-th")
        shot(page, "receipt-th")
        submit(page, "#lang-switch")
        check(page, "receipt-en")
        shot(page, "receipt-en")
        for lang in ("th", "en"):
            page.goto(f"{base}/status?lang={lang}")
            check(page, f"status-form-{lang}")
            shot(page, f"status-form-{lang}")
            page.fill("#receipt-input", receipt)
            submit(page, "#check")
            check(page, f"status-{lang}")
            shot(page, f"status-{lang}")
            page.goto(f"{base}/about?lang={lang}")
            check(page, f"trust-{lang}")
            shot(page, f"trust-{lang}")
            page.goto(f"{base}/?lang={lang}")
            if lang == "en":
                check(page, "report-en")
                shot(page, "report-en")
            page.eval_on_selector("#report-form", "f => { f.noValidate = true; }")
            page.select_option("#province", "23")
            submit(page)  # nothing typed: every required field is explained at once
            check(page, f"errors-{lang}")
            shot(page, f"errors-{lang}")
            seen[f"errors_focused_{lang}"] = page.evaluate("() => document.activeElement.id")
            page.goto(f"{base}/status?lang={lang}")
            page.fill("#receipt-input", "1234 5678 1234 5678")
            submit(page, "#check")
            check(page, f"status-refused-{lang}")
            shot(page, f"status-refused-{lang}")
        browser.close()
    return seen


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], sys.argv[3]), ensure_ascii=False))
