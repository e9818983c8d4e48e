"""How the desk's pages are drawn: the Jinja2 environment (Thai first with English, no external assets, no
JavaScript), its filters for times, dates, sizes and durations, and the HTML and redirect answers with the
desk's security headers."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from markupsafe import Markup, escape
from werkzeug.datastructures import Headers
from werkzeug.wrappers import Response

from services.casework.domain import policy, wording
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
    env.filters["when_text"] = when_text  # inside an attribute (title="…"): text, no markup
    env.filters["age"] = age
    env.filters["day"] = day
    env.filters["filesize"] = i18n.filesize
    env.filters["baht"] = wording.baht
    env.globals["message"] = i18n.message
    env.globals["ops_roles"] = policy.OPS_ROLES
    env.globals["role_words"] = wording.ROLES
    env.globals["access_log_roles"] = frozenset(r for r, acts in policy.ACTIONS.items() if "access_log" in acts)
    env.globals["network_roles"] = policy.NETWORK_ROLES
    env.globals["may_open"] = policy.may_open
    env.globals["role_label"] = wording.role_label
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
