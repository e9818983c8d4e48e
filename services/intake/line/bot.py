"""The LINE Official Account bot inside intake: the webhook's acceptance, the processing of its events, and the
calls to LINE's Messaging API (line-bot-sdk v3).

    POST /line/webhook ──▶ accept(): X-Line-Signature checked first (401, nothing stored, on a bad or missing one);
                           each event from a user stored sealed, once per webhookEventId; 200 at once
    LineProcessor loop ──▶ process_due(): claim a stored event (shared.notifications.ledger: bounded retries,
                           then `dead`), run the conversation step (services.intake.line.conversation), save the
                           chat's sealed state with the answer, send the answer (reply token, else push), wipe
                           the event's payload.

Effects are idempotent, so an event processed twice (a crash between steps) has no second effect: a tip is
filed under the Idempotency-Key `line:<webhookEventId>` (the same reference and receipt come back), and a
message to the office has an id derived from the event, so the second insert is refused.

Never logged, counted or put in an event: the LINE user id, the chat key, anything the user typed.
"""
from __future__ import annotations

import dataclasses
import json
import uuid
from collections import deque
from datetime import timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.intake.domain import attachments
from services.intake.usecases import submission
from services.intake.domain.callers import Caller
from services.intake.domain.errors import IntakeError, TooManyReceiptAttempts
from services.intake.line import conversation, store
from services.intake.settings import SETTINGS as INTAKE
from services.intake.line.conversation import Incoming, PortError
from services.intake.models import LINE_TABLES
from shared import i18n
from shared.clock import aware_utc, local_today, utcnow
from shared.logging import get_logger
from shared.notifications import ledger

log = get_logger(__name__)

LINE_CALLER = Caller(scope="line", actor={"kind": "tipster", "id": "anonymous"}, default_channel="line")
MESSAGE_NAMESPACE = uuid.UUID("6d1f3a52-7c1e-4b8e-9d0f-1a2b3c4d5e6f")

def settings_of(config: dict) -> dict:
    section = INTAKE.section(config, "intake.line")
    section["enabled"] = bool(section.get("channel_secret")) and str(section.get("enabled")).lower() not in (
        "false", "0", "no", "off")
    return section


class BadSignature(Exception):
    pass


# -- LINE's Messaging API, through the SDK ---------------------------------------------------------------------
class LineApi:
    """Reply, push and content download. Base URLs are configurable (a proxy, or the test simulator)."""

    def __init__(self, access_token: str, api_base: str, data_api_base: str, timeout: float = 10.0):
        from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MessagingApiBlob

        self.timeout = float(timeout)
        self._api = MessagingApi(ApiClient(Configuration(host=api_base.rstrip("/"), access_token=access_token)))
        self._blob = MessagingApiBlob(ApiClient(Configuration(host=data_api_base.rstrip("/"),
                                                              access_token=access_token)))

    def reply(self, reply_token: str, batch: list) -> None:
        from linebot.v3.messaging import ReplyMessageRequest

        self._api.reply_message(ReplyMessageRequest(reply_token=reply_token, messages=batch),
                                _request_timeout=self.timeout)

    def push(self, to: str, batch: list, retry_key: str) -> None:
        from linebot.v3.messaging import PushMessageRequest
        from linebot.v3.messaging.exceptions import ApiException

        try:
            self._api.push_message(PushMessageRequest(to=to, messages=batch), x_line_retry_key=retry_key,
                                   _request_timeout=self.timeout)
        except ApiException as exc:
            if exc.status != 409:  # 409: an earlier attempt with this retry key was accepted
                raise

    def content(self, message_id: str) -> bytes:
        return bytes(self._blob.get_message_content(message_id, _request_timeout=self.timeout))


