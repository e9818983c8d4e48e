"""Who is calling the desk: a bearer token, or the session cookie plus a CSRF token; sign-in (with its limits per
client), sign-out and the cookies. `Desk` is the service's dependency (`self.desk`): it also holds the desk's
settings, the password hasher and the use cases, wired once (usecases/wiring.py).

API clients send `Authorization: Bearer <token>` (from POST /api/v1/session). The web UI keeps its token in an
HttpOnly, SameSite=Strict cookie, and every form that changes something carries a CSRF token derived from the
session token (a cookie-authenticated API call must send it as X-CSRF-Token).
"""
from __future__ import annotations

import secrets
import uuid

from nameko.extensions import DependencyProvider

from services.casework.domain import policy
from services.casework.domain.errors import DeskAccountError
from services.casework.usecases import accounts
from services.casework.usecases.case_reading import DeskSettings
from services.casework.usecases.wiring import DeskUseCases
from shared import clients
from shared.clients import ClientLimiter
from shared.clock import utcnow
from shared.dependencies import INSTANCE_ID, Database
from shared.web import ApiError

LOGIN_CSRF_COOKIE = "sodsong_login"


class SignInRequired(Exception):
    """A web page was asked for without a live session: go to the sign-in page."""


class Desk(DependencyProvider):
    """Per-container desk settings, the password hasher and the sign-in helpers (`self.desk` in the service)."""

    def setup(self):
        config = self.container.config["SODSONG"]
        self.casework = config.get("casework") or {}
        self.account_settings = accounts.settings(self.casework)  # the whole section, over its defaults
        self.passwords = accounts.Passwords(**self.account_settings["argon2"])
        self.settings = DeskSettings.from_config(self.account_settings)
        secure = self.account_settings["cookie_secure"]
        if secure is None:
            secure = str(self.account_settings["desk_url"]).startswith("https://")
        self.cookie_secure = bool(secure)
        self.cookie_name = "__Host-sodsong_desk" if self.cookie_secure else "sodsong_desk"
        window = float(self.account_settings["login_window_minutes"]) * 60
        # failures per (username, client): the attacker's address slows down, the real user elsewhere does not
        self.pairs = ClientLimiter(int(self.account_settings["login_max_failures"]), window)
        # failures per client across usernames (password spraying from one address)
        self.addresses = ClientLimiter(int(self.account_settings["login_max_failures_per_address"]), window)
        self.clients = clients.settings(self.casework)
        self.instance = f"{INSTANCE_ID}:{uuid.uuid4().hex[:8]}"
        self._usecases = None

    def get_dependency(self, worker_ctx):
        return self

    @property
    def usecases(self) -> DeskUseCases:
        """The desk's use cases over the service's database (made once the database is set up)."""
        if self._usecases is None:
            self._usecases = DeskUseCases(self.db, self.settings, self.account_settings, self.passwords,
                                          self.container.config["SODSONG"])
        return self._usecases

    @property
    def db(self):
        return next(dep for dep in self.container.dependencies if isinstance(dep, Database)).service_db

    # -- who is calling ------------------------------------------------------------------------------------------
    def _bearer(self, request) -> str | None:
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            return header[7:].strip() or None
        return None

    def api_principal(self, request, *, unsafe: bool = False) -> policy.Principal:
        """The caller of an API endpoint: a bearer token, or the web session cookie plus X-CSRF-Token."""
        token = self._bearer(request)
        via_cookie = False
        if token is None:
            token = request.cookies.get(self.cookie_name)
            via_cookie = token is not None
        found = accounts.authenticate(self.db, self.account_settings, token)
        if found is None:
            raise ApiError(401, "request.unauthorized")
        if via_cookie and unsafe and not accounts.csrf_ok(token, request.headers.get("X-CSRF-Token")):
            raise ApiError(403, "request.csrf_failed")
        return found[0]

    def api_token(self, request) -> str | None:
        return self._bearer(request) or request.cookies.get(self.cookie_name)

    def page_principal(self, request, *, unsafe: bool = False) -> tuple[policy.Principal, str]:
        """The caller of a web page and the CSRF token its forms carry (checked on unsafe requests)."""
        token = request.cookies.get(self.cookie_name)
        found = accounts.authenticate(self.db, self.account_settings, token)
        if found is None:
            raise SignInRequired()
        if unsafe and not accounts.csrf_ok(token, request.form.get("csrf")):
            raise ApiError(403, "request.csrf_failed")
        return found[0], accounts.csrf_token(token)

    def client(self, request) -> str | None:
        return clients.client_address(request.environ, self.clients)

    def sign_in(self, request, username, password, totp, kind):
        address = self.client(request)
        pair = self.pairs.key(address, scope=str(username or "").strip().lower()[:64])
        client = self.addresses.key(address)
        if self.pairs.retry_after(pair):
            self._lift_if_unlocked(pair, username)
        wait = max(self.pairs.retry_after(pair), self.addresses.retry_after(client))
        if wait:
            raise DeskAccountError("session.throttled", retry_after_seconds=wait)
        try:
            done = accounts.sign_in(self.db, self.passwords, self.account_settings, username=username,
                                    password=password, totp_code=totp, kind=kind)
        except DeskAccountError:
            self.pairs.hit(pair)
            self.addresses.hit(client)
            raise
        self.pairs.reset(pair)
        return done

    def _lift_if_unlocked(self, pair: bytes, username) -> None:
        """An administrator's unlock (`unlocked_at`, in the database so that every instance sees it) forgets the
        failures this username had from this client before it."""
        unlocked = self.usecases.unlocked_at(str(username or ""))
        if unlocked is None:
            return
        ago = (utcnow() - unlocked).total_seconds()
        if 0 <= ago <= self.pairs.window:
            self.pairs.forget_before(pair, ago)

    def redeem_reset(self, request, username, code, new_password) -> None:
        """A reset code is a secret too: wrong codes count like wrong passwords for this client."""
        key = self.addresses.key(self.client(request))
        wait = self.addresses.retry_after(key)
        if wait:
            raise DeskAccountError("session.throttled", retry_after_seconds=wait)
        try:
            accounts.redeem_reset_code(self.db, self.passwords, username=str(username or ""),
                                       code=str(code or ""), new=str(new_password or ""))
        except DeskAccountError as exc:
            if exc.key == "user.reset_invalid":
                self.addresses.hit(key)
            raise

    # -- cookies -------------------------------------------------------------------------------------------------
    def session_cookie(self, token: str) -> str:
        parts = [f"{self.cookie_name}={token}", "Path=/", "HttpOnly", "SameSite=Strict"]
        if self.cookie_secure:
            parts.append("Secure")
        return "; ".join(parts)

    def clear_cookie(self) -> str:
        parts = [f"{self.cookie_name}=", "Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=0"]
        if self.cookie_secure:
            parts.append("Secure")
        return "; ".join(parts)

    def login_csrf_cookie(self, path: str = "/login") -> tuple[str, str]:
        value = secrets.token_urlsafe(24)
        parts = [f"{LOGIN_CSRF_COOKIE}={value}", f"Path={path}", "HttpOnly", "SameSite=Strict"]
        if self.cookie_secure:
            parts.append("Secure")
        return value, "; ".join(parts)
