"""The accused's official types on the report form, on a 390×844 phone, in Thai and in English; then a tip about a
PACC Region 2 official, described in words, is sent and followed to the office that has it.

Run as a subprocess by tests/browser/test_intake_browser.py (the pytest process is eventlet-patched):
    python tests/browser/accused_types.py BASE_URL SCREENSHOT_DIR
Prints one JSON object with what it saw; exits non-zero on any failure.
"""
from __future__ import annotations

import json
import sys
import time

from place_pickers import pick_place
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}


def options(page) -> dict:
    return page.evaluate("""() => Array.from(document.querySelectorAll('#official_type optgroup')).map(g => ({
        group: g.label,
        options: Array.from(g.querySelectorAll('option')).map(o => [o.value, o.textContent.trim()])}))""")


def main(base: str, shots: str) -> dict:
    seen: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        # JavaScript is on here only to open the list for the screenshot; the form needs none.
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        page = context.new_page()
        for lang in ("th", "en"):
            page.goto(f"{base}/?lang={lang}")
            seen[f"groups_{lang}"] = options(page)
            seen[f"label_{lang}"] = page.text_content("label[for=official_type]")
            seen[f"help_{lang}"] = page.text_content("#official_type_help")
            seen[f"selected_{lang}"] = page.eval_on_selector("#official_type", "s => s.selectedOptions[0].textContent")
            fieldset = page.locator("fieldset", has=page.locator("#official_type"))
            fieldset.scroll_into_view_if_needed()
            fieldset.screenshot(path=f"{shots}/accused-{lang}-closed.png")
            # the list as the phone shows it when opened: every group and type, one per line
            page.eval_on_selector("#official_type", "s => { s.size = s.options.length + 4; }")
            seen[f"select_width_{lang}"] = page.eval_on_selector("#official_type", "s => s.scrollWidth - s.clientWidth")
            fieldset.screenshot(path=f"{shots}/accused-{lang}-open.png")
            seen[f"page_overflows_{lang}"] = page.evaluate(
                "() => document.documentElement.scrollWidth > document.documentElement.clientWidth")

        page.goto(f"{base}/")
        page.select_option("#category", "bribery")
        page.fill("#description", "นิติกรของ ป.ป.ท. เขต 2 เรียกเงินเพื่อไม่ส่งเรื่องร้องเรียนของชาวบ้านต่อ มีบันทึกเสียง")
        page.fill("#event_date", "2026-10-20")
        page.fill("#amount_thb", "50000")
        pick_place(page, "23", "2301", "230101")
        page.fill("#place", "ร้านกาแฟหน้าศาลากลาง")
        page.select_option("#official_type", "unknown")
        page.fill("#accused_name", "นายสมมติ ตัวอย่าง")
        page.fill("#accused_position", "นิติกร")
        page.fill("#accused_org", "สำนักงาน ป.ป.ท. เขต 2")
        with page.expect_navigation():
            page.click("#submit")
        seen["receipt_title"] = page.text_content("h1")
        receipt = page.text_content("#receipt").strip()
        deadline = time.monotonic() + 30
        while True:
            page.goto(f"{base}/status")
            page.fill("#receipt-input", receipt)
            with page.expect_navigation():
                page.click("#check")
            seen["status"] = page.get_attribute("#status", "data-status")
            if seen["status"] not in (None, "submitted") or time.monotonic() > deadline:
                break
            time.sleep(1)
        seen["agency"] = page.text_content("#agency") if page.query_selector("#agency") else page.content()
        page.screenshot(path=f"{shots}/accused-status.png", full_page=True)
        browser.close()
    return seen


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2]), ensure_ascii=False))