# -- a per-user rate limit ---------------------------------------------------------------------------------------
class RateLimit:
    """At most `per_minute` events per chat in any 60 seconds, in this process (a sliding window)."""

    def __init__(self, per_minute: int, clock=None):
        self.per_minute = int(per_minute)
        self.clock = clock or (lambda: utcnow().timestamp())
        self.windows: dict[str, deque] = {}

    def allow(self, key: str) -> str:
        """'ok', 'warn' (the first refusal in a window: tell the user once) or 'drop'."""
        now = self.clock()
        window = self.windows.setdefault(key, deque())
        while window and window[0] <= now - 60:
            window.popleft()
        if len(self.windows) > 50_000:  # forget idle chats
            for idle in [k for k, w in self.windows.items() if not w][:10_000]:
                del self.windows[idle]
        if len(window) < self.per_minute:
            window.append(now)
            return "ok"
        if len(window) == self.per_minute:
            window.append(now)  # one marker: later refusals in this window are silent
            return "warn"
        return "drop"


# -- the bot ------------------------------------------------------------------------------------------------------
class LineBot:
    def __init__(self, app, config: dict, api: LineApi | None = None):
        self.app = app
        self.settings = settings_of(config)
        self.keyring = app.keyring
        self.db = app.db
        self.tables = LINE_TABLES
        # from the receipt key, which is never rotated: a keyring rotation must not orphan every chat
        self.key_secret = app.receipt_key.derive("line-chat")
        self.limit = RateLimit(self.settings["per_user_per_minute"])
        self.ledger_settings = ledger.settings_of(self.settings)
        self.api = api
        if self.api is None and self.settings["enabled"] and self.settings.get("channel_access_token"):
            self.api = LineApi(self.settings["channel_access_token"], self.settings["api_base"],
                               self.settings["data_api_base"], self.settings["timeout_seconds"])

    # -- the webhook --------------------------------------------------------------------------------------------
    def accept(self, body: bytes, signature: str | None) -> int:
        """Check the signature, store each new user event sealed; returns how many were stored."""
        from linebot.v3 import WebhookParser
        from linebot.v3.exceptions import InvalidSignatureError

        if not signature:
            raise BadSignature()
        try:
            text = body.decode("utf-8")
            WebhookParser(self.settings["channel_secret"]).parse(text, signature)  # checks the signature first
        except (InvalidSignatureError, UnicodeDecodeError):
            raise BadSignature() from None
        except Exception:  # signed by LINE but not parseable by this SDK version: take the raw events below
            pass
        raw = json.loads(text)
        now = utcnow()
        stored = 0
        events = self.tables[store.EVENTS]
        for event in raw.get("events") or []:
            source = event.get("source") or {}
            event_id = str(event.get("webhookEventId") or "")
            if source.get("type") != "user" or not source.get("userId") or not event_id:
                continue  # groups and rooms are no place for a tip; nothing is kept
            key = store.chat_key(self.key_secret, source["userId"])
            verdict = self.limit.allow(key)
            if verdict == "drop":
                continue
            if verdict == "warn":
                event = {**event, "type": "sodsong.slow_down"}
            row_id = str(uuid.uuid4())
            try:
                with self.db.transaction() as uow:
                    if uow.session.execute(select(events.c.id).where(
                            events.c.webhook_event_id == event_id[:64])).first():
                        continue  # a redelivery: processed (or waiting) already
                    uow.session.execute(insert(events).values(
                        id=row_id, webhook_event_id=event_id[:64], chat_key=key,
                        event_time=int(event.get("timestamp") or 0),
                        payload_enc=self.keyring.encrypt_text(json.dumps(event, ensure_ascii=False),
                                                              f"{store.EVENTS}.payload_enc:{row_id}"),
                        replies_enc=None, status="pending", attempts=0, next_attempt_at=now, created_at=now,
                        updated_at=now))
                stored += 1
            except IntegrityError:
                continue  # the same event, delivered twice at the same moment
        return stored

    # -- processing ---------------------------------------------------------------------------------------------
    def process_due(self, limit: int = 100) -> dict:
        """Answer due events, each chat's in the order LINE sent them: a chat's later event waits while an
        earlier one is being answered or backing off."""
        events = self.tables[store.EVENTS]
        with self.db.reading() as session:
            due = set(ledger.due_ids(session, events, limit=limit * 4))
            if not due:
                return {}
            waiting = session.execute(select(events.c.id, events.c.chat_key, events.c.event_time).where(
                events.c.status.in_(("pending", "failed", "sending")))).all()
        oldest: dict[str, tuple] = {}
        for row in waiting:
            if row.chat_key not in oldest or (row.event_time, row.id) < oldest[row.chat_key]:
                oldest[row.chat_key] = (row.event_time, row.id)
        ready = sorted((t, row_id) for t, row_id in oldest.values() if row_id in due)[:limit]
        counts: dict[str, int] = {}
        for _, row_id in ready:
            status = self.process_one(row_id)
            if status:
                counts[status] = counts.get(status, 0) + 1
        return counts

    def process_one(self, row_id: str) -> str | None:
        events = self.tables[store.EVENTS]
        if not ledger.claim(self.db, events, row_id):
            return None
        outcome = ledger.attempt(lambda: self._process(row_id))
        if outcome.error:
            # only the kind of failure is kept: an exception's text could quote what the user sent
            kind = outcome.error.split(":")[0][:80]
            outcome = dataclasses.replace(outcome, error=kind)
            log.warning("line.event_failed", attempt_error=kind)
        status = ledger.settle(self.db, events, row_id, outcome, self.ledger_settings)
        if status in ("sent", "dead"):
            with self.db.transaction() as uow:  # the content goes; the webhookEventId stays (redeliveries)
                uow.session.execute(update(events).where(events.c.id == row_id).values(
                    payload_enc=None, replies_enc=None))
        return status

    def _process(self, row_id: str) -> str:
        events = self.tables[store.EVENTS]
        with self.db.reading() as session:
            row = session.execute(select(events).where(events.c.id == row_id)).mappings().first()
        if row is None or row["payload_enc"] is None:
            from shared.notifications.channels import PermanentDeliveryError

            raise PermanentDeliveryError("the event's content is gone")
        event = json.loads(self.keyring.decrypt_text(row["payload_enc"], f"{store.EVENTS}.payload_enc:{row_id}"))
        user_id = event["source"]["userId"]
        if row["replies_enc"] is None:
            replies = self._apply(row, event, user_id)
            with self.db.transaction() as uow:
                uow.session.execute(update(events).where(events.c.id == row_id).values(
                    replies_enc=self.keyring.encrypt_text(json.dumps(replies, ensure_ascii=False),
                                                          f"{store.EVENTS}.replies_enc:{row_id}")))
        else:
            replies = json.loads(self.keyring.decrypt_text(row["replies_enc"], f"{store.EVENTS}.replies_enc:{row_id}"))
        self._send(row_id, event.get("replyToken"), user_id, replies)
        return "answered"

    def _apply(self, row, event: dict, user_id: str) -> list[dict]:
        """Run the conversation for one event and save the chat's new state; returns the replies (as dicts)."""
        key = row["chat_key"]
        state, expired = self._load_chat(key)
        expired = state.pop("expired_notice", False) or expired
        incoming = to_incoming(event)
        ports = None
        if event.get("type") == "sodsong.slow_down":
            replies = [conversation.Reply(conversation.t("slow_down", state.get("lang") or "th"))]
            new_state = state
        else:
            ports = Ports(self, key, user_id, row["webhook_event_id"])
            new_state, replies = conversation.step(state, incoming, ports,
                                                   max_files=int(self.app.limits["max_files"]))
            if expired:
                replies.insert(0, conversation.Reply(conversation.t("expired", new_state.get("lang") or "th")))
        self._save_chat(key, new_state, drop=incoming.kind == "unfollow")
        if ports is not None and ports.dropped:
            # only now: a run that dies before the state is saved must find the draft's files again
            self._drop_files(key, ports.dropped)
        return [{"text": r.text, "quick": [q.__dict__ for q in r.quick]} for r in replies]

    def _send(self, row_id: str, reply_token: str | None, user_id: str, replies: list[dict]) -> None:
        if not replies:
            return
        if self.api is None:
            from shared.notifications.channels import PermanentDeliveryError

            raise PermanentDeliveryError("no LINE channel access token configured")
        from linebot.v3.messaging.exceptions import ApiException

        from services.intake.line import messages  # line-bot-sdk's models (44 MB): loaded by the first LINE reply

        objects = [conversation.Reply(r["text"], [conversation.Quick(**q) for q in r["quick"]]) for r in replies]
        batches = messages.batches(messages.to_line(objects))
        for index, batch in enumerate(batches):
            if index == 0 and reply_token:
                try:
                    self.api.reply(reply_token, batch)
                    continue
                except ApiException as exc:
                    if exc.status is None or exc.status >= 500 or exc.status == 429:
                        raise
                    # the reply token expired or was used: push instead
            self.api.push(user_id, batch, str(uuid.uuid5(MESSAGE_NAMESPACE, f"{row_id}:{index}")))

    # -- chats ----------------------------------------------------------------------------------------------------
    def _aad(self, key: str) -> str:
        return f"{store.CHATS}.state_enc:{key}"

    def _load_chat(self, key: str) -> tuple[dict, bool]:
        chats = self.tables[store.CHATS]
        with self.db.reading() as session:
            row = session.execute(select(chats).where(chats.c.chat_key == key)).mappings().first()
        if row is None:
            return conversation.new_state(), False
        state = json.loads(self.keyring.decrypt_text(row["state_enc"], self._aad(key)))
        expires = row["draft_expires_at"]
        if state.get("draft") is not None and expires is not None and aware_utc(expires) <= utcnow():
            self._drop_files(key, state["draft"].get("files") or [])
            state.update(mode="idle", step=None, draft=None, history=[], page=0)
            return state, True
        return state, False

    def _save_chat(self, key: str, state: dict, drop: bool = False) -> None:
        chats = self.tables[store.CHATS]
        now = utcnow()
        expires = now + timedelta(hours=float(self.settings["draft_hours"])) if state.get("draft") else None
        sealed = self.keyring.encrypt_text(json.dumps(state, ensure_ascii=False), self._aad(key))
        with self.db.transaction() as uow:
            if drop:
                uow.session.execute(delete(chats).where(chats.c.chat_key == key))
                uow.session.execute(delete(self.tables[store.FILES]).where(self.tables[store.FILES].c.chat_key == key))
                return
            done = uow.session.execute(update(chats).where(chats.c.chat_key == key).values(
                state_enc=sealed, draft_expires_at=expires, updated_at=now))
            if done.rowcount == 0:
                uow.session.execute(insert(chats).values(chat_key=key, state_enc=sealed, draft_expires_at=expires,
                                                         updated_at=now))

    def _drop_files(self, key: str, file_ids) -> None:
        files = self.tables[store.FILES]
        with self.db.transaction() as uow:
            uow.session.execute(delete(files).where(files.c.chat_key == key, files.c.id.in_(list(file_ids))))

    def housekeeping(self) -> dict:
        """Delete drafts idle past draft_hours (and their files), stray files, and old event ids."""
        chats, files, events = (self.tables[n] for n in (store.CHATS, store.FILES, store.EVENTS))
        now = utcnow()
        expired = 0
        with self.db.reading() as session:
            keys = list(session.execute(select(chats.c.chat_key).where(chats.c.draft_expires_at <= now)).scalars())
        for key in keys:
            state, was_expired = self._load_chat(key)
            if was_expired:
                # state keeps the language and links; the next message will say the draft timed out
                sealed_state = {**state, "expired_notice": True}
                self._save_chat(key, sealed_state)
                expired += 1
        old_files = now - timedelta(hours=float(self.settings["draft_hours"]) + 1)
        old_events = now - timedelta(days=float(self.settings["keep_event_ids_days"]))
        with self.db.transaction() as uow:
            uow.session.execute(delete(files).where(files.c.created_at <= old_files))
            uow.session.execute(delete(events).where(events.c.created_at <= old_events,
                                                     events.c.status.in_(("sent", "dead"))))
        return {"drafts_expired": expired}


