"""Telling tipsters (and the volunteers who filed for them) that a report has an update, from intake.

Only intake knows who a tipster is and how to reach them, so intake records and sends these notices itself with
the shared channel library; no other service learns whether, or how, a tipster can be reached (no event is
emitted for a tipster notice, and the audit trail holds none).

What is sent is content-free by construction: a tipster's notice takes exactly a reference and the public status
page's link (shared.notifications.messages checks both), and by default says only "มีข้อความใหม่สำหรับท่าน ดูได้ที่
<link>" / "You have a new message: <link>": not the service's name, not what it is about, not even the reference,
and the link is the plain status page (no reference, no receipt in it). Whoever reads the tipster's phone may be
the person reported. The words are set per contact kind and language in `texts` (settings.TIPSTER_TEXTS are the
defaults); a deployment that puts {reference} in them accepts that risk. Volunteers get `volunteer_status_change`
(reference and coarse status).

Who is told:
- the tipster, on each channel listed in their `notify_via` for which they left a contact (email → `email`,
  sms → `phone`, line → `line_user_id`), in the tip's language; an anonymous tip keeps no contact and gets none;
- the volunteer who filed the tip (`tip.volunteer_id`), when `volunteer_contacts` names them
  ({channel kind or channel name: address, "language": th|en}); status changes only, not questions.

When: a case event that moves the tipster-visible status to one of `statuses` (default: received onwards), and
a caseworker's question (`case.question_asked`) for the tipster. A stale event that does not move the status
tells nobody.

Rows store no address: it is read from the sealed reporter at send time (`reporter_of(tip)`), so a contact erased
from the tip cannot be sent to afterwards (the notice goes dead instead). One row per (event, recipient, contact
kind), so a redelivered event records nothing new. Sending follows shared.notifications.ledger.

Settings, `intake.tipster_notices` (all optional):
    enabled: true
    status_url: https://sodsong.example.org/status    # the public status page; no query, no fragment
    statuses: [received, acknowledged, under_review, investigating, transferred, closed]
    questions: true                                     # tell the tipster when the office asks a question
    channels: {email: email, sms: sms, line: line}      # contact kind -> channel name in notify.channels
    texts: {sms: {th: {subject: ..., text: "... {status_url}"}, en: {...}}, line: {...}, email: {...}}
    max_attempts: 6
    backoff_seconds: [5, 30, 120, 600, 1800]
    poll_seconds: 2
    volunteer_contacts:                                 # volunteers told when a tip they filed changes status
      vol-7: {email: vol7@network.example, language: th}
"""
from __future__ import annotations

import json
import uuid

from sqlalchemy import Table, select

from services.intake.domain.status import tipster_status
from services.intake.models import NOTICES, Tip, notices_table  # noqa: F401 - notices_table: for callers
from services.intake.models import NOTICES_TABLE as TABLE_NAME  # noqa: F401 - for callers
from shared.logging import get_logger
from services.intake.settings import SETTINGS as INTAKE
from services.intake.settings import TIPSTER_TEXTS
from shared.clock import utcnow
from shared.notifications import ledger
from shared.notifications.channels import (LineChannel, OutboundMessage, PermanentDeliveryError,
                                           build_channels)
from shared.notifications.messages import render, render_tipster_text, tipster_text_problems
from shared.notifications.sender_loop import SenderLoop

CONTACT_FIELDS = {"email": "email", "sms": "phone", "line": "line_user_id"}  # notify_via kind -> reporter key


def default_table() -> Table:
    return NOTICES


# -- settings --------------------------------------------------------------------------------------------------
def _line_bot_token(config: dict) -> str | None:
    line = ((config.get("intake") or {}).get("line")) or {}
    return line.get("channel_access_token") if line.get("channel_secret") else None


def line_channel_of(config: dict):
    """With the LINE bot configured (intake.line) and no `line` channel in notify.channels, notices to tipsters who
    chose LINE go out through the bot's own Official Account (the same token and API base)."""
    line = INTAKE.section(config, "intake.line")
    channel = LineChannel(channel_access_token=line["channel_access_token"], base_url=line["api_base"])
    channel.name = "line"
    return channel


