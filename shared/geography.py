"""Thailand's administrative areas (DOPA codes), from the `geothai` package's bundled data.

Province codes are two digits (Trat = "23", Bangkok = "10"), districts four, subdistricts six.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import geothai

BANGKOK = "10"


@dataclass(frozen=True)
class Area:
    code: str
    name_th: str
    name_en: str


@cache
def province(code: str) -> Area | None:
    found = geothai.province(str(code))
    return Area(found.code, found.name_th, found.name_en) if found else None


def known_province(code: str) -> Area:
    """A province the caller knows exists (a code from province_codes() or checked data)."""
    found = province(code)
    if found is None:
        raise KeyError(f"no province {code!r}")
    return found


@cache
def district(code: str) -> Area | None:
    found = geothai.district(str(code))
    return Area(found.code, found.name_th, found.name_en) if found else None


@cache
def subdistrict(code: str) -> Area | None:
    found = geothai.subdistrict(str(code))
    return Area(found.code, found.name_th, found.name_en) if found else None


@lru_cache(maxsize=1)
def province_codes() -> tuple[str, ...]:
    return tuple(sorted(p.code for p in geothai.provinces()))


def location_problems(province_code, district_code=None, subdistrict_code=None) -> dict[str, str]:
    """Check that the codes exist and nest inside each other.

    Returns {field_name: message_key}; empty when the location is consistent.
    """
    problems: dict[str, str] = {}
    if province(province_code) is None:
        problems["province_code"] = "geo.unknown_province"
        return problems
    if district_code is not None:
        if district(district_code) is None:
            problems["district_code"] = "geo.unknown_district"
        elif not str(district_code).startswith(str(province_code)):
            problems["district_code"] = "geo.district_not_in_province"
    if subdistrict_code is not None:
        if subdistrict(subdistrict_code) is None:
            problems["subdistrict_code"] = "geo.unknown_subdistrict"
        elif district_code is not None and not str(subdistrict_code).startswith(str(district_code)):
            problems["subdistrict_code"] = "geo.subdistrict_not_in_district"
        elif not str(subdistrict_code).startswith(str(province_code)):
            problems["subdistrict_code"] = "geo.subdistrict_not_in_province"
    return problems
