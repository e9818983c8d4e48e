"""The case page worked end to end in headless Chromium at 1366×768: a tipster files a realistic Thai tip with
every field, an amount and two files; a supervisor writes a reply template; a caseworker opens the case,
acknowledges it, asks the tipster with the template (picked without JavaScript: a server round trip fills the
text box), writes an internal note and a note for the tipster; the supervisor assigns the case by name from the
staff picker and extends the feedback deadline; the caseworker proposes closing; the supervisor approves it.

After each action the page says what happened, at the part of the page the form belongs to; the visible text of
every case page is kept for the caller to scan for raw codes. Screenshots (viewport and full page) and each
page's height go to --out.

Run as a subprocess by tests/browser/test_case_page_browser.py (the pytest process is eventlet-patched):
    python tests/browser/case_page_journey.py --intake URL --desk URL --photo P --document D --out DIR < password
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from place_pickers import pick_place
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
DESCRIPTION = ("นายก อบต.ท่าพริก เรียกรับเงิน 20,000 บาท จากผู้ขออนุญาตก่อสร้างโรงเรือนเลี้ยงไก่ "
               "โดยบอกว่าถ้าไม่จ่ายจะไม่ออกใบอนุญาตให้ภายในเดือนนี้ ผู้แจ้งโอนเงินผ่านบัญชีของญาตินายก "
               "มีสลิปโอนเงินและภาพถ่ายหน้าที่ทำการ อบต. แนบมาด้วย")
TEMPLATE_TITLE = "ขอหลักฐานการโอนเงิน"
TEMPLATE_TH = "ท่านมีสำเนาสลิปโอนเงินหรือเลขที่บัญชีผู้รับเงินหรือไม่ กรุณาส่งเพิ่มเติมทางหน้าติดตามเรื่อง"
TEMPLATE_EN = "Do you have a copy of the transfer slip or the receiving account number? Please add it."
INTERNAL_NOTE = "ตรวจสอบทะเบียนใบอนุญาตก่อสร้างของ อบต.ท่าพริก ปี 2569 แล้ว ยังไม่พบคำขอของผู้แจ้ง"
TIPSTER_NOTE = "เจ้าหน้าที่ได้รับเรื่องและกำลังตรวจสอบเอกสารกับ อบต. แล้ว"


def until(check, reload, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
        reload()
    return True


def main() -> int:
    ap = argparse.ArgumentParser()
    for name in ("--intake", "--desk", "--photo", "--document", "--out"):
        ap.add_argument(name, required=True)
    args = ap.parse_args()
    password = sys.stdin.readline().rstrip("\n")
    out = Path(args.out)
    seen: dict = {"console_errors": [], "failed_responses": [], "texts": {}, "heights": {}, "notices": {},
                  "landed": {}}

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        contexts = []

        def context(**kw):
            ctx = browser.new_context(java_script_enabled=False, locale="th-TH", **kw)
            ctx.set_default_timeout(15_000)
            contexts.append(ctx)
            page = ctx.new_page()
            page.on("console", lambda m: seen["console_errors"].append(m.text) if m.type == "error" else None)
            page.on("response", lambda r: seen["failed_responses"].append(f"{r.status} {r.url}")
                    if r.status >= 400 else None)
            return page

        tipster = context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        worker = context(viewport={"width": 1366, "height": 768})
        boss = context(viewport={"width": 1366, "height": 768})
        try:
            journey(args, password, out, seen, tipster, worker, boss)
        except Exception:
            for name, page in (("tipster", tipster), ("worker", worker), ("boss", boss)):
                page.screenshot(path=str(out / f"failed-{name}.png"), full_page=True)
            raise
        browser.close()
    print(json.dumps(seen, ensure_ascii=False))
    return 0


def journey(args, password, out, seen, tipster, worker, boss):
    desk = args.desk

    def shot(page, name):
        page.screenshot(path=str(out / f"{name}.png"))
        page.screenshot(path=str(out / f"{name}-full.png"), full_page=True)
        seen["heights"][name] = _png_height(out / f"{name}-full.png")  # CSS pixels: the scale factor is 1

    def read(page, name):
        seen["texts"][name] = page.locator("body").inner_text()

    def act(page, form, name):
        """Submit `form`; keep the message the page comes back with and where it landed."""
        with page.expect_navigation():
            page.click(f"{form} button[type=submit]")
        seen["notices"][name] = page.locator(".notice").first.inner_text()
        seen["landed"][name] = page.url.split("?", 1)[-1]
        read(page, name)

    # 1. the tipster files, every field, an amount and two files
    tipster.goto(f"{args.intake}/")
    tipster.select_option("#category", "bribery")
    tipster.fill("#description", DESCRIPTION)
    tipster.fill("#event_date", "2026-10-05")
    tipster.fill("#amount_thb", "20000")
    pick_place(tipster, "23", "2301", "230101")
    tipster.fill("#place", "ที่ทำการ อบต.ท่าพริก หมู่ 2")
    tipster.select_option("#official_type", "local_executive")
    tipster.fill("#accused_name", "นายสมมุติ ใจร้าย")
    tipster.fill("#accused_position", "นายกองค์การบริหารส่วนตำบล")
    tipster.fill("#accused_org", "องค์การบริหารส่วนตำบลท่าพริก")
    tipster.set_input_files("#attachments", [args.photo, args.document])
    with tipster.expect_navigation():
        tipster.click("#submit")
    reference = tipster.text_content("#reference").strip()
    seen["reference"] = reference
    case_url = f"{desk}/cases/{reference}"

    def sign_in(page, username):
        page.goto(f"{desk}/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("#login button[type=submit]")
        page.wait_for_url(f"{desk}/cases")

    # 2. the supervisor writes a reply template for the office
    sign_in(boss, "supat")
    boss.goto(f"{desk}/templates")
    boss.select_option("#template-kind", "question")
    boss.fill("#template-title", TEMPLATE_TITLE)
    boss.fill("#template-th", TEMPLATE_TH)
    boss.fill("#template-en", TEMPLATE_EN)
    act(boss, "#template-form", "template_saved")
    seen["templates_page"] = boss.locator("#templates").inner_text()

    # 3. the caseworker opens the case (events travel: wait for it) and reads it
    sign_in(worker, "somchai")
    worker.goto(case_url)
    until(lambda: worker.locator("#case-status").count() == 1
          and worker.locator("#fact-evidence a.file").count() == 2, lambda: worker.goto(case_url))
    read(worker, "opened")
    seen["facts"] = worker.locator("#facts").inner_text()
    seen["deadlines"] = worker.locator("#deadlines").inner_text()
    seen["ask_open_at_first"] = worker.locator("#ask").get_attribute("open") is not None
    shot(worker, "case-new")

    # 4. acknowledge
    act(worker, "#acknowledge", "acknowledged")
    seen["status_after_ack"] = worker.locator("#case-status").get_attribute("data-status")

    # 5. ask with the template: picked, inserted by a round trip, sent
    worker.click("#ask > summary")
    worker.select_option("#question-template", label=TEMPLATE_TITLE)
    with worker.expect_navigation():
        worker.click("#ask form.template-pick button[type=submit]")
    seen["question_filled"] = worker.locator("#question-text").input_value()
    seen["question_en_filled"] = worker.locator("#question-text-en").input_value()
    act(worker, "#question", "question_sent")

    # 6. an internal note, then a note for the tipster
    worker.click("#write-note > summary")
    worker.fill("#note-text", INTERNAL_NOTE)
    act(worker, "#note", "internal_note")
    worker.click("#write-note > summary")
    worker.check("#note input[value='tipster_visible']")
    worker.fill("#note-text", TIPSTER_NOTE)
    act(worker, "#note", "tipster_note")
    seen["internal_notes"] = worker.locator("#notes").inner_text()

    # 7. the supervisor assigns by name from the picker, and extends the feedback deadline
    boss.goto(case_url)
    seen["assignee_options"] = boss.locator("#assignee option").all_inner_texts()
    boss.select_option("#assignee", label=next(o for o in seen["assignee_options"] if o.startswith("สมชาย")))
    act(boss, "#assign", "assigned")
    boss.click("#extend-box > summary")
    boss.fill("#months", "6")
    boss.fill("#extend-reason", "ต้องสอบปากคำพยานเพิ่มเติมและขอเอกสารจากธนาคาร")
    act(boss, "#extend", "extended")
    seen["deadlines_after_extension"] = boss.locator("#deadlines").inner_text()
    seen["handover_offices"] = boss.locator("#suggested_office option").count()
    seen["handover_office_sample"] = (boss.locator("#suggested_office optgroup").nth(1).text_content() or "")[:300]

    # 8. the caseworker proposes closing; the supervisor approves
    worker.goto(case_url)
    shot(worker, "case-worked")
    worker.click("#closure > summary")
    worker.select_option("#resolution", "substantiated")
    worker.fill("#tipster_reason", "ตรวจสอบแล้วพบมูล ส่งเรื่องเข้าสู่การไต่สวนข้อเท็จจริงแล้ว")
    worker.fill("#tipster_reason_en", "The report was found substantiated and has gone to a fact-finding inquiry.")
    worker.fill("#close-reason", "หลักฐานการโอนเงินตรงกับคำให้การ")
    act(worker, "#close", "proposed")
    boss.goto(case_url)
    read(boss, "pending")
    shot(boss, "case-pending-closure")
    boss.fill("#approve-reason", "เห็นชอบตามที่เสนอ")
    act(boss, "#approve-closure", "approved")
    seen["status_after_approval"] = boss.locator("#case-status").get_attribute("data-status")
    seen["timeline"] = boss.locator("#timeline").inner_text()
    shot(boss, "case-closed")


def _png_height(path: Path) -> int:
    """A PNG's height, from its header (no imaging library needed)."""
    data = path.read_bytes()[16:24]
    return int.from_bytes(data[4:8], "big")


if __name__ == "__main__":
    sys.exit(main())
