"""The offices a desk user may pick when handing a case on (transfer, referral, triage decision), with their
names: read from the public agency directory that routing ships (services/routing/jurisdiction/agencies.yaml).

Only codes and names are read, never contacts; routing still decides (and may refuse) where a case goes, so a
stale name here misleads nobody about where a tip ends up. The file is read once per process.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from shared import geography

DIRECTORY = Path(__file__).resolve().parents[2] / "routing" / "jurisdiction" / "agencies.yaml"


@lru_cache(maxsize=1)
def directory() -> tuple[dict, ...]:
    """Every office: {"code", "th", "en", "group", "province"}, national and regional offices first."""
    try:
        data = yaml.safe_load(DIRECTORY.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return ()
    out = [{"code": str(o["code"]), "th": str(o["name_th"]), "en": str(o["name_en"]), "group": "national",
            "province": None} for o in data.get("offices") or [] if o.get("code")]
    for template in data.get("per_province") or []:
        skip = {str(s).zfill(2) for s in template.get("skip") or []}
        names = template.get("names_by_province") or {}
        group = str(template["code"]).split("-{")[0]
        for code in geography.province_codes():
            area = geography.province(code)
            if code in skip or area is None:
                continue
            own = names.get(code) or names.get(int(code)) or {}
            fill = {"province": code, "name_th": area.name_th, "name_en": area.name_en}
            out.append({"code": str(template["code"]).format(**fill),
                        "th": str(own.get("name_th") or template["name_th"]).format(**fill),
                        "en": str(own.get("name_en") or template["name_en"]).format(**fill),
                        "group": group, "province": code})
    return tuple(out)


def names() -> dict[str, dict[str, str]]:
    """Office code → {"th", "en"}."""
    return {o["code"]: {"th": o["th"], "en": o["en"]} for o in directory()}


def choices(province_code: str | None, *, exclude: str | None = None) -> list[dict]:
    """The picker's options: national and regional offices, then the case's own province's offices, then every
    other province's, each group in the directory's order; `exclude` (the case's own office) left out."""
    offices = [o for o in directory() if o["code"] != exclude]
    national = [o for o in offices if o["group"] == "national"]
    local = [o for o in offices if o["province"] and o["province"] == province_code]
    rest = [o for o in offices if o["province"] and o["province"] != province_code]
    return ([{**o, "section": "national"} for o in national] + [{**o, "section": "local"} for o in local]
            + [{**o, "section": "other"} for o in rest])
