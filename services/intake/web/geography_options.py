"""Choices for the web form: provinces by Thai name (districts and subdistricts are typed as DOPA codes, so the
form needs no JavaScript to narrow a list of 7,000 subdistricts)."""
from __future__ import annotations

from functools import lru_cache

import geothai


@lru_cache(maxsize=1)
def provinces() -> list[dict]:
    return sorted(({"code": p.code, "name_th": p.name_th, "name_en": p.name_en} for p in geothai.provinces()),
                  key=lambda p: p["name_th"])
