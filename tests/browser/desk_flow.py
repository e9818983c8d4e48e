"""Drive the desk in headless Chromium (Debian's `chromium` package) with JavaScript switched off, as a
caseworker would: sign in, find the case in the inbox, open it, acknowledge it with a reason, read the timeline.

Run by tests/browser/test_casework_browser.py in a subprocess (the pytest process is eventlet-patched, which
Playwright's own event loop does not survive). The password comes on standard input; the observations go to
standard output as one JSON object.

    python tests/browser/desk_flow.py --desk http://127.0.0.1:8001 --username somchai --reference SS-XXXX-XXXX \\
        [--screenshots DIR] < password
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
REASON = "รับเรื่องไว้พิจารณาแล้ว จะตรวจสอบเอกสารที่ดินต่อไป"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--desk", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--reference", required=True)
    parser.add_argument("--screenshots", default=None)
    args = parser.parse_args()
    password = sys.stdin.readline().rstrip("\n")
    shots = Path(args.screenshots) if args.screenshots else None
    seen: dict = {"console_errors": []}

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(java_script_enabled=False, locale="th-TH")  # the desk needs no JS
        page = context.new_page()
        page.on("console", lambda m: seen["console_errors"].append(m.text) if m.type == "error" else None)
        page.set_default_timeout(15_000)

        page.goto(f"{args.desk}/cases")
        seen["unauthenticated_url"] = page.url
        page.fill("#username", args.username)
        page.fill("#password", password)
        page.click("#login button[type=submit]")
        page.wait_for_url(f"{args.desk}/cases")
        seen["inbox_references"] = page.locator("table.cases a.ref").all_inner_texts()
        seen["inbox_heading"] = page.locator("h1").inner_text()
        if shots:
            page.screenshot(path=str(shots / "inbox.png"), full_page=True)

        # search the sealed case text by a Thai word of the description (blind index), then a word it lacks
        page.fill("#search", "โฉนด")
        page.click("#filters button[type=submit]")
        page.wait_for_url("**/cases?*q=*")
        seen["search_references"] = page.locator("table.cases a.ref").all_inner_texts()
        seen["search_value"] = page.locator("#search").input_value()
        if shots:
            page.screenshot(path=str(shots / "search.png"), full_page=True)
        page.fill("#search", "โรงพยาบาล")
        page.click("#filters button[type=submit]")
        page.wait_for_load_state()
        seen["search_miss_references"] = page.locator("table.cases a.ref").all_inner_texts()
        page.goto(f"{args.desk}/cases")

        page.click(f"table.cases a.ref:text-is('{args.reference}')")
        page.wait_for_url(f"{args.desk}/cases/{args.reference}")
        seen["status_before"] = page.locator("#case-status").get_attribute("data-status")
        seen["description"] = page.locator(".description").inner_text()
        seen["action_forms"] = [f.get_attribute("id") for f in page.locator("#status form").all()]

        # the reason is required: the browser itself refuses an empty one (no script involved)
        page.fill("#ack-reason", "")
        page.click("#acknowledge button[type=submit]")
        seen["url_after_empty_reason"] = page.url
        seen["reason_invalid_when_empty"] = page.locator("#ack-reason:invalid").count() == 1

        page.fill("#ack-reason", REASON)
        page.click("#acknowledge button[type=submit]")
        page.wait_for_url(f"{args.desk}/cases/{args.reference}?ok=case.acknowledged#status")
        seen["notice"] = page.locator(".notice.ok").inner_text()
        seen["status_after"] = page.locator("#case-status").get_attribute("data-status")
        seen["status_text"] = page.locator("#case-status").inner_text()
        seen["timeline_kinds"] = [li.get_attribute("data-kind") for li in page.locator("#timeline li").all()]
        seen["timeline_to"] = [li.get_attribute("data-to") for li in page.locator("#timeline li").all()]
        seen["timeline_text"] = page.locator("#timeline").inner_text()
        if shots:
            page.screenshot(path=str(shots / "case.png"), full_page=True)

        page.goto(f"{args.desk}/stats")
        seen["stats_heading"] = page.locator("h1").inner_text()
        if shots:
            page.screenshot(path=str(shots / "stats.png"), full_page=True)
        page.click("header form button[type=submit]")  # sign out
        page.wait_for_url(f"{args.desk}/login?ok=session.signed_out")
        page.goto(f"{args.desk}/cases/{args.reference}")
        seen["after_sign_out_url"] = page.url
        browser.close()

    print(json.dumps(seen, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
