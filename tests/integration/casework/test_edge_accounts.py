"""Desk accounts under abuse (findings 5, 6, 9 of the edge review): an attacker's wrong passwords do not lock the
real user out, limits follow the client address behind a trusted proxy (IPv6 by /64) and evict the least recent
client rather than forgetting everyone, only the platform binds volunteer ids, and passwords follow ASVS 5.0 V6.2
with self-service change and an administrator's one-time reset code."""
from __future__ import annotations

from datetime import timedelta

from services.casework.usecases import accounts
from services.casework.usecases import volunteers
from shared.clock import utcnow
from shared.events import new_event
from tests.support.inprocess import db
from shared.clients import ClientLimiter, client_address, group, settings
from tests.integration.casework.conftest import PASSWORD, Desk, add_user, desk_for, desk_running, open_case, outbox

BEHIND_PROXY = {"trusted_proxies": ["127.0.0.1/32"], "client_address_header": "X-Forwarded-For", "proxy_hops": 1}


def from_address(desk: Desk, address: str) -> Desk:
    desk.http.headers["X-Forwarded-For"] = f"203.0.113.250, {address}"
    return desk


def test_an_attackers_wrong_passwords_do_not_lock_the_real_supervisor_out(memory_cfg):
    memory_cfg["casework"]["clients"] = BEHIND_PROXY
    add_user(memory_cfg, "supervisor1", "supervisor")
    with desk_running(memory_cfg) as (_, base):
        attacker = from_address(Desk(base), "198.51.100.66")
        codes = [attacker.sign_in("supervisor1", "wrong-password-guess").status_code for _ in range(6)]
        assert codes == [401] * 5 + [429]
        throttled = attacker.sign_in("supervisor1", PASSWORD)  # the attacker's address waits, even when right
        assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
        real = from_address(Desk(base), "192.0.2.77").sign_in("supervisor1")
        assert real.status_code == 201
        # 50 failures behind the proxy from many addresses block no one else
        for i in range(50):
            from_address(Desk(base), f"198.51.{100 + i // 5}.{i}").sign_in(f"user{i}", "wrong-password-guess")
        assert from_address(Desk(base), "192.0.2.78").sign_in("supervisor1").status_code == 201
        # a header sent by a client that is not the proxy is not believed
        memory_cfg_direct = Desk(base)
        memory_cfg_direct.http.headers["X-Forwarded-For"] = "192.0.2.99"
        assert memory_cfg_direct.sign_in("supervisor1").status_code == 201


