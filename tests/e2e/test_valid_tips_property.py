"""Valid input never fails: hypothesis generates valid tips — every optional field, Thai and English text,
files — on every channel (JSON, multipart with files, the HTML form, Open311, a volunteer's token) and sends each
to a running deployment on RabbitMQ + PostgreSQL. Each must be accepted (201, the form's receipt page, Open311's
receipt) and routed: its case opens in an office's inbox.

SODSONG_PROPERTY_EXAMPLES sets the number of tips (default 40, shared equally by the five channels)."""
from __future__ import annotations

import io
import json
import os
import re
from contextlib import ExitStack
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import geothai
import psycopg2
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.vocabulary import CATEGORIES, OFFICIAL_TYPES
from tests.integration.intake.helpers import intake_cli, jpeg_with_gps
from tests.support.deployment import Deployment
from tests.support.processes import wait_for

EXAMPLES = int(os.environ.get("SODSONG_PROPERTY_EXAMPLES", "40"))
VOLUNTEER_AREA = ("230101", "230102", "230103")
PUBLIC_CHANNELS = ("web", "line", "hotline", "walk_in", "email")

# -- what a person might type ------------------------------------------------------------------------------------
THAI = [chr(c) for c in range(0x0E01, 0x0E2F)] + [chr(c) for c in range(0x0E30, 0x0E3B)] + ["เ", "แ", "โ", "ไ", "ๆ"]
WORDS = st.text(alphabet=st.sampled_from(THAI + list("abcdefghijklmnopqrstuvwxyz0123456789")), min_size=2,
                max_size=12)


def _sentence(min_words, max_words, max_chars):
    return st.lists(WORDS, min_size=min_words, max_size=max_words).map(lambda ws: " ".join(ws)[:max_chars].strip())


DESCRIPTION = st.tuples(_sentence(4, 40, 900), st.sampled_from(["", "\n", "\nพบเห็นเมื่อเช้า 100 บาท", " (ค่าใบอนุญาต)"])
                        ).map(lambda t: t[0] + t[1]).filter(lambda s: len(s.strip()) >= 10)
SHORT = _sentence(1, 5, 180).filter(bool)
EMAIL = r"\A[a-z][a-z0-9]{0,7}(\.[a-z0-9]{1,7})?@[a-z]{2,10}\.(th|com|org)\Z"


def _bangkok_yesterday() -> date:
    return datetime.now(timezone.utc).astimezone(timezone(timedelta(hours=7))).date() - timedelta(days=1)


EVENT_DATE = st.none() | st.dates(min_value=date(1950, 1, 1), max_value=_bangkok_yesterday()).map(date.isoformat)
AMOUNT = st.none() | st.integers(min_value=0, max_value=10**11).map(lambda cents: str(Decimal(cents) / 100))


@st.composite
def places(draw, within=None):
    if within:
        code = draw(st.sampled_from(within))
        return {"province_code": code[:2], "district_code": draw(st.sampled_from([None, code[:4]])) or code[:4],
                "subdistrict_code": code}
    province = draw(st.sampled_from(geothai.provinces()))
    depth = draw(st.integers(0, 2))
    location = {"province_code": province.code}
    if depth >= 1:
        district = draw(st.sampled_from(geothai.districts(province.code)))
        location["district_code"] = district.code
        subdistricts = geothai.subdistricts(district.code)
        if depth == 2 and subdistricts:
            location["subdistrict_code"] = draw(st.sampled_from(subdistricts)).code
    return location


@st.composite
def reporters(draw):
    if draw(st.booleans()):
        return {"anonymous": True}
    who = {"anonymous": False, "name": draw(st.none() | SHORT),
           "phone": draw(st.none() | st.from_regex(r"\A0[689][0-9]{8}\Z")),
           "email": draw(st.none() | st.from_regex(EMAIL)),
           "line_user_id": draw(st.none() | st.from_regex(r"\A[a-z][a-z0-9_.]{2,20}\Z")),
           "consent_to_contact": draw(st.booleans())}
    if not any(who[k] for k in ("name", "phone", "email", "line_user_id")):
        who["name"] = "ผู้แจ้ง ทดสอบ"
    contact = {"email": "email", "sms": "phone", "line": "line_user_id"}
    reachable = [c for c, f in contact.items() if who[f]]
    if who["consent_to_contact"] and reachable:
        who["notify_via"] = draw(st.lists(st.sampled_from(reachable), unique=True))
    return who


