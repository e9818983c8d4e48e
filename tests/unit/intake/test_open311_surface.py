"""Open311 GeoReport v2 without a server: the form as the one tip model (coordinates kept at the precision allowed,
media_url kept as a link, a point alone refused), both formats, valid XML, discovery and the OpenAPI document."""
from __future__ import annotations

import json

import pytest
from werkzeug.datastructures import MultiDict

from services.intake.domain.coordinates import CoordinateError, kept_point
from services.intake.domain.errors import Open311LocationRequired, Open311PointIsNotAPlace
from services.intake.domain.tip import TipSchema
from services.intake.web import open311, open311_formats, openapi
from shared.web import ApiError
from tests.support.open311 import records, valid_xml

FORM = {"service_code": "bribery", "description": "ปลัดอำเภอเรียกเงินค่าทำบัตรประชาชน 500 บาท",
        "address_id": "230101", "api_key": "k"}


def load(form: dict) -> dict:
    return TipSchema().load(open311.tip_from_form(MultiDict(form)))


# -- coordinates -------------------------------------------------------------------------------------------------
def test_a_point_is_kept_at_0_1_degree_unless_the_tipster_chose_the_exact_point():
    assert kept_point("12.2437", "102.5134") == ("12.2", "102.5")
    assert kept_point(12.2437123, 102.5134987, exact=True) == ("12.24371", "102.51350")
    assert kept_point("12.25", "102.55") == ("12.2", "102.6")  # half to even: no bias towards one side


@pytest.mark.parametrize("lat, long, field, key", [
    ("48.85", "2.35", "lat", "geo.outside_thailand"), ("13.7", "120", "long", "geo.outside_thailand"),
    ("north", "100", "lat", "field.invalid"), ("NaN", "100", "lat", "field.invalid"),
    ("13.7", "Infinity", "long", "field.invalid"), (True, "100", "lat", "field.invalid"),
])
def test_a_point_outside_thailand_or_not_a_number_is_refused(lat, long, field, key):
    with pytest.raises(CoordinateError) as refused:
        kept_point(lat, long)
    assert (refused.value.field, refused.value.key) == (field, key)


def test_open311_lat_long_with_a_code_are_kept_rounded_and_returned_as_kept():
    tip = load({**FORM, "lat": "12.24371", "long": "102.51349", "address_string": "หน้าที่ว่าการอำเภอ"})
    assert tip["location"] == {"province_code": "23", "district_code": "2301", "subdistrict_code": "230101",
                               "place": "หน้าที่ว่าการอำเภอ", "lat": "12.2", "long": "102.5"}
    exact = load({**FORM, "lat": "12.24371", "long": "102.51349", "attribute[exact_location]": "true"})
    assert (exact["location"]["lat"], exact["location"]["long"]) == ("12.24371", "102.51349")
    assert "exact_point" not in exact["location"]


def test_a_point_alone_is_refused_with_a_message_that_says_why():
    with pytest.raises(Open311PointIsNotAPlace):
        open311.tip_from_form(MultiDict({k: v for k, v in FORM.items() if k != "address_id"}
                                        | {"lat": "12.24", "long": "102.51"}))
    with pytest.raises(Open311LocationRequired):
        open311.tip_from_form(MultiDict({k: v for k, v in FORM.items() if k != "address_id"}))


@pytest.mark.parametrize("extra, field", [
    ({"lat": "12.24"}, "long"), ({"long": "102.5"}, "lat"), ({"lat": "1", "long": "102.5"}, "lat"),
])
def test_half_a_point_or_a_point_abroad_is_a_field_error(extra, field):
    from marshmallow import ValidationError
    with pytest.raises(ValidationError) as refused:
        load({**FORM, **extra})
    assert field in refused.value.messages["location"]


def test_exact_location_takes_true_or_false_only():
    with pytest.raises(ApiError) as refused:
        open311.tip_from_form(MultiDict({**FORM, "lat": "12.2", "long": "102.5", "attribute[exact_location]": "yes"}))
    assert "attribute[exact_location]" in refused.value.fields


