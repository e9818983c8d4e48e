"""The public report form as a person meets it (web/pages.py, no server): what is valid is filed, every mistake is
told at once beside its field in the page's language with its limit, the contact fields count only when the
tipster chose to give them, and the form's steps (the next list of places, the other language) keep everything."""
from __future__ import annotations

import re
from datetime import date

import geothai
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.intake.domain import attachments
from services.intake.domain.tip import TipSchema
from services.intake.web import pages
from shared.vocabulary import CATEGORIES, OFFICIAL_TYPES


class FormApp:
    """Files what the form sends through the one tip model, as the real application does first."""
    limits = attachments.limits({"intake": {}})
    config: dict = {"intake": {}}

    def __init__(self):
        self.filed = []

    def file_tip(self, data, uploads=(), **kwargs):
        self.filed.append(TipSchema().load(dict(data)))
        return 201, {"reference": "SS-TEST-0001", "receipt": "1234567812345678", "status": "received"}, False

    @staticmethod
    def proof_code(reference, submitted_at):
        return "proof"


def post(form, app=None):
    app = app or FormApp()
    request = Request(EnvironBuilder(path="/report", method="POST", data=MultiDict(form)).get_environ())
    response = pages.report_post(app, request, 1 << 20)
    return app, response, response.get_data(as_text=True)


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", html, flags=re.S))


BASE = [("lang", "th"), ("category", "bribery"), ("description", "ปลัด อบต. เรียกเงินค่าเซ็นเอกสาร 3,000 บาท"),
        ("location.province_code", "23"), ("accused.official_type", "unknown")]


def test_a_wrong_province_and_a_wrong_district_are_both_told_beside_their_fields_in_words():
    form = [(k, v) for k, v in BASE if k != "location.province_code"] + [
        ("location.province_code", "99"), ("location.district_code", "12")]
    _, response, html = post(form)
    assert response.status_code == 400
    assert 'id="err-location-province_code-1"' in html and 'id="err-location-district_code-1"' in html
    assert "ไม่พบรหัสจังหวัดนี้" in html and "ไม่พบรหัสอำเภอนี้" in html
    text = visible(html)
    assert "location." not in text and "reporter." not in text and "_request" not in text


def test_the_thai_length_error_states_its_limits_and_the_english_one_is_there_on_request():
    form = [(k, v if k != "description" else "สั้น") for k, v in BASE]
    _, response, html = post(form)
    assert response.status_code == 400
    assert "10 ถึง 10,000 ตัวอักษร" in html
    assert "10 to 10,000 characters" in html  # inside the "read in English" details
    assert html.index("10 ถึง 10,000") < html.index("10 to 10,000")


def test_anonymous_means_the_contact_fields_are_ignored_whatever_they_hold():
    form = BASE + [("reporter.anonymous", "1"), ("reporter.name", "สมชาย"), ("reporter.phone", "0812345678"),
                   ("reporter.notify_via", "sms")]
    app, response, _ = post(form)
    assert response.status_code == 201
    assert app.filed[0]["reporter"]["anonymous"] is True and app.filed[0]["reporter"]["name"] is None


def test_giving_contact_files_it_and_a_mistake_in_it_is_told_next_to_it():
    app, response, _ = post(BASE + [("reporter.anonymous", "0"), ("reporter.phone", "0812345678"),
                                    ("reporter.consent_to_contact", "1"), ("reporter.notify_via", "sms")])
    assert response.status_code == 201 and app.filed[0]["reporter"]["phone"] == "0812345678"
    _, response, html = post(BASE + [("reporter.anonymous", "0"), ("reporter.email", "not an address")])
    assert response.status_code == 400 and 'id="err-reporter-email-1"' in html
    assert 'value="not an address"' in html and 'id="anon-no" name="reporter.anonymous" value="0" checked' in html


