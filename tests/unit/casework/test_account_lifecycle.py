"""Account lifecycle rules without a database: offices from routing's directory, who may change whom, reset codes
(single use, expiry, kept as a hash), enable/disable/unlock, personal contacts, TOTP enrolment, the navigation a
role sees."""
from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime, timedelta, timezone

import pyotp
import pytest

from services.casework.domain import offices, policy
from services.casework.domain.errors import DeskAccountError, Forbidden
from services.casework.usecases import accounts
from services.casework.web.rendering import PAGES
from shared.clients import ClientLimiter
from sodsong import office_directory
from tests.support.fakes import FakeUnitOfWork
from tests.support.fakes_casework import FakeCaseworkRepository

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
PASSWORDS = accounts.Passwords(time_cost=1, memory_cost_kib=8192)
CFG = {"reset_code_hours": 24, "session_absolute_hours": 12, "session_idle_minutes": 30}


class Db:
    """A service database over the in-memory repository (reading and transactions share it)."""

    def __init__(self):
        self.repo = FakeCaseworkRepository()
        self.uow = FakeUnitOfWork(repo=self.repo, service="casework")

    @contextlib.contextmanager
    def reading(self):
        yield None

    def repository(self, _session):
        return self.repo

    @contextlib.contextmanager
    def transaction(self):
        yield self.uow


def principal(user) -> policy.Principal:
    return accounts.principal_of(user)


@pytest.fixture
def db():
    return Db()


def add(db, username, role="caseworker", office="PACC-R2", password="tall ladder by the quiet river"):
    return accounts.create_user(db.uow, PASSWORDS, username=username, office_code=office, role=role,
                                password=password, now=NOW)


@pytest.fixture
def admin(db):
    return principal(add(db, "r2.admin", role="agency_admin"))


# -- offices -------------------------------------------------------------------------------------------------------
def test_the_shipped_office_list_is_routings_directory():
    assert office_directory.render() == offices.OFFICES_PATH.read_text(encoding="utf-8"), \
        "regenerate with: python -m sodsong.office_directory"
    assert offices.known("PACC-R3").name_en.startswith("PACC Region 3")
    assert offices.known("PACC-R99") is None


def test_an_office_routing_does_not_know_is_refused(db, admin):
    fields = {"username": "somchai", "office_code": "PACC-R99", "role": "caseworker",
              "password": "tall ladder by the quiet river"}
    with pytest.raises(DeskAccountError) as err:
        accounts.create_account(db.uow, PASSWORDS, admin, fields)
    assert err.value.key == "user.unknown_office"
    created = accounts.create_account(db.uow, PASSWORDS, admin, {**fields, "office_code": "pacc-r2"})
    assert created["office_code"] == "PACC-R2"
    with pytest.raises(DeskAccountError) as err:
        accounts.change_account(db.uow, admin, "somchai", role="caseworker", office_code="PACC-R99")
    assert err.value.key == "user.unknown_office"


# -- role and office changes ---------------------------------------------------------------------------------------
def test_an_agency_admin_changes_roles_and_offices_within_their_agency_only(db, admin):
    add(db, "somchai")
    done = accounts.change_account(db.uow, admin, "somchai", role="supervisor", office_code="PACC-R3", now=NOW)
    assert (done["role"], done["office_code"]) == ("supervisor", "PACC-R3")
    changed = db.uow.emitted("account.role_changed")[-1]
    assert changed.payload["detail"] == "role=caseworker>supervisor;office=PACC-R2>PACC-R3"
    for role, office in (("system_admin", "PACC-R2"), ("operator", "PACC-R2"), ("caseworker", "NACC")):
        with pytest.raises(Forbidden):
            accounts.change_account(db.uow, admin, "somchai", role=role, office_code=office)
    with pytest.raises(DeskAccountError) as err:   # a volunteer's binding is not made by a role change
        accounts.change_account(db.uow, admin, "somchai", role="volunteer", office_code="PACC-R2")
    assert err.value.key == "user.volunteer_binding"


def test_no_one_administers_themselves_or_the_platforms_accounts(db, admin):
    add(db, "platform", role="system_admin")
    add(db, "ops", role="operator")
    with pytest.raises(DeskAccountError) as err:
        accounts.change_account(db.uow, admin, "r2.admin", role="supervisor", office_code="PACC-R2")
    assert err.value.key == "user.not_yourself"
    with pytest.raises(DeskAccountError):
        accounts.disable_administered(db.uow, admin, "r2.admin")
    for name in ("platform", "ops"):
        with pytest.raises(Forbidden):
            accounts.disable_administered(db.uow, admin, name)
        with pytest.raises(Forbidden):
            accounts.change_account(db.uow, admin, name, role="caseworker", office_code="PACC-R2")
    system = principal(db.repo.user_by_username("platform"))
    assert accounts.change_account(db.uow, system, "ops", role="operator", office_code="NACC")["office_code"] == "NACC"
    # the platform's own office takes the platform's roles only
    assert accounts.change_account(db.uow, system, "ops", role="operator", office_code="sodsong")["office_code"] \
        == "SODSONG"
    with pytest.raises(DeskAccountError):
        accounts.change_account(db.uow, system, "ops", role="caseworker", office_code="SODSONG")


