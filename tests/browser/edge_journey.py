"""In headless Chromium: another site's page that posts a form to intake's status page (a visitor's receipt
attempts, spent by someone else's page) is refused, while intake's own form works; then a caseworker changes
their password on the desk's page.

Run as a subprocess by tests/browser/test_edge_browser.py:
    python tests/browser/edge_journey.py INTAKE_URL EVIL_URL DESK_URL RECEIPT USERNAME PASSWORD NEW SCREENSHOT_DIR
Prints one JSON object with what it saw; exits non-zero on any failure.
"""
from __future__ import annotations

import json
import sys

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def main(intake, evil, desk, receipt, username, password, new, shots) -> dict:
    seen: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_context(viewport={"width": 375, "height": 740}).new_page()

        page.goto(evil)  # another site's page, with a form aimed at intake
        with page.expect_navigation():
            page.click("#go")
        seen["cross_site_status"] = page.evaluate("document.title") and page.text_content("main")
        seen["cross_site_shows_case"] = "SS-" in (page.content())
        page.screenshot(path=f"{shots}/1-cross-site-refused.png", full_page=True)

        page.goto(f"{intake}/status")  # intake's own form: works
        page.fill("input[name=receipt]", receipt)
        with page.expect_navigation():
            page.click("button[type=submit]")
        seen["own_form_shows_case"] = "SS-" in page.content()
        page.screenshot(path=f"{shots}/2-own-form.png", full_page=True)

        desk_page = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
        desk_page.goto(f"{desk}/login")
        desk_page.fill("#username", username)
        desk_page.fill("#password", password)
        with desk_page.expect_navigation():
            desk_page.click("button[type=submit]")
        desk_page.click("#nav-me")
        desk_page.click("#me-password")
        desk_page.wait_for_selector("#password-form")
        desk_page.fill("#current_password", password)
        desk_page.fill("#new_password", "aaaaaaaaaaaa")
        with desk_page.expect_navigation():
            desk_page.click("#password-form button[type=submit]")
        seen["weak_refused"] = desk_page.text_content("main")
        desk_page.screenshot(path=f"{shots}/3-weak-password.png", full_page=True)
        desk_page.fill("#current_password", password)
        desk_page.fill("#new_password", new)
        with desk_page.expect_navigation():
            desk_page.click("#password-form button[type=submit]")
        seen["changed"] = desk_page.text_content("main")
        desk_page.screenshot(path=f"{shots}/4-password-changed.png", full_page=True)
        browser.close()
    return seen


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:9]), ensure_ascii=False))
