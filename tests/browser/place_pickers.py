"""Choosing a place on the report form, with or without JavaScript (for the browser journeys).

Without JavaScript the form shows the next list after its "show districts" step (a form post that keeps
everything typed); with it, the lists fill themselves."""
from __future__ import annotations


def _step(page) -> None:
    if page.is_visible("#show-places"):
        with page.expect_navigation():
            page.click("#show-places")


def pick_place(page, province: str, district: str | None = None, subdistrict: str | None = None) -> None:
    page.select_option("#province", province)
    if district:
        _step(page)
        page.select_option("#district", district)
    if subdistrict:
        _step(page)
        page.select_option("#subdistrict", subdistrict)