def test_roles_without_accounts_administer_nobody(db):
    supervisor = principal(add(db, "boss", role="supervisor"))
    add(db, "somchai")
    with pytest.raises(Forbidden):
        accounts.change_account(db.uow, supervisor, "somchai", role="caseworker", office_code="PACC-R2")


def test_another_agencys_account_is_not_found(db, admin):
    add(db, "nacc.person", office="NACC")
    with pytest.raises(policy.NotFound):
        accounts.unlock_account(db.uow, admin, "nacc.person")


# -- reset codes ---------------------------------------------------------------------------------------------------
def test_a_reset_code_works_once_is_kept_as_a_hash_and_expires(db, admin):
    user = add(db, "somchai")
    _, code, expires = accounts.reset_account(db.uow, admin, "somchai", cfg=CFG)
    assert expires > accounts.utcnow() + timedelta(hours=23)
    assert code not in (user.reset_code_hash or "")
    assert user.reset_code_hash == hashlib.sha256(("reset|" + code).encode()).hexdigest()
    accounts.redeem_reset_code(db, PASSWORDS, username="somchai", code=code, new="a new phrase for the desk")
    assert PASSWORDS.verify(user.password_hash, "a new phrase for the desk")
    assert user.reset_code_hash is None
    with pytest.raises(DeskAccountError) as err:   # used up
        accounts.redeem_reset_code(db, PASSWORDS, username="somchai", code=code, new="another phrase for the desk")
    assert err.value.key == "user.reset_invalid"

    _, late, _ = accounts.reset_account(db.uow, admin, "somchai", cfg=CFG)
    with pytest.raises(DeskAccountError):        # a day and a second later
        accounts.redeem_reset_code(db, PASSWORDS, username="somchai", code=late, new="another phrase for the desk",
                                   now=accounts.utcnow() + timedelta(hours=24, seconds=1))
    with pytest.raises(DeskAccountError):        # someone else's username with this code
        accounts.redeem_reset_code(db, PASSWORDS, username="r2.admin", code=late, new="another phrase for the desk")


# -- disable, enable, unlock -------------------------------------------------------------------------------------
def test_disable_enable_and_unlock(db, admin):
    user = add(db, "somchai")
    with pytest.raises(DeskAccountError):
        accounts.sign_in(db, PASSWORDS, CFG, username="somchai", password="wrong wrong wrong wrong", now=NOW)
    assert user.failed_sign_ins == 1 and user.last_failed_at == NOW
    assert accounts.account_view(user)["failed_sign_ins"] == 1
    assert accounts.unlock_account(db.uow, admin, "somchai", now=NOW) == "somchai"
    assert (user.failed_sign_ins, user.unlocked_at) == (0, NOW)
    accounts.disable_administered(db.uow, admin, "somchai", now=NOW)
    assert user.disabled
    with pytest.raises(DeskAccountError):
        accounts.sign_in(db, PASSWORDS, CFG, username="somchai", password="tall ladder by the quiet river")
    accounts.enable_account(db.uow, admin, "somchai", now=NOW)
    assert not user.disabled
    accounts.sign_in(db, PASSWORDS, CFG, username="somchai", password="tall ladder by the quiet river")
    assert [e.type for e in db.uow.events if e.type in {"account.unlocked", "account.disabled", "account.enabled"}] \
        == ["account.unlocked", "account.disabled", "account.enabled"]


def test_an_unlock_forgets_earlier_failures_of_the_client():
    clock = [100.0]
    limiter = ClientLimiter(3, 900, clock=lambda: clock[0])
    key = limiter.key("192.0.2.1", scope="somchai")
    for _ in range(3):
        limiter.hit(key)
    assert limiter.retry_after(key)
    clock[0] += 10
    limiter.forget_before(key, seconds_ago=5)   # unlocked 5 seconds ago: the failures before it go
    assert limiter.retry_after(key) == 0


# -- personal contacts -----------------------------------------------------------------------------------------
def test_contacts_are_checked_and_announced_for_notify(db, admin):
    add(db, "somchai")
    for email, line, key in (("not-an-email", None, "user.invalid_email"),
                             (None, "U123", "user.invalid_line_user_id")):
        with pytest.raises(DeskAccountError) as err:
            accounts.set_contacts(db.uow, admin, "somchai", email=email, line_user_id=line)
        assert err.value.key == key
    line_id = "U" + "0123456789abcdef" * 2
    view = accounts.set_contacts(db.uow, admin, "somchai", email="somchai@pacc.go.th", line_user_id=line_id)
    assert (view["email"], view["line_user_id"]) == ("somchai@pacc.go.th", line_id)
    announced = db.uow.emitted("account.contacts_changed")[-1].payload
    assert (announced["staff_email"], announced["staff_line_id"], announced["active"]) == \
        ("somchai@pacc.go.th", line_id, True)
    accounts.disable_administered(db.uow, admin, "somchai")
    assert db.uow.emitted("account.contacts_changed")[-1].payload["active"] is False
    me = principal(add(db, "malee"))
    accounts.set_contacts(db.uow, me, None, email="malee@pacc.go.th", line_user_id="")
    assert db.repo.user_by_username("malee").email == "malee@pacc.go.th"


