"""Three journeys in headless Chromium (JavaScript off), each staff member at a desk (1366×768) and the tipster on
a phone (390×844):

    transfer  a caseworker transfers a case to another office; the sending office sees its read-only record,
              its supervisor follows it from "Handed on"; the receiving office works it; the tipster sees it
    triage    a triage officer decides the coordinating office is competent itself; a caseworker there works it
    closure   a caseworker proposes closing with a reason for the tipster; the supervisor rejects it, then
              closes it with a reason in Thai and English; the tipster reads why, in Thai and in English

Run by tests/browser/test_handover_closure_browser.py in a subprocess (the pytest process is eventlet-patched). The
plan (URLs, reference, receipt, accounts and passwords) comes as one JSON object on standard input; what was
seen goes to standard output as one JSON object.

    python tests/browser/handover_closure_flow.py transfer SCREENSHOT_DIR < plan.json
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


class Journey:
    def __init__(self, p, plan: dict, shots: Path):
        self.browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        self.plan, self.shots = plan, shots
        self.seen: dict = {"console_errors": [], "external_requests": [], "screenshots": [], "failed_responses": []}

    def _context(self, viewport, **kw):
        context = self.browser.new_context(java_script_enabled=False, locale="th-TH", viewport=viewport, **kw)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("console", lambda m: self.seen["console_errors"].append(m.text) if m.type == "error" else None)
        bases = (self.plan["desk"], self.plan["intake"])
        page.on("request", lambda r: None if r.url.startswith(bases) else self.seen["external_requests"].append(r.url))
        page.on("response", lambda r: self.seen["failed_responses"].append(f"{r.status} {r.url}")
                if r.status >= 400 else None)
        return page

    def shot(self, page, name: str) -> None:
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)
        self.seen["screenshots"].append(f"{name}.png")

    # -- the desk ---------------------------------------------------------------------------------------------
    def desk(self, username: str):
        page = self._context(DESK)
        desk = self.plan["desk"]
        page.goto(f"{desk}/login")
        page.fill("#username", username)
        page.fill("#password", self.plan["passwords"][username])
        page.click("#login button[type=submit]")
        page.wait_for_url(f"{desk}/cases")
        return page

    def open_case(self, page, until=None, timeout: float = 30.0):
        """Open the case page; reload until `until(page)` holds (events travel between services)."""
        url = f"{self.plan['desk']}/cases/{self.plan['reference']}"
        deadline = time.monotonic() + timeout
        while True:
            page.goto(url)
            if until is None or until(page):
                return page
            if time.monotonic() > deadline:
                says = page.locator("main").inner_text()[:500]
                raise AssertionError(f"{url}: condition not reached; page says {says}")
            time.sleep(0.5)

    @staticmethod
    def status_of(page) -> str | None:
        loc = page.locator("#case-status")
        return loc.get_attribute("data-status") if loc.count() else None

    def transition(self, page, to: str, reason: str, **fields) -> str:
        """Through the case page's focused form for `to`: acknowledge, close (propose), hand over, move on."""
        if to == "acknowledged":
            form, reason_box = "#acknowledge", "#ack-reason"
        elif to == "closed":
            form, reason_box = "#close", "#close-reason"
            page.click("#closure > summary")
            page.select_option("#resolution", fields["resolution"])
        elif to in ("transferred", "referred"):
            form, reason_box = "#handover-form", "#handover-reason"
            page.click("#handover > summary")
            page.check(f"#handover-form input[name=to][value={to}]")
        else:
            form, reason_box = "#move", "#move-reason"
            page.click("#move-box > summary")
            page.select_option("#move-to", to)
        for name in ("tipster_reason", "tipster_reason_en"):
            if fields.get(name):
                page.fill(f"#{name}", fields[name])
        if fields.get("suggested_office"):
            page.select_option("#suggested_office", fields["suggested_office"])
        page.fill(reason_box, reason)
        with page.expect_navigation():
            page.click(f"{form} button[type=submit]")
        return page.locator(".notice.ok, .notice.error").first.inner_text()

    # -- the tipster --------------------------------------------------------------------------------------------
    def tipster(self, until, lang: str = "th", timeout: float = 30.0):
        page = self._context(PHONE, is_mobile=True, has_touch=True)
        deadline = time.monotonic() + timeout
        while True:
            page.goto(f"{self.plan['intake']}/status?lang={lang}")
            page.fill("#receipt-input", self.plan["receipt"])
            with page.expect_navigation():
                page.click("#check")
            if until(page):
                return page
            if time.monotonic() > deadline:
                raise AssertionError(f"tipster status not reached: {page.locator('main').inner_text()[:500]}")
            time.sleep(0.5)

    @staticmethod
    def tipster_view(page) -> dict:
        return {"status": page.get_attribute("#status", "data-status"),
                "status_text": page.text_content("#status").strip(),
                "agency": page.text_content("#agency").strip(),
                "timeline": [li.get_attribute("data-status") for li in page.query_selector_all("#timeline li")],
                "timeline_text": page.text_content("#timeline"),
                "closure": page.text_content("#closure") if page.query_selector("#closure") else None,
                "closure_reason": (page.text_content("#closure-reason").strip()
                                   if page.query_selector("#closure-reason") else None)}


