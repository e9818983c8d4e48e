"""Accounts and sessions (ASVS V6/V7): hashed tokens, a new token per sign-in, idle and absolute timeouts,
disabling ends every session, throttling, TOTP, cookies and CSRF."""
from datetime import timedelta

import pyotp
from sqlalchemy import select

from services.casework.usecases import accounts
from services.casework.models import DeskSession, User
from shared.clock import utcnow
from tests.integration.casework.conftest import (
    CHEAP_ARGON2, PASSWORD, Desk, add_user, desk_for, desk_running, open_case, outbox,
)
from tests.support.inprocess import db

SETTINGS = accounts.settings({"argon2": CHEAP_ARGON2})


def test_tokens_are_random_hashed_new_per_sign_in_and_end_on_sign_out(cfg):
    open_case(cfg, "SS-SESS-0001")
    add_user(cfg, "somchai", "caseworker")
    with desk_running(cfg) as (_, base):
        first, second = Desk(base), Desk(base)
        r1, r2 = first.sign_in("somchai"), second.sign_in("somchai")
        assert r1.status_code == r2.status_code == 201
        t1, t2 = r1.json()["token"], r2.json()["token"]
        assert t1 != t2 and len(t1) >= 43  # 256 bits, url-safe base64
        with db(cfg, "casework").reading() as session:
            stored = set(session.execute(select(DeskSession.token_hash)).scalars())
        assert stored == {accounts.token_hash(t1), accounts.token_hash(t2)}
        assert first.get("/api/v1/session").json()["user"]["username"] == "somchai"

        assert first.delete("/api/v1/session").status_code == 200
        assert first.get("/api/v1/cases").status_code == 401
        assert second.get("/api/v1/cases").status_code == 200

        wrong = Desk(base).sign_in("somchai", "wrong password!!")
        nobody = Desk(base).sign_in("nobody-here", "wrong password!!")
        assert wrong.status_code == nobody.status_code == 401
        assert wrong.json() == nobody.json()
    signed_in = [e["payload"] for e in outbox(cfg, "account.signed_in")]
    assert len(signed_in) == 2 and all(set(p) >= {"user_id", "at"} for p in signed_in)
    failed = [e["payload"]["detail"] for e in outbox(cfg, "account.sign_in_failed")]
    assert failed == ["bad_credentials", "bad_credentials"]
    for e in outbox(cfg):  # no token or password ever reaches an event
        assert t1 not in str(e) and t2 not in str(e) and PASSWORD not in str(e)


def test_disabling_an_account_ends_all_its_sessions(cfg):
    open_case(cfg, "SS-SESS-0002")
    with desk_running(cfg) as (_, base):
        victims = [desk_for(base, cfg, "somchai", "caseworker")] + [desk_for(base, cfg, "somchai") for _ in range(2)]
        web = Desk(base)
        assert web.web_sign_in("somchai").status_code == 303
        admin = desk_for(base, cfg, "pacc-admin", "agency_admin", "PACC")
        foreign_admin = desk_for(base, cfg, "nacc-admin", "agency_admin", "NACC")
        assert foreign_admin.post("/api/v1/users/somchai/disable").status_code == 404
        assert all(v.get("/api/v1/cases").status_code == 200 for v in victims)

        r = admin.post("/api/v1/users/somchai/disable")
        assert r.status_code == 200 and r.json()["sessions_ended"] == 4
        assert all(v.get("/api/v1/cases").status_code == 401 for v in victims)
        assert web.http.get(base + "/cases", allow_redirects=False, timeout=30).status_code == 303
        assert Desk(base).sign_in("somchai").status_code == 401
        assert [u["username"] for u in admin.get("/api/v1/users").json()["items"]] == ["pacc-admin", "somchai"]
    disabled = outbox(cfg, "account.disabled")
    assert len(disabled) == 1 and disabled[0]["payload"]["detail"] == "sessions_ended=4"


def test_idle_and_absolute_timeouts_with_a_controlled_clock(memory_cfg):
    database = db(memory_cfg, "casework")
    add_user(memory_cfg, "somchai", "caseworker")
    cfg = dict(SETTINGS, session_idle_minutes=30, session_absolute_hours=2)
    passwords = accounts.Passwords(**CHEAP_ARGON2)
    t0 = utcnow()
    done = accounts.sign_in(database, passwords, cfg, username="somchai", password=PASSWORD, now=t0)
    # idle: alive 29 minutes later, dead 31 minutes after the last use
    assert accounts.authenticate(database, cfg, done.token, now=t0 + timedelta(minutes=29))
    assert accounts.authenticate(database, cfg, done.token, now=t0 + timedelta(minutes=29 + 31)) is None
    assert accounts.authenticate(database, cfg, done.token, now=t0 + timedelta(minutes=29)) is None  # gone for good

    # absolute: used every 20 minutes, still ends 2 hours after sign-in
    done = accounts.sign_in(database, passwords, cfg, username="somchai", password=PASSWORD, now=t0)
    moment = t0
    while moment < t0 + timedelta(hours=2) - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        assert accounts.authenticate(database, cfg, done.token, now=moment), moment - t0
    assert accounts.authenticate(database, cfg, done.token, now=t0 + timedelta(hours=2, minutes=1)) is None


