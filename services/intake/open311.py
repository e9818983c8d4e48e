"""Open311 GeoReport v2 for partner platforms (JSON only), on top of the same tip model.

- GET  /open311/v2/services.json               the ten categories (no key needed)
- GET  /open311/v2/services/{code}.json        a category's attributes (accused, DOPA codes, ...)
- POST /open311/v2/requests.json               form-encoded, api_key required: files a tip
- GET  /open311/v2/requests.json               api_key required: only the requests that key filed
- GET  /open311/v2/requests/{id}.json          api_key required: one of them

Location: `address_id` is a DOPA code (6-digit subdistrict, 4-digit district or 2-digit province), or the
attributes `attribute[province_code]` / `[district_code]` / `[subdistrict_code]`. `address_string` and lat/long
are kept as the place description. Status is `open` or `closed`, as the spec defines. A request shows back only
what the partner sent, plus its status and the office responsible; never anything the tipster added later.
The response to a POST carries the tipster's receipt in an extension field `receipt`, for the partner to show
the citizen once (a partner that keeps it can read the status page: the tip is marked so the citizen is
advised to take a new receipt).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from services.intake import submission
from services.intake.app import iso
from services.intake.models import Tip
from shared import i18n
from shared.clock import aware_utc, utcnow
from shared.vocabulary import CATEGORIES, OFFICIAL_TYPES, TIPSTER_STATUSES
from shared.web import ApiError

STANDARD_FIELDS = frozenset({"api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string",
                             "address_id", "email", "device_id", "account_id", "first_name", "last_name",
                             "phone", "description", "media_url"})
ATTRIBUTES = [
    # code, datatype, required, description (th / en)
    ("official_type", "singlevaluelist", False, "ประเภทผู้ถูกร้อง / Type of official accused"),
    ("accused_name", "string", False, "ชื่อผู้ถูกร้อง / Name of the accused"),
    ("accused_position", "string", False, "ตำแหน่ง / Position"),
    ("accused_organization", "string", False, "หน่วยงาน / Organisation"),
    ("province_code", "string", False, "รหัสจังหวัด (กรมการปกครอง 2 หลัก) / DOPA province code"),
    ("district_code", "string", False, "รหัสอำเภอ (4 หลัก) / DOPA district code"),
    ("subdistrict_code", "string", False, "รหัสตำบล (6 หลัก) / DOPA subdistrict code"),
    ("event_date", "string", False, "วันที่เกิดเหตุ ปปปป-ดด-วว (ค.ศ.) / Date of the event, YYYY-MM-DD"),
    ("amount_thb", "number", False, "จำนวนเงินที่เกี่ยวข้อง (บาท) / Amount involved, baht"),
    ("language", "singlevaluelist", False, "ภาษาของเรื่อง / Language of the report (th, en)"),
]
ATTRIBUTE_CODES = {a[0] for a in ATTRIBUTES}
MAX_LIST = 1000


def bilingual(key: str) -> str:
    m = i18n.message(key)
    return f"{m['th']} / {m['en']}"


def error_body(status: int, key: str, fields: dict | None = None) -> list[dict]:
    item = {"code": status, "description": bilingual(key), "error": {"code": key, "message": i18n.message(key)}}
    if fields:
        item["fields"] = fields
    return [item]


def services() -> list[dict]:
    return [{"service_code": code, "service_name": labels["th"], "description": f"{labels['th']} / {labels['en']}",
             "metadata": True, "type": "realtime", "keywords": code.replace("_", " "),
             "group": "grievance" if code == "maladministration" else "corruption"}
            for code, labels in CATEGORIES.items()]


def service_definition(code: str) -> dict:
    if code not in CATEGORIES:
        raise ApiError(404, "open311.unknown_service")
    attributes = []
    for order, (attr, datatype, required, description) in enumerate(ATTRIBUTES, start=1):
        item = {"variable": True, "code": attr, "datatype": datatype, "required": required,
                "datatype_description": None, "order": order, "description": description}
        if attr == "official_type":
            item["values"] = [{"key": k, "name": f"{v['th']} / {v['en']}"} for k, v in OFFICIAL_TYPES.items()]
        if attr == "language":
            item["values"] = [{"key": "th", "name": "ไทย / Thai"}, {"key": "en", "name": "อังกฤษ / English"}]
        attributes.append(item)
    return {"service_code": code, "attributes": attributes}


def tip_from_form(form) -> dict:
    """An Open311 POST (werkzeug MultiDict) as the one tip model; field errors keep the Open311 names."""
    unknown = [k for k in form.keys() if k not in STANDARD_FIELDS
               and not (k.startswith("attribute[") and k.endswith("]") and k[10:-1] in ATTRIBUTE_CODES)]
    if unknown:
        raise ApiError(400, "request.validation_failed",
                       fields={k: [i18n.message("field.unknown")] for k in unknown[:20]})
    repeated = [k for k in form.keys() if len(form.getlist(k)) > 1]
    if repeated:
        raise ApiError(400, "request.validation_failed",
                       fields={k: [i18n.message("field.invalid")] for k in repeated[:20]})

    def get(name):
        value = form.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    def attr(name):
        return get(f"attribute[{name}]")

    if get("service_code") is None:
        raise ApiError(400, "request.validation_failed", fields={"service_code": [i18n.message("field.required")]})
    if get("service_code") not in CATEGORIES:
        raise ApiError(404, "open311.unknown_service")
    location = _location(get("address_id"), attr("province_code"), attr("district_code"), attr("subdistrict_code"))
    place = get("address_string")
    if get("lat") is not None or get("long") is not None:
        place = f"{place or ''} ({get('lat')},{get('long')})".strip()
    if place:
        location["place"] = place[:300]
    name = " ".join(x for x in (get("first_name"), get("last_name")) if x) or None
    identified = any((name, get("phone"), get("email")))
    reporter = {"anonymous": not identified}
    if identified:
        reporter.update({"name": name, "phone": get("phone"), "email": get("email")})
    tip = {
        "channel": "open311",
        "language": attr("language") or "th",
        "category": get("service_code"),
        "location": location,
        "accused": {"official_type": attr("official_type") or "unknown", "name": attr("accused_name"),
                    "position": attr("accused_position"), "organization": attr("accused_organization")},
        "reporter": reporter,
    }
    if get("description") is not None:
        tip["description"] = get("description")
    if attr("event_date"):
        tip["event_date"] = attr("event_date")
    if attr("amount_thb"):
        tip["amount_thb"] = attr("amount_thb")
    return tip


def _location(address_id, province, district, subdistrict) -> dict:
    if address_id:
        if not address_id.isdigit() or not address_id.isascii() or len(address_id) not in (2, 4, 6):
            raise ApiError(400, "request.validation_failed", fields={"address_id": [i18n.message("field.invalid")]})
        province = province or address_id[:2]
        if len(address_id) >= 4:
            district = district or address_id[:4]
        if len(address_id) == 6:
            subdistrict = subdistrict or address_id
    if not province:
        raise ApiError(400, "open311.location_required")
    return {"province_code": province, "district_code": district, "subdistrict_code": subdistrict}


def post_response(body: dict) -> list[dict]:
    return [{
        "service_request_id": body["reference"],
        "service_notice": ("ส่งรหัสรับแจ้ง (receipt) ให้ผู้แจ้งเพียงครั้งเดียวและอย่าเก็บไว้ / "
                           "Give the receipt to the reporter once and do not keep it"),
        "account_id": None,
        "receipt": body["receipt"],
    }]


def request_view(keyring, tip: Tip) -> dict:
    facts = submission.facts_of(keyring, tip)
    location = facts.get("location") or {}
    agency = None
    if tip.agency_code:
        agency = f"{tip.agency_name_th} / {tip.agency_name_en}"
    label = TIPSTER_STATUSES.get(tip.status)
    return {
        "service_request_id": tip.reference,
        "status": "closed" if tip.status == "closed" else "open",
        "status_notes": f"{label['th']} / {label['en']}" if label else None,
        "service_name": CATEGORIES[tip.category]["th"],
        "service_code": tip.category,
        "description": facts.get("description"),
        "agency_responsible": agency,
        "service_notice": None,
        "requested_datetime": iso(tip.submitted_at),
        "updated_datetime": iso(tip.updated_at),
        "expected_datetime": None,
        "address": location.get("place"),
        "address_id": location.get("subdistrict_code") or location.get("district_code")
        or location.get("province_code"),
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def one_request(session, keyring, partner_id: str, reference: str) -> list[dict]:
    tip = session.execute(select(Tip).where(Tip.reference == reference, Tip.partner_id == partner_id)
                          ).scalar_one_or_none()
    if tip is None:
        raise ApiError(404, "open311.unknown_request")
    return [request_view(keyring, tip)]


def list_requests(session, keyring, partner_id: str, args) -> list[dict]:
    query = select(Tip).where(Tip.partner_id == partner_id)
    ids = [i.strip() for i in (args.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        query = query.where(Tip.reference.in_(ids[:MAX_LIST]))
    else:
        now = utcnow()
        start = _when(args.get("start_date"), "start_date")
        end = _when(args.get("end_date"), "end_date")
        end = end or now
        start = start or end - timedelta(days=90)
        if start > end or end - start > timedelta(days=90):
            raise ApiError(400, "request.validation_failed", fields={"start_date": [i18n.message("field.range")]})
        query = query.where(Tip.submitted_at >= start, Tip.submitted_at <= end)
        if args.get("service_code"):
            codes = [c for c in args["service_code"].split(",") if c]
            query = query.where(Tip.category.in_(codes))
    statuses = [s.strip() for s in (args.get("status") or "").split(",") if s.strip()]
    if any(s not in ("open", "closed") for s in statuses):
        raise ApiError(400, "request.validation_failed", fields={"status": [i18n.message("field.not_one_of")]})
    if statuses == ["open"]:
        query = query.where(Tip.status != "closed")
    elif statuses == ["closed"]:
        query = query.where(Tip.status == "closed")
    tips = session.execute(query.order_by(Tip.submitted_at.desc()).limit(MAX_LIST)).scalars()
    return [request_view(keyring, t) for t in tips]


def _when(raw: str | None, name: str):
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, "request.validation_failed", fields={name: [i18n.message("field.invalid")]})
    return aware_utc(value)
