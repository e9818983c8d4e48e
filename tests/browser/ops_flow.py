"""Drive the operator page in headless Chromium (Debian's `chromium` package) with JavaScript switched off, as an
operator would: sign in, follow the link to the operations page, read its tables, press "Redrive" on a dead letter.

Run by tests/browser/test_ops_browser.py in a subprocess (the pytest process is eventlet-patched, which
Playwright's own event loop does not survive). The password comes on standard input; the observations go to
standard output as one JSON object.

    python tests/browser/ops_flow.py --desk http://127.0.0.1:8001 --username ops-somsri \\
        --letter-service routing --letter-id 1 [--screenshots DIR] < password
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--desk", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--letter-service", required=True)
    parser.add_argument("--letter-id", required=True)
    parser.add_argument("--screenshots", default=None)
    args = parser.parse_args()
    password = sys.stdin.readline().rstrip("\n")
    shots = Path(args.screenshots) if args.screenshots else None
    seen: dict = {"console_errors": [], "requests": []}
    row = f"#dead-letters tr[data-service='{args.letter_service}'][data-id='{args.letter_id}']"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(java_script_enabled=False, locale="th-TH")  # the page needs no JS
        page = context.new_page()
        page.on("console", lambda m: seen["console_errors"].append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: seen["requests"].append(r.url))
        page.set_default_timeout(15_000)

        page.goto(f"{args.desk}/ops")
        seen["unauthenticated_url"] = page.url
        page.fill("#username", args.username)
        page.fill("#password", password)
        page.click("#login button[type=submit]")
        page.wait_for_url(f"{args.desk}/cases")
        page.click("#nav-ops")
        page.wait_for_url(f"{args.desk}/ops")

        seen["refresh"] = page.locator("meta[http-equiv=refresh]").get_attribute("content")
        seen["heading"] = page.locator("h1").inner_text()
        seen["section_headings"] = page.locator("main h2").all_inner_texts()
        seen["tables"] = [t.get_attribute("id") for t in page.locator("table").all()]
        seen["services"] = [r.get_attribute("data-service") for r in page.locator("#services tbody tr").all()]
        seen["queues"] = len(page.locator("#queues tbody tr").all())
        seen["flags"] = sorted({f.get_attribute("data-flag") for f in page.locator("#attention .flag").all()})
        seen["letter_status_before"] = page.locator(row).get_attribute("data-status")
        seen["letter_text"] = page.locator(row).inner_text()
        seen["delivery_rows"] = [r.get_attribute("data-status")
                                 for r in page.locator("#delivery-problems tbody tr").all()]
        seen["page_text"] = page.locator("body").inner_text()
        if shots:
            page.screenshot(path=str(shots / "ops.png"), full_page=True)

        page.click(f"{row} form.redrive button[type=submit]")
        page.wait_for_url(f"{args.desk}/ops?ok=ops.redrive_requested")
        seen["notice"] = page.locator(".notice.ok").inner_text()
        seen["letter_status_after"] = (page.locator(row).get_attribute("data-status")
                                       if page.locator(row).count() else None)
        seen["redrive_buttons_for_letter"] = page.locator(f"{row} form.redrive").count()
        if shots:
            page.screenshot(path=str(shots / "ops-after-redrive.png"), full_page=True)

        page.click("header form button[type=submit]")  # sign out
        page.wait_for_url(f"{args.desk}/login?ok=session.signed_out")
        browser.close()

    print(json.dumps(seen, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
