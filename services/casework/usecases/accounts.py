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

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from services.casework.domain import passwords as passwords_policy
from services.casework.models import DeskSession, User
from services.casework.domain.policy import ROLES, Principal
from shared.events import aware_utc, utcnow

MIN_PASSWORD, MAX_PASSWORD = passwords_policy.MIN_PASSWORD, passwords_policy.MAX_PASSWORD
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
OFFICE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$")

DEFAULTS = {
    "session_idle_minutes": 30,
    "session_absolute_hours": 12,
    "login_max_failures": 5,
    "login_window_minutes": 15,
    "login_lockout_minutes": 15,
    "reset_code_hours": 24,
    "argon2": {"time_cost": 3, "memory_cost_kib": 65536, "parallelism": 1},
}


def settings(casework_config: dict | None) -> dict:
    out = dict(DEFAULTS)
    for key in DEFAULTS:
        if casework_config and casework_config.get(key) is not None:
            out[key] = casework_config[key]
    return out


class AccountError(ValueError):
    def __init__(self, key: str, **detail):
        super().__init__(key)
        self.key = key
        self.detail = detail


aware = aware_utc  # SQLite hands datetimes back naive (they are stored as UTC)


# -- passwords -----------------------------------------------------------------------------------------------
class Passwords:
    def __init__(self, time_cost: int = 3, memory_cost_kib: int = 65536, parallelism: int = 1):
        self._hasher = PasswordHasher(time_cost=int(time_cost), memory_cost=int(memory_cost_kib),
                                      parallelism=int(parallelism), type=Type.ID)
        # verified when the username is unknown, so an unknown user costs as much time as a known one
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return _off_hub(self._hasher.hash, password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        def check():
            try:
                return self._hasher.verify(stored_hash or self._decoy, password) and stored_hash is not None
            except (VerificationError, InvalidHashError):
                return False
        return _off_hub(check)


def check_password_policy(password: str, *, username: str = "", office_code: str = "") -> None:
    key = passwords_policy.problem(password, username=username, office_code=office_code)
    if key == "user.password_length":
        raise AccountError(key, min=MIN_PASSWORD, max=MAX_PASSWORD)
    if key:
        raise AccountError(key)


def _off_hub(fn, *args):
    """argon2 takes tens of milliseconds of CPU: run it in a real OS thread when eventlet is in charge."""
    try:
        import eventlet.patcher
        from eventlet import tpool

        if eventlet.patcher.is_monkey_patched("thread"):
            return tpool.execute(fn, *args)
    except ImportError:  # pragma: no cover
        pass
    return fn(*args)


# -- TOTP ----------------------------------------------------------------------------------------------------
def new_totp_secret() -> str:
    return pyotp.random_base32(32)  # 160 bits


def totp_uri(user: User, issuer: str = "Sodsong") -> str:
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
                actor: dict | None = None, now: datetime | None = None, password_hash: str | None = None) -> User:
    """Add an account (and announce it). `password_hash` may be computed beforehand with `passwords.hash`, so
    the slow hashing happens outside the transaction."""
    username = (username or "").strip().lower()
    office_code = (office_code or "").strip().upper()
    if not USERNAME.match(username):
        raise AccountError("user.invalid_username")
    if not OFFICE_CODE.match(office_code):
        raise AccountError("user.invalid_office")
    if role not in ROLES:
        raise AccountError("user.invalid_role", roles=list(ROLES))
    check_password_policy(password, username=username, office_code=office_code)
    password_hash = password_hash or passwords.hash(password)
    if uow.session.execute(select(User.id).where(User.username == username)).first():
        raise AccountError("user.exists")
    now = now or utcnow()
    user = User(
        id=str(uuid.uuid4()), username=username, display_name=(display_name or username).strip()[:200],
        office_code=office_code, role=role, password_hash=password_hash,
        totp_secret=new_totp_secret() if totp else None, totp_last_step=None,
        volunteer_id=((volunteer_id or username) if role == "volunteer" else volunteer_id),
        disabled=False, created_at=now, disabled_at=None, password_changed_at=now,
    )
    uow.session.add(user)
    try:
        uow.session.flush()
    except IntegrityError:
        raise AccountError("user.exists")
    uow.emit("account.created", {"user_id": user.id, "office_code": office_code, "role": role, "detail": None,
                                 "at": now}, correlation_id=f"user:{user.id}", actor=actor)
    return user


def disable_user(uow, user: User, *, actor: dict | None = None, now: datetime | None = None) -> int:
    """Disable an account and end every one of its sessions (returns how many were ended)."""
    now = now or utcnow()
    ended = uow.session.execute(delete(DeskSession).where(DeskSession.user_id == user.id)).rowcount or 0
    if not user.disabled:
        user.disabled = True
        user.disabled_at = now
        uow.emit("account.disabled", {"user_id": user.id, "office_code": user.office_code, "role": user.role,
                                      "detail": f"sessions_ended={ended}", "at": now},
                 correlation_id=f"user:{user.id}", actor=actor)
    return ended


