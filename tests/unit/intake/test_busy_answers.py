"""When intake cannot get a database connection in time (ServiceBusy), every channel answers 503 with Retry-After
and Thai-then-English words saying nothing was stored: the JSON API, the web form and Open311. Never a 500."""
from __future__ import annotations

import json

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.intake.domain import attachments
from services.intake.domain.errors import ServiceBusy
from services.intake.database_busy import RETRY_AFTER_SECONDS
from services.intake.web import pages, routes
from services.intake.web.entrypoint import _answering

FORM = {"lang": "th", "category": "bribery", "description": "เจ้าหน้าที่เรียกรับเงินห้าพันบาท",
        "event_date": "2026-08-01", "location.province_code": "23", "accused.official_type": "state_official"}


def busy(*args, **kwargs):
    raise ServiceBusy(retry_after_seconds=RETRY_AFTER_SECONDS)


class BusyApp:
    limits = attachments.limits({"intake": {}})
    file_tip = staticmethod(busy)


def test_the_api_answers_503_with_a_wait_and_words_in_thai_then_english():
    response = _answering(busy)()
    body = json.loads(response.get_data(as_text=True))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert body["error"]["code"] == "service.busy"
    message = body["error"]["message"]
    assert "ยังไม่ได้บันทึก" in message["th"] and "has not stored" in message["en"]


def test_the_web_form_answers_a_503_page_that_keeps_what_was_typed():
    request = Request(EnvironBuilder(path="/report", method="POST", data=FORM).get_environ())
    response = pages.report_post(BusyApp(), request, 65536)
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "ยังไม่ได้บันทึก" in html and "has not stored" in html
    assert html.index("ยังไม่ได้บันทึก") < html.index("has not stored")  # Thai first
    assert "เจ้าหน้าที่เรียกรับเงินห้าพันบาท" in html


def test_open311_answers_503_in_its_own_error_format():
    response = routes.answer_open311("json", "service_requests", busy)
    assert response.status_code == 503
    [error] = json.loads(response.get_data(as_text=True))
    assert error["code"] == 503 and "has not stored" in error["description"]
