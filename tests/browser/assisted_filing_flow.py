"""Filing on someone's behalf, in headless Chromium (Debian's `chromium`):

    staff      at a desk (1366×768, JavaScript off): a hotline officer signs in, opens "File for someone", records
               a tip received by phone (Thai text, every optional field, a file, the caller's contact) and reads
               the receipt from the slip; the English form is looked at too
    volunteer  on a phone (390×844): a volunteer signs in once (one account), files for a citizen, looks at the
               slip as it prints, files another from the slip and sees the status of the tips they filed, in
               Thai and in English

Run by tests/browser/test_assisted_filing_browser.py in a subprocess (the pytest process is eventlet-patched). The
plan (URLs, usernames, passwords) comes as one JSON object on standard input; what was seen goes to standard
output as one JSON object.

    python tests/browser/assisted_filing_flow.py staff SCREENSHOT_DIR < plan.json
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
        "--disable-component-update", "--disable-sync"]
DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


class Journey:
    def __init__(self, p, plan: dict, shots: Path):
        self.browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        self.plan, self.shots = plan, shots
        self.seen: dict = {"console_errors": [], "external_requests": [], "screenshots": [], "failed_responses": [],
                           "urls": [], "axe": []}

    def page(self, viewport, javascript: bool, bypass_csp: bool = False):
        context = self.browser.new_context(java_script_enabled=javascript, locale="th-TH", viewport=viewport,
                                           is_mobile=viewport is PHONE, has_touch=viewport is PHONE,
                                           bypass_csp=bypass_csp)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("console", lambda m: self.seen["console_errors"].append(m.text) if m.type == "error" else None)
        bases = (self.plan["desk"], self.plan["intake"])
        page.on("request", lambda r: self.seen["urls"].append(r.url) if r.url.startswith(bases)
                else self.seen["external_requests"].append(r.url))
        page.on("response", lambda r: self.seen["failed_responses"].append(f"{r.status} {r.url}")
                if r.status >= 400 else None)
        return page

    def shot(self, page, name: str) -> None:
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)
        self.seen["screenshots"].append(f"{name}.png")

    def sign_in(self, page, username: str) -> None:
        page.goto(f"{self.plan['desk']}/login")
        page.fill("#username", username)
        page.fill("#password", self.plan["passwords"][username])
        page.click("#login button[type=submit]")
        page.wait_for_load_state()

    def open_form(self, page, lang: str = "th") -> None:
        page.check(f"#open-filing input[name=lang][value={lang}]")
        page.click("#open-form")
        page.wait_for_url(f"{self.plan['intake']}/assisted")

    def slip(self, page) -> dict:
        return {"reference": page.locator("#reference").inner_text().strip(),
                "receipt": page.locator("#receipt").inner_text().strip(),
                "channel": page.locator("#channel").get_attribute("data-channel"),
                "url": page.url}

    # -- an office's staff: a tip received by phone ---------------------------------------------------------------
    def staff(self) -> dict:
        plan = self.plan
        page = self.page(DESK, javascript=False)
        self.sign_in(page, plan["staff"])
        self.seen["staff_landing"] = page.url
        page.click("#nav-file")
        page.wait_for_url(f"{plan['desk']}/file")
        self.seen["desk_page_heading"] = page.locator("h1").inner_text()
        self.shot(page, "staff-desk-file-th")
        self.open_form(page)
        self.seen["form_heading"] = page.locator("h1").inner_text()
        self.seen["channel_choices"] = [e.get_attribute("value") for e in page.locator("input[name=channel]").all()]
        self.seen["my_tips_shown"] = page.locator("#my-tips").count()
        self.shot(page, "staff-form-empty-th")

        page.check("#channel-phone")
        page.select_option("#category", "bribery")
        page.fill("#description", plan["description"])
        page.fill("#event_date", "2026-10-14")
        page.fill("#amount_thb", "5000")
        # the public form's place pickers: a province, then its districts, then the district's subdistricts
        # (each list a step of the form, what was typed kept)
        page.select_option("#province", "23")
        with page.expect_navigation():
            page.click("#show-places")
        page.select_option("#district", "2301")
        with page.expect_navigation():
            page.click("#show-places")
        page.select_option("#subdistrict", "230101")
        self.seen["kept_after_steps"] = page.input_value("#description")
        page.fill("#place", "ร้านกาแฟหน้าสำนักงานที่ดินจังหวัดตราด")
        page.select_option("#official_type", "state_official")
        page.fill("#accused_name", "นายสมศักดิ์ (นามสมมุติ)")
        page.fill("#accused_position", "เจ้าพนักงานที่ดินชำนาญการ")
        page.fill("#accused_org", "สำนักงานที่ดินจังหวัดตราด")
        page.set_input_files("#attachments", files=[{"name": "บันทึกการโทร.txt", "mimeType": "text/plain",
                                                     "buffer": "ผู้แจ้งโทรมาเวลา 09:15 น.\n".encode()}])
        page.check("#gives-contact")
        page.fill("#r_name", "นางสาวมาลี ใจกล้า")
        page.fill("#r_phone", "081-234-5678")
        page.fill("#r_email", "malee@example.com")
        page.fill("#r_line", "malee.trat")
        page.check("#notify-sms")
        page.check("#notify-email")
        page.check("#consent")
        self.shot(page, "staff-form-filled-th")
        page.click("#submit")
        page.wait_for_url(f"{plan['intake']}/assisted/report?lang=th")
        self.seen["slip"] = self.slip(page)
        self.seen["slip_text"] = page.locator("main").inner_text()
        self.shot(page, "staff-slip-th")

        # the same form in English (from the slip's "File another", then the language switch)
        page.click("#another")
        page.wait_for_url(f"{plan['intake']}/assisted")
        page.click("#lang-switch")
        page.wait_for_load_state()
        self.seen["english_heading"] = page.locator("h1").inner_text()
        self.shot(page, "staff-form-en")
        self.seen["back_to_desk"] = page.locator("#to-desk").get_attribute("href")
        # a letter, recorded in English
        page.check("#channel-letter")
        page.select_option("#category", "procurement")
        page.fill("#description", "A letter says the district office split a road contract to avoid open bidding.")
        page.select_option("#province", "23")
        page.click("#submit")
        page.wait_for_url(f"{plan['intake']}/assisted/report?lang=en")
        self.seen["letter_slip"] = self.slip(page)
        self.seen["letter_slip_text"] = page.locator("#slip").inner_text()
        self.shot(page, "staff-slip-en")
        return self.seen

    # -- a volunteer on a phone -----------------------------------------------------------------------------------
    def volunteer(self) -> dict:
        plan = self.plan
        # the slip's Print button is the only script there is; the CSP is bypassed so that axe-core can be injected
        page = self.page(PHONE, javascript=True, bypass_csp=True)
        self.sign_in(page, plan["volunteer"])
        self.seen["volunteer_landing"] = page.url
        self.shot(page, "volunteer-desk-th")
        self.seen["axe"].append(axe.check(page, "volunteer-desk-th"))
        self.open_form(page)
        self.seen["my_tips_before"] = page.locator("#my-tips li").count()
        self.seen["channel_choices"] = page.locator("input[name=channel]").count()
        self.shot(page, "volunteer-form-th")
        self.seen["axe"].append(axe.check(page, "volunteer-form-th"))
        page.select_option("#category", "abuse_of_power")
        page.fill("#description", plan["volunteer_description"])
        self.seen["area_choices"] = [o.get_attribute("value") for o in page.locator("#subdistrict option").all()]
        page.select_option("#subdistrict", "230101")
        page.fill("#accused_position", "ผู้ใหญ่บ้าน")
        page.check("#anonymous")
        page.click("#submit")
        page.wait_for_url(f"{plan['intake']}/assisted/report?lang=th")
        self.seen["slip"] = self.slip(page)
        self.seen["print_button_visible"] = page.locator("#print").is_visible()
        self.shot(page, "volunteer-slip-th")
        self.seen["axe"].append(axe.check(page, "volunteer-slip-th"))
        page.emulate_media(media="print")
        self.seen["print_hidden_controls"] = not page.locator("#another").is_visible()
        self.seen["print_receipt_visible"] = page.locator("#receipt").is_visible()
        self.shot(page, "volunteer-slip-print-th")
        page.emulate_media(media="screen")

        page.click("#another")
        page.wait_for_url(f"{plan['intake']}/assisted")
        self.seen["my_tips"] = [{"reference": li.get_attribute("data-reference"),
                                 "status": li.get_attribute("data-status"), "text": li.inner_text()}
                                for li in page.locator("#my-tips li").all()]
        page.locator("#my-tips").scroll_into_view_if_needed()
        self.shot(page, "volunteer-my-tips-th")
        self.seen["axe"].append(axe.check(page, "volunteer-my-tips-th"))
        page.click("#lang-switch")
        page.wait_for_load_state()
        self.seen["english_heading"] = page.locator("h1").inner_text()
        self.seen["my_tips_en"] = page.locator("#my-tips").inner_text()
        self.shot(page, "volunteer-form-en")
        self.seen["axe"].append(axe.check(page, "volunteer-form-en"))
        self.seen["page_text"] = page.locator("main").inner_text()
        return self.seen


def main() -> int:
    journey, shots = sys.argv[1], Path(sys.argv[2])
    plan = json.loads(sys.stdin.read())
    with sync_playwright() as p:
        seen = getattr(Journey(p, plan, shots), journey)()
    print(json.dumps(seen, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
