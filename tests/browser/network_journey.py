"""Counts and reports in headless Chromium (JavaScript off):

    coordinator  a network coordinator signs in, lands on the network view (1366×768), exports CSV and JSON
    public       the public statistics page on a phone (390×844), in Thai and in English, and its CSV
    desk         a supervisor's statistics at 1366×768 (nothing wider than the window) and the wide CSV
    auditor      the access log as an auditor, filtered by case and by user

Run by tests/browser/test_network_browser.py in a subprocess (the pytest process is eventlet-patched). The plan
comes as one JSON object on standard input; what was seen goes to standard output as one JSON object.

    python tests/browser/network_journey.py SCREENSHOT_DIR < plan.json
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
        self.seen: dict = {"external_requests": [], "screenshots": [], "failed_responses": []}

    def page(self, viewport, **kw):
        context = self.browser.new_context(**{"java_script_enabled": False, "locale": "th-TH",
                                              "viewport": viewport, "accept_downloads": True, **kw})
        page = context.new_page()
        page.set_default_timeout(20_000)
        bases = (self.plan["desk"], self.plan["intake"])
        page.on("request", lambda r: None if r.url.startswith(bases) else self.seen["external_requests"].append(r.url))
        page.on("response", lambda r: self.seen["failed_responses"].append(f"{r.status} {r.url}")
                if r.status >= 400 else None)
        return page

    def shot(self, page, name: str) -> None:
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)
        self.seen["screenshots"].append(f"{name}.png")

    @staticmethod
    def overflow(page) -> int:
        """How many pixels the page is wider than the window (0: no horizontal scrolling)."""
        width = page.evaluate("document.documentElement.scrollWidth")
        return max(0, width - page.viewport_size["width"])

    def download(self, page, selector: str) -> bytes:
        with page.expect_download() as info:
            page.click(selector)
        return Path(info.value.path()).read_bytes()

    def sign_in(self, username: str, lands_on: str):
        page = self.page(DESK)
        desk = self.plan["desk"]
        page.goto(f"{desk}/login")
        page.fill("#username", username)
        page.fill("#password", self.plan["passwords"][username])
        page.click("#login button[type=submit]")
        page.wait_for_url(f"{desk}{lands_on}")
        return page

    # -- journeys ---------------------------------------------------------------------------------------------
    def coordinator(self) -> None:
        page = self.sign_in(self.plan["coordinator"], "/network")
        self.shot(page, "network-coordinator-1366")
        csv_bytes = self.download(page, "#network-csv")
        json_bytes = self.download(page, "#network-json")
        self.seen["coordinator"] = {
            "nav": page.locator("header nav").inner_text(),
            "total": page.locator("#network-total").inner_text(),
            "places": page.locator("#network-places").inner_text(),
            "states": page.locator("#network-states").inner_text(),
            "volunteers": page.locator("#network-volunteers").inner_text(),
            "overflow": self.overflow(page),
            "csv_bom": csv_bytes[:3] == b"\xef\xbb\xbf",
            "csv": csv_bytes.decode("utf-8-sig"),
            "json": json.loads(json_bytes),
            "inbox_redirects_to": None,
        }
        page.goto(f"{self.plan['desk']}/cases")
        self.seen["coordinator"]["inbox_redirects_to"] = page.url
        page.goto(f"{self.plan['desk']}/stats")
        self.seen["coordinator"]["stats_heading"] = page.locator("main").inner_text()[:200]

    def public(self) -> None:
        page = self.page(PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        intake = self.plan["intake"]
        page.goto(f"{intake}/?lang=th")
        page.click("#nav-statistics")
        page.wait_for_url(f"{intake}/statistics?lang=th")
        page.click("#by-province summary")  # the 77 provinces are folded away until asked for
        self.shot(page, "public-statistics-th-390")
        th = {"total": page.locator("#stats-total").inner_text(), "text": page.locator("main").inner_text(),
              "overflow": self.overflow(page)}
        page.click("#lang-switch")
        page.wait_for_url(f"{intake}/statistics?lang=en")
        page.click("#by-province summary")
        self.shot(page, "public-statistics-en-390")
        en = {"total": page.locator("#stats-total").inner_text(), "text": page.locator("main").inner_text(),
              "overflow": self.overflow(page), "html_lang": page.locator("html").get_attribute("lang")}
        csv_bytes = self.download(page, "#stats-csv")
        self.seen["public"] = {"th": th, "en": en, "csv_bom": csv_bytes[:3] == b"\xef\xbb\xbf",
                               "csv": csv_bytes.decode("utf-8-sig")}
        # axe-core (WCAG 2.2 A/AA) on the public page in both languages: it needs JavaScript, and the CSP
        # bypassed to be injected
        checker = self.page(PHONE, is_mobile=True, has_touch=True, java_script_enabled=True, bypass_csp=True)
        self.seen["axe"] = []
        for lang in ("th", "en"):
            checker.goto(f"{intake}/statistics?lang={lang}")
            self.seen["axe"].append(axe.check(checker, f"public-statistics-{lang}"))

    def desk(self) -> None:
        page = self.sign_in(self.plan["supervisor"], "/cases")
        page.goto(f"{self.plan['desk']}/stats")
        self.shot(page, "desk-statistics-1366")
        wide = self.download(page, "#stats-csv-wide")
        self.seen["desk"] = {"overflow": self.overflow(page), "text": page.locator("main").inner_text(),
                             "wide_csv": wide.decode("utf-8-sig"), "wide_bom": wide[:3] == b"\xef\xbb\xbf",
                             "nav": page.locator("header nav").inner_text()}

    def auditor(self) -> None:
        page = self.sign_in(self.plan["auditor"], "/cases")
        page.click("#nav-access-log")
        page.wait_for_url(f"{self.plan['desk']}/access-log")
        self.shot(page, "access-log-auditor-1366")
        everything = page.locator("#access-log tbody tr").count()
        page.fill("#filter-reference", self.plan["reference"])
        page.click("form.filters button[type=submit]")
        page.wait_for_url("**/access-log?reference=*")
        by_case = page.locator("#access-log").inner_text()
        page.fill("#filter-reference", "")
        page.fill("#filter-user", self.plan["supervisor"])
        page.click("form.filters button[type=submit]")
        page.wait_for_url("**user=*")
        self.shot(page, "access-log-by-user-1366")
        self.seen["auditor"] = {"rows": everything, "by_case": by_case,
                                "by_user": page.locator("#access-log").inner_text(),
                                "by_user_rows": page.locator("#access-log tbody tr").count(),
                                "overflow": self.overflow(page)}


def main() -> None:
    shots = Path(sys.argv[1])
    plan = json.loads(sys.stdin.read())
    with sync_playwright() as p:
        journey = Journey(p, plan, shots)
        journey.coordinator()
        journey.public()
        journey.desk()
        journey.auditor()
        journey.browser.close()
    print(json.dumps(journey.seen, ensure_ascii=False))


if __name__ == "__main__":
    main()