def transfer(j: Journey) -> None:
    plan, seen = j.plan, j.seen
    cw = j.open_case(j.desk(plan["sender"]))
    cw.click("#write-note > summary")
    cw.fill("#note textarea", plan["internal_note"])
    with cw.expect_navigation():
        cw.click("#note button[type=submit]")
    seen["notice_after_transfer"] = j.transition(cw, "transferred", plan["transfer_reason"],
                                                 suggested_office=plan["to_office"])
    seen["status_after_transfer"] = j.status_of(cw)
    j.shot(cw, "b1-sender-transfer-saved")
    # routing moves it: the same address now shows the office's read-only record (not a 404)
    j.open_case(cw, lambda p: p.locator("#handover-record").count() == 1)
    seen["record_destination"] = cw.locator("#handover-record td.destination").first.get_attribute("data-office")
    seen["record_text"] = cw.locator("main").inner_text()
    seen["record_forms"] = cw.locator("main form").count()
    j.shot(cw, "b2-sender-record")

    sup = j.desk(plan["sender_supervisor"])
    sup.click("#nav-handovers")
    sup.wait_for_url(f"{plan['desk']}/handovers")
    seen["supervisor_handovers"] = sup.locator("#handovers a.ref").all_inner_texts()
    seen["supervisor_handovers_text"] = sup.locator("#handovers").inner_text()
    j.shot(sup, "b3-supervisor-handed-on")

    rc = j.desk(plan["receiver"])
    seen["receiver_inbox"] = rc.locator("table.cases a.ref").all_inner_texts()
    rc.click(f"table.cases a.ref:text-is('{plan['reference']}')")
    rc.wait_for_url(f"{plan['desk']}/cases/{plan['reference']}")
    seen["receiver_page_text"] = rc.locator("main").inner_text()
    seen["receiver_notice"] = j.transition(rc, "acknowledged", plan["receiver_reason"])
    seen["receiver_status"] = j.status_of(rc)
    j.shot(rc, "b4-receiver-acknowledged")

    # the sending office sees where it stands now
    j.open_case(sup, lambda p: j.status_of(p) == "acknowledged")
    seen["supervisor_record_status"] = j.status_of(sup)
    j.shot(sup, "b5-supervisor-record-current")

    phone = j.tipster(lambda p: p.get_attribute("#status", "data-status") == "acknowledged")
    seen["tipster"] = j.tipster_view(phone)
    j.shot(phone, "b6-tipster-status")