class Ports:
    """What the conversation may do, for one chat and one event."""

    def __init__(self, bot: LineBot, key: str, user_id: str, event_id: str):
        self.bot = bot
        self.key = key
        self._user_id = user_id
        self.event_id = event_id
        self._messages = 0
        self.dropped: list[str] = []  # deleted once the chat's new state is saved
        # the receipt guard and the filing limit count each LINE user apart (shared.clients.group)
        self.client = f"line:{key}"

    def today(self):
        return local_today()

    def notice_reporter(self) -> dict:
        return {"anonymous": False, "line_user_id": self._user_id, "consent_to_contact": True,
                "notify_via": ["line"]}

    # files
    def fetch_file(self, message_id: str, file_name: str | None, already: list, kind: str = "",
                   size: int | None = None) -> str:
        bot = self.bot
        if kind == "video":  # not evidence intake takes (and large): refused without downloading it
            raise PortError("attachment.unsupported_type")
        if size is not None and size > int(bot.app.limits["max_file_bytes"]):
            raise PortError("attachment.too_large")
        if bot.api is None:
            raise PortError("file.gone")
        try:
            data = bot.api.content(message_id)
        except Exception:
            raise PortError("file.gone") from None
        files = bot.tables[store.FILES]
        with bot.db.reading() as session:
            stored = sum(session.execute(select(files.c.size).where(files.c.id.in_(list(already)))).scalars())
        limits = dict(bot.app.limits, max_tip_bytes=max(0, int(bot.app.limits["max_tip_bytes"]) - int(stored)))
        try:
            [clean] = attachments.clean([attachments.Upload(_file_name(file_name), data)], limits)
        except IntakeError as exc:
            raise PortError(exc.key) from None
        file_id = str(uuid.uuid4())
        with bot.db.transaction() as uow:
            uow.session.execute(insert(files).values(
                id=file_id, chat_key=self.key, media_type=clean.media_type, size=len(clean.data),
                sha256=clean.sha256, created_at=utcnow(),
                filename_enc=(bot.keyring.encrypt_text(clean.filename, f"{store.FILES}.filename_enc:{file_id}")
                              if clean.filename else None),
                content=bot.keyring.encrypt(clean.data, f"{store.FILES}.content:{file_id}")))
        return file_id

    def _uploads(self, file_ids) -> list:
        bot = self.bot
        files = bot.tables[store.FILES]
        with bot.db.reading() as session:
            rows = {r["id"]: r for r in session.execute(select(files).where(
                files.c.id.in_(list(file_ids)), files.c.chat_key == self.key)).mappings()}
        out = []
        for file_id in file_ids:
            row = rows.get(file_id)
            if row is None:
                continue  # deleted by housekeeping: the summary said how many; the tip goes without it
            name = (bot.keyring.decrypt_text(row["filename_enc"], f"{store.FILES}.filename_enc:{file_id}")
                    if row["filename_enc"] else None)
            out.append(attachments.Upload(name, bot.keyring.decrypt(bytes(row["content"]),
                                                                     f"{store.FILES}.content:{file_id}")))
        return out

    def drop_files(self, file_ids) -> None:
        self.dropped.extend(file_ids)

    # filing
    def file_tip(self, tip: dict, file_ids, event_id: str):
        uploads = self._uploads(file_ids)
        try:
            _, body, _ = self.bot.app.file_tip(tip, uploads, caller=LINE_CALLER,
                                               idempotency_key=f"line:{event_id or self.event_id}",
                                               client=self.client)
        except IntakeError as exc:
            raise PortError(exc.key, _reason(exc, tip.get("language") or "th")) from None
        self.drop_files(file_ids)
        return body["reference"], body["receipt"]

    # following
    def verify_receipt(self, raw: str):
        app = self.bot.app
        try:
            tip = app.tip_for_receipt(raw, self.client)
        except IntakeError as exc:
            raise PortError("receipt.locked" if isinstance(exc, TooManyReceiptAttempts) else "receipt.unknown") from None
        return tip.id, tip.reference

    def _tip(self, repo, tip_id):
        tip = repo.tip(tip_id)
        if tip is None:
            raise PortError("receipt.unknown")
        return tip

    def status(self, tip_id: str) -> dict:
        """What GET /api/v1/tips/status shows for the receipt: the status and the thread with the office."""

        app = self.bot.app
        with app.reading() as repo:
            tip = self._tip(repo, tip_id)
            return app.tipster_view(repo, tip)

    def add_message(self, tip_id: str, text: str, in_reply_to, file_ids) -> None:
        app = self.bot.app
        with app.reading() as repo:
            tip = self._tip(repo, tip_id)
            repo.detach(tip)
            stored = repo.stored_bytes(tip.id)
            if in_reply_to is not None and repo.question(in_reply_to) is None:
                in_reply_to = None
        uploads = self._uploads(file_ids)
        remaining = dict(app.limits, max_tip_bytes=max(0, int(app.limits["max_tip_bytes"]) - int(stored)))
        try:
            files = attachments.clean(uploads, remaining)
        except IntakeError as exc:
            raise PortError(exc.key, _reason(exc, tip.language)) from None
        # one id per (event, message): a second run of the same event cannot add the message twice
        message_id = str(uuid.uuid5(MESSAGE_NAMESPACE, f"{self.event_id}:{self._messages}"))
        self._messages += 1
        try:
            with app.db.transaction() as uow:
                submission.add_message(uow, app.keyring, tip, text, in_reply_to, files,
                                       actor={"kind": "tipster", "id": tip.tipster_id}, message_id=message_id)
        except IntegrityError:
            pass  # added by an earlier run of this event
        self.drop_files(file_ids)
        log.info("tip.message_added", correlation_id=tip.reference, attachments=len(files), channel="line")


