"""The desk's HTTP edge: who is calling (bearer token or session cookie + CSRF), domain errors as HTTP answers,
HTML pages (Jinja2, Thai first with English, no external assets, no JavaScript), and the sweep's timer.

API clients send `Authorization: Bearer <token>` (from POST /api/v1/session). The web UI keeps its token in an
HttpOnly, SameSite=Strict cookie, and every form that changes something carries a CSRF token derived from the
session token (a cookie-authenticated API call must send it as X-CSRF-Token).
"""
from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from marshmallow import ValidationError
from nameko.extensions import DependencyProvider
from nameko.timer import Timer
from werkzeug.datastructures import Headers
from werkzeug.exceptions import NotFound as UnknownUrl
from werkzeug.wrappers import Response

from services.casework.usecases import accounts
from services.casework.domain import policy
from services.casework.usecases.accounts import AccountError
from services.casework.usecases.case_reading import DeskSettings
from services.casework.domain.lifecycle import TransitionError
from shared import clients, i18n
from shared.clients import ClientLimiter
from shared.dependencies import INSTANCE_ID, Database
from shared.logging import get_logger
from shared.web import SECURITY_HEADERS, ApiError, ApiHandler

log = get_logger(__name__)

HERE = Path(__file__).resolve().parent.parent  # services/casework (templates/, static/)
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'none'")
LOGIN_CSRF_COOKIE = "sodsong_login"

_CONFLICT = {"case.transition_not_allowed", "case.not_open", "case.transfer_limit", "case.not_in_triage",
             "user.exists", "case.no_closure_proposal"}
_FORBIDDEN = {"case.transition_not_permitted"}


class SignInRequired(Exception):
    """A web page was asked for without a live session: go to the sign-in page."""


class Redirect(Exception):
    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


def as_api_error(exc: Exception) -> Exception:
    """Domain errors → ApiError (anything else is left for the generic 500)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, policy.NotFound):
        return ApiError(404, "request.not_found")
    if isinstance(exc, policy.Forbidden):
        return ApiError(403, "request.forbidden")
    if isinstance(exc, TransitionError):
        status = 409 if exc.key in _CONFLICT else 403 if exc.key in _FORBIDDEN else 400
        return ApiError(status, exc.key, **exc.detail)
    if isinstance(exc, AccountError):
        status = {"session.invalid_credentials": 401, "session.totp_required": 401, "session.throttled": 429,
                  "user.exists": 409, "user.password_wrong": 403, "user.volunteer_binding": 403}.get(exc.key, 400)
        return ApiError(status, exc.key, **exc.detail)
    if isinstance(exc, ValidationError):
        return ApiError(400, "request.validation_failed", fields=i18n.field_errors(exc.messages))
    return exc


def _expected() -> tuple:
    return (ApiError, policy.NotFound, policy.Forbidden, TransitionError, AccountError, ValidationError,
            SignInRequired, Redirect)


class _HiddenPages:
    """A page that is `policy.Hidden` from the caller gets exactly the web server's answer to an unknown URL
    (werkzeug's 404, without the desk's own headers), so nothing tells it from a page that does not exist."""

    def handle_request(self, request):
        response = super().handle_request(request)
        if getattr(response, "sodsong_hidden", False):
            return UnknownUrl().get_response(request.environ)
        return response

    @staticmethod
    def hidden() -> Response:
        response = UnknownUrl().get_response()
        response.sodsong_hidden = True
        return response


class DeskApiHandler(_HiddenPages, ApiHandler):
    def __init__(self, method, url, **kwargs):
        kwargs.setdefault("expected_exceptions", _expected())  # answered, not logged as worker errors
        super().__init__(method, url, **kwargs)

    def response_from_exception(self, exc):
        if isinstance(exc, policy.Hidden):
            return self.hidden()
        return super().response_from_exception(as_api_error(exc))


class DeskPageHandler(_HiddenPages, ApiHandler):
    """HTML pages: errors are pages too, and a missing session is a trip to the sign-in page."""

    def __init__(self, method, url, **kwargs):
        kwargs.setdefault("expected_exceptions", _expected())
        super().__init__(method, url, **kwargs)

    def response_from_exception(self, exc):
        if isinstance(exc, policy.Hidden):
            return self.hidden()
        if isinstance(exc, SignInRequired):
            return redirect("/login")
        if isinstance(exc, Redirect):
            return redirect(exc.location)
        err = as_api_error(exc)
        if isinstance(err, ApiError):
            return render(PAGES, "error.html", status=err.status, code=err.status, message=i18n.message(err.key),
                          principal=None, csrf=None)
        log.error("http.unhandled_error", error=type(exc).__name__, exc_info=exc)
        return render(PAGES, "error.html", status=500, code=500, message=i18n.message("request.internal_error"),
                      principal=None, csrf=None)


desk_api = DeskApiHandler.decorator
desk_page = DeskPageHandler.decorator


class ConfiguredTimer(Timer):
    """nameko's timer with its interval read from `casework.<setting>` at start-up."""

    def __init__(self, setting: str, default: float, **kwargs):
        self.setting = setting
        super().__init__(interval=default, eager=False, **kwargs)

    def setup(self):
        value = (self.container.config["SODSONG"].get("casework") or {}).get(self.setting)
        if value:
            self.interval = float(value)
        super().setup()