def principal_of(user: User) -> Principal:
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
    """Check credentials and start a session. Raises AccountError session.invalid_credentials for every kind
    of failure (limits per client are the desk's: services.casework.web.auth). The audit events commit whatever the
    outcome."""
    now = now or utcnow()
    name = str(username or "").strip().lower()[:64]
    password = str(password or "")
    key = name[:80]
    with db.reading() as session:
        user = session.execute(select(User).where(User.username == name)).scalar_one_or_none() if name else None
        session.expunge_all()  # keep the loaded values once the read-only session rolls back
    ok = passwords.verify(user.password_hash if user else None, password[:MAX_PASSWORD])
    if not ok or user is None or user.disabled:
        _failed(db, cfg, key, user, "bad_credentials" if not (user and user.disabled) else "disabled", now)
        raise AccountError("session.invalid_credentials")
    step = None
    if user.totp_secret:
        if not totp_code:
            # the same answer as a wrong password: a missing code must not confirm that the password was right
            _failed(db, cfg, key, user, "totp_missing", now)
            raise AccountError("session.invalid_credentials")
        step = totp_step(user.totp_secret, totp_code, now, user.totp_last_step)
        if step is None:
            _failed(db, cfg, key, user, "bad_totp", now)
            raise AccountError("session.invalid_credentials")
    token = secrets.token_urlsafe(32)  # 256 bits
    expires = now + timedelta(hours=float(cfg["session_absolute_hours"]))
    with db.transaction() as uow:
        s = uow.session
        if step is not None:
            # compare-and-set: of two sign-ins racing with one code, only one wins it
            won = s.execute(update(User).where(User.id == user.id, (User.totp_last_step.is_(None))
                                               | (User.totp_last_step < step))
                            .values(totp_last_step=step)).rowcount
            if not won:
                raise AccountError("session.invalid_credentials")
        s.execute(delete(DeskSession).where(DeskSession.user_id == user.id, DeskSession.expires_at <= now))
        s.add(DeskSession(token_hash=token_hash(token), user_id=user.id, kind=kind, created_at=now,
                          last_seen_at=now, expires_at=expires))
        uow.emit("account.signed_in", {"user_id": user.id, "office_code": user.office_code, "role": user.role,
                                       "detail": kind, "at": now},
                 correlation_id=f"user:{user.id}", actor={"kind": "user", "id": user.id})
    return SignIn(token, principal_of(user), expires)


def _failed(db, cfg, key, user, detail, now):
    """Record the failed sign-in (content-free audit event); nothing is locked."""
    user_id = user.id if user else "unknown"
    with db.transaction() as uow:
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
    with db.reading() as session:
        row = session.execute(select(DeskSession, User).join(User, User.id == DeskSession.user_id)
                              .where(DeskSession.token_hash == digest)).first()
        session.expunge_all()
    if row is None:
        return None
    desk_session, user = row
    last_seen = aware(desk_session.last_seen_at)
    if user.disabled or aware(desk_session.expires_at) <= now or last_seen + idle <= now:
        with db.transaction() as uow:
            uow.session.execute(delete(DeskSession).where(DeskSession.token_hash == digest))
        return None
    if now - last_seen >= timedelta(seconds=min(30.0, idle.total_seconds() / 4)):
        with db.transaction() as uow:
            uow.session.execute(update(DeskSession).where(DeskSession.token_hash == digest)
                                .values(last_seen_at=now))
    return principal_of(user), desk_session.kind


def sign_out(db, token: str | None, principal: Principal | None = None, *, now: datetime | None = None) -> bool:
    if not token:
        return False
    now = now or utcnow()
    with db.transaction() as uow:
        ended = uow.session.execute(delete(DeskSession).where(DeskSession.token_hash == token_hash(token))).rowcount
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
    with db.reading() as session:
        user = session.get(User, principal.user_id)
        session.expunge_all()
    if user is None or user.disabled or not passwords.verify(user.password_hash, str(current or "")[:MAX_PASSWORD]):
        raise AccountError("user.password_wrong")
    check_password_policy(new, username=user.username, office_code=user.office_code)
    if passwords.verify(user.password_hash, new):
        raise AccountError("user.password_common")  # the same password again is no change
    new_hash = passwords.hash(new)
    with db.transaction() as uow:
        return _set_password(uow, user, new_hash, now, keep_token=keep_token, actor=principal.actor,
                             detail="changed")


def issue_reset_code(uow, user: User, *, cfg: dict, actor: dict, now: datetime | None = None) -> tuple[str, datetime]:
    """An administrator's reset: a one-time code (shown once to the administrator, who passes it on) that lets
    the user choose a new password. The old password keeps working until then; the code is kept as SHA-256."""
    now = now or utcnow()
    code = secrets.token_urlsafe(15)  # 120 bits
    expires = now + timedelta(hours=float(cfg.get("reset_code_hours", 24)))
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
    with db.reading() as session:
        user = session.execute(select(User).where(User.username == name)).scalar_one_or_none()
        session.expunge_all()
    valid = (user is not None and not user.disabled and user.reset_code_hash
             and hmac.compare_digest(user.reset_code_hash, digest)
             and user.reset_expires_at is not None and aware(user.reset_expires_at) > now)
    if not valid:
        raise AccountError("user.reset_invalid")
    check_password_policy(new, username=user.username, office_code=user.office_code)
    new_hash = passwords.hash(new)
    with db.transaction() as uow:
        won = uow.session.execute(update(User).where(User.id == user.id, User.reset_code_hash == digest)
                                  .values(reset_code_hash=None, reset_expires_at=None)).rowcount
        if not won:
            raise AccountError("user.reset_invalid")
        _set_password(uow, user, new_hash, now, keep_token=None, actor={"kind": "user", "id": user.id},
                      detail="reset")


def _set_password(uow, user: User, new_hash: str, now, *, keep_token, actor, detail) -> int:
    s = uow.session
    s.execute(update(User).where(User.id == user.id).values(password_hash=new_hash, password_changed_at=now))
    query = delete(DeskSession).where(DeskSession.user_id == user.id)
    if keep_token:
        query = query.where(DeskSession.token_hash != token_hash(keep_token))
    ended = s.execute(query).rowcount or 0
    uow.emit("account.password_changed", {"user_id": user.id, "office_code": user.office_code, "role": user.role,
                                          "detail": f"{detail};sessions_ended={ended}", "at": now},
             correlation_id=f"user:{user.id}", actor=actor)
    return ended
