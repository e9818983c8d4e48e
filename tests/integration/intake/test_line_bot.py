"""The LINE bot's storage and processing against a real database (SQLite and PostgreSQL), LINE's API replaced by a
recorder: signatures, deduplication, sealing, idempotent filing, reply-token fallback, draft expiry, rate limit."""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from linebot.v3.messaging.exceptions import ApiException
from sqlalchemy import func, select, update

from services.intake import submission
from services.intake.line import store
from services.intake.line.bot import BadSignature, LineBot, RateLimit
from services.intake.line.simulator import check_messages, new_user_id, sign
from services.intake.models import Attachment, Tip
from shared.clock import utcnow
from tests.integration.intake.helpers import jpeg_with_gps

SECRET = "integration-secret"


class RecordingApi:
    def __init__(self):
        self.replies, self.pushes, self.files = [], [], {}
        self.refuse_replies = False

    def reply(self, token, batch):
        if self.refuse_replies:
            raise ApiException(status=400, reason="Invalid reply token")
        check_messages([m.to_dict() for m in batch])
        self.replies.append((token, [m.to_dict() for m in batch]))

    def push(self, to, batch, retry_key):
        check_messages([m.to_dict() for m in batch])
        self.pushes.append((to, [m.to_dict() for m in batch], retry_key))

    def content_of(self, message_id, data):
        self.files[message_id] = data

    def content(self, message_id):
        return self.files[message_id]


@pytest.fixture
def bot(app):
    cfg = {"intake": {"line": {"channel_secret": SECRET, "channel_access_token": "t"}}}
    return LineBot(app, cfg, api=RecordingApi())


class Chat:
    def __init__(self, bot, user_id=None):
        self.bot, self.user_id, self.n = bot, user_id or new_user_id(), 0
        self.sent = []

    def event(self, type_, **extra):
        self.n += 1
        return {"type": type_, "mode": "active", "timestamp": int(time.time() * 1000) + self.n,
                "source": {"type": "user", "userId": self.user_id}, "webhookEventId": f"EV{self.user_id[-6:]}{self.n:06d}",
                "deliveryContext": {"isRedelivery": False}, "replyToken": f"rt{self.n}", **extra}

    def deliver(self, *events, signature=None):
        body = json.dumps({"destination": "U" + "0" * 32, "events": list(events)}, ensure_ascii=False).encode()
        return self.bot.accept(body, signature or sign(SECRET, body))

    def send(self, event):
        self.sent.append(event)
        self.deliver(event)
        self.bot.process_due()
        return event

    def text(self, words):
        return self.send(self.event("message", message={"type": "text", "id": str(self.n), "text": words,
                                                        "quoteToken": "q"}))

    def tap(self, data, **params):
        postback = {"data": data, **({"params": params} if params else {})}
        return self.send(self.event("postback", postback=postback))

    def image(self, data):
        event = self.event("message", message={"type": "image", "id": f"img{self.n + 1}", "quoteToken": "q",
                                               "contentProvider": {"type": "line"}})
        self.bot.api.content_of(event["message"]["id"], data)
        return self.send(event)


def rows(app, table):
    t = store.default_tables()[table]
    with app.db.reading() as s:
        return [dict(r) for r in s.execute(select(t)).mappings()]


def last_texts(bot):
    _, messages = bot.api.replies[-1]
    return [m["text"] for m in messages]


def file_a_tip(chat, notify=False):
    for step in (lambda: chat.tap("cmd=new"), lambda: chat.tap("category=bribery"),
                 lambda: chat.text("ผู้ใหญ่บ้านเรียกเงินค่าลงชื่อรับเงินช่วยเหลือน้ำท่วม ครัวเรือนละ 300 บาท"),
                 lambda: chat.text("ตราด"), lambda: chat.text("เมืองตราด"), lambda: chat.text("บางพระ"),
                 lambda: chat.tap("official_type_group=local"), lambda: chat.tap("official_type=kamnan_village_head"),
                 lambda: chat.text("ผู้ใหญ่บ้านหมู่ 3"), lambda: chat.tap("when=picked", date="2026-10-15"),
                 lambda: chat.image(jpeg_with_gps()), lambda: chat.tap("files=done"),
                 lambda: chat.tap("anonymity=line" if notify else "anonymity=anonymous")):
        step()
    return chat.tap("confirm=yes")