# -- TOTP enrolment ---------------------------------------------------------------------------------------------
def test_totp_is_on_only_once_a_code_from_the_new_secret_confirms_it(db):
    user = add(db, "somchai")
    me = principal(user)
    with pytest.raises(DeskAccountError):
        accounts.confirm_totp(db.uow, me, "123456")
    started = accounts.start_totp(db.uow, me)
    assert started["uri"].startswith("otpauth://totp/Sodsong:somchai?secret=" + started["secret"])
    assert user.totp_secret is None                        # not on until confirmed
    with pytest.raises(DeskAccountError) as err:
        accounts.confirm_totp(db.uow, me, "000000" if pyotp.TOTP(started["secret"]).now() != "000000" else "111111")
    assert err.value.key == "user.totp_wrong"
    code = pyotp.TOTP(started["secret"]).at(NOW)
    accounts.confirm_totp(db.uow, me, code, now=NOW)
    assert user.totp_secret == started["secret"] and user.totp_pending_secret is None
    with pytest.raises(DeskAccountError):                  # the confirming code is used up
        accounts.sign_in(db, PASSWORDS, CFG, username="somchai", password="tall ladder by the quiet river",
                         totp_code=code, now=NOW)
    later = NOW + timedelta(seconds=60)
    accounts.sign_in(db, PASSWORDS, CFG, username="somchai", password="tall ladder by the quiet river",
                     totp_code=pyotp.TOTP(started["secret"]).at(later), now=later)
    assert db.uow.emitted("account.totp_enabled")


def test_the_qr_code_is_inline_svg():
    from services.casework.web.account_pages import qr_svg
    svg = str(qr_svg("otpauth://totp/Sodsong:somchai?secret=JBSWY3DPEHPK3PXP&issuer=Sodsong"))
    assert svg.startswith("<svg") and "http" not in svg.replace("http://www.w3.org/2000/svg", "")


# -- navigation ------------------------------------------------------------------------------------------------
NAV = {"inbox", "overdue", "handovers", "file", "stats", "accounts", "ops"}
EXPECTED_NAV = {
    "caseworker": {"inbox", "overdue", "handovers", "file", "stats"},
    "supervisor": {"inbox", "overdue", "handovers", "file", "stats"},
    "triage_officer": {"inbox", "overdue", "handovers", "file", "stats"},
    "auditor": {"inbox", "overdue", "stats"},
    "volunteer": {"inbox", "file"},
    "agency_admin": {"stats", "accounts"},
    "operator": {"ops"},
    "system_admin": {"stats", "accounts", "ops"},
}


@pytest.mark.parametrize("role", sorted(EXPECTED_NAV))
def test_the_navigation_shows_a_role_only_what_it_can_use(role):
    who = policy.Principal(user_id="u1", username="somchai", display_name="สมชาย", role=role, office_code="PACC-R2",
                           volunteer_id="v1" if role == "volunteer" else None)
    html = PAGES.get_template("home.html").render(principal=who, csrf="x", stats_allowed=False)
    shown = {page for page in NAV if f'id="nav-{page}"' in html}
    assert shown == EXPECTED_NAV[role] == {page for page in NAV if policy.may_open(who, page)}
    assert f">{role}<" not in html and "บัญชีของฉัน" in html     # the role in words, and the user's own page


def test_the_account_pages_render_for_an_admin_and_for_the_user(db, admin):
    from services.casework.web.account_pages import _grantable_roles, qr_svg
    user = add(db, "somchai")
    account = accounts.account_view(user)
    common = {"principal": admin, "csrf": "x", "notice": None, "error": None, "roles": _grantable_roles(admin),
              "offices": offices.choices(admin.agency)}
    listing = PAGES.get_template("accounts.html").render(items=[account], form={}, **common)
    assert 'id="account-somchai"' in listing and "เจ้าหน้าที่ผู้รับผิดชอบเรื่อง" in listing
    assert 'value="system_admin"' not in listing and 'value="PACC-R3"' in listing and 'value="NACC"' not in listing
    reset = {"code": "abc", "expires_at": NOW, "link": "http://desk/password-reset?username=somchai&code=abc"}
    page = PAGES.get_template("account.html").render(account=account, reset=reset, office=offices.known("PACC-R2"),
                                                     **common)
    assert 'id="reset-link"' in page and 'id="disable-form"' in page and 'id="unlock-form"' not in page
    started = accounts.start_totp(db.uow, principal(user))
    me = PAGES.get_template("me.html").render(principal=principal(user), csrf="x", notice=None, error=None,
                                              account=accounts.my_account(db.repo, principal(user)),
                                              pending=started, qr=qr_svg(started["uri"]))
    assert "<svg" in me and started["secret"] in me and 'id="totp-confirm-form"' in me