def test_totp_is_required_when_enabled_and_a_code_works_once(memory_cfg):
    user = add_user(memory_cfg, "somchai", "supervisor", totp=True)
    totp = pyotp.TOTP(user.totp_secret)
    with desk_running(memory_cfg) as (_, base):
        r = Desk(base).sign_in("somchai")  # the right password without a code confirms nothing
        assert r.status_code == 401 and r.json()["error"]["code"] == "session.invalid_credentials"
        assert r.json() == Desk(base).sign_in("somchai", "not the password").json()
        r = Desk(base).sign_in("somchai", totp="000000" if totp.now() != "000000" else "111111")
        assert r.status_code == 401 and r.json()["error"]["code"] == "session.invalid_credentials"
        code = totp.now()
        assert Desk(base).sign_in("somchai", totp=code).status_code == 201
        assert Desk(base).sign_in("somchai", totp=code).status_code == 401  # replayed
        web = Desk(base)
        assert web.web_sign_in("somchai").status_code == 401
    with db(memory_cfg, "casework").reading() as session:
        assert session.execute(select(User.totp_last_step)).scalar() in (totp.timecode(utcnow()),
                                                                          totp.timecode(utcnow()) - 1)


def test_web_cookie_is_httponly_strict_and_forms_need_their_csrf_token(memory_cfg):
    open_case(memory_cfg, "SS-CSRF-0001")
    add_user(memory_cfg, "somchai", "caseworker")
    with desk_running(memory_cfg) as (_, base):
        web = Desk(base)
        # the sign-in form has its own CSRF token
        r = web.http.post(base + "/login", data={"username": "somchai", "password": PASSWORD},
                          allow_redirects=False, timeout=30)
        assert r.status_code == 403
        r = web.web_sign_in("somchai")
        assert r.status_code == 303 and r.headers["Location"] == "/cases"
        cookie = next(v for v in r.raw.headers.getlist("Set-Cookie") if "sodsong_desk=" in v)
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        assert "Secure" not in cookie  # plain-http desk_url in tests; https desk URLs get Secure + __Host-

        r = web.form("/cases/SS-CSRF-0001/transition", {"to": "acknowledged", "reason": "รับ"}, csrf="forged")
        assert r.status_code == 403
        r = web.http.post(base + "/cases/SS-CSRF-0001/transition", data={"to": "acknowledged", "reason": "รับ"},
                          allow_redirects=False, timeout=30)
        assert r.status_code == 403
        # the cookie alone does not authorise API writes either
        r = web.http.post(base + "/api/v1/cases/SS-CSRF-0001/transitions",
                          json={"to": "acknowledged", "reason": "รับ"}, timeout=30)
        assert r.status_code == 403 and r.json()["error"]["code"] == "request.csrf_failed"
        r = web.http.post(base + "/api/v1/cases/SS-CSRF-0001/transitions",
                          json={"to": "acknowledged", "reason": "รับ"}, headers={"X-CSRF-Token": web.csrf()},
                          timeout=30)
        assert r.status_code == 200

        r = web.form("/logout", {})
        assert r.status_code == 303
        assert web.http.get(base + "/cases", allow_redirects=False, timeout=30).headers["Location"] == "/login"
        page = web.http.get(base + "/login", timeout=30)
        assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert "<script" not in page.text


def test_https_desks_get_secure_host_cookies(tmp_path):
    from tests.integration.casework.conftest import desk_environment

    with desk_environment("memory", tmp_path, desk_url="https://desk.example.go.th") as cfg:
        add_user(cfg, "somchai", "caseworker")
        with desk_running(cfg) as (_, base):
            import re

            import requests

            page = requests.get(base + "/login", timeout=30)
            login_cookie = page.raw.headers.getlist("Set-Cookie")[0]
            assert "Secure" in login_cookie and "HttpOnly" in login_cookie
            value = login_cookie.split(";")[0].split("=", 1)[1]
            form_token = re.search(r'name="login_csrf" value="([^"]+)"', page.text).group(1)
            # this test talks plain http, so it hands the Secure cookie back itself
            r = requests.post(base + "/login", data={"username": "somchai", "password": PASSWORD,
                                                     "login_csrf": form_token},
                              headers={"Cookie": f"sodsong_login={value}"}, allow_redirects=False, timeout=30)
            assert r.status_code == 303
            cookie = next(v for v in r.raw.headers.getlist("Set-Cookie") if "sodsong_desk=" in v)
            assert cookie.startswith("__Host-sodsong_desk=") and "Secure" in cookie