def test_signature_matches_the_sdk_and_bad_ones_store_nothing(app, bot):
    from linebot.v3 import SignatureValidator

    body = b'{"destination":"U0","events":[]}'
    assert SignatureValidator(SECRET).validate(body.decode(), sign(SECRET, body))
    chat = Chat(bot)
    event = chat.event("message", message={"type": "text", "id": "1", "text": "สวัสดี", "quoteToken": "q"})
    for signature in ("", "AAAA", sign("another-secret", b"x")):
        with pytest.raises(BadSignature):
            body = json.dumps({"destination": "U0", "events": [event]}).encode()
            bot.accept(body, signature or None)
    assert rows(app, store.EVENTS) == []
    assert chat.deliver(event) == 1
    assert chat.deliver(event) == 0  # LINE's redelivery: the same webhookEventId
    assert chat.deliver(chat.event("message", source={"type": "group", "groupId": "C" + "1" * 32},
                                   message={"type": "text", "id": "2", "text": "x", "quoteToken": "q"})) == 0
    [row] = rows(app, store.EVENTS)
    assert chat.user_id not in json.dumps(row, default=str) and "สวัสดี" not in json.dumps(row, default=str)


def test_a_tip_filed_in_line_is_stored_like_any_other_and_nothing_identifying_is_clear(app, bot):
    chat = Chat(bot)
    file_a_tip(chat, notify=True)
    texts = "\n".join(last_texts(bot))
    assert "รหัสรับแจ้ง" in texts
    with app.db.reading() as s:
        [tip] = s.execute(select(Tip)).scalars().all()
        assert tip.channel == "line" and tip.province_code == "23"
        assert s.execute(select(func.count()).select_from(Attachment)).scalar() == 1
        reporter = submission.reporter_of(app.keyring, tip)
        assert reporter["line_user_id"] == chat.user_id and reporter["notify_via"] == ["line"]
        outbox = " ".join(s.execute(select(app.db.tables.outbox.c.body)).scalars())
        assert tip.reference in texts and chat.user_id not in outbox
    everything = json.dumps([rows(app, t) for t in (store.CHATS, store.EVENTS, store.FILES)], default=str)
    assert chat.user_id not in everything and "ผู้ใหญ่บ้านหมู่ 3" not in everything
    assert all(r["payload_enc"] is None and r["replies_enc"] is None for r in rows(app, store.EVENTS))
    assert rows(app, store.FILES) == []  # the draft's file went with the tip


def test_an_anonymous_tip_keeps_no_line_id(app, bot):
    chat = Chat(bot)
    file_a_tip(chat, notify=False)
    with app.db.reading() as s:
        [tip] = s.execute(select(Tip)).scalars().all()
        assert submission.reporter_of(app.keyring, tip) is None


def test_processing_twice_files_once_and_answers_the_same(app, bot):
    chat = Chat(bot)
    chats, events = (store.default_tables()[n] for n in (store.CHATS, store.EVENTS))
    confirm = file_a_tip(chat)
    first = last_texts(bot)
    # as if the process died after filing but before the chat's new state was saved: the chat is back at the
    # summary and the event is due again (rebuilt from the conversation up to the summary in a second chat)
    twin = Chat(bot, chat.user_id)
    twin.n = chat.n - 1
    with app.db.transaction() as uow:
        uow.session.execute(chats.delete())
    for event in chat.sent[:-1]:
        again = {**event, "webhookEventId": "R" + event["webhookEventId"], "replyToken": "r" + event["replyToken"]}
        if event.get("message", {}).get("type") == "image":
            bot.api.content_of(event["message"]["id"], jpeg_with_gps())
        twin.send(again)
    with app.db.reading() as s:
        assert s.execute(select(func.count()).select_from(Tip)).scalar() == 1
        row_id = s.execute(select(events.c.id).where(events.c.webhook_event_id == confirm["webhookEventId"])).scalar_one()
    payload = app.keyring.encrypt_text(json.dumps(confirm), f"{store.EVENTS}.payload_enc:{row_id}")
    with app.db.transaction() as uow:
        uow.session.execute(update(events).where(events.c.id == row_id).values(
            status="pending", payload_enc=payload, replies_enc=None, next_attempt_at=utcnow(), attempts=0))
    bot.api.refuse_replies = True  # the reply token was used: the answer is pushed instead
    bot.process_due()
    with app.db.reading() as s:
        assert s.execute(select(func.count()).select_from(Tip)).scalar() == 1
    to, messages, _ = bot.api.pushes[-1]
    assert to == chat.user_id and [m["text"] for m in messages][:1] == first[:1]  # same reference and receipt


def test_an_idle_draft_is_deleted_and_the_tipster_told(app, bot):
    chat = Chat(bot)
    chat.tap("cmd=new")
    chat.tap("category=other")
    chat.image(jpeg_with_gps())
    assert len(rows(app, store.FILES)) == 1
    chats = store.default_tables()[store.CHATS]
    with app.db.transaction() as uow:
        uow.session.execute(update(chats).values(draft_expires_at=utcnow() - timedelta(minutes=1)))
    assert bot.housekeeping()["drafts_expired"] == 1
    assert rows(app, store.FILES) == []
    chat.text("สวัสดี")
    assert "หมดเวลา" in last_texts(bot)[0]


