"""The network coordinators' view: for a volunteer network's area, how many tips were filed per subdistrict and
month, the state each has reached, who of the network's volunteers (those whose area lies in the network's; no
other network's) filed how many, and the median time to
acknowledgement — counts only, never a tip's content, reference or office, every count below k suppressed by
`shared.small_counts` (the rule the public statistics page uses too).

Casework computes it because casework holds what it counts: each case with its location codes (inside its facts),
its state and the moments it was acknowledged and closed, and the volunteer who filed it (intake's volunteer
registry reaches casework through `volunteer.registered` / `volunteer.disabled`). Coordinators sign in to the
desk like staff. The facts are read only for the location's codes.
"""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from datetime import datetime

from services.casework.domain import network as networks
from services.casework.domain.errors import NotFound
from services.casework.domain.lifecycle import STATES, staff_label
from services.casework.usecases.accounts import aware
from shared import geography, small_counts
from shared.clock import iso_utc, local, month_label

DIRECT = "direct"  # tips filed without a volunteer
OTHERS = "others"  # tips in the area filed by volunteers of other areas (counted, never named)
UNSPECIFIED_LABEL = {"th": "ไม่ระบุตำบล", "en": "Subdistrict not given"}
DIRECT_LABEL = {"th": "ผู้แจ้งแจ้งเอง (ไม่ผ่านอาสาสมัคร)", "en": "Filed by the tipster (no volunteer)"}
OTHERS_LABEL = {"th": "อาสาสมัครนอกเครือข่าย", "en": "Volunteers of other areas"}


def _in_network(network: networks.Network, area: list[str] | None) -> bool:
    """Whether a volunteer's area (subdistrict codes) lies, at least in part, in the network's area."""
    return any(network.place_of({"province_code": code[:2], "district_code": code[:4], "subdistrict_code": code})
               for code in area or ())


def _month(moment) -> str:
    return local(moment).strftime("%Y-%m")


def _month_label(key: str) -> dict:
    """Short, for a table of twelve months: "ต.ค. 69" / "Oct 26"."""
    label = month_label(key)
    return {"th": label["th"][:-4] + label["th"][-2:], "en": label["en"][:-4] + label["en"][-2:]}


MONTHS = 12  # the months shown: this one and the eleven before it


def _place_label(code: str) -> dict:
    if code == networks.UNSPECIFIED:
        return dict(UNSPECIFIED_LABEL)
    area, district = geography.subdistrict(code), geography.district(code[:4])
    if area is None:
        return {"th": code, "en": code}
    return {"th": f"{area.name_th} ({district.name_th})" if district else area.name_th,
            "en": f"{area.name_en} ({district.name_en})" if district else area.name_en}