def tipster_texts(configured: dict | None) -> dict:
    """{kind: {language: {subject, text}}}: the configured words over the discreet defaults, each checked (a text
    with any placeholder but {status_url} and {reference} is refused when the settings are read)."""
    texts = {}
    for kind, by_language in TIPSTER_TEXTS.items():
        texts[kind] = {}
        for language, default in by_language.items():
            chosen = (((configured or {}).get(kind) or {}).get(language)) or {}
            entry = {part: chosen.get(part) or default[part] for part in ("subject", "text")}
            for part, value in entry.items():
                problem = tipster_text_problems(value)
                if problem:
                    raise ValueError(f"intake.tipster_notices.texts.{kind}.{language}.{part} {problem}")
            texts[kind][language] = entry
    return texts


def tipster_message(settings: dict, contact_kind: str, language: str, context: dict) -> tuple[str, str, None]:
    """(subject, text, html) of a tipster's notice on one contact kind, in one language."""
    by_language = settings["texts"].get(contact_kind) or settings["texts"]["sms"]
    words = by_language.get(language) or by_language["th"]
    return render_tipster_text(words["subject"], words["text"], context)


def settings_of(config: dict) -> dict:
    section = INTAKE.section(config, "intake.tipster_notices")
    notify = config.get("notify") or {}
    configured = {name for name, s in (notify.get("channels") or {}).items() if s and s.get("enabled", True)
                  not in (False, "false", "0", "no", "off")}
    if _line_bot_token(config):
        configured.add("line")  # the LINE bot's own account sends the notices (see line_channel_of)
    channels = {}
    for kind in CONTACT_FIELDS:
        name = section["channels"].get(kind) or kind
        if name not in configured and configured == {"file"}:
            name = "file"  # a development install with only the file channel: show the notice there
        channels[kind] = name
    intake_http = INTAKE.value(config, "intake.http")
    return {
        "enabled": section["enabled"] not in (False, "false", "0", "no", "off"),
        "status_url": section["status_url"] or f"http://{intake_http}/status",
        "statuses": frozenset(section["statuses"]),
        "questions": section["questions"] not in (False, "false", "0", "no", "off"),
        "channels": channels,
        "poll_seconds": float(section["poll_seconds"]),
        "volunteer_contacts": dict(section["volunteer_contacts"] or {}),
        "texts": tipster_texts(section["texts"]),
        "ledger": ledger.settings_of(section),
    }


# -- what an event means for the tipster ----------------------------------------------------------------------
def update_of(event) -> str | None:
    """The tipster-visible status an event moves a tip to; "question" for a question; None for anything else."""
    p = event.payload
    if event.type == "tip.routed":
        return "triage" if p.get("triage") else "routed"
    if event.type == "case.opened":
        return "triage" if p.get("triage") else "received"
    if event.type == "case.status_changed":
        return tipster_status(p["to_status"])  # as intake's projection words it
    if event.type == "case.question_asked":
        return "question"
    if event.type == "case.note_added" and p.get("visibility") == "tipster_visible":
        return "question"  # a note for the tipster is told like a question: "you have a new message"
    return None


def _get(tip, name, default=None):
    return tip.get(name, default) if isinstance(tip, dict) else getattr(tip, name, default)


def plain_reporter(tip) -> dict | None:
    """The reporter of a tip whose reporter_json is plain JSON (before sealing). Sealed rows need `reporter=`."""
    value = _get(tip, "reporter_json")
    if not value:
        return None
    if not str(value).lstrip().startswith("{"):
        raise ValueError("reporter_json is sealed: pass reporter=lambda tip: submission.reporter_of(keyring, tip)")
    return json.loads(value)


def _reporter(tip, reporter) -> dict | None:
    if reporter is None:
        return plain_reporter(tip)
    if callable(reporter):
        return reporter(tip)
    return reporter


def volunteer_contacts(config: dict) -> dict:
    """The volunteers' contacts by volunteer id (`intake.tipster_notices.volunteer_contacts`): NoticeSender's
    volunteer_factory, so the volunteer who filed a tip hears when its status changes."""
    return settings_of(config)["volunteer_contacts"]


def _volunteer_contact(volunteer_contact, volunteer_id) -> dict | None:
    if not volunteer_id or volunteer_contact is None:
        return None
    if callable(volunteer_contact):
        return volunteer_contact(volunteer_id)
    return volunteer_contact.get(volunteer_id)


