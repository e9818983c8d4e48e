"""Drive the desk's account pages in headless Chromium (JavaScript off, 1366×768), as an agency admin and the
caseworker they create would: create (an unknown office refused), reset the password with the one-time link,
disable and enable, unlock after too many failed sign-ins; the caseworker changes their password and turns on
two-step sign-in by reading the QR code's secret, then signs in with a code; the navigation each role sees.

Run by tests/browser/test_accounts_browser.py in a subprocess (Playwright's loop does not survive eventlet). The
passwords come on standard input as one JSON object; the observations go to standard output as one JSON object.

    python tests/browser/accounts_flow.py --desk http://127.0.0.1:8001 --screenshots DIR < passwords.json
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pyotp
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
NAV = ("inbox", "overdue", "handovers", "file", "stats", "accounts", "ops")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--desk", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    secrets = json.loads(sys.stdin.readline())
    desk, shots = args.desk, Path(args.screenshots)
    seen: dict = {"console_errors": [], "nav": {}}

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def new_page():
            context = browser.new_context(java_script_enabled=False, locale="th-TH",
                                          viewport={"width": 1366, "height": 768})
            page = context.new_page()
            # refusals answer 400/401/403/429 on purpose; anything else logged as an error is a fault
            page.on("console", lambda m: seen["console_errors"].append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
            page.set_default_timeout(20_000)
            return page

        def sign_in(page, username, password, totp=None):
            page.goto(f"{desk}/login")
            page.fill("#username", username)
            page.fill("#password", password)
            if totp:
                page.fill("#totp", totp)
            with page.expect_navigation():
                page.click("#login button[type=submit]")
            return page.url

        def nav_of(page):
            return [n for n in NAV if page.locator(f"#nav-{n}").count()]

        def shot(page, name):
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

        def submit(page, form_id):
            with page.expect_navigation():
                page.click(f"#{form_id} button[type=submit]")

        # -- the agency admin ---------------------------------------------------------------------------------------
        admin = new_page()
        sign_in(admin, "r2admin", secrets["r2admin"])
        seen["nav"]["agency_admin"] = nav_of(admin)
        seen["admin_home"] = admin.locator("main").inner_text()
        admin.click("#nav-accounts")
        admin.wait_for_url(f"{desk}/accounts")
        shot(admin, "accounts-list")

        def create(office):
            admin.fill("#new-username", "somchai")
            admin.fill("#new-display-name", "สมชาย ใจดี")
            admin.fill("#new-office", office)
            admin.select_option("#new-role", "caseworker")
            admin.fill("#new-password", secrets["first"])
            admin.fill("#new-email", "somchai@pacc.go.th")
            submit(admin, "create-form")

        create("PACC-R99")
        seen["unknown_office"] = admin.locator(".notice.error").inner_text()
        seen["unknown_office_kept_username"] = admin.locator("#new-username").input_value()
        shot(admin, "accounts-office-refused")
        create("PACC-R2")
        seen["created_url"] = admin.url
        seen["created_notice"] = admin.locator(".notice.ok").inner_text()
        seen["created_facts"] = admin.locator("#account-facts").inner_text()
        seen["role_options"] = [o.get_attribute("value") for o in admin.locator("#role-select option").all()]
        shot(admin, "account-created")
        submit(admin, "reset-form")
        link = admin.locator("#reset-link").inner_text().strip()
        seen["reset_link"] = link
        seen["reset_code"] = admin.locator("#reset-code").inner_text().strip()
        shot(admin, "account-reset-issued")

        # -- the caseworker follows the link ------------------------------------------------------------------------
        user = new_page()
        link = desk + link[link.index("/password-reset"):]   # desk_url is the default here, not the test's port
        user.goto(link)
        seen["reset_prefilled"] = [user.locator("#username").input_value(), user.locator("#code").input_value()]
        user.fill("#new_password", secrets["reset"])
        submit(user, "password-form")
        seen["after_reset_url"] = user.url
        seen["after_reset_notice"] = user.locator(".notice.ok").inner_text()
        user.goto(link)                                   # the same link again: used up
        user.fill("#new_password", secrets["third"])
        submit(user, "password-form")
        seen["reused_link"] = user.locator(".notice.error").inner_text()

        # -- disable, enable ----------------------------------------------------------------------------------------
        admin.goto(f"{desk}/accounts/somchai")
        submit(admin, "disable-form")
        seen["disabled_state"] = admin.locator("#account-state").inner_text()
        seen["disabled_notice"] = admin.locator(".notice.ok").inner_text()
        sign_in(user, "somchai", secrets["reset"])
        seen["disabled_sign_in"] = user.locator(".notice.error").inner_text()
        submit(admin, "enable-form")
        seen["enabled_state"] = admin.locator("#account-state").inner_text()

        # -- too many failures, then the admin unlocks --------------------------------------------------------------
        for _ in range(4):
            sign_in(user, "somchai", "not the password at all")
        sign_in(user, "somchai", secrets["reset"])        # the right password, but the limit is reached
        seen["throttled"] = user.locator(".notice.error").inner_text()
        admin.reload()
        seen["failures_shown"] = admin.locator("#account-failures").inner_text()
        shot(admin, "account-locked")
        submit(admin, "unlock-form")
        seen["unlocked_notice"] = admin.locator(".notice.ok").inner_text()
        seen["after_unlock_url"] = sign_in(user, "somchai", secrets["reset"])
        seen["nav"]["caseworker"] = nav_of(user)

        # -- the caseworker's own page: password, then two-step sign-in ---------------------------------------------
        user.click("#nav-me")
        user.click("#me-password")
        user.fill("#current_password", secrets["reset"])
        user.fill("#new_password", secrets["own"])
        submit(user, "password-form")
        seen["own_change"] = user.locator(".notice.ok").inner_text()
        user.goto(f"{desk}/me")
        submit(user, "totp-start-form")
        seen["qr_svg"] = user.locator("#totp-qr svg").count()
        secret = user.locator("#totp-secret").inner_text().strip()
        shot(user, "me-totp-qr")
        user.fill("#totp-code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
        submit(user, "totp-confirm-form")
        seen["totp_wrong"] = user.locator(".notice.error").inner_text()
        user.fill("#totp-code", pyotp.TOTP(secret).now())
        submit(user, "totp-confirm-form")
        seen["totp_on"] = user.locator(".notice.ok").inner_text()
        seen["totp_state"] = user.locator("#totp-state").inner_text()
        shot(user, "me-totp-on")
        with user.expect_navigation():
            user.click("header form button[type=submit]")
        seen["without_code"] = sign_in(user, "somchai", secrets["own"])
        # the confirming code is used up: the next step's code (accepted within one step of drift)
        seen["with_code"] = sign_in(user, "somchai", secrets["own"], pyotp.TOTP(secret).at(time.time() + 30))

        # -- what the operator's navigation shows -------------------------------------------------------------------
        operator = new_page()
        sign_in(operator, "ops1", secrets["ops1"])
        seen["nav"]["operator"] = nav_of(operator)
        seen["operator_accounts_status"] = operator.goto(f"{desk}/accounts").status
        seen["caseworker_accounts_status"] = user.goto(f"{desk}/accounts").status
        browser.close()

    print(json.dumps(seen, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
