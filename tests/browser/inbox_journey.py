"""The inbox in headless Chromium (JavaScript off) at a desk (1366×768): a supervisor finds cases by a Thai word,
by reference and by accused organisation, sorts by a column both ways, saves a view and opens it again,
acknowledges several cases at once with one reason, and exports what the filter shows as CSV.

Run by tests/browser/test_inbox_browser.py in a subprocess (the pytest process is eventlet-patched). The plan
(desk URL, username, password, words to look for) comes as one JSON object on standard input; what was seen goes
to standard output as one JSON object.

    python tests/browser/inbox_journey.py SCREENSHOT_DIR < plan.json
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
DESK = {"width": 1366, "height": 768}


def refs(page) -> list[str]:
    return page.locator("table.cases a.ref").all_inner_texts()


def search(page, words: str) -> list[str]:
    page.fill("#search", words)
    with page.expect_navigation():
        page.click("#filters button[type=submit]")
    return refs(page)


def main(shots: Path) -> dict:
    plan = json.loads(sys.stdin.read())
    desk = plan["desk"]
    seen: dict = {"console_errors": [], "failed_responses": [], "external_requests": [], "screenshots": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(java_script_enabled=False, locale="th-TH", viewport=DESK,
                                      accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("console", lambda m: seen["console_errors"].append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: None if r.url.startswith(desk) else seen["external_requests"].append(r.url))
        page.on("response", lambda r: seen["failed_responses"].append(f"{r.status} {r.url}")
                if r.status >= 400 else None)

        page.goto(f"{desk}/login")
        page.fill("#username", plan["username"])
        page.fill("#password", plan["password"])
        page.click("#login button[type=submit]")
        page.wait_for_url(f"{desk}/cases")

        # the inbox as it opens: open cases, nearest deadline first, 25 to a page, all on one screen
        seen["total"] = int(page.locator("#total").inner_text().strip("()"))
        rows = page.locator("table.cases tbody tr")
        seen["rows"] = rows.count()
        seen["rows_on_screen"] = sum(1 for i in range(rows.count())
                                     if (box := rows.nth(i).bounding_box()) and box["y"] + box["height"] <= 768)
        seen["row_heights"] = sorted({round(rows.nth(i).bounding_box()["height"]) for i in range(rows.count())})
        seen["first_row_text"] = rows.first.inner_text()
        seen["countdowns"] = page.locator("table.cases td.due").all_inner_texts()
        seen["filter_form_height"] = page.locator("#filters").bounding_box()["height"]
        seen["sorted_by"] = page.locator("table.cases th.sorted a").get_attribute("id")
        page.screenshot(path=str(shots / "inbox.png"))  # the screen as the user sees it, not the whole page
        seen["screenshots"].append("inbox.png")

        seen["thai_word"] = search(page, plan["thai_word"])
        page.screenshot(path=str(shots / "inbox-search.png"))
        seen["screenshots"].append("inbox-search.png")
        seen["reference"] = search(page, plan["reference"])
        seen["organisation"] = search(page, plan["organisation"])

        # sort by reference: one click ascending, another descending (the query string carries it)
        page.goto(f"{desk}/cases?show=all")
        with page.expect_navigation():
            page.click("#sort-reference")
        seen["sorted_ascending"] = refs(page)
        with page.expect_navigation():
            page.click("#sort-reference")
        seen["sorted_descending"] = refs(page)
        seen["sort_url"] = page.url

        # a saved view: search, name it, come back to it from the list of views
        search(page, plan["view_word"])
        seen["view_results"] = refs(page)
        page.fill("#save-view input[name=name]", plan["view_name"])
        with page.expect_navigation():
            page.click("#save-view button[type=submit]")
        seen["view_notice"] = page.locator(".notice.ok").first.inner_text()
        page.goto(f"{desk}/cases")
        with page.expect_navigation():
            page.click(f"ul.views a.view:text-is('{plan['view_name']}')")
        seen["view_reopened"] = refs(page)

        # acknowledge the view's cases at once, with one reason
        for reference in seen["view_results"]:
            page.check(f"input[name=ref][value='{reference}']")
        page.select_option("#bulk-action", "acknowledge")
        page.fill("#bulk-reason", plan["bulk_reason"])
        with page.expect_navigation():
            page.click("#bulk .bulk-bar button[type=submit]")
        seen["bulk_notice"] = page.locator("#bulk-notice").inner_text()
        seen["statuses_after_bulk"] = page.locator("table.cases td.status").all_inner_texts()
        page.screenshot(path=str(shots / "inbox-bulk.png"))
        seen["screenshots"].append("inbox-bulk.png")

        # the language switch: the same page with the same filters, in English, then back to Thai; the choice
        # holds on the next page (a case), and on a page that answers a form (the sign-in page's typed username)
        page.goto(f"{desk}/cases?show=all&category=bribery&sort=-reference")
        thai_url = page.url
        with page.expect_navigation():
            page.click("#lang-switch")
        lang = seen["language"] = {"url_after_switch": page.url, "thai_url": thai_url,
                                   "html_lang": page.get_attribute("html", "lang"),
                                   "heading": page.locator("h1").inner_text(),
                                   "category_selected": page.locator("select[name=category]").input_value(),
                                   "show_selected": page.locator("#show").input_value(),
                                   "rows": refs(page),
                                   "statuses": page.locator("table.cases td.status").all_inner_texts(),
                                   "nav": page.locator("header.top").inner_text(),
                                   "switch_label": page.locator("#lang-switch").inner_text()}
        page.screenshot(path=str(shots / "inbox-en.png"))
        seen["screenshots"].append("inbox-en.png")
        with page.expect_navigation():
            page.click("table.cases a.ref >> nth=0")
        lang["case_html_lang"] = page.get_attribute("html", "lang")
        lang["case_facts"] = page.locator("#facts").inner_text() if page.locator("#facts").count() else ""
        page.screenshot(path=str(shots / "case-en.png"))
        seen["screenshots"].append("case-en.png")
        with page.expect_navigation():
            page.click("#lang-switch")
        lang["case_back_in_thai"] = page.get_attribute("html", "lang")
        lang["case_url_kept"] = page.url
        page.goto(f"{desk}/cases?show=all&category=bribery&sort=-reference")
        lang["thai_rows"] = refs(page)
        lang["thai_heading"] = page.locator("h1").inner_text()

        # the export of what the filter shows
        page.goto(f"{desk}/cases?show=all")
        with page.expect_download() as info:
            page.click("#export-csv")
        raw = Path(info.value.path()).read_bytes()
        seen["csv_bom"] = raw.startswith(b"\xef\xbb\xbf")
        lines = raw.decode("utf-8-sig").splitlines()
        seen["csv_header"] = lines[0]
        seen["csv_rows"] = len(lines) - 1
        browser.close()
    return seen


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), ensure_ascii=False))