# -- recording (inside the consuming transaction) --------------------------------------------------------------
def record_tipster_notice(uow, tip, event, config: dict, *, reporter=None, volunteer_contact=None,
                          table: Table | None = None) -> list[str]:
    """Record the notices one event calls for; returns their ids (none for most events).

    Call it in the same `db.consume` effect that applied the event to the tip's projection, after it, with the
    tip row. `reporter`: the decrypted reporter dict, or a callable tip -> dict | None (default: reporter_json
    as plain JSON). `volunteer_contact`: a callable volunteer_id -> {kind or channel: address, "language"} or a
    dict of such by volunteer id; None sends volunteers nothing.
    """
    settings = settings_of(config)
    update = update_of(event)
    if not settings["enabled"] or update is None or tip is None:
        return []
    if update == "question":
        if not settings["questions"]:
            return []
    elif update not in settings["statuses"] or _get(tip, "status") != update:
        return []  # not a status worth telling, or a stale event that did not move the tip

    table = table if table is not None else default_table()
    reference = _get(tip, "reference")
    now = utcnow()
    rows = []
    tipster_context = {"reference": reference, "status_url": settings["status_url"]}

    who = _reporter(tip, reporter) or {}
    language = _get(tip, "language") if _get(tip, "language") in ("th", "en") else "th"
    for kind in dict.fromkeys(who.get("notify_via") or []):
        if kind in CONTACT_FIELDS and who.get(CONTACT_FIELDS[kind]):
            rows.append(("tipster", _get(tip, "tipster_id"), kind, settings["channels"][kind], "tipster_update",
                         language, tipster_context))

    volunteer_id = _get(tip, "volunteer_id")
    contact = _volunteer_contact(volunteer_contact, volunteer_id) if update != "question" else None
    if contact:
        v_language = contact.get("language") if contact.get("language") in ("th", "en") else language
        v_context = {"reference": reference, "status": update, "status_url": settings["status_url"]}
        for kind in [k for k in contact if k != "language" and contact[k]]:
            rows.append(("volunteer", volunteer_id, kind, settings["channels"].get(kind, kind),
                         "volunteer_status_change", v_language, v_context))

    ids = []
    for recipient_kind, recipient_id, contact_kind, channel, template, lang, context in rows:
        # refuses any context the message may not see, before anything is stored
        if recipient_kind == "tipster":
            tipster_message(settings, contact_kind, lang, context)
        else:
            render(template, lang, context)
        row_id = str(uuid.uuid4())
        uow.repo.record_notice(
            table, id=row_id, event_id=event.id, tip_id=_get(tip, "id"), reference=reference,
            recipient_kind=recipient_kind, recipient_id=str(recipient_id)[:80], contact_kind=contact_kind,
            channel=channel, template=template, language=lang, context_json=json.dumps(context, ensure_ascii=False),
            status="pending", attempts=0, next_attempt_at=now, created_at=now, updated_at=now,
        )
        ids.append(row_id)
    return ids


# -- sending (after commit) -----------------------------------------------------------------------------------
def _address(row, tip, reporter, volunteer_contact) -> str | None:
    if row["recipient_kind"] == "tipster":
        who = _reporter(tip, reporter) or {}
        if row["contact_kind"] not in (who.get("notify_via") or []):
            return None  # the tipster withdrew the channel since
        return who.get(CONTACT_FIELDS.get(row["contact_kind"], ""))
    contact = _volunteer_contact(volunteer_contact, row["recipient_id"]) or {}
    return contact.get(row["contact_kind"])


def _default_find_tip(session, tip_id):
    return session.get(Tip, tip_id)