def test_a_flood_from_one_user_is_cut_with_one_warning(app, bot):
    bot.limit = RateLimit(3)
    chat = Chat(bot)
    stored = sum(chat.deliver(chat.event("message", message={"type": "text", "id": str(i), "text": f"ข้อความ {i}",
                                                             "quoteToken": "q"})) for i in range(6))
    assert stored == 4  # three, then one "slow down"
    while bot.process_due():
        pass
    assert any("เร็วเกินไป" in m["text"] for _, batch in bot.api.replies for m in batch)
    other = Chat(bot)
    assert other.deliver(other.event("follow")) == 1  # another user is not affected


def test_videos_and_oversized_files_are_refused_without_downloading(app, bot):
    class NoDownload(RecordingApi):
        def content(self, message_id):
            raise AssertionError("downloaded")

    bot.api = NoDownload()
    chat = Chat(bot)
    chat.tap("cmd=new")
    chat.send(chat.event("message", message={"type": "video", "id": "v1", "duration": 60000, "quoteToken": "q",
                                             "contentProvider": {"type": "line"}}))
    assert "ชนิดไฟล์ไม่รองรับ" in last_texts(bot)[0]
    chat.send(chat.event("message", message={"type": "file", "id": "f1", "fileName": "บันทึก.zip",
                                             "fileSize": 300 * 1024 * 1024}))
    assert "ใหญ่เกินไป" in last_texts(bot)[0]
    assert rows(app, store.FILES) == []


def test_receipt_guessing_in_one_chat_does_not_lock_out_another(tmp_path):
    from tests.integration.intake.conftest import make_app, make_config

    app = make_app(make_config(tmp_path, receipt_guard={"client_failures": 3, "throttled_interval_seconds": 60}))
    bot = LineBot(app, {"intake": {"line": {"channel_secret": SECRET, "channel_access_token": "t"}}},
                  api=RecordingApi())
    owner = Chat(bot)
    receipt = "".join(ch for ch in "\n".join(file_a_tip(owner) and last_texts(bot)).split("(16 หลัก): ")[1][:19]
                      if ch.isdigit())
    guesser = Chat(bot)
    guesser.text("ติดตาม")
    for n in range(5):
        guesser.text(f"1111 2222 3333 444{n}")
    assert "หลายครั้งเกินไป" in last_texts(bot)[0]
    owner.text("ติดตาม")
    owner.text(receipt)
    assert "ยืนยันแล้ว" in last_texts(bot)[0]  # the other LINE user is counted apart


def test_a_key_rotation_reseals_chats_and_their_files_and_the_chat_goes_on(tmp_path):
    from services.intake import crypto, rotation
    from services.intake.app import IntakeApp
    from tests.integration.intake.conftest import make_app, make_config

    app = make_app(make_config(tmp_path))
    config = {"intake": {"line": {"channel_secret": SECRET, "channel_access_token": "t"}}}
    chat = Chat(LineBot(app, config, api=RecordingApi()))
    chat.tap("cmd=new")
    chat.tap("category=procurement")
    chat.image(jpeg_with_gps())  # fetched early, kept for the files step
    chat.text("อบต. จ้างเหมาซ่อมถนนโดยไม่มีการประกวดราคา ผู้รับเหมาเป็นญาติของนายก")
    old = app.keyring
    both = crypto.Keyring("k-new", {**old.keys, "k-new": b"\x05" * 32})
    assert rotation.count_stale(app.db, both)["stale"] == 2  # the chat's state and the file (answered events keep none)
    assert rotation.reseal_all(app.db, both, batch=2)["stale"] == 0
    rotated = IntakeApp(app.db, app.hasher, crypto.Keyring("k-new", {"k-new": b"\x05" * 32}), make_config(tmp_path))
    chat.bot = LineBot(rotated, config, api=chat.bot.api)  # the old key is gone; the chat key is not derived from it
    for step in (lambda: chat.text("ตราด"), lambda: chat.tap("cmd=skip"),
                 lambda: chat.tap("official_type_group=local"), lambda: chat.tap("official_type=local_executive"),
                 lambda: chat.tap("cmd=skip"), lambda: chat.tap("when=unknown"), lambda: chat.tap("files=done"),
                 lambda: chat.tap("anonymity=anonymous"), lambda: chat.tap("confirm=yes")):
        step()
    assert "รหัสรับแจ้ง" in "\n".join(last_texts(chat.bot))
    with rotated.db.reading() as s:
        [tip] = s.execute(select(Tip)).scalars().all()
        assert tip.category == "procurement"
        assert s.execute(select(func.count()).select_from(Attachment)).scalar() == 1
