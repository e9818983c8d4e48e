"""The whole conversation in headless Chromium, JavaScript off: a tipster on a phone (390×844) files with every
field, a date and a photo and keeps the receipt; a caseworker at 1366×768 signs in, opens the case, downloads the
photo and asks a question; the tipster answers with another file on the status page; the caseworker sees the
answer and the file in the thread and writes a note for the tipster; the tipster reads it in the thread.

Run as a subprocess by tests/browser/test_conversation_browser.py (the pytest process is eventlet-patched):
    python tests/browser/conversation_journey.py --intake URL --desk URL --username U --photo P --document D
        --out DIR < password
Prints one JSON object with what it saw; screenshots and the downloaded photo go to DIR.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

from place_pickers import pick_place
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
DESCRIPTION = ("นายช่างโยธาของแขวงทางหลวงชนบท เรียกรับเงิน 20,000 บาทจากผู้รับเหมา เพื่อให้ผ่านการตรวจรับงาน"
               "ถนนลูกรังหมู่ 3 ที่ยังสร้างไม่เสร็จ มีภาพถ่ายถนนและสำเนาใบตรวจรับ")
QUESTION = "ท่านทราบชื่อผู้รับเหมาหรือเลขที่สัญญาหรือไม่"
ANSWER = "บริษัท ตราดรุ่งเรืองก่อสร้าง สัญญาเลขที่ 12/2569 แนบสำเนาใบตรวจรับมาด้วย"
NOTE = "ได้รับสำเนาใบตรวจรับแล้ว เจ้าหน้าที่กำลังตรวจสอบกับสำนักงานท้องถิ่นจังหวัด"


def until(page, check, reload, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
        reload()


def main() -> int:
    ap = argparse.ArgumentParser()
    for name in ("--intake", "--desk", "--username", "--photo", "--document", "--out"):
        ap.add_argument(name, required=True)
    args = ap.parse_args()
    password = sys.stdin.readline().rstrip("\n")
    out = Path(args.out)
    seen: dict = {"external_requests": [], "console_errors": [], "failed_responses": []}

    def shot(page, name):
        page.screenshot(path=str(out / f"{name}.png"), full_page=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        phone = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844},
                                    is_mobile=True, has_touch=True, locale="th-TH")
        desk = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768},
                                   accept_downloads=True, locale="th-TH")
        for ctx in (phone, desk):
            ctx.set_default_timeout(15_000)
        tipster, worker = phone.new_page(), desk.new_page()
        try:
            journey(args, password, out, seen, tipster, worker, shot)
        except Exception:
            shot(tipster, "failed-tipster")
            shot(worker, "failed-desk")
            raise
        browser.close()

    print(json.dumps(seen, ensure_ascii=False))
    return 0


def journey(args, password, out, seen, tipster, worker, shot):
    if True:
        for page in (tipster, worker):
            page.on("request", lambda r: None if r.url.startswith((args.intake, args.desk))
                    else seen["external_requests"].append(r.url))
            page.on("console", lambda m: seen["console_errors"].append(m.text) if m.type == "error" else None)
            page.on("response", lambda r: seen.setdefault("failed_responses", []).append(f"{r.status} {r.url}")
                    if r.status >= 400 else None)

        # 1. the tipster files, every field
        tipster.goto(f"{args.intake}/")
        tipster.select_option("#category", "bribery")
        tipster.fill("#description", DESCRIPTION)
        tipster.fill("#event_date", "2026-10-15")
        tipster.fill("#amount_thb", "20000")
        pick_place(tipster, "23", "2301", "230101")
        tipster.fill("#place", "ถนนลูกรังหมู่ 3 ต.บางพระ")
        tipster.select_option("#official_type", "state_official")
        tipster.fill("#accused_name", "นายสมปอง ตัวอย่าง")
        tipster.fill("#accused_position", "นายช่างโยธาชำนาญงาน")
        tipster.fill("#accused_org", "แขวงทางหลวงชนบทตราด")
        tipster.set_input_files("#attachments", args.photo)
        tipster.check("#anon-no")
        tipster.fill("#r_name", "นางสาวมะลิ ทดสอบ")
        tipster.fill("#r_phone", "0812345678")
        tipster.fill("#r_email", "mali@example.org")
        tipster.fill("#r_line", "mali.test")
        tipster.check("input[name='reporter.notify_via'][value='email']")
        tipster.check("input[name='reporter.consent_to_contact']")
        shot(tipster, "1-tipster-form")
        with tipster.expect_navigation():
            tipster.click("#submit")
        seen["receipt_heading"] = tipster.text_content("h1")
        reference = tipster.text_content("#reference").strip()
        receipt = tipster.text_content("#receipt").strip().replace(" ", "")
        seen["reference"], seen["receipt_digits"] = reference, len(receipt)
        shot(tipster, "2-tipster-receipt")

        def tipster_status():
            tipster.goto(f"{args.intake}/status")
            tipster.fill("#receipt-input", receipt)
            with tipster.expect_navigation():
                tipster.click("#check")

        # 2. the caseworker signs in and opens the case
        worker.goto(f"{args.desk}/login")
        worker.fill("#username", args.username)
        worker.fill("#password", password)
        worker.click("#login button[type=submit]")
        worker.wait_for_url(f"{args.desk}/cases")
        until(worker, lambda: worker.locator(f"table.cases a.ref:text-is('{reference}')").count() == 1,
              worker.reload)
        worker.click(f"table.cases a.ref:text-is('{reference}')")
        worker.wait_for_url(f"{args.desk}/cases/{reference}")
        case_url = worker.url
        seen["case_event_date"] = worker.locator("dl.facts").inner_text()
        photo_link = "#conversation [data-kind='files'] a.file"
        until(worker, lambda: worker.locator(photo_link).count() == 1, worker.reload)
        seen["photo_link_text"] = worker.locator(photo_link).inner_text()
        shot(worker, "3-desk-case")
        with worker.expect_download() as download:
            worker.click(photo_link)
        saved = out / "downloaded-photo.jpg"
        download.value.save_as(str(saved))
        seen["download_sha256"] = hashlib.sha256(saved.read_bytes()).hexdigest()
        seen["download_suggested_name"] = download.value.suggested_filename
        seen["desk_url_after_download"] = worker.url

        worker.click("#ask > summary")
        worker.fill("#question-text", QUESTION)
        with worker.expect_navigation():
            worker.click("#question button[type=submit]")
        seen["question_notice"] = worker.locator(".notice.ok").inner_text()
        shot(worker, "4-desk-question-asked")

        # 3. the tipster sees the question and answers it with a file
        tipster_status()
        until(tipster, lambda: tipster.locator("#thread [data-kind='question']").count() == 1, tipster_status)
        seen["tipster_question"] = tipster.locator("#thread [data-kind='question'] .text").inner_text()
        shot(tipster, "5-tipster-question")
        tipster.fill("#answer-1", ANSWER)
        tipster.set_input_files("#answer-files-1", args.document)
        with tipster.expect_navigation():
            tipster.click("#q-1 form button[type=submit]")
        seen["answer_notice"] = tipster.text_content("#notice")
        seen["tipster_thread_after_answer"] = [li.get_attribute("data-kind")
                                               for li in tipster.query_selector_all("#thread > li")]
        shot(tipster, "6-tipster-answered")

        # 4. the caseworker sees the answer and its file in the thread, and writes to the tipster
        worker.goto(case_url)
        until(worker, lambda: worker.locator("#conversation [data-kind='answer']").count() == 1, worker.reload)
        answer = worker.locator("#conversation [data-kind='answer']")
        seen["desk_answer_text"] = answer.locator(".text").inner_text()
        seen["desk_answer_files"] = answer.locator("a.file").all_inner_texts()
        seen["desk_thread"] = [a.get_attribute("data-kind") for a in worker.locator("#conversation article").all()]
        seen["desk_thread_text"] = worker.locator("#conversation").inner_text()
        shot(worker, "7-desk-answer")
        worker.click("#write-note > summary")
        worker.check("#note input[value='tipster_visible']")
        worker.fill("#note textarea[name='text']", NOTE)
        with worker.expect_navigation():
            worker.click("#note button[type=submit]")
        seen["desk_thread_after_note"] = [a.get_attribute("data-kind")
                                          for a in worker.locator("#conversation article").all()]
        shot(worker, "8-desk-note")

        # 5. the tipster reads the office's note in the thread
        tipster_status()
        until(tipster, lambda: tipster.locator("#thread [data-kind='note']").count() == 1, tipster_status)
        seen["tipster_thread"] = [li.get_attribute("data-kind") for li in tipster.query_selector_all("#thread > li")]
        seen["tipster_note"] = tipster.locator("#thread [data-kind='note'] .text").inner_text()
        seen["tipster_thread_text"] = tipster.locator("#thread").inner_text()
        shot(tipster, "9-tipster-note")

        # the feedback deadline is met once intake has recorded the note
        worker.goto(case_url)
        until(worker, lambda: "แจ้งแล้ว" in worker.locator("table.deadlines").inner_text(), worker.reload)
        seen["deadlines_text"] = worker.locator("table.deadlines").inner_text()
        shot(worker, "10-desk-feedback-met")


if __name__ == "__main__":
    sys.exit(main())