def test_the_places_step_lists_the_districts_then_the_subdistricts_and_keeps_what_was_typed():
    _, response, html = post(BASE + [("step", "places"), ("location.place", "หมู่ 3")])
    assert response.status_code == 200
    assert ">เมืองตราด</option>" in html and 'value="หมู่ 3"' in html and "ปลัด อบต." in html
    _, _, html = post(BASE + [("step", "places"), ("location.district_code", "2301")])
    assert ">บางพระ</option>" in html and 'value="2301" selected' in html
    _, _, html = post([(k, v if k != "location.province_code" else "10") for k, v in BASE]
                      + [("step", "places"), ("location.district_code", "2301")])
    assert 'value="2301"' not in html  # another province: its districts are chosen anew


def test_the_language_step_switches_and_keeps_everything_and_the_errors():
    _, response, html = post([(k, v if k != "description" else "สั้น") for k, v in BASE]
                             + [("step", "lang"), ("had_errors", "1")])
    assert response.status_code == 200 and '<html lang="en">' in html
    assert "Report corruption" in html and ">สั้น</textarea>" in html and "10 to 10,000 characters" in html


# -- valid input is filed, whatever it holds ---------------------------------------------------------------------
THAI = [chr(c) for c in range(0x0E01, 0x0E2F)] + ["เ", "แ", "โ", "ไ", "ๆ", "ั", "ิ", "่", "้"]
WORDS = st.text(alphabet=st.sampled_from(THAI + list("abcdefghijklmnopqrstuvwxyz0123456789")), min_size=1,
                max_size=10)
SENTENCE = st.lists(WORDS, min_size=1, max_size=8).map(" ".join)
PROVINCES = [p.code for p in geothai.provinces()]


@st.composite
def valid_forms(draw):
    province = draw(st.sampled_from(PROVINCES))
    district = draw(st.none() | st.sampled_from([d.code for d in geothai.districts(province)]))
    subdistrict = draw(st.none() | st.sampled_from([s.code for s in geothai.subdistricts(district)])) \
        if district else None
    form = [("lang", draw(st.sampled_from(["th", "en"]))), ("category", draw(st.sampled_from(list(CATEGORIES)))),
            ("description", draw(st.lists(WORDS, min_size=4, max_size=60).map(" ".join)
                                 .filter(lambda s: 10 <= len(s.strip()) <= 10_000))),
            ("location.province_code", province), ("location.district_code", district or ""),
            ("location.subdistrict_code", subdistrict or ""),
            ("location.place", draw(st.just("") | SENTENCE.map(lambda s: s[:300]))),
            ("accused.official_type", draw(st.sampled_from(list(OFFICIAL_TYPES)))),
            ("event_date", draw(st.just("") | st.dates(date(1950, 1, 1), date(2025, 12, 31)).map(date.isoformat))),
            ("amount_thb", draw(st.just("") | st.integers(0, 10**9).map(str)))]
    for field in ("accused.name", "accused.position", "accused.organization"):
        form.append((field, draw(st.just("") | SENTENCE.map(lambda s: s[:200]))))
    if draw(st.booleans()):
        form.append(("reporter.anonymous", "1"))
    else:
        phone = draw(st.from_regex(r"\A0[689][0-9]{8}\Z"))
        form += [("reporter.anonymous", "0"), ("reporter.name", draw(SENTENCE.map(lambda s: s[:200]))),
                 ("reporter.phone", phone), ("reporter.consent_to_contact", "1"), ("reporter.notify_via", "sms")]
    return form


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_forms())
def test_every_valid_form_is_filed_and_answered_with_the_receipt_page(form):
    app, response, html = post(form)
    assert response.status_code == 201, visible(html)[:2000]
    assert 'id="receipt"' in html and len(app.filed) == 1
    fields = dict(form)
    assert app.filed[0]["reporter"]["anonymous"] is (fields["reporter.anonymous"] == "1")
    assert app.filed[0]["location"]["province_code"] == fields["location.province_code"]
