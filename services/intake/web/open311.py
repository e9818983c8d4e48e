"""Open311 GeoReport v2 for partner platforms, on top of the same tip model. Every route answers in XML (the
spec's required format) or JSON, by its suffix (web/open311_formats.py):

- GET  /open311/v2/discovery.{xml,json}               where the endpoint is, its formats, how to get a key
- GET  /open311/v2/services.{xml,json}                the ten categories (no key needed)
- GET  /open311/v2/services/{code}.{xml,json}         a category's attributes (accused, DOPA codes, ...)
- POST /open311/v2/requests.{xml,json}                form-encoded or multipart, api_key required: files a tip
- GET  /open311/v2/requests.{xml,json}                api_key required: only the requests that key filed
- GET  /open311/v2/requests/{id}.{xml,json}           api_key required: one of them
Without the suffix, each route answers in XML.

Location: `address_id` is a DOPA code (6-digit subdistrict, 4-digit district or 2-digit province), or the
attributes `attribute[province_code]` / `[district_code]` / `[subdistrict_code]`. `address_string` is kept as the
place description. `lat`/`long` are kept with the tip, rounded to 0.1 degree unless `attribute[exact_location]`
is true (domain/coordinates.py), and returned as kept; they cannot stand alone for a place (no package ships the
subdistricts' boundaries; docs/open311.md), so a request with coordinates and no code is refused with a message
that says so. `media_url` is kept as a link the office can open; Sodsong never fetches it. Status is `open` or
`closed`, as the spec defines. A request shows back only what the partner sent, plus its status and the office
responsible; never anything the tipster added later. The response to a POST carries the tipster's receipt in an
extension field `receipt`, for the partner to show the citizen once (a partner that keeps it can read the status
page: the tip is marked so the citizen is advised to take a new receipt).
"""
from __future__ import annotations

from services.intake.domain.errors import Open311LocationRequired, Open311PointIsNotAPlace, UnknownOpen311Service
from shared import i18n
from shared.vocabulary import CATEGORIES, OFFICIAL_TYPES
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
    ("exact_location", "singlevaluelist", False, "ผู้แจ้งเลือกให้เก็บพิกัดละเอียด (มิฉะนั้นปัดเป็น 0.1 องศา) / "
                                                  "The tipster chose to give the exact point (else rounded to "
                                                  "0.1 degree)"),
]
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00Z"  # when this endpoint's behaviour last changed
ATTRIBUTE_CODES = {a[0] for a in ATTRIBUTES}


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
        raise UnknownOpen311Service()
    attributes = []
    for order, (attr, datatype, required, description) in enumerate(ATTRIBUTES, start=1):
        item = {"variable": True, "code": attr, "datatype": datatype, "required": required,
                "datatype_description": None, "order": order, "description": description}
        if attr == "official_type":
            item["values"] = [{"key": k, "name": f"{v['th']} / {v['en']}"} for k, v in OFFICIAL_TYPES.items()]
        if attr == "language":
            item["values"] = [{"key": "th", "name": "ไทย / Thai"}, {"key": "en", "name": "อังกฤษ / English"}]
        if attr == "exact_location":
            item["values"] = [{"key": "false", "name": "ปัดเป็นพื้นที่ / Rounded to the area"},
                              {"key": "true", "name": "พิกัดละเอียด / Exact point"}]
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
        raise UnknownOpen311Service()
    point = get("lat") is not None or get("long") is not None
    location = _location(get("address_id"), attr("province_code"), attr("district_code"), attr("subdistrict_code"),
                         point)
    place = get("address_string")
    if place:
        location["place"] = place[:300]
    if point:
        exact = attr("exact_location")
        if exact not in (None, "true", "false"):
            raise ApiError(400, "request.validation_failed",
                           fields={"attribute[exact_location]": [i18n.message("field.not_one_of")]})
        location.update({"lat": get("lat"), "long": get("long"), "exact_point": exact == "true"})
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
    if get("media_url"):
        tip["media_url"] = get("media_url")
    return tip


def _location(address_id, province, district, subdistrict, point: bool = False) -> dict:
    if address_id:
        if not address_id.isdigit() or not address_id.isascii() or len(address_id) not in (2, 4, 6):
            raise ApiError(400, "request.validation_failed", fields={"address_id": [i18n.message("field.invalid")]})
        province = province or address_id[:2]
        if len(address_id) >= 4:
            district = district or address_id[:4]
        if len(address_id) == 6:
            subdistrict = subdistrict or address_id
    if not province:
        raise Open311PointIsNotAPlace() if point else Open311LocationRequired()
    return {"province_code": province, "district_code": district, "subdistrict_code": subdistrict}


def post_response(body: dict) -> list[dict]:
    return [{
        "service_request_id": body["reference"],
        "service_notice": ("ส่งรหัสรับแจ้ง (receipt) ให้ผู้แจ้งเพียงครั้งเดียวและอย่าเก็บไว้ / "
                           "Give the receipt to the reporter once and do not keep it"),
        "account_id": None,
        "receipt": body["receipt"],
    }]


def discovery(endpoint_url: str, contact: str, key_service: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [{"specification": SPECIFICATION, "url": endpoint_url, "changeset": CHANGESET,
                       "type": "production", "formats": ["text/xml", "application/json"]}],
    }


def xml_errors(body: list[dict]) -> list[dict]:
    """The error list with its field errors as elements XML can name (a field is `attribute[...]` at times)."""
    out = []
    for item in body:
        item = dict(item)
        if isinstance(item.get("fields"), dict):
            item["fields"] = [{"name": name, "messages": messages} for name, messages in item["fields"].items()]
        out.append(item)
    return out
