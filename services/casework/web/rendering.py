"""How the desk's pages are drawn: the Jinja2 environment (one language per page, Thai unless the person chose
English with the switch every page carries; no external assets, no JavaScript), its filters for words, times,
dates, sizes and durations, and the HTML and redirect answers with the desk's security headers."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from jinja2 import pass_context
from markupsafe import Markup, escape
from werkzeug.datastructures import Headers
from werkzeug.wrappers import Response

from services.casework.domain import offices, policy, wording
from shared import i18n
from shared.clock import ENGLISH_MONTHS, local, thai_date
from shared.web import SECURITY_HEADERS

HERE = Path(__file__).resolve().parent.parent  # services/casework (templates/, static/)
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
            "frame-ancestors 'none'")


def _moment(value) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return local(value)


def when_text(value, lang: str = "th") -> str:
    """A moment in Bangkok time, one format per language: "1 ธ.ค. 2569 14:30 น." (Thai month, Buddhist year) or
    "1 Dec 2026 14:30" (Gregorian)."""
    here = _moment(value)
    if here is None:
        return "—" if value in (None, "") else str(value)
    if lang == "en":
        return f"{here.day} {ENGLISH_MONTHS[here.month - 1][:3]} {here.year} {here:%H:%M}"
    return f"{thai_date(here.date())} {here:%H:%M} น."


def when(value, lang: str = "th") -> Markup:
    """A moment on a page: written once, in the page's language (the desk reads Thai first), the other
    language's form in the tooltip, the exact time for machines in `datetime`."""
    here = _moment(value)
    if here is None:
        return Markup(escape(when_text(value, lang)))
    other = "en" if lang == "th" else "th"
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        here.isoformat(), when_text(value, other), when_text(value, lang))


def day(value, lang: str = "th") -> str:
    """A calendar date (YYYY-MM-DD), one format per language: "5 ธ.ค. 2569" or "5 Dec 2026"."""
    try:
        d = datetime.fromisoformat(str(value)[:10]).date()
    except ValueError:
        return str(value)
    return f"{d.day} {ENGLISH_MONTHS[d.month - 1][:3]} {d.year}" if lang == "en" else thai_date(d)


def age(seconds, lang: str = "th") -> str:
    """A duration for the operator page: "4 นาที 5 วินาที" or "4 min 5 s"."""
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
    return " ".join(f"{n} {u}" for n, u in (en if lang == "en" else th)[pick] if n or first == 3)


# -- the page's language -------------------------------------------------------------------------------------
LANG_COOKIE = "desk_lang"
LANG_COOKIE_AGE = 365 * 86400


def language_of(request) -> str:
    """The language the person chose with the switch (a cookie), Thai until they choose."""
    return i18n.language(request.cookies.get(LANG_COOKIE) if request is not None else None)


def language_cookie(lang: str) -> str:
    return f"{LANG_COOKIE}={i18n.language(lang)}; Path=/; Max-Age={LANG_COOKIE_AGE}; SameSite=Lax; HttpOnly"


def local_target(value: str | None) -> str:
    """Where the switch goes back to: a path on this desk (never another site), the sign-in page otherwise."""
    value = (value or "").strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value or any(ord(c) < 32 for c in value):
        return "/cases"
    return value


def switch_link(lang: str, here: str) -> str:
    """The link that shows the same page (its query string, its filters) in the other language."""
    return page_url("/language", to="en" if lang == "th" else "th", back=local_target(here))


def here_of(request) -> str:
    """The page as the person sees it: its path and query string (the page a form's answer stands for is the
    page the form is on, so a POST comes back to its GET)."""
    if request is None:
        return "/cases"
    query = request.query_string.decode("latin-1") if request.method == "GET" else ""
    return request.path + (f"?{query}" if query else "")


@pass_context
def _in_language(context, label, *_) -> str:
    """A {"th", "en"} label in the page's language (Thai when it has no English)."""
    if not label:
        return ""
    if isinstance(label, str):
        return label
    return _field(label, context.get("lang", "th")) or _field(label, "th") or ""


def _field(thing, key: str):
    return thing.get(key) if isinstance(thing, dict) else getattr(thing, key, None)


@pass_context
def _name_in_language(context, thing) -> str:
    """An office's, province's or network's name (name_th, name_en) in the page's language."""
    if not thing:
        return ""
    if context.get("lang") == "en" and _field(thing, "name_en"):
        return _field(thing, "name_en")
    return _field(thing, "name_th") or _field(thing, "name_en") or ""


def _with_language(fn):
    @pass_context
    def filtered(context, value, *args):
        return fn(value, *args, context.get("lang", "th")) if not args else fn(value, *args)
    return filtered


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = _with_language(when)
    env.filters["when_text"] = _with_language(when_text)  # inside an attribute (title="…"): text, no markup
    env.filters["age"] = _with_language(age)
    env.filters["day"] = _with_language(day)
    env.filters["filesize"] = _with_language(lambda size, lang: i18n.filesize(
        size, "{size} bytes" if lang == "en" else "{size} ไบต์"))
    env.filters["baht"] = _with_language(wording.baht)
    env.filters["words"] = _in_language  # {"th", "en"} -> the page's language
    env.filters["name"] = _name_in_language  # {"name_th", "name_en"} -> the page's language
    env.globals.update(lang="th", other="en", switch="/language?to=en&back=%2Fcases")  # render() says otherwise
    env.globals["message"] = i18n.message
    env.globals["ops_roles"] = policy.OPS_ROLES
    env.globals["role_words"] = wording.ROLES
    env.globals["access_log_roles"] = frozenset(r for r, acts in policy.ACTIONS.items() if "access_log" in acts)
    env.globals["network_roles"] = policy.NETWORK_ROLES
    env.globals["may_open"] = policy.may_open
    env.globals["role_label"] = wording.role_label
    env.globals["office_named"] = offices.known  # an office code -> its names (None if the directory lacks it)
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


def render(env: jinja2.Environment, template: str, status: int = 200, headers=None, *, request=None,
           here: str | None = None, **context) -> Response:
    """A page in the language the person chose (`request`'s cookie); its switch comes back to `here` (by
    default the page itself with its query string)."""
    lang = context.pop("lang", None) or language_of(request)
    html = env.get_template(template).render(lang=lang, other="en" if lang == "th" else "th",
                                             switch=switch_link(lang, here or here_of(request)), **context)
    return Response(html, status=status, mimetype="text/html",
                    headers=_headers(headers, **{"Content-Security-Policy": PAGE_CSP}))


def redirect(location: str, headers=None) -> Response:
    return Response("", status=303, headers=_headers(headers, Location=location))


def page_url(path: str, **params) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(params)}" if params else path