def test_client_addresses_behind_proxies_and_ipv6_grouping():
    cfg = settings({"clients": BEHIND_PROXY})
    assert client_address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.7"},
                          cfg) == "198.51.100.7"
    assert client_address({"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "198.51.100.7"},
                          cfg) == "203.0.113.9"
    two = settings({"clients": dict(BEHIND_PROXY, proxy_hops=2)})
    assert client_address({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7, 10.0.0.2"},
                          two) == "198.51.100.7"
    assert group("2001:db8:aa:bb:1::5") == group("2001:db8:aa:bb:ffff::1") == "2001:db8:aa:bb::/64"
    assert group("::ffff:192.0.2.4") == "192.0.2.4"


def test_the_limiter_forgets_the_least_recent_client_not_everyone():
    limiter = ClientLimiter(3, 900, max_clients=100)
    watched = limiter.key("198.51.100.1")
    for _ in range(3):
        limiter.hit(watched)
    for i in range(10_050):
        limiter.hit(limiter.key(f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}"))
        if i % 50 == 0:
            limiter.retry_after(watched)  # the watched client keeps being seen
    assert len(limiter) == 100
    assert limiter.retry_after(watched) > 0


def volunteer_event(event_type, volunteer_id, minutes):
    return new_event(event_type, {"volunteer_id": volunteer_id, "at": utcnow() + timedelta(minutes=minutes)},
                     correlation_id=f"volunteer:{volunteer_id}", actor={"kind": "system", "id": "intake-admin"})


def test_an_agency_admin_cannot_bind_a_volunteer_id(memory_cfg):
    open_case(memory_cfg, "SS-VOLU-0001", office="NACC-23", volunteer_id="vol-trat-01")
    with desk_running(memory_cfg) as (_, base):
        admin = desk_for(base, memory_cfg, "pacc-admin", "agency_admin", office="PACC-R2")
        for body in ({"username": "vol-trat-01", "role": "volunteer"},
                     {"username": "helper1", "role": "volunteer", "volunteer_id": "vol-trat-01"},
                     {"username": "helper2", "role": "caseworker", "volunteer_id": "vol-trat-01"}):
            r = admin.post("/api/v1/users", dict(body, office_code="PACC-R2", password=PASSWORD + "-new",
                                                  display_name="ผู้ช่วย"))
            assert r.status_code == 403 and r.json()["error"]["code"] == "user.volunteer_binding", r.text
        root = desk_for(base, memory_cfg, "platform-root", "system_admin", office="SODSONG")
        bind = {"username": "vol-trat-01", "role": "volunteer", "office_code": "PACC-R2",
                "volunteer_id": "vol-trat-01", "password": PASSWORD + "-new", "display_name": "อาสาตราด"}
        r = root.post("/api/v1/users", bind)  # not in intake's registry (yet)
        assert r.status_code == 400 and r.json()["error"]["code"] == "user.volunteer_unknown"
        registered = volunteer_event("volunteer.registered", "vol-trat-01", 0)
        disabled = volunteer_event("volunteer.disabled", "vol-trat-01", 5)
        for event in (disabled, registered, disabled):  # out of order and twice: the later state wins
            db(memory_cfg, "casework").consume(event, "on_volunteer_changed", volunteers.volunteer_changed)
        assert root.post("/api/v1/users", bind).status_code == 400
        db(memory_cfg, "casework").consume(volunteer_event("volunteer.registered", "vol-trat-01", 10),
                                           "on_volunteer_changed", volunteers.volunteer_changed)
        r = root.post("/api/v1/users", bind)
        assert r.status_code == 201, r.text


def test_weak_passwords_are_refused_and_users_change_their_own(memory_cfg):
    with desk_running(memory_cfg) as (_, base):
        admin = desk_for(base, memory_cfg, "pacc-admin", "agency_admin", office="PACC-R2")
        for weak in ("aaaaaaaaaaaa", "password12345", "qwertyuiop123", "pacc-admin-2026"):
            r = admin.post("/api/v1/users", {"username": "pacc-admin-2", "role": "caseworker",
                                              "office_code": "PACC-R2", "password": weak})
            assert r.status_code == 400 and r.json()["error"]["code"].startswith("user.password_"), weak
        worker = desk_for(base, memory_cfg, "somying", "caseworker")
        other = Desk(base)
        assert other.sign_in("somying").status_code == 201
        r = worker.post("/api/v1/session/password", {"current_password": "wrong one entirely",
                                                     "new_password": "เดินเล่นริมหาดทรายขาว"})
        assert r.status_code == 403
        r = worker.post("/api/v1/session/password", {"current_password": PASSWORD, "new_password": "aaaaaaaaaaaa"})
        assert r.status_code == 400
        r = worker.post("/api/v1/session/password", {"current_password": PASSWORD,
                                                     "new_password": "เดินเล่นริมหาดทรายขาว"})
        assert r.status_code == 200 and r.json()["other_sessions_ended"] == 1
        assert worker.get("/api/v1/session").status_code == 200  # this session goes on
        assert other.get("/api/v1/session").status_code == 401   # the other one ended
        assert Desk(base).sign_in("somying").status_code == 401
        assert Desk(base).sign_in("somying", "เดินเล่นริมหาดทรายขาว").status_code == 201
    assert outbox(memory_cfg, "account.password_changed")


def test_an_admin_reset_gives_a_one_time_code(memory_cfg):
    with desk_running(memory_cfg) as (_, base):
        admin = desk_for(base, memory_cfg, "pacc-admin", "agency_admin", office="PACC-R2")
        add_user(memory_cfg, "forgetful", "caseworker")
        foreign = desk_for(base, memory_cfg, "nacc-admin", "agency_admin", office="NACC-23")
        assert foreign.post("/api/v1/users/forgetful/password-reset").status_code == 404
        r = admin.post("/api/v1/users/forgetful/password-reset")
        assert r.status_code == 201
        code = r.json()["reset_code"]
        redeem = Desk(base).http.post
        bad = redeem(f"{base}/api/v1/password-reset", json={"username": "forgetful", "code": "nope",
                                                            "new_password": "ฝนตกหนักที่บ้านยาย"}, timeout=30)
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "user.reset_invalid"
        ok = redeem(f"{base}/api/v1/password-reset", json={"username": "forgetful", "code": code,
                                                           "new_password": "ฝนตกหนักที่บ้านยาย"}, timeout=30)
        assert ok.status_code == 200, ok.text
        again = redeem(f"{base}/api/v1/password-reset", json={"username": "forgetful", "code": code,
                                                              "new_password": "อีกรหัสหนึ่งที่ยาวพอ"}, timeout=30)
        assert again.status_code == 400  # once only
        assert Desk(base).sign_in("forgetful", "ฝนตกหนักที่บ้านยาย").status_code == 201
    assert outbox(memory_cfg, "account.password_reset_issued")
