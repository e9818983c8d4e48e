"""Where a tip happened, read from what a LINE user sends: a shared location's address, or names typed or picked.

LINE's location message carries a title, an address in words and the coordinates. The address names the
subdistrict, district and province in Thai or English (with or without "ต."/"อ."/"จ." prefixes), often with a
postal code; we look for the areas' names in it, narrowed by the postal code when there is one.
"""
from __future__ import annotations

import re
from functools import lru_cache

import geothai

_PREFIXES = re.compile(r"^(จังหวัด|จ\.|อำเภอ|อ\.|เขต|ตำบล|ต\.|แขวง|province|district|amphoe|tambon)\s*",
                       re.IGNORECASE)


@lru_cache(maxsize=1)
def provinces() -> list[dict]:
    return sorted(({"code": p.code, "th": p.name_th, "en": p.name_en} for p in geothai.provinces()),
                  key=lambda p: p["th"])


@lru_cache(maxsize=128)
def districts(province_code: str) -> list[dict]:
    return sorted(({"code": d.code, "th": d.name_th, "en": d.name_en}
                   for d in geothai.districts(str(province_code))), key=lambda d: d["th"])


@lru_cache(maxsize=512)
def subdistricts(district_code: str) -> list[dict]:
    return sorted(({"code": s.code, "th": s.name_th, "en": s.name_en}
                   for s in geothai.subdistricts(str(district_code))), key=lambda s: s["th"])


def name_of(level: str, code: str | None, lang: str = "th") -> str | None:
    if not code:
        return None
    found = {"province": geothai.province, "district": geothai.district, "subdistrict": geothai.subdistrict}[level](code)
    if found is None:
        return None
    return found.name_th if lang == "th" else found.name_en


def _norm(text: str) -> str:
    text = re.sub(r"\s+", " ", (text or "").strip().lower())
    return _PREFIXES.sub("", text)


def find(options: list[dict], typed: str) -> dict | None:
    """The option a person typed: an exact name (Thai or English, prefixes ignored), else the only one that
    starts with what was typed."""
    wanted = _norm(typed)
    if not wanted:
        return None
    for option in options:
        if wanted in (option["th"].lower(), option["en"].lower()):
            return option
    if wanted in ("เมือง", "mueang", "muang"):
        capital = [o for o in options if o["th"].startswith("เมือง")]
        if len(capital) == 1:
            return capital[0]
    starts = [o for o in options if o["th"].lower().startswith(wanted) or o["en"].lower().startswith(wanted)]
    return starts[0] if len(starts) == 1 else None


def _mentions(text: str, name: str) -> bool:
    return bool(name) and name.lower() in text


def from_address(address: str | None) -> dict:
    """{province_code, district_code, subdistrict_code} read from an address in words (codes may be None)."""
    text = (address or "").lower()
    if not text:
        return {}
    found: dict = {}
    postal = re.findall(r"(?<!\d)(\d{5})(?!\d)", text)
    candidates = []
    for code in postal:
        candidates.extend(geothai.by_postal_code(code))
    provinces_here = [p for p in provinces() if _mentions(text, p["th"]) or _mentions(text, p["en"])]
    if candidates:
        codes = {c.province_code for c in candidates}
        named = [p for p in provinces_here if p["code"] in codes]
        province = named[0]["code"] if named else (next(iter(codes)) if len(codes) == 1 else None)
    else:
        # the longest name wins ("ตราด" is inside "เมืองตราด", which is a district of Trat anyway)
        province = max(provinces_here, key=lambda p: len(p["th"]))["code"] if provinces_here else None
    if province is None:
        return {}
    found["province_code"] = province
    in_text = [d for d in districts(province) if _mentions(text, d["th"]) or _mentions(text, d["en"])]
    if not in_text and re.search(r"(อ\.|อำเภอ)\s*เมือง|mueang", text):
        in_text = [d for d in districts(province) if d["th"].startswith("เมือง")]
    if candidates:
        district_codes = {c.district_code for c in candidates if c.province_code == province}
        in_text = [d for d in in_text if d["code"] in district_codes] or in_text
    if in_text:
        district = max(in_text, key=lambda d: len(d["th"]))
        found["district_code"] = district["code"]
        subs = [s for s in subdistricts(district["code"]) if _mentions(text, s["th"]) or _mentions(text, s["en"])]
        # a subdistrict named like its district ("ตราด" in "เมืองตราด") only counts with a tambon prefix
        subs = [s for s in subs if s["th"] not in district["th"] or re.search(rf"(ต\.|ตำบล|แขวง)\s*{re.escape(s['th'])}", text)]
        if candidates:
            sub_codes = {c.code for c in candidates}
            subs = [s for s in subs if s["code"] in sub_codes] or subs
        if subs:
            found["subdistrict_code"] = max(subs, key=lambda s: len(s["th"]))["code"]
    return found


def describe(location: dict, lang: str = "th") -> str:
    """Human words for a draft's location: subdistrict, district, province (and the place text, if any)."""
    parts = []
    labels = {"th": ("ต.", "อ.", "จ."), "en": ("", "", "")}[lang if lang in ("th", "en") else "th"]
    if lang == "th" and location.get("province_code") == "10":
        labels = ("แขวง", "", "")  # Bangkok: แขวง and เขต (the district's name already says เขต)
    for (level, key), prefix in zip((("subdistrict", "subdistrict_code"), ("district", "district_code"),
                                     ("province", "province_code")), labels):
        name = name_of(level, location.get(key), lang)
        if name:
            parts.append(f"{prefix}{name}")
    words = " ".join(parts) if lang == "th" else ", ".join(parts)
    if location.get("place"):
        words = f"{location['place']} ({words})" if words else location["place"]
    return words
