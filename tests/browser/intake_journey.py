"""A tipster on a phone, in headless Chromium with JavaScript off: fill the form, send, read the receipt,
download the proof of filing, check the status with the receipt, add information, switch to English.

Run as a subprocess by tests/browser/test_intake_browser.py (the pytest process is eventlet-patched):
    python tests/browser/intake_journey.py BASE_URL PHOTO_PATH SCREENSHOT_DIR
Prints one JSON object with what it saw; exits non-zero on any failure.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from place_pickers import pick_place
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def main(base: str, photo: str, shots: str) -> dict:
    seen: dict = {"external_requests": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(java_script_enabled=False, accept_downloads=True,
                                      viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.on("request", lambda r: None if r.url.startswith(base) else seen["external_requests"].append(r.url))

        page.goto(f"{base}/")
        seen["form_title"] = page.text_content("h1")
        seen["html_lang"] = page.get_attribute("html", "lang")
        page.select_option("#category", "bribery")
        page.fill("#description", "เจ้าหน้าที่ อบต. เรียกรับเงิน 3,000 บาท เพื่ออนุมัติใบอนุญาตก่อสร้างบ้าน")
        pick_place(page, "23", "2301", "230101")
        page.select_option("#official_type", "local_executive")
        page.fill("#accused_position", "ปลัด อบต.")
        page.set_input_files("#attachments", photo)
        page.screenshot(path=f"{shots}/1-form.png", full_page=True)
        with page.expect_navigation():
            page.click("#submit")
        seen["receipt_title"] = page.text_content("h1")
        seen["reference"] = page.text_content("#reference").strip()
        receipt = page.text_content("#receipt").strip()
        seen["receipt_digits"] = len(receipt.replace(" ", ""))
        seen["warning"] = page.text_content(".warning")
        seen["receipt_url_has_no_receipt"] = receipt.replace(" ", "") not in page.url
        page.screenshot(path=f"{shots}/2-receipt.png", full_page=True)

        with page.expect_download() as download_info:
            page.click("#proof")
        proof_path = download_info.value.path()
        proof = Path(proof_path).read_text(encoding="utf-8")
        seen["proof_has_reference"] = seen["reference"] in proof
        seen["proof_has_no_receipt"] = receipt.replace(" ", "") not in proof.replace(" ", "")
        seen["proof_has_no_content"] = "เรียกรับเงิน" not in proof

        page.goto(f"{base}/status")
        page.fill("#receipt-input", receipt)
        with page.expect_navigation():
            page.click("#check")
        seen["status_reference"] = page.text_content("#reference").strip()
        seen["status"] = page.get_attribute("#status", "data-status")
        seen["timeline"] = [li.get_attribute("data-status") for li in page.query_selector_all("#timeline li")]
        seen["status_url_has_no_receipt"] = receipt.replace(" ", "") not in page.url
        page.screenshot(path=f"{shots}/3-status.png", full_page=True)

        page.fill("#info", "มีพยานเห็นเหตุการณ์อีกหนึ่งคน")
        with page.expect_navigation():
            page.click("#send-info")
        seen["message_notice"] = page.text_content("#notice")

        page.click("#lang-switch")
        seen["english_title"] = page.text_content("h1")
        seen["english_lang"] = page.get_attribute("html", "lang")
        page.goto(f"{base}/?lang=en")
        seen["english_form_title"] = page.text_content("h1")
        page.screenshot(path=f"{shots}/4-english.png", full_page=True)

        # a mistake is explained in Thai and English and what was typed is kept
        page.goto(f"{base}/")
        page.select_option("#category", "bribery")
        page.fill("#description", "สั้นไป" + " " * 8)  # under the 10 characters the form asks for, once trimmed
        page.select_option("#province", "23")
        with page.expect_navigation():
            page.click("#submit")
        seen["error_box"] = page.text_content("#errors") if page.query_selector("#errors") else None
        seen["kept_description"] = page.input_value("#description")
        browser.close()
    return seen


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], sys.argv[3]), ensure_ascii=False))