configured_timer = ConfiguredTimer.decorator


# -- pages ---------------------------------------------------------------------------------------------------
BANGKOK = timezone(timedelta(hours=7))
_TH_MONTHS = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]


def when(value) -> str:
    """Bangkok time, Thai (Buddhist era) first, then English."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    local = value.astimezone(BANGKOK)
    thai = f"{local.day} {_TH_MONTHS[local.month - 1]} {local.year + 543} {local:%H:%M} น."
    return f"{thai} / {local:%d %b %Y %H:%M}"


def day(value) -> str:
    """A calendar date (YYYY-MM-DD), Thai (Buddhist era) first, then English."""
    try:
        d = datetime.fromisoformat(str(value)[:10]).date()
    except ValueError:
        return str(value)
    return f"{d.day} {_TH_MONTHS[d.month - 1]} {d.year + 543} / {d:%d %b %Y}"


def filesize(size) -> str:
    """A file's size for people: bytes under 1 KB, then KB, then MB (Thai first)."""
    size = int(size or 0)
    if size < 1024:
        return f"{size} ไบต์ / {size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def age(seconds) -> str:
    """A duration for the operator page: "4 นาที 5 วินาที / 4 min 5 s"."""
    if seconds is None or seconds == "":
        return "—"
    seconds = int(float(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    th = [(days, "วัน"), (hours, "ชั่วโมง"), (minutes, "นาที"), (secs, "วินาที")]
    en = [(days, "d"), (hours, "h"), (minutes, "min"), (secs, "s")]
    first = next((i for i, (n, _) in enumerate(th) if n), 3)
    pick = slice(first, first + 2)
    return (" ".join(f"{n} {u}" for n, u in th[pick] if n or first == 3) + " / "
            + " ".join(f"{n} {u}" for n, u in en[pick] if n or first == 3))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = when
    env.filters["age"] = age
    env.filters["day"] = day
    env.filters["filesize"] = filesize
    env.globals["message"] = i18n.message
    env.globals["ops_roles"] = policy.OPS_ROLES
    return env


PAGES = _environment()


def _headers(extra, **fixed) -> Headers:
    """Security headers, then fixed ones, then extra ones (a list of pairs may repeat Set-Cookie)."""
    out = Headers()
    for key, value in {**SECURITY_HEADERS, **fixed}.items():
        out[key] = value
    for key, value in (extra.items() if isinstance(extra, dict) else (extra or ())):
        out.add(key, value) if key.lower() == "set-cookie" else out.__setitem__(key, value)
    return out


def render(env: jinja2.Environment, template: str, status: int = 200, headers=None, **context) -> Response:
    html = env.get_template(template).render(**context)
    return Response(html, status=status, mimetype="text/html",
                    headers=_headers(headers, **{"Content-Security-Policy": PAGE_CSP}))


def redirect(location: str, headers=None) -> Response:
    return Response("", status=303, headers=_headers(headers, Location=location))


def page_url(path: str, **params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(params)}" if params else path


# -- the dependency ------------------------------------------------------------------------------------------
class Desk(DependencyProvider):
    """Per-container desk settings, the password hasher and the sign-in helpers (`self.desk` in the service)."""

    def setup(self):
        config = self.container.config["SODSONG"]
        self.casework = config.get("casework") or {}
        self.account_settings = accounts.settings(self.casework)
        self.passwords = accounts.Passwords(**self.account_settings["argon2"])
        self.settings = DeskSettings.from_config(self.casework)
        secure = self.casework.get("cookie_secure")
        if secure is None:
            secure = str(self.casework.get("desk_url", "")).startswith("https://")
        self.cookie_secure = bool(secure)
        self.cookie_name = "__Host-sodsong_desk" if self.cookie_secure else "sodsong_desk"
        window = float(self.account_settings["login_window_minutes"]) * 60
        # failures per (username, client): the attacker's address slows down, the real user elsewhere does not
        self.pairs = ClientLimiter(int(self.account_settings["login_max_failures"]), window)
        # failures per client across usernames (password spraying from one address)
        self.addresses = ClientLimiter(int(self.casework.get("login_max_failures_per_address", 50)), window)
        self.clients = clients.settings(self.casework)
        self.instance = f"{INSTANCE_ID}:{uuid.uuid4().hex[:8]}"

    def get_dependency(self, worker_ctx):
        return self

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
        wait = max(self.pairs.retry_after(pair), self.addresses.retry_after(client))
        if wait:
            raise AccountError("session.throttled", retry_after_seconds=wait)
        try:
            done = accounts.sign_in(self.db, self.passwords, self.account_settings, username=username,
                                    password=password, totp_code=totp, kind=kind)
        except AccountError:
            self.pairs.hit(pair)
            self.addresses.hit(client)
            raise
        self.pairs.reset(pair)
        return done

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
