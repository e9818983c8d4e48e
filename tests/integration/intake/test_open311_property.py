"""Valid Open311 requests never fail: hypothesis builds GeoReport v2 POSTs as partners send them (form-encoded or
multipart; every optional field and attribute, Thai and English, a DOPA code given as address_id or as attributes,
coordinates with or without the exact point, a media link) and sends each through intake's HTTP edge in-process
(IntakeWeb over a migrated SQLite database), asking for XML or JSON. Each must be accepted, and reading it back in
the other format must give what was sent: the place, the point as kept, the link. The XML must be valid."""
from __future__ import annotations

import json
import os
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import geothai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.intake.usecases import credentials
from services.intake.web.routes import IntakeWeb
from shared.vocabulary import CATEGORIES, OFFICIAL_TYPES
from tests.integration.intake.conftest import make_app, make_config
from tests.support.open311 import records, valid_xml

EXAMPLES = int(os.environ.get("SODSONG_OPEN311_EXAMPLES", "40"))
THAI = [chr(c) for c in range(0x0E01, 0x0E2F)] + ["เ", "แ", "โ", "ไ", "า", "ะ", "ๆ"]
WORD = st.text(alphabet=st.sampled_from(THAI + list("abcdefghijklmnopqrstuvwxyz0123456789")), min_size=2, max_size=10)
TEXT = st.lists(WORD, min_size=3, max_size=30).map(" ".join).filter(lambda s: len(s) >= 10)
SHORT = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
PROVINCES = geothai.provinces()


@st.composite
def places(draw) -> dict:
    province = draw(st.sampled_from(PROVINCES))
    codes = {"province": province.code}
    district = draw(st.none() | st.sampled_from(geothai.districts(province.code)))
    if district is not None:
        codes["district"] = district.code
        subdistricts = geothai.subdistricts(district.code)
        if subdistricts and draw(st.booleans()):
            codes["subdistrict"] = draw(st.sampled_from(subdistricts)).code
    deepest = codes.get("subdistrict") or codes.get("district") or codes["province"]
    if draw(st.booleans()):
        return {"address_id": deepest}
    return {f"attribute[{level}_code]": code for level, code in codes.items()}


@st.composite
def forms(draw) -> dict:
    form = {"service_code": draw(st.sampled_from(list(CATEGORIES))), "description": draw(TEXT), **draw(places())}
    optional = {
        "address_string": SHORT,
        "media_url": st.builds(lambda w, n: f"https://media.example.org/{n}/{w}.jpg", WORD, st.integers(0, 999)),
        "first_name": SHORT, "last_name": SHORT,
        "phone": st.from_regex(r"\A0[689][0-9]{8}\Z"),
        "email": st.from_regex(r"\A[a-z]{1,8}@[a-z]{2,8}\.(th|org)\Z"),
        "device_id": st.from_regex(r"\A[a-z0-9]{4,12}\Z"), "jurisdiction_id": st.just("th"),
        "attribute[official_type]": st.sampled_from(list(OFFICIAL_TYPES)),
        "attribute[accused_name]": SHORT, "attribute[accused_position]": SHORT,
        "attribute[accused_organization]": SHORT,
        "attribute[event_date]": st.dates(min_value=date(1990, 1, 1), max_value=date(2025, 12, 31)).map(str),
        "attribute[amount_thb]": st.integers(0, 10**9).map(str),
        "attribute[language]": st.sampled_from(["th", "en"]),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            form[name] = draw(strategy)
    if draw(st.booleans()):
        form["lat"] = str(draw(st.decimals(min_value=Decimal("5.6"), max_value=Decimal("20.4"), places=6)))
        form["long"] = str(draw(st.decimals(min_value=Decimal("97.4"), max_value=Decimal("105.6"), places=6)))
        if draw(st.booleans()):
            form["attribute[exact_location]"] = draw(st.sampled_from(["true", "false"]))
    return form


def kept(value: str, exact: bool) -> float:
    return float(Decimal(value).quantize(Decimal("0.00001") if exact else Decimal("0.1"), rounding=ROUND_HALF_EVEN))


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    cfg = make_config(tmp_path_factory.mktemp("open311"))
    app = make_app(cfg)
    return IntakeWeb(app, cfg), credentials.add_partner(app.db, "traffy", "Traffy Fondue")


def call(web: IntakeWeb, method: str, path: str, **kw) -> Request:
    return Request(EnvironBuilder(method=method, path=path, **kw).get_environ())


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(form=forms(), fmt=st.sampled_from(["xml", "json"]), multipart=st.booleans())
def test_any_valid_open311_request_is_filed_and_read_back_in_either_format(edge, form, fmt, multipart):
    web, key = edge
    body = {**form, "api_key": key}
    if multipart:
        request = call(web, "POST", f"/open311/v2/requests.{fmt}", data=body, content_type="multipart/form-data")
    else:
        request = call(web, "POST", f"/open311/v2/requests.{fmt}", data=body)
    response = web.open311_post(request, fmt)
    assert response.status_code == 200, response.get_data(as_text=True)
    if fmt == "xml":
        [created] = records(valid_xml(response.get_data(), post=True))
    else:
        assert response.mimetype == "application/json"
        [created] = json.loads(response.get_data())
    reference = created["service_request_id"]
    assert len(created["receipt"]) == 16

    back_fmt = "json" if fmt == "xml" else "xml"
    got = web.open311_get(call(web, "GET", f"/open311/v2/requests/{reference}.{back_fmt}",
                               query_string={"api_key": key}), reference, back_fmt)
    assert got.status_code == 200, got.get_data(as_text=True)
    if back_fmt == "xml":
        [seen] = records(valid_xml(got.get_data()))
        seen = {k: (v or None) for k, v in seen.items()}
        for name in ("lat", "long"):
            seen[name] = float(seen[name]) if seen[name] else None
    else:
        [seen] = json.loads(got.get_data())
    assert seen["service_request_id"] == reference and seen["service_code"] == form["service_code"]
    assert seen["description"] == form["description"]
    assert seen["media_url"] == form.get("media_url")
    assert seen["address"] == form.get("address_string")
    deepest = form.get("address_id") or next(form[f"attribute[{level}_code]"] for level in (
        "subdistrict", "district", "province") if f"attribute[{level}_code]" in form)
    assert seen["address_id"] == deepest
    if "lat" in form:
        exact = form.get("attribute[exact_location]") == "true"
        assert (seen["lat"], seen["long"]) == (kept(form["lat"], exact), kept(form["long"], exact))
    else:
        assert seen["lat"] is None and seen["long"] is None


def test_a_json_body_is_told_the_types_an_open311_post_takes(edge):
    web, key = edge
    for fmt in ("xml", "json"):
        response = web.open311_post(call(web, "POST", f"/open311/v2/requests.{fmt}",
                                         json={"api_key": key, "service_code": "bribery"}), fmt)
        assert response.status_code == 415
        text = response.get_data(as_text=True)
        assert "application/x-www-form-urlencoded" in text and "multipart/form-data" in text
        assert "must be sent as application/json" not in text
        if fmt == "xml":
            valid_xml(response.get_data())
