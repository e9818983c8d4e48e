"""Bad input gets a clear 4xx with field errors in Thai and English, nothing is stored, and never a 5xx."""
from contextlib import ExitStack

import pytest
import requests
from sqlalchemy import func, select

from services.intake.models import Tip
from shared import config as config_mod
from sodsong.registry import service_db_for
from tests.support.deployment import Deployment
from tests.support.tips import tip


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with ExitStack() as stack:
        dep = Deployment("embedded", tmp_path_factory.mktemp("bad-input"), stack)
        dep.start()
        yield dep


def _post(server, data: bytes, content_type="application/json"):
    return requests.post(f"{server.intake.base}/api/v1/tips", data=data, headers={"Content-Type": content_type},
                         timeout=10)


def _stored_tips(server) -> int:
    with service_db_for("intake", config_mod.load(env=server.env)).reading() as session:
        return session.execute(select(func.count()).select_from(Tip)).scalar()


def _assert_bilingual(body):
    message = body["error"]["message"]
    assert message["th"] and message["en"]


@pytest.mark.parametrize("raw, status, code", [
    (b'{"category": "bribery", ', 400, "request.invalid_json"),
    (b"[1, 2, 3]", 400, "request.not_object"),
    (b'{"description": "\xff\xfe"}', 400, "request.invalid_utf8"),
    (b'{"a": NaN}', 400, "request.invalid_json"),
    (b"[" * 100000 + b"]" * 100000, 400, "request.invalid_json"),
])
def test_malformed_bodies(server, raw, status, code):
    before = _stored_tips(server)
    r = _post(server, raw)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    _assert_bilingual(r.json())
    assert _stored_tips(server) == before


def test_wrong_content_type_is_415(server):
    r = _post(server, b"category=bribery", "application/x-www-form-urlencoded")
    assert r.status_code == 415 and r.json()["error"]["code"] == "request.wrong_content_type"


def test_oversized_body_is_413(server):
    r = server.intake.submit(tip(description="ก" * 2_000_000))
    assert r.status_code == 413 and r.json()["error"]["code"] == "request.too_large"


@pytest.mark.parametrize("body, field", [
    ({k: v for k, v in tip().items() if k != "description"}, "description"),
    ({k: v for k, v in tip().items() if k != "location"}, "location"),
    (tip(location={"province_code": "99"}), "location.province_code"),
    (tip(location={"province_code": "23", "district_code": "2301", "subdistrict_code": "100101"}),
     "location.subdistrict_code"),
    (tip(accused={"official_type": "alien"}), "accused.official_type"),
    (tip(category=7), "category"),
    (tip(event_date="2999-12-31"), "event_date"),
    (tip(amount_thb=-1), "amount_thb"),
    (tip(description="x" * 10_001), "description"),
    (tip(reporter={"email": "not-an-email"}), "reporter.email"),
    (tip(surprise="field"), "surprise"),
])
def test_field_errors_name_the_field_in_thai_and_english(server, body, field):
    before = _stored_tips(server)
    r = server.intake.submit(body)
    assert r.status_code == 400, r.text
    data = r.json()
    assert data["error"]["code"] == "request.validation_failed"
    _assert_bilingual(data)
    assert field in data["fields"], data["fields"]
    for message in data["fields"][field]:
        assert message["th"] and message["en"]
    assert _stored_tips(server) == before


def test_a_valid_tip_after_all_that_is_accepted(server):
    assert server.intake.submit(tip()).status_code == 201
