"""Passwords, TOTP, tokens and the policy's pure rules."""
from datetime import datetime, timezone

import pyotp
import pytest

from services.casework.domain import policy
from services.casework.domain.errors import DeskAccountError
from services.casework.models import Case, User
from services.casework.usecases import accounts

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)


def test_passwords_are_argon2id_and_verify():
    pw = accounts.Passwords(time_cost=1, memory_cost_kib=8192)
    stored = pw.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert pw.verify(stored, "correct horse battery")
    assert not pw.verify(stored, "correct horse batterY")
    assert not pw.verify(None, "anything at all")  # unknown user: decoy hash, still False
    assert not pw.verify("not a hash", "anything at all")


PHRASE = "ม้าลายกินหญ้าริมน้ำ"


@pytest.mark.parametrize("password,ok", [
    ("ก" * 3 + "xyz-w" + "9" * 3, False),                       # 11 characters
    ("tall ladder by the quiet river", True), (PHRASE, True), ("correct horse battery", True),
    (("tall ladder by the quiet river, " * 9)[:256], True), (("tall ladder by the quiet river, " * 9)[:257], False),
    ("aaaaaaaaaaaa", False), ("abcabcabcabc", False), ("123412341234", False),   # repeated runs
    ("1234567890123", False), ("qwertyuiop123", False), ("password12345", False),  # common, with digits added
    ("iloveyou!!!!!", False), ("Sodsong-2026-desk", False), ("PACC-R2 office1", False),
])
def test_password_policy(password, ok):
    password = password[:257]
    if ok:
        accounts.check_password_policy(password, username="somchai", office_code="PACC-R2")
    else:
        with pytest.raises(DeskAccountError):
            accounts.check_password_policy(password, username="somchai", office_code="PACC-R2")


def test_password_may_not_be_built_from_the_username():
    with pytest.raises(DeskAccountError) as err:
        accounts.check_password_policy("somchai.jaikla1", username="somchai.jaikla")
    assert err.value.key == "user.password_context"
    accounts.check_password_policy("somchai walks to the market at dawn", username="somchai")  # long enough


@pytest.mark.parametrize("password,ok", [("x" * 11, False), ("xy" * 6, False), ("long enough phrase", True)])
def test_password_length_policy(password, ok):
    if ok:
        accounts.check_password_policy(password)
    else:
        with pytest.raises(DeskAccountError):
            accounts.check_password_policy(password)


def test_totp_accepts_one_step_of_drift_and_never_the_same_code_twice():
    secret = accounts.new_totp_secret()
    totp = pyotp.TOTP(secret)
    code = totp.at(NOW)
    step = accounts.totp_step(secret, code, NOW, None)
    assert step == totp.timecode(NOW)
    assert accounts.totp_step(secret, code, NOW, step) is None          # replay
    assert accounts.totp_step(secret, totp.generate_otp(step - 1), NOW, None) == step - 1
    assert accounts.totp_step(secret, totp.generate_otp(step + 2), NOW, None) is None
    assert accounts.totp_step(secret, "abcdef", NOW, None) is None
    assert accounts.totp_step(secret, None, NOW, None) is None


def test_tokens_are_stored_as_hashes_and_csrf_tokens_derive_from_them():
    token = "tok-" + "a" * 40
    assert accounts.token_hash(token) != token and len(accounts.token_hash(token)) == 64
    csrf = accounts.csrf_token(token)
    assert accounts.csrf_ok(token, csrf)
    assert not accounts.csrf_ok(token, None)
    assert not accounts.csrf_ok("another-token", csrf)


def test_settings_default_to_30_minutes_idle_and_12_hours_absolute():
    s = accounts.settings({"session_idle_minutes": 5})
    assert s["session_idle_minutes"] == 5 and s["session_absolute_hours"] == 12


def _p(role, office="PACC-R2", volunteer_id=None):
    return policy.Principal("u1", "u", "U", role, office, volunteer_id)


def test_every_role_has_an_action_set_and_only_case_roles_have_a_view():
    assert set(policy.ACTIONS) == set(policy.ROLES)
    assert set(policy.VIEWS) == {r for r, actions in policy.ACTIONS.items() if "read" in actions}


def test_agency_admins_grant_only_their_agency_and_never_platform_roles():
    admin = _p("agency_admin", "PACC")
    assert policy.may_grant(admin, "caseworker", "PACC-R2")
    assert not policy.may_grant(admin, "caseworker", "NACC-23")
    assert not policy.may_grant(admin, "operator", "PACC-R2")
    assert not policy.may_grant(admin, "system_admin", "PACC")
    assert policy.may_grant(_p("system_admin", "SODSONG"), "operator", "SODSONG")
    for role in ("caseworker", "supervisor", "triage_officer", "operator", "auditor", "volunteer"):
        assert not policy.may_grant(_p(role), "caseworker", "PACC-R2")


def _case(triage=False, assignee=None):
    return Case(office_code="PACC-R2", triage=triage, assignee_id=assignee)


def _user(role, office="PACC-R2", uid="u2", disabled=False):
    return User(id=uid, role=role, office_code=office, disabled=disabled)


def test_who_can_be_assigned():
    sup, cw = _p("supervisor"), policy.Principal("u2", "cw", "CW", "caseworker", "PACC-R2")
    assert policy.assignable(sup, _case(), _user("caseworker"))
    assert not policy.assignable(sup, _case(), _user("caseworker", office="PACC-R1"))
    assert not policy.assignable(sup, _case(), _user("caseworker", disabled=True))
    assert not policy.assignable(sup, _case(), _user("auditor"))
    assert not policy.assignable(sup, _case(triage=True), _user("caseworker"))
    assert policy.assignable(sup, _case(triage=True), _user("triage_officer"))
    assert policy.assignable(cw, _case(), _user("caseworker", uid="u2"))          # takes it
    assert not policy.assignable(cw, _case(assignee="u9"), _user("caseworker"))   # already someone's
    assert not policy.assignable(cw, _case(), _user("caseworker", uid="u3"))      # not for others