# -- media_url -----------------------------------------------------------------------------------------------------
def test_media_url_is_kept_as_sent():
    url = "https://photos.example.org/ภาพ/1.jpg?size=large"
    assert load({**FORM, "media_url": url})["media_url"] == url


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://example.org/a",
                                 "https://user:pw@example.org/a", "https:///nohost", "https://exa mple.org/",
                                 "/relative/path", "https://example.org/" + "a" * 2000])
def test_media_url_that_a_browser_should_not_open_is_refused(url):
    from marshmallow import ValidationError
    with pytest.raises(ValidationError) as refused:
        load({**FORM, "media_url": url})
    assert "media_url" in refused.value.messages


# -- formats -------------------------------------------------------------------------------------------------------
def test_services_and_definitions_are_valid_xml_and_the_same_records_as_json():
    root = valid_xml(open311_formats.to_xml("services", open311.services()))
    assert records(root)[0]["service_code"] == open311.services()[0]["service_code"]
    assert records(root)[0]["metadata"] == "true"
    for service in open311.services():
        definition = open311.service_definition(service["service_code"])
        root = valid_xml(open311_formats.to_xml("service_definition", definition))
        codes = [a.findtext("code") for a in root.find("attributes")]
        assert codes == [a["code"] for a in definition["attributes"]] and "exact_location" in codes


def test_discovery_names_both_formats_and_the_endpoint():
    body = open311.discovery("https://tips.example.org/open311/v2", "ติดต่อ / contact", "ขอ key / ask")
    root = valid_xml(open311_formats.to_xml("discovery", body))
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("url") == "https://tips.example.org/open311/v2"
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]


def test_errors_with_open311_field_names_are_valid_xml():
    body = open311.error_body(400, "request.validation_failed",
                              {"attribute[exact_location]": [{"th": "ไม่ถูกต้อง", "en": "Not valid."}]})
    root = valid_xml(open311_formats.to_xml("errors", open311.xml_errors(body)))
    assert root.findtext("error/fields/field/name") == "attribute[exact_location]"
    assert root.findtext("error/code") == "400"


def test_a_post_answer_is_valid_xml_with_the_receipt():
    body = open311.post_response({"reference": "SS-7KQ2-M9XD", "receipt": "1234567812345678"})
    root = valid_xml(open311_formats.to_xml("service_requests", body), post=True)
    assert root.findtext("request/service_request_id") == "SS-7KQ2-M9XD"


def test_respond_uses_the_media_type_of_the_suffix():
    xml = open311_formats.respond("xml", 200, "services", open311.services())
    assert xml.mimetype == "text/xml" and xml.headers["X-Content-Type-Options"] == "nosniff"
    as_json = open311_formats.respond("json", 200, "services", open311.services())
    assert as_json.mimetype == "application/json" and json.loads(as_json.get_data()) == open311.services()


# -- the OpenAPI document ----------------------------------------------------------------------------------------------
def test_the_openapi_document_has_health_and_every_open311_route_in_both_formats():
    paths = openapi.document()["paths"]
    assert "/health" in paths
    for path, methods in {"/open311/v2/discovery.{format}": {"get"}, "/open311/v2/services.{format}": {"get"},
                          "/open311/v2/services/{service_code}.{format}": {"get"},
                          "/open311/v2/requests.{format}": {"get", "post"},
                          "/open311/v2/requests/{service_request_id}.{format}": {"get"}}.items():
        assert set(paths[path]) == methods
        for method in methods:
            operation = paths[path][method]
            assert {"name": "format", "in": "path", "required": True} | {
                "schema": {"type": "string", "enum": ["xml", "json"]}} in [
                {k: p[k] for k in ("name", "in", "required", "schema")} for p in operation["parameters"]]
            assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/xml"}
    post = paths["/open311/v2/requests.{format}"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/x-www-form-urlencoded", "multipart/form-data"}
    assert "415" in post["responses"]
