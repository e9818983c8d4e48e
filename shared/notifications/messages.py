"""Render notification templates, refusing any context a template is not meant to see.

Each template declares the exact context keys it takes (TEMPLATE_FIELDS). render() refuses a missing or extra
key, so a caller cannot hand a tip's description or the reporter's identity to a template by mistake, and the
template cannot quietly start printing it. The tipster template is the strictest: the tipster's phone, LINE or
inbox may be seen by the very people the tip is about, so it says only that an update exists.
"""
from __future__ import annotations

import datetime
import re
import string
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from shared.clock import ENGLISH_MONTHS, THAI_MONTHS, buddhist_year, local
from shared.notifications.channels.base import LANGUAGES
from shared.vocabulary import TIPSTER_STATUSES

TIPSTER_SAFE_FIELDS = frozenset({"reference", "status_url"})

TEMPLATE_FIELDS: dict[str, frozenset[str]] = {
    "office_new_case": frozenset({"reference", "category", "province", "acknowledge_by", "desk_url"}),
    "tipster_update": TIPSTER_SAFE_FIELDS,
    "caseworker_assigned": frozenset({"caseworker_name", "reference", "category", "province", "due_by",
                                      "desk_url"}),
    "supervisor_deadline_reminder": frozenset({"reference", "deadline", "due_by", "caseworker_name", "desk_url"}),
    "supervisor_deadline_breach": frozenset({"reference", "deadline", "due_by", "caseworker_name", "desk_url"}),
    "volunteer_status_change": frozenset({"reference", "status", "status_url"}),
    # by_channel: [{"channel": str, "failed": int, "last_reason": str | None}] — reasons carry no addresses.
    "operator_daily_failures": frozenset({"day", "total_failed", "by_channel", "queue_url"}),
}

TIPSTER_TEMPLATES = frozenset({"tipster_update"})
_REFERENCE = re.compile(r"^SS-[0-9A-Za-z-]{1,32}$")

_MONTHS = {"th": THAI_MONTHS, "en": ENGLISH_MONTHS}
LABELS = {
    "deadline": {
        "th": {"acknowledge": "การตอบรับเรื่อง", "feedback": "การแจ้งความคืบหน้าแก่ผู้แจ้ง",
               "resolve": "การดำเนินการให้แล้วเสร็จ"},
        "en": {"acknowledge": "acknowledgement", "feedback": "feedback to the tipster", "resolve": "resolution"},
    },
    # Case statuses use the words the tipster's status page uses, so a volunteer and a tipster read the same.
    "status": {language: {code: labels[language] for code, labels in TIPSTER_STATUSES.items()}
               for language in LANGUAGES},
}


class UnsafeContextError(ValueError):
    """The context does not match what the template is allowed to receive."""


def when(value, language: str) -> str:
    """A date or deadline as people read it: Thai uses the Buddhist era; times are Bangkok time.

    Accepts datetimes, dates and their ISO strings (as events carry them); any other string is taken as already
    formatted and passed through, so formatting twice is harmless. Naive datetimes are taken as UTC, which is
    what the database hands back.
    """
    if isinstance(value, str):
        try:
            value = (datetime.date.fromisoformat(value) if len(value) == 10
                     else datetime.datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        here = local(value)
        day = when(here.date(), language)
        return f"{day} เวลา {here:%H:%M} น." if language == "th" else f"{day}, {here:%H:%M} Bangkok time"
    if isinstance(value, datetime.date):
        month = _MONTHS[language][value.month - 1]
        year = buddhist_year(value.year) if language == "th" else value.year
        return f"{value.day} {month} {year}"
    raise TypeError(f"cannot format {type(value).__name__} as a date")


def label(code: str, kind: str, language: str) -> str:
    return LABELS[kind][language].get(code, code)


def _environment(html: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=html,  # the same file gives plain-text blocks (never escaped) and an html block (always)
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["when"] = when
    env.filters["label"] = label
    return env


TEXT_ENVIRONMENT = _environment(html=False)
HTML_ENVIRONMENT = _environment(html=True)


def template_file(template: str, language: str) -> str:
    return f"{template}.{language}.j2"


def render(template: str, language: str, context: dict) -> tuple[str, str, str | None]:
    """Return (subject, text, html or None) for one template in one language."""
    if template not in TEMPLATE_FIELDS:
        raise ValueError(f"unknown template {template!r}")
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    _check_context(template, context)
    name = template_file(template, language)
    subject = " ".join(_render_block(TEXT_ENVIRONMENT, name, "subject", context).split())
    text = _render_block(TEXT_ENVIRONMENT, name, "text", context).strip() + "\n"
    html = _render_block(HTML_ENVIRONMENT, name, "html", context).strip() or None
    if not subject or not text.strip():
        raise ValueError(f"{name} rendered an empty subject or text")
    return subject, text, html


def _check_context(template: str, context: dict) -> None:
    allowed = TEMPLATE_FIELDS[template]
    extra, missing = set(context) - allowed, allowed - set(context)
    if extra:
        raise UnsafeContextError(f"{template} must not receive {', '.join(sorted(extra))}")
    if missing:
        raise UnsafeContextError(f"{template} needs {', '.join(sorted(missing))}")
    if template in TIPSTER_TEMPLATES:
        # Values are checked too: a "reference" holding free text would leak as surely as a description key.
        if not isinstance(context["reference"], str) or not _REFERENCE.match(context["reference"]):
            raise UnsafeContextError("tipster reference must look like SS-…")
        url = context["status_url"]
        parts = urlsplit(url) if isinstance(url, str) else None
        if not parts or parts.scheme not in ("https", "http") or parts.query or parts.fragment or " " in url:
            # The link must be the public status page, never one carrying the receipt or a case token.
            raise UnsafeContextError("tipster status_url must be a plain http(s) link without query or fragment")


TIPSTER_PLACEHOLDERS = frozenset({"status_url", "reference"})


def tipster_text_problems(text: str) -> str | None:
    """Why a configured tipster text cannot be used (None if it can): only {status_url} and {reference}, plainly."""
    if not isinstance(text, str) or not text.strip():
        return "must be a non-empty string"
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        return f"is not a valid text with {{placeholders}}: {exc}"
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in TIPSTER_PLACEHOLDERS or spec or conversion:
            return f"may use only {{status_url}} and {{reference}}, not {{{name}}}"
    return None


def render_tipster_text(subject: str, text: str, context: dict) -> tuple[str, str, None]:
    """A deployment's own tipster text (intake.tipster_notices.texts), with the tipster template's context checks:
    (subject, text, no html)."""
    _check_context("tipster_update", context)
    for value in (subject, text):
        problem = tipster_text_problems(value)
        if problem:
            raise UnsafeContextError(f"tipster text {problem}")
    values = {k: context[k] for k in TIPSTER_PLACEHOLDERS}
    return " ".join(subject.format(**values).split()), text.format(**values).strip() + "\n", None


def _render_block(env: jinja2.Environment, name: str, block: str, context: dict) -> str:
    template = env.get_template(name)
    render_block = template.blocks.get(block)
    if render_block is None:
        if block == "html":
            return ""
        raise ValueError(f"{name} has no {block} block")
    return "".join(render_block(template.new_context(dict(context))))