def triage(j: Journey) -> None:
    plan, seen = j.plan, j.seen
    phone = j.tipster(lambda p: p.get_attribute("#status", "data-status") == "triage")
    seen["tipster_before"] = j.tipster_view(phone)
    j.shot(phone, "c1-tipster-triage")

    tri = j.open_case(j.desk(plan["triage_officer"]))
    seen["triage_badge"] = tri.locator(".case-head .badge").all_inner_texts()
    tri.click("#handover > summary")
    tri.select_option("#triage-office", plan["office"])
    tri.fill("#triage-reason", plan["triage_reason"])
    j.shot(tri, "c2-triage-decision")
    with tri.expect_navigation():
        tri.click("#triage button[type=submit]")
    seen["triage_notice"] = tri.locator(".notice.ok, .notice.error").first.inner_text()
    j.open_case(tri, lambda p: p.locator("#handover-record").count() == 1)
    seen["triage_record_text"] = tri.locator("main").inner_text()
    j.shot(tri, "c3-triage-record")

    cw = j.desk(plan["caseworker"])
    seen["caseworker_inbox"] = cw.locator("table.cases a.ref").all_inner_texts()
    j.open_case(cw)
    seen["caseworker_badges"] = cw.locator(".case-head .badge").all_inner_texts()
    seen["caseworker_notice"] = j.transition(cw, "acknowledged", plan["caseworker_reason"])
    seen["caseworker_status"] = j.status_of(cw)
    j.shot(cw, "c4-caseworker-acknowledged")

    phone = j.tipster(lambda p: p.get_attribute("#status", "data-status") == "acknowledged")
    seen["tipster"] = j.tipster_view(phone)
    j.shot(phone, "c5-tipster-status")


def closure(j: Journey) -> None:
    plan, seen = j.plan, j.seen
    cw = j.open_case(j.desk(plan["caseworker"]))
    j.transition(cw, "acknowledged", "รับเรื่องไว้ตรวจสอบ")
    seen["proposal_notice"] = j.transition(cw, "closed", plan["proposal_reason"], resolution=plan["resolution"],
                                           tipster_reason=plan["tipster_reason"])
    seen["status_after_proposal"] = j.status_of(cw)
    j.shot(cw, "d1-caseworker-proposed")

    sup = j.open_case(j.desk(plan["supervisor"]))
    seen["pending_text"] = sup.locator("section.pending").inner_text()
    j.shot(sup, "d2-supervisor-pending")
    sup.fill("#reject-reason", plan["rejection_reason"])
    with sup.expect_navigation():
        sup.click("#reject-closure button[type=submit]")
    seen["rejection_notice"] = sup.locator(".notice.ok").inner_text()
    seen["status_after_rejection"] = j.status_of(sup)
    seen["pending_after_rejection"] = sup.locator("section.pending").count()
    seen["timeline_kinds"] = [li.get_attribute("data-kind") for li in sup.locator("#timeline li").all()]
    j.shot(sup, "d3-supervisor-rejected")

    seen["close_notice"] = j.transition(sup, "closed", plan["close_reason"], resolution=plan["resolution"],
                                        tipster_reason=plan["tipster_reason"],
                                        tipster_reason_en=plan["tipster_reason_en"])
    seen["status_after_close"] = j.status_of(sup)
    seen["desk_closure_reason"] = sup.locator("#closure-reason").inner_text()
    j.shot(sup, "d4-supervisor-closed")

    phone = j.tipster(lambda p: p.get_attribute("#status", "data-status") == "closed")
    seen["tipster"] = j.tipster_view(phone)
    j.shot(phone, "d5-tipster-closed-th")
    phone = j.tipster(lambda p: p.get_attribute("#status", "data-status") == "closed", lang="en")
    seen["tipster_en"] = j.tipster_view(phone)
    j.shot(phone, "d6-tipster-closed-en")


def main(journey: str, shots: str) -> dict:
    plan = json.loads(sys.stdin.read())
    with sync_playwright() as p:
        j = Journey(p, plan, Path(shots))
        {"transfer": transfer, "triage": triage, "closure": closure}[journey](j)
        j.browser.close()
    return j.seen


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2]), ensure_ascii=False))
