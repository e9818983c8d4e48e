"""Desk accounts and sessions (OWASP ASVS 5.0 V6/V7).

- Passwords: argon2id (argon2-cffi), 12 to 256 characters; verified off the eventlet hub.
- Optional TOTP (RFC 6238, pyotp): ±1 step of clock drift, and no code is accepted twice.
- Sessions: 256-bit random tokens from `secrets`; only their SHA-256 is stored. A new token at every sign-in,
  an idle timeout and an absolute timeout (`casework.session_idle_minutes`, `casework.session_absolute_hours`),
  and every session of an account ends when the account is disabled.
- The same answer for an unknown user, a wrong password, a disabled account, a missing or wrong TOTP code: an
  account with TOTP says nothing about whether the password was right until the code is right too.
- Guessing is limited per client and per (username, client) in the desk (services.casework.web.auth), never by
  locking an account: an attacker's failures do not stop the real user signing in from elsewhere.
- Password policy: services.casework.domain.passwords (ASVS 5.0 V6.2). Users change their own password with the
  current one (every other session ends); an administrator's reset gives a one-time code valid for
  `reset_code_hours` that the user redeems with a new password.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from services.casework.domain import offices
from services.casework.domain import passwords as passwords_policy
from services.casework.domain.errors import DeskAccountError, Forbidden, NotFound
from services.casework.domain.policy import ROLES, Principal, may_grant, user_scope
from services.casework.settings import SETTINGS as CASEWORK
from services.casework.usecases.volunteers import check_registered
from shared import argon2_work
from shared.clock import aware_utc, iso_utc, utcnow
from shared.off_hub import run_off_hub  # argon2 takes tens of ms of CPU

MIN_PASSWORD, MAX_PASSWORD = passwords_policy.MIN_PASSWORD, passwords_policy.MAX_PASSWORD
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
OFFICE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")
# A volunteer belongs to no office (their cases are found by their volunteer id): their account says so.
VOLUNTEER_OFFICE = "VOLUNTEER"


def settings(casework_config: dict | None) -> dict:
    """casework's section over its declared defaults (services/casework/settings.py)."""
    return CASEWORK.section({"casework": casework_config or {}}, "casework")


aware = aware_utc  # SQLite hands datetimes back naive (they are stored as UTC)


# -- passwords -----------------------------------------------------------------------------------------------
class Passwords:
    def __init__(self, time_cost: int = 3, memory_cost_kib: int = 65536, parallelism: int = 1):
        self._hasher = PasswordHasher(time_cost=int(time_cost), memory_cost=int(memory_cost_kib),
                                      parallelism=int(parallelism), type=Type.ID)
        # verified when the username is unknown, so an unknown user costs as much time as a known one; made
        # without hashing (argon2_work.decoy), so starting the desk costs no argon2id run (64 MiB at the shipped
        # parameters)
        self._decoy = argon2_work.decoy(self._hasher)

    def hash(self, password: str) -> str:
        with argon2_work.slots():  # at most two argon2id runs at once per process: each holds memory_cost_kib
            return run_off_hub(self._hasher.hash, password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        def check():
            try:
                return self._hasher.verify(stored_hash or self._decoy, password) and stored_hash is not None
            except (VerificationError, InvalidHashError):
                return False
        with argon2_work.slots():
            return run_off_hub(check)


def check_password_policy(password: str, *, username: str = "", office_code: str = "") -> None:
    key = passwords_policy.problem(password, username=username, office_code=office_code)
    if key == "user.password_length":
        raise DeskAccountError(key, min=MIN_PASSWORD, max=MAX_PASSWORD)
    if key:
        raise DeskAccountError(key)


# -- TOTP ----------------------------------------------------------------------------------------------------
def new_totp_secret() -> str:
    return pyotp.random_base32(32)  # 160 bits


def totp_uri(user, issuer: str = "Sodsong") -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=issuer)