@st.composite
def tips(draw, within=None):
    accused = {"official_type": draw(st.sampled_from(list(OFFICIAL_TYPES))), "name": draw(st.none() | SHORT),
               "position": draw(st.none() | SHORT), "organization": draw(st.none() | SHORT)}
    location = draw(places(within))
    location["place"] = draw(st.none() | SHORT)
    return {"language": draw(st.sampled_from(["th", "en"])), "category": draw(st.sampled_from(list(CATEGORIES))),
            "description": draw(DESCRIPTION), "event_date": draw(EVENT_DATE), "amount_thb": draw(AMOUNT),
            "location": location, "accused": accused, "reporter": draw(reporters())}


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", (12, 9), (200, 30, 30, 255)).save(buf, "PNG")
    return buf.getvalue()


FILES = st.lists(st.sampled_from([("รูปถ่าย.jpg", "jpeg"), ("scan.png", "png"), ("เอกสาร.pdf", "pdf"),
                                  ("บันทึก.txt", "txt")]), min_size=1, max_size=3)
CONTENT = {"jpeg": jpeg_with_gps, "png": _png, "pdf": lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n",
           "txt": lambda: "บันทึกเหตุการณ์ วันที่ 3 เวลา 10.00 น.".encode()}


def _clean(value):
    """The JSON body without the optional fields hypothesis chose to leave out (None), as a client would send."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    return value


# -- a deployment for the whole module ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with ExitStack() as stack:
        dep = Deployment("real", tmp_path_factory.mktemp("property"), stack)
        dep.start()
        volunteer = intake_cli(dep.env, "volunteers", "add", "--id", "vol-prop", "--network", "STRONG Trat",
                               "--subdistricts", ",".join(VOLUNTEER_AREA)).stdout.strip()
        partner = intake_cli(dep.env, "intake", "partners", "add", "--id", "prop-partner",
                             "--name", "Partner").stdout.strip()
        db = psycopg2.connect(dep.env["SODSONG_DB_URL"])
        db.autocommit = True
        stack.callback(db.close)
        yield {"dep": dep, "volunteer": volunteer, "partner": partner, "db": db}


def _routed(live, reference):
    def case():
        with live["db"].cursor() as cur:
            cur.execute("SELECT office_code FROM casework_cases WHERE reference = %s", (reference,))
            row = cur.fetchone()
        return row[0] if row else None
    return wait_for(case, 30, interval=0.2, message=f"a case opened for {reference}")


# -- the channels -------------------------------------------------------------------------------------------------
def send_json(live, data, draw):
    body = _clean(dict(data, channel=draw(st.sampled_from(PUBLIC_CHANNELS + (None,)))))
    key = draw(st.none() | st.uuids().map(str))
    r = live["dep"].intake.submit(body, headers={"Idempotency-Key": key} if key else None)
    assert r.status_code == 201, f"{r.status_code} {r.text} {json.dumps(body, ensure_ascii=False)}"
    return r.json()["reference"]


def send_multipart(live, data, draw):
    body = _clean(data)
    files = [("attachments", (name, CONTENT[kind](), None)) for name, kind in draw(FILES)]
    r = requests.post(f"{live['dep'].intake.base}/api/v1/tips", timeout=30,
                      files=[("tip", (None, json.dumps(body, ensure_ascii=False), "application/json"))] + files)
    assert r.status_code == 201, f"{r.status_code} {r.text} {json.dumps(body, ensure_ascii=False)}"
    return r.json()["reference"]


def send_volunteer(live, data, draw):
    body = _clean(dict(data, channel=draw(st.sampled_from(["volunteer", None])),
                       volunteer_id=draw(st.sampled_from(["vol-prop", None]))))
    r = live["dep"].intake.submit(body, headers={"Authorization": f"Bearer {live['volunteer']}"})
    assert r.status_code == 201, f"{r.status_code} {r.text} {json.dumps(body, ensure_ascii=False)}"
    return r.json()["reference"]


def send_form(live, data, draw):
    form = [("lang", data["language"]), ("category", data["category"]), ("description", data["description"]),
            ("event_date", data["event_date"] or ""), ("amount_thb", data["amount_thb"] or "")]
    form += [(f"location.{k}", data["location"].get(k) or "")
             for k in ("province_code", "district_code", "subdistrict_code", "place")]
    form += [(f"accused.{k}", data["accused"].get(k) or "") for k in ("official_type", "name", "position",
                                                                       "organization")]
    who = data["reporter"]
    if who["anonymous"]:
        form.append(("reporter.anonymous", "1"))
    else:
        form.append(("reporter.anonymous", "0"))
        form += [(f"reporter.{k}", who.get(k) or "") for k in ("name", "phone", "email", "line_user_id")]
        if who.get("consent_to_contact"):
            form.append(("reporter.consent_to_contact", "1"))
        form += [("reporter.notify_via", v) for v in who.get("notify_via") or ()]
    picked = draw(st.none() | FILES)
    base = live["dep"].intake.base
    if picked:
        files = [("attachments", (name, CONTENT[kind](), None)) for name, kind in picked]
        r = requests.post(f"{base}/report", data=form, files=files, timeout=30)
    else:
        r = requests.post(f"{base}/report", data=form, timeout=30)
    assert r.status_code == 201 and r.headers["Content-Type"].startswith("text/html"), (r.status_code, r.text[:3000])
    return re.search(r'id="reference"[^>]*>\s*([A-Z0-9-]+)\s*<', r.text).group(1)


def send_open311(live, data, draw):
    who, loc, acc = data["reporter"], data["location"], data["accused"]
    form = {"api_key": live["partner"], "service_code": data["category"], "description": data["description"],
            "attribute[official_type]": acc["official_type"], "attribute[accused_name]": acc.get("name"),
            "attribute[accused_position]": acc.get("position"),
            "attribute[accused_organization]": acc.get("organization"),
            "attribute[event_date]": data["event_date"], "attribute[amount_thb]": data["amount_thb"],
            "attribute[language]": data["language"], "address_string": loc.get("place")}
    if draw(st.booleans()):
        form["address_id"] = loc.get("subdistrict_code") or loc.get("district_code") or loc["province_code"]
    else:
        form.update({f"attribute[{k}]": loc.get(k) for k in ("province_code", "district_code", "subdistrict_code")})
    if draw(st.booleans()):
        form.update({"lat": "12.2436", "long": "102.5151"})
    if not who["anonymous"]:
        first, _, last = (who.get("name") or "").partition(" ")
        form.update({"first_name": first or None, "last_name": last or None, "phone": who.get("phone"),
                     "email": who.get("email")})
    if draw(st.booleans()):  # Open311 fields intake accepts and does not need
        form.update({"jurisdiction_id": "th.sodsong", "device_id": "android-7f3a", "account_id": "traffy-1029",
                     "media_url": "https://partner.example/photos/1029.jpg"})
    form = {k: v for k, v in form.items() if v is not None}
    r = requests.post(f"{live['dep'].intake.base}/open311/v2/requests.json", data=form, timeout=30)
    assert r.status_code == 200, (r.status_code, r.text, form)
    [created] = r.json()
    assert len(created["receipt"]) == 16
    return created["service_request_id"]


CHANNELS = {"json": (send_json, None), "multipart": (send_multipart, None), "form": (send_form, None),
            "open311": (send_open311, None), "volunteer": (send_volunteer, VOLUNTEER_AREA)}


@pytest.mark.parametrize("channel", sorted(CHANNELS))
@settings(max_examples=max(1, EXAMPLES // len(CHANNELS)), deadline=None, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(data=st.data())
def test_every_valid_tip_is_accepted_and_routed(live, channel, data):
    send, area = CHANNELS[channel]
    tip = data.draw(tips(area), label="tip")
    reference = send(live, tip, data.draw)
    assert reference.startswith("SS-")
    assert _routed(live, reference)