def send_one(service_db, row_id: str, channels: dict, config: dict, *, reporter=None, volunteer_contact=None,
             table: Table | None = None, find_tip=None) -> str | None:
    """Claim and send one notice; returns its new status, or None when another sender had it."""
    table = table if table is not None else default_table()
    settings = settings_of(config)
    row = ledger.claim_row(service_db, table, row_id)  # claimed and read in one statement
    if row is None:
        return None
    with service_db.reading() as session:
        tip = (find_tip or _default_find_tip)(session, row["tip_id"])
        if tip is not None and hasattr(session, "expunge") and not isinstance(tip, dict):
            session.expunge(tip)  # no database connection is held while the provider is talked to

    def one_attempt():
        if tip is None:
            raise PermanentDeliveryError("the tip is no longer on file")
        address = _address(row, tip, reporter, volunteer_contact)
        if not address:
            raise PermanentDeliveryError("no contact on file for this channel any more")
        channel = channels.get(row["channel"])
        if channel is None:
            raise PermanentDeliveryError(f"channel {row['channel']!r} is not configured")
        context = json.loads(row["context_json"])
        if row["recipient_kind"] == "tipster":
            subject, text, html = tipster_message(settings, row["contact_kind"], row["language"], context)
        else:
            subject, text, html = render(row["template"], row["language"], context)
        return channel.send(OutboundMessage(recipient=address, language=row["language"], subject=subject,
                                            text=text, html=html, idempotency_key=row_id,
                                            attempt=row["attempts"] or 1))

    outcome = ledger.attempt(one_attempt)
    return ledger.settle(service_db, table, row_id, outcome, settings["ledger"], claimed=row)


def send_due(service_db, channels: dict, config: dict, *, reporter=None, volunteer_contact=None,
             table: Table | None = None, find_tip=None, limit: int = 100, concurrency: int = 10) -> dict:
    """Send every notice that is due (new, or backed off long enough); returns {status: count}."""
    table = table if table is not None else default_table()
    with service_db.reading() as session:
        due = ledger.due_ids(session, table, limit=limit)
    counts: dict[str, int] = {}

    def one(row_id):
        status = send_one(service_db, row_id, channels, config, reporter=reporter,
                          volunteer_contact=volunteer_contact, table=table, find_tip=find_tip)
        if status:
            counts[status] = counts.get(status, 0) + 1

    try:
        import eventlet

        pool = eventlet.GreenPool(max(1, concurrency))
        for row_id in due:
            pool.spawn(one, row_id)
        pool.waitall()
    except ImportError:  # pragma: no cover - intake always runs under eventlet
        for row_id in due:
            one(row_id)
    return counts


def list_notices(session, status: str | None = None, table: Table | None = None, limit: int = 500) -> list[dict]:
    """For operators: state only; never an address (rows hold none) nor content."""
    return ledger.list_rows(session, table if table is not None else default_table(), status, limit)


def retry_now(service_db, row_id: str, table: Table | None = None) -> bool:
    return ledger.retry_now(service_db, table if table is not None else default_table(), row_id)


# -- a ready-made sender for intake's service class --------------------------------------------------------------
class NoticeSender(SenderLoop):
    """Sends intake's due notices from a managed loop; `wakeup.set()` after recording sends at once.

        notices = tipster_notices.NoticeSender(
            reporter_factory=lambda config: functools.partial(submission.reporter_of, crypto.load(config)))

    reporter_factory(config) -> callable(tip) -> reporter dict (decrypting); volunteer_factory(config) ->
    callable(volunteer_id) -> contact dict | None (or None: volunteers are not told).
    """

    identifier = "tipster_notice"

    def __init__(self, reporter_factory=None, volunteer_factory=None, **kwargs):
        super().__init__(**kwargs)
        self.reporter_factory = reporter_factory
        self.volunteer_factory = volunteer_factory

    def setup(self):
        super().setup()
        self.config = self.container.config["SODSONG"]
        self.settings = settings_of(self.config)
        self.poll_seconds = self.settings["poll_seconds"]
        ledger.configure(self.config.get("notify"))
        self.channels = build_channels((self.config.get("notify") or {}).get("channels"))
        if "line" not in self.channels and _line_bot_token(self.config):
            self.channels["line"] = line_channel_of(self.config)
        self.reporter = self.reporter_factory(self.config) if self.reporter_factory else None
        self.volunteer_contact = self.volunteer_factory(self.config) if self.volunteer_factory else None

    def tick(self):
        counts = send_due(self._db(), self.channels, self.config, reporter=self.reporter,
                          volunteer_contact=self.volunteer_contact)
        if counts:
            get_logger(__name__).info("tipster_notice.attempted", **counts)  # counts only: no reference, no address
