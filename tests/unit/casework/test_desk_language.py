"""The desk's language: Thai until the person switches; the switch on every page comes back to the same page with
its query string, and a form's answer keeps what was typed (never a password)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.casework.web import pages
from services.casework.web.account_pages import KEPT_ON_SWITCH
from services.casework.web.rendering import LANG_COOKIE, PAGES, language_of, local_target, render


def _request(path="/cases", query="", method="GET", lang=None, data=None) -> Request:
    headers = {"Cookie": f"{LANG_COOKIE}={lang}"} if lang else {}
    return Request(EnvironBuilder(path=path, query_string=query, method=method, headers=headers,
                                  data=data).get_environ())


def _switch_back(html: str) -> str:
    href = html.split('id="lang-switch"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert urlsplit(href).path == "/language"
    return parse_qs(urlsplit(href).query)["back"][0]


def test_thai_until_the_person_chooses_english():
    assert language_of(_request()) == "th" and language_of(_request(lang="en")) == "en"
    assert language_of(_request(lang="fr")) == "th"


def test_the_switch_remembers_the_choice_and_goes_back_to_the_same_page_and_query():
    answer = pages.language(None, _request("/language", "to=en&back=/cases?show=all%26category=bribery"))
    assert answer.status_code == 303 and answer.headers["Location"] == "/cases?show=all&category=bribery"
    assert f"{LANG_COOKIE}=en;" in answer.headers["Set-Cookie"] and "HttpOnly" in answer.headers["Set-Cookie"]


@pytest.mark.parametrize("elsewhere", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "", "cases",
                                       "/ok\r\nSet-Cookie: x=1"])
def test_the_switch_never_leads_to_another_site(elsewhere):
    assert local_target(elsewhere) == "/cases"


@given(st.text(max_size=80))
def test_wherever_the_switch_goes_it_is_a_path_on_this_desk(value):
    target = local_target(value)
    assert target.startswith("/") and not target.startswith("//") and "\\" not in target
    assert all(ord(c) >= 32 for c in target)


def test_a_page_is_drawn_in_one_language_with_a_switch_back_to_itself():
    request = _request("/login", "ok=session.signed_out", lang="en")
    html = render(PAGES, "login.html", request=request, principal=None, csrf=None, login_csrf="x", error=None,
                  notice=None, username="").get_data(as_text=True)
    assert '<html lang="en">' in html and "Sign in" in html and "เข้าสู่ระบบ" not in html
    assert _switch_back(html) == "/login?ok=session.signed_out"
    thai = render(PAGES, "login.html", request=_request("/login"), principal=None, csrf=None, login_csrf="x",
                  error=None, notice=None, username="").get_data(as_text=True)
    assert '<html lang="th">' in thai and "เข้าสู่ระบบ" in thai and "Sign in" not in thai


def test_a_forms_answer_switches_with_what_was_typed_but_never_the_password():
    from services.casework.domain.policy import Principal
    admin = Principal("u1", "admin", "อรุณ", "agency_admin", "PACC-R2")
    typed = {"username": "malee", "display_name": "มาลี ใจดี", "office_code": "PACC-R2", "role": "caseworker"}
    assert set(KEPT_ON_SWITCH) == set(typed)
    request = _request("/accounts", method="POST", lang="th", data={**typed, "password": "secret-secret-1"})
    html = render(PAGES, "accounts.html", request=request, here=pages.page_url("/accounts", **typed),
                  principal=admin, csrf="x", items=[], roles=["caseworker"], offices=[], notice=None, error=None,
                  form=typed).get_data(as_text=True)
    back = _switch_back(html)
    assert urlsplit(back).path == "/accounts"
    assert {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()} == typed
    assert "secret" not in back and 'value="malee"' in html