def network_view(repo, principal, config: dict, now: datetime, network_code: str | None = None,
                 k: int = small_counts.K, state_labels: dict | None = None) -> dict:
    mine = networks.networks_of(principal, config)
    if not mine:
        raise NotFound()
    chosen = next((n for n in mine if n.code == network_code), None) if network_code else mine[0]
    if chosen is None:
        raise NotFound()
    places = chosen.subdistricts()
    counts: dict = defaultdict(int)
    by_state: dict = defaultdict(int)
    by_volunteer: dict = defaultdict(int)
    ack_days: dict = defaultdict(list)
    # the network's volunteers: those whose area lies in the network (an area not yet announced: no network's)
    registered = repo.registered_volunteers()
    ours = {v for v, area in repo.volunteer_areas().items() if v in registered and _in_network(chosen, area)}
    # a fixed window of months (which months have tips must not show): tips filed before it are not counted
    months = small_counts.month_window(now, MONTHS)
    for row in repo.network_rows(chosen.provinces):
        facts = json.loads(row.facts_json or "{}")
        place = chosen.place_of(facts.get("location") or {})
        if place is None:
            continue
        if place != networks.UNSPECIFIED and place not in places:
            continue
        filed = facts.get("submitted_at") or row.opened_at
        month = _month(datetime.fromisoformat(filed) if isinstance(filed, str) else aware(filed))
        if month < months[0]:
            continue
        counts[(place, month)] += 1
        by_state[row.status] += 1
        by_volunteer[(row.volunteer_id if row.volunteer_id in ours else OTHERS) if row.volunteer_id else DIRECT] += 1
        if row.acknowledged_at is not None:
            days = (aware(row.acknowledged_at) - aware(row.opened_at)).total_seconds() / 86400
            ack_days[place].append(days)
            ack_days["all"].append(days)
    rows = [*places, networks.UNSPECIFIED]  # always listed: a row that appears only when used would say so
    # every volunteer of the network is listed, not only those who filed here: being listed must not say "filed"
    volunteer_ids = sorted(ours)
    accounts = repo.volunteer_accounts(volunteer_ids) if volunteer_ids else {}
    volunteer_rows = [*volunteer_ids, OTHERS, DIRECT]
    place_month, states, volunteers = small_counts.protect([
        small_counts.Table("place", rows, months, dict(counts)),
        small_counts.line("state", by_state, list(STATES)),
        small_counts.line("volunteer", by_volunteer, volunteer_rows),
    ], k)
    state_values, volunteer_values = small_counts.line_values(states), small_counts.line_values(volunteers)
    return {
        "network": {"code": chosen.code, "name_th": chosen.name_th, "name_en": chosen.name_en},
        "networks": [{"code": n.code, "name_th": n.name_th, "name_en": n.name_en} for n in mine],
        "generated_at": iso_utc(now), "k": k, "small": small_counts.small(k),
        "total": place_month["total"],
        "median_days_to_acknowledge": small_counts.median_shown(ack_days["all"], k),
        "months": [{"key": m, "label": _month_label(m), "count": place_month["column_totals"][m]} for m in months],
        "places": [{"code": p, "label": _place_label(p), "total": place_month["rows"][p]["total"],
                    "by_month": place_month["rows"][p]["cells"],
                    "median_days_to_acknowledge": small_counts.median_shown(ack_days[p], k)} for p in rows],
        "states": [{"state": s, "label": staff_label(s, None, state_labels), "count": state_values[s]}
                   for s in STATES],
        "volunteers": [{"id": v, "name": (accounts.get(v) or (None,))[0], "active": registered.get(v),
                        "tips": volunteer_values[v]} for v in volunteer_ids],
        "filed_without_volunteer": volunteer_values[DIRECT],
        "filed_by_other_volunteers": volunteer_values[OTHERS],
    }


CSV_COLUMNS = ["table", "row", "row_th", "row_en", "column", "value"]


def to_csv(view: dict) -> bytes:
    """Long format, one row per shown number; UTF-8 with a byte-order mark (spreadsheets read the Thai)."""
    buffer = io.StringIO()
    w = csv.writer(buffer, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    w.writerow(["total", "", "ทั้งหมด", "All", "tips", view["total"]])
    median = view["median_days_to_acknowledge"]
    w.writerow(["total", "", "ทั้งหมด", "All", "median_days_to_acknowledge", "" if median is None else median])
    for p in view["places"]:
        for month, value in p["by_month"].items():
            w.writerow(["place_month", p["code"], p["label"]["th"], p["label"]["en"], month, value])
        w.writerow(["place_month", p["code"], p["label"]["th"], p["label"]["en"], "total", p["total"]])
        m = p["median_days_to_acknowledge"]
        w.writerow(["place", p["code"], p["label"]["th"], p["label"]["en"], "median_days_to_acknowledge",
                    "" if m is None else m])
    for m in view["months"]:
        w.writerow(["place_month", "total", "รวม", "Total", m["key"], m["count"]])
    for s in view["states"]:
        w.writerow(["state", s["state"], s["label"]["th"], s["label"]["en"], "tips", s["count"]])
    for v in view["volunteers"]:
        w.writerow(["volunteer", v["id"], v["name"] or "", v["name"] or "", "tips", v["tips"]])
    w.writerow(["volunteer", OTHERS, OTHERS_LABEL["th"], OTHERS_LABEL["en"], "tips",
                view["filed_by_other_volunteers"]])
    w.writerow(["volunteer", DIRECT, DIRECT_LABEL["th"], DIRECT_LABEL["en"], "tips", view["filed_without_volunteer"]])
    return buffer.getvalue().encode("utf-8-sig")
