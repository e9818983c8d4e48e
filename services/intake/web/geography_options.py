"""Choices for the web form's place pickers: provinces, a province's districts, a district's subdistricts, each
with its Thai and English name (from geothai's bundled data). Without JavaScript the form shows the next list
after a step of the form; with it, the page asks `places()` for the lists of one province at a time."""
from __future__ import annotations

from functools import lru_cache

import geothai


def _sorted(areas) -> list[dict]:
    return sorted(({"code": a.code, "name_th": a.name_th, "name_en": a.name_en} for a in areas),
                  key=lambda a: a["name_th"])


@lru_cache(maxsize=1)
def provinces() -> list[dict]:
    return _sorted(geothai.provinces())


@lru_cache(maxsize=128)
def districts(province_code: str | None) -> list[dict]:
    if not province_code or not geothai.province(str(province_code)):
        return []
    return _sorted(geothai.districts(str(province_code)))


@lru_cache(maxsize=1024)
def subdistricts(district_code: str | None) -> list[dict]:
    if not district_code or not geothai.district(str(district_code)):
        return []
    return _sorted(geothai.subdistricts(str(district_code)))


def places(province_code: str | None) -> dict:
    """One province's districts, each with its subdistricts (what the page's script needs after a choice)."""
    return {"districts": [dict(d, subdistricts=subdistricts(d["code"])) for d in districts(province_code)]}