def totp_step(secret: str, code: str | None, now: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to (within ±1 step of `now`), if it is valid and newer than `last_step`."""
    if not code or not str(code).isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), str(code)) and (last_step is None or step > last_step):
            return step
    return None


# -- users ---------------------------------------------------------------------------------------------------
def create_user(uow, passwords: Passwords, *, username: str, office_code: str, role: str, password: str,
                display_name: str | None = None, volunteer_id: str | None = None, totp: bool = False,
                actor: dict | None = None, now: datetime | None = None, password_hash: str | None = None):
    """Add an account (and announce it). `password_hash` may be computed beforehand with `passwords.hash`, so
    the slow hashing happens outside the transaction."""
    username = (username or "").strip().lower()
    office_code = (office_code or "").strip().upper()
    if not USERNAME.match(username):
        raise DeskAccountError("user.invalid_username")
    if not OFFICE_CODE.match(office_code):
        raise DeskAccountError("user.invalid_office")
    if role not in ROLES:
        raise DeskAccountError("user.invalid_role", roles=list(ROLES))
    check_password_policy(password, username=username, office_code=office_code)
    password_hash = password_hash or passwords.hash(password)
    if uow.repo.user_by_username(username) is not None:
        raise DeskAccountError("user.exists")
    now = now or utcnow()
    user = uow.repo.add_user(
        username=username, display_name=(display_name or username).strip()[:200],
        office_code=office_code, role=role, password_hash=password_hash,
        totp_secret=new_totp_secret() if totp else None, totp_last_step=None,
        volunteer_id=((volunteer_id or username) if role == "volunteer" else volunteer_id),
        disabled=False, created_at=now, disabled_at=None, password_changed_at=now, failed_sign_ins=0,
    )
    if user is None:
        raise DeskAccountError("user.exists")  # taken meanwhile
    uow.emit("account.created", {"user_id": user.id, "office_code": office_code, "role": role, "detail": None,
                                 "at": now}, correlation_id=f"user:{user.id}", actor=actor)
    return user


def disable_user(uow, user, *, actor: dict | None = None, now: datetime | None = None) -> int:
    """Disable an account and end every one of its sessions (returns how many were ended)."""
    now = now or utcnow()
    ended = uow.repo.end_sessions(user.id)
    if not user.disabled:
        user.disabled = True
        user.disabled_at = now
        uow.emit("account.disabled", {"user_id": user.id, "office_code": user.office_code, "role": user.role,
                                      "detail": f"sessions_ended={ended}", "at": now},
                 correlation_id=f"user:{user.id}", actor=actor)
    return ended


def principal_of(user) -> Principal:
    return Principal(user_id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                     office_code=user.office_code, volunteer_id=user.volunteer_id)


# -- sessions ------------------------------------------------------------------------------------------------
def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def csrf_token(token: str) -> str:
    """The web form token for a session: derived from the session token, useless without the cookie."""
    return hashlib.sha256(b"sodsong-csrf\x00" + token.encode("utf-8")).hexdigest()[:43]


def csrf_ok(token: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(token), str(presented))


@dataclass(frozen=True)
class SignIn:
    token: str
    principal: Principal
    expires_at: datetime


def sign_in(db, passwords: Passwords, cfg: dict, *, username, password, totp_code=None, kind="api",
            now: datetime | None = None) -> SignIn:
    """Check credentials and start a session. Raises DeskAccountError session.invalid_credentials for every kind
    of failure (limits per client are the desk's: services.casework.web.auth). The audit events commit whatever the
    outcome."""
    now = now or utcnow()
    name = str(username or "").strip().lower()[:64]
    password = str(password or "")
    key = name[:80]
    with _reading(db) as repo:
        user = repo.user_by_username(name) if name else None
    ok = passwords.verify(user.password_hash if user else None, password[:MAX_PASSWORD])
    if not ok or user is None or user.disabled:
        _failed(db, cfg, key, user, "bad_credentials" if not (user and user.disabled) else "disabled", now)
        raise DeskAccountError("session.invalid_credentials")
    step = None
    if user.totp_secret:
        if not totp_code:
            # the same answer as a wrong password: a missing code must not confirm that the password was right
            _failed(db, cfg, key, user, "totp_missing", now)
            raise DeskAccountError("session.invalid_credentials")
        step = totp_step(user.totp_secret, totp_code, now, user.totp_last_step)
        if step is None:
            _failed(db, cfg, key, user, "bad_totp", now)
            raise DeskAccountError("session.invalid_credentials")
    token = secrets.token_urlsafe(32)  # 256 bits
    expires = now + timedelta(hours=float(cfg["session_absolute_hours"]))
    with db.transaction() as uow:
        if step is not None and not uow.repo.claim_totp_step(user.id, step):
            raise DeskAccountError("session.invalid_credentials")  # of two sign-ins racing with one code
        uow.repo.start_session(token_hash(token), user_id=user.id, kind=kind, now=now, expires_at=expires)
        if user.failed_sign_ins:
            uow.repo.clear_failed_sign_ins(user.id)
        uow.emit("account.signed_in", {"user_id": user.id, "office_code": user.office_code, "role": user.role,
                                       "detail": kind, "at": now},
                 correlation_id=f"user:{user.id}", actor={"kind": "user", "id": user.id})
    return SignIn(token, principal_of(user), expires)


def _failed(db, cfg, key, user, detail, now):
    """Record the failed sign-in (content-free audit event) and count it on the account for its administrators;
    nothing is locked in the database (the desk limits guessing per client: services.casework.web.auth)."""
    user_id = user.id if user else "unknown"
    with db.transaction() as uow:
        if user is not None:
            uow.repo.count_failed_sign_in(user.id, now)
        uow.emit("account.sign_in_failed", {
            "user_id": user_id, "office_code": user.office_code if user else None,
            "role": user.role if user else None, "detail": detail, "at": now,
        }, correlation_id=f"user:{user_id}", actor={"kind": "user", "id": user_id})


def authenticate(db, cfg: dict, token: str | None, *, now: datetime | None = None) -> tuple[Principal, str] | None:
    """The principal of a live session token (and the session kind), or None. Touches the idle clock."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    digest = token_hash(token)
    idle = timedelta(minutes=float(cfg["session_idle_minutes"]))
    with _reading(db) as repo:
        row = repo.session_with_user(digest)
    if row is None:
        return None
    desk_session, user = row
    last_seen = aware(desk_session.last_seen_at)
    if user.disabled or aware(desk_session.expires_at) <= now or last_seen + idle <= now:
        with db.transaction() as uow:
            uow.repo.end_session(digest)
        return None
    if now - last_seen >= timedelta(seconds=min(30.0, idle.total_seconds() / 4)):
        with db.transaction() as uow:
            uow.repo.touch_session(digest, now)
    return principal_of(user), desk_session.kind


def sign_out(db, token: str | None, principal: Principal | None = None, *, now: datetime | None = None) -> bool:
    if not token:
        return False
    now = now or utcnow()
    with db.transaction() as uow:
        ended = uow.repo.end_session(token_hash(token))
        if ended and principal is not None:
            uow.emit("account.signed_out", {"user_id": principal.user_id, "office_code": principal.office_code,
                                            "role": principal.role, "detail": None, "at": now},
                     correlation_id=f"user:{principal.user_id}", actor=principal.actor)
    return bool(ended)


# -- changing and resetting passwords ---------------------------------------------------------------------------
def change_password(db, passwords: Passwords, principal: Principal, *, current: str, new: str,
                    keep_token: str | None = None, now: datetime | None = None) -> int:
    """The user's own change: the current password, then a new one under the policy. Ends every other session
    of the account (returns how many)."""
    now = now or utcnow()
    with _reading(db) as repo:
        user = repo.user(principal.user_id)
    if user is None or user.disabled or not passwords.verify(user.password_hash, str(current or "")[:MAX_PASSWORD]):
        raise DeskAccountError("user.password_wrong")
    check_password_policy(new, username=user.username, office_code=user.office_code)
    if passwords.verify(user.password_hash, new):
        raise DeskAccountError("user.password_common")  # the same password again is no change
    new_hash = passwords.hash(new)
    with db.transaction() as uow:
        return _set_password(uow, user, new_hash, now, keep_token=keep_token, actor=principal.actor,
                             detail="changed")


def issue_reset_code(uow, user, *, cfg: dict, actor: dict, now: datetime | None = None) -> tuple[str, datetime]:
    """An administrator's reset: a one-time code (shown once to the administrator, who passes it on) that lets
    the user choose a new password. The old password keeps working until then; the code is kept as SHA-256."""
    now = now or utcnow()
    code = secrets.token_urlsafe(15)  # 120 bits
    expires = now + timedelta(hours=float(cfg["reset_code_hours"]))
    user.reset_code_hash = token_hash("reset|" + code)
    user.reset_expires_at = expires
    uow.emit("account.password_reset_issued", {"user_id": user.id, "office_code": user.office_code,
                                               "role": user.role, "detail": None, "at": now},
             correlation_id=f"user:{user.id}", actor=actor)
    return code, expires


def redeem_reset_code(db, passwords: Passwords, *, username: str, code: str, new: str,
                      now: datetime | None = None) -> None:
    """Set a new password with a reset code (once; within its time). Ends every session of the account."""
    now = now or utcnow()
    name = str(username or "").strip().lower()[:64]
    digest = token_hash("reset|" + str(code or "")[:200])
    with _reading(db) as repo:
        user = repo.user_by_username(name)
    valid = (user is not None and not user.disabled and user.reset_code_hash
             and hmac.compare_digest(user.reset_code_hash, digest)
             and user.reset_expires_at is not None and aware(user.reset_expires_at) > now)
    if not valid:
        raise DeskAccountError("user.reset_invalid")
    check_password_policy(new, username=user.username, office_code=user.office_code)
    new_hash = passwords.hash(new)
    with db.transaction() as uow:
        if not uow.repo.claim_reset_code(user.id, digest):
            raise DeskAccountError("user.reset_invalid")
        _set_password(uow, user, new_hash, now, keep_token=None, actor={"kind": "user", "id": user.id},
                      detail="reset")


def _set_password(uow, user, new_hash: str, now, *, keep_token, actor, detail) -> int:
    uow.repo.set_password(user.id, new_hash, now)
    ended = uow.repo.end_sessions(user.id, keep=token_hash(keep_token) if keep_token else None)
    uow.emit("account.password_changed", {"user_id": user.id, "office_code": user.office_code, "role": user.role,
                                          "detail": f"{detail};sessions_ended={ended}", "at": now},
             correlation_id=f"user:{user.id}", actor=actor)
    return ended


@contextlib.contextmanager
def _reading(db):
    """The repository for a look-up only; what it loads stays readable once the read-only session is gone."""
    with db.reading() as session:
        repo = db.repository(session)
        yield repo
        repo.detach_all()


# -- administering accounts (agency and system admins) ---------------------------------------------------------
def account_view(user) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "office_code": user.office_code, "role": user.role, "disabled": bool(user.disabled),
            "totp": bool(user.totp_secret), "created_at": iso_utc(user.created_at),
            "email": user.email, "line_user_id": user.line_user_id,
            "failed_sign_ins": int(user.failed_sign_ins or 0),
            "last_failed_at": iso_utc(user.last_failed_at) if user.last_failed_at else None,
            "reset_pending": bool(user.reset_code_hash)}


def list_accounts(repo, principal: Principal) -> list[dict]:
    """The accounts `principal` administers (Forbidden for roles that administer nobody): an agency admin does
    not see the platform's own accounts (operators, system admins) of their agency, which they cannot change."""
    return [account_view(u) for u in repo.users_in_scope(user_scope(principal))
            if may_grant(principal, u.role, u.office_code)]


def create_account(uow, passwords: Passwords, principal: Principal, fields: dict) -> dict:
    """An administrator adds an account within what they may grant. A volunteer id opens every case filed
    under it, in any office: only the platform binds one, and only one intake has registered."""
    user_scope(principal)  # Forbidden for roles that administer nobody
    office = check_office(fields["office_code"], fields["role"])
    if not may_grant(principal, fields["role"], office):
        raise Forbidden()
    if fields["role"] == "volunteer" or fields.get("volunteer_id"):
        if principal.role != "system_admin" or not fields.get("volunteer_id"):
            raise DeskAccountError("user.volunteer_binding")
        check_registered(uow, fields["volunteer_id"])
    user = create_user(uow, passwords, username=fields["username"], office_code=fields["office_code"],
                       role=fields["role"], password=fields["password"], display_name=fields.get("display_name"),
                       volunteer_id=fields.get("volunteer_id"), totp=bool(fields.get("totp")),
                       actor=principal.actor)
    if fields.get("email") or fields.get("line_user_id"):
        _set_contacts(uow, user, fields.get("email"), fields.get("line_user_id"), actor=principal.actor)
    out = account_view(user)
    if user.totp_secret:
        out["totp_uri"] = totp_uri(user)
    return out


def find_account(repo, principal: Principal, username: str):
    """An account `principal` administers (NotFound otherwise, so foreign accounts are not revealed)."""
    user = repo.user_in_scope(username, user_scope(principal))
    if user is None:
        raise NotFound()
    return user


def reset_account(uow, principal: Principal, username: str, *, cfg: dict) -> tuple[str, str, datetime]:
    """An administrator's reset code for an account they may grant: (username, code, expiry)."""
    user = find_account(uow.repo, principal, username)
    if not may_grant(principal, user.role, user.office_code):
        raise Forbidden()
    code, expires = issue_reset_code(uow, user, cfg=cfg, actor=principal.actor)
    return user.username, code, expires


def disable_account(uow, principal: Principal, username: str) -> tuple[str, int]:
    """Disable an account `principal` administers: (username, sessions ended)."""
    user = find_account(uow.repo, principal, username)
    return user.username, disable_user(uow, user, actor=principal.actor)


def check_office(code, role: str) -> str:
    """An office code routing's directory knows (domain/offices.py), in its own spelling; the platform's roles
    may also be in the platform's own office."""
    if role == "volunteer" and str(code or "").strip().upper() == VOLUNTEER_OFFICE:
        return VOLUNTEER_OFFICE  # a volunteer belongs to no office
    office = offices.allowed(code, role)
    if office is None:
        raise DeskAccountError("user.unknown_office")
    return office


def _administered(uow, principal: Principal, username: str):
    """An account `principal` administers and may grant as it now is (the platform's own accounts are the
    platform's), never their own: an administrator does not disable, demote or move themselves."""
    user = find_account(uow.repo, principal, username)
    if not may_grant(principal, user.role, user.office_code):
        raise Forbidden()
    if user.id == principal.user_id:
        raise DeskAccountError("user.not_yourself")
    return user


def _announce(uow, event_type: str, user, actor: dict, now, detail: str | None = None) -> None:
    uow.emit(event_type, {"user_id": user.id, "office_code": user.office_code, "role": user.role,
                          "detail": detail, "at": now}, correlation_id=f"user:{user.id}", actor=actor)


def _contacts_changed(uow, user, actor: dict, now) -> None:
    """notify's copy of where this person's notices go, as the account now is."""
    uow.emit("account.contacts_changed", {
        "user_id": user.id, "office_code": user.office_code, "role": user.role, "active": not user.disabled,
        "staff_email": user.email, "staff_line_id": user.line_user_id, "at": now,
    }, correlation_id=f"user:{user.id}", actor=actor)


def enable_account(uow, principal: Principal, username: str, *, now: datetime | None = None) -> str:
    """Re-enable a disabled account (its password is unchanged; its old sessions stay ended)."""
    now = now or utcnow()
    user = _administered(uow, principal, username)
    if user.disabled:
        user.disabled = False
        user.disabled_at = None
        _announce(uow, "account.enabled", user, principal.actor, now)
        if user.email or user.line_user_id:
            _contacts_changed(uow, user, principal.actor, now)
    return user.username


def disable_administered(uow, principal: Principal, username: str, *, now: datetime | None = None) -> tuple[str, int]:
    """Disable an account `principal` administers (never their own): (username, sessions ended)."""
    now = now or utcnow()
    user = _administered(uow, principal, username)
    was_disabled = user.disabled
    ended = disable_user(uow, user, actor=principal.actor, now=now)
    if not was_disabled and (user.email or user.line_user_id):
        _contacts_changed(uow, user, principal.actor, now)
    return user.username, ended


def unlock_account(uow, principal: Principal, username: str, *, now: datetime | None = None) -> str:
    """Lift the sign-in limit on this username (every desk instance reads `unlocked_at`) and clear its count
    of failed sign-ins. Nothing else changes: a forgotten password still needs a reset."""
    now = now or utcnow()
    user = _administered(uow, principal, username)
    user.failed_sign_ins = 0
    user.unlocked_at = now
    _announce(uow, "account.unlocked", user, principal.actor, now)
    return user.username


def change_account(uow, principal: Principal, username: str, *, role: str, office_code: str,
                   now: datetime | None = None) -> dict:
    """Give an account another role or office, within what `principal` may grant (an agency admin: roles of
    their agency, offices of their agency; a volunteer's binding is not changed here)."""
    now = now or utcnow()
    user = _administered(uow, principal, username)
    if role not in ROLES:
        raise DeskAccountError("user.invalid_role", roles=list(ROLES))
    office = check_office(office_code, role)
    if not may_grant(principal, role, office):
        raise Forbidden()
    if (role == "volunteer") != (user.role == "volunteer"):
        raise DeskAccountError("user.volunteer_binding")
    if role == user.role and office == user.office_code:
        return account_view(user)
    detail = f"role={user.role}>{role};office={user.office_code}>{office}"
    user.role, user.office_code = role, office
    _announce(uow, "account.role_changed", user, principal.actor, now, detail=detail)
    if user.email or user.line_user_id:
        _contacts_changed(uow, user, principal.actor, now)
    return account_view(user)


# -- personal notification contacts ------------------------------------------------------------------------------
EMAIL = re.compile(r"^[^@\s<>\\\"]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,63}$")
LINE_USER_ID = re.compile(r"^U[0-9a-f]{32}$")


def clean_contacts(email, line_user_id) -> tuple[str | None, str | None]:
    email = str(email or "").strip() or None
    line = str(line_user_id or "").strip() or None
    if email is not None and not EMAIL.match(email):
        raise DeskAccountError("user.invalid_email")
    if line is not None and not LINE_USER_ID.match(line):
        raise DeskAccountError("user.invalid_line_user_id")
    return email, line


def _set_contacts(uow, user, email, line_user_id, *, actor: dict, now: datetime | None = None) -> bool:
    email, line = clean_contacts(email, line_user_id)
    if (email, line) == (user.email, user.line_user_id):
        return False
    user.email, user.line_user_id = email, line
    _contacts_changed(uow, user, actor, now or utcnow())
    return True


def set_contacts(uow, principal: Principal, username: str | None, *, email, line_user_id) -> dict:
    """Where a person's own notices go: set by the person (username None) or by an administrator of theirs."""
    if username is None or username == principal.username:
        user = uow.repo.user(principal.user_id)
        if user is None or user.disabled:
            raise NotFound()
    else:
        user = find_account(uow.repo, principal, username)
        if not may_grant(principal, user.role, user.office_code):
            raise Forbidden()
    _set_contacts(uow, user, email, line_user_id, actor=principal.actor)
    return account_view(user)


def my_account(repo, principal: Principal) -> dict:
    user = repo.user(principal.user_id)
    if user is None:
        raise NotFound()
    out = account_view(user)
    out["totp_pending"] = bool(user.totp_pending_secret)
    return out


# -- TOTP enrolment (self-service) -------------------------------------------------------------------------------
def start_totp(uow, principal: Principal) -> dict:
    """A new secret for the user's authenticator app, kept aside until a code from the app confirms it; the
    TOTP already in use (if any) keeps working until then."""
    user = uow.repo.user(principal.user_id)
    if user is None or user.disabled:
        raise NotFound()
    user.totp_pending_secret = new_totp_secret()
    return {"secret": user.totp_pending_secret, "uri": pending_totp_uri(user)}


def pending_totp(repo, principal: Principal) -> dict | None:
    user = repo.user(principal.user_id)
    if user is None or not user.totp_pending_secret:
        return None
    return {"secret": user.totp_pending_secret, "uri": pending_totp_uri(user)}


def pending_totp_uri(user, issuer: str = "Sodsong") -> str:
    return pyotp.TOTP(user.totp_pending_secret).provisioning_uri(name=user.username, issuer_name=issuer)


def confirm_totp(uow, principal: Principal, code: str, *, now: datetime | None = None) -> None:
    """Turn TOTP on with the pending secret once a code from the app matches it (that code is used up)."""
    now = now or utcnow()
    user = uow.repo.user(principal.user_id)
    if user is None or not user.totp_pending_secret:
        raise DeskAccountError("user.totp_not_started")
    step = totp_step(user.totp_pending_secret, str(code or "").strip(), now, None)
    if step is None:
        raise DeskAccountError("user.totp_wrong")
    user.totp_secret, user.totp_pending_secret, user.totp_last_step = user.totp_pending_secret, None, step
    _announce(uow, "account.totp_enabled", user, principal.actor, now)