def _reason(exc: IntakeError, lang: str) -> str:
    text = i18n.message(exc.key)
    out = text.get(lang) or text.get("th")
    for problems in (exc.fields or {}).values():
        for problem in problems if isinstance(problems, list) else [problems]:
            if isinstance(problem, dict):
                out += f" ({problem.get(lang) or problem.get('th')})"
    return out


def _file_name(name: str | None) -> str | None:
    if not name:
        return None
    return name.replace("\\", "/").rsplit("/", 1)[-1][:200] or None


def to_incoming(event: dict) -> Incoming:
    """An Incoming from a LINE webhook event, read through line-bot-sdk's models."""
    from linebot.v3.webhooks import (AudioMessageContent, Event, FileMessageContent, FollowEvent,
                                     ImageMessageContent, LocationMessageContent, MessageEvent, PostbackEvent,
                                     TextMessageContent, UnfollowEvent, VideoMessageContent)

    event_id = str(event.get("webhookEventId") or "")
    if event.get("type") == "sodsong.slow_down":
        return Incoming("other", event_id=event_id)
    try:
        model = Event.from_dict(event)
    except Exception:
        return Incoming("other", event_id=event_id)
    if isinstance(model, FollowEvent):
        return Incoming("follow", event_id=event_id)
    if isinstance(model, UnfollowEvent):
        return Incoming("unfollow", event_id=event_id)
    if isinstance(model, PostbackEvent):
        params = model.postback.params or {}
        return Incoming("postback", data=model.postback.data or "", params=dict(params), event_id=event_id)
    if isinstance(model, MessageEvent):
        content = model.message
        if isinstance(content, TextMessageContent):
            return Incoming("text", text=content.text or "", event_id=event_id)
        if isinstance(content, LocationMessageContent):
            return Incoming("location", title=content.title or "", address=content.address or "",
                            latitude=content.latitude, longitude=content.longitude, event_id=event_id)
        if isinstance(content, (ImageMessageContent, VideoMessageContent, AudioMessageContent, FileMessageContent)):
            provider = getattr(getattr(content, "content_provider", None), "type", "line")
            if provider not in (None, "line"):
                return Incoming("other", event_id=event_id)  # only content LINE holds can be fetched
            return Incoming("file", message_id=content.id, file_name=getattr(content, "file_name", None),
                            file_kind=content.type, file_size=getattr(content, "file_size", None),
                            event_id=event_id)
    return Incoming("other", event_id=event_id)
