"""A loopback stand-in for LINE, for tests and demos: the Messaging API's reply, push and content endpoints, and
users who send signed webhook events to intake — no internet, no LINE account.

    sim = LineSimulator(channel_secret="test-secret", webhook_url="http://127.0.0.1:8000/line/webhook").start()
    # intake configured with intake.line.api_base = data_api_base = sim.base_url
    user = sim.user()
    user.say("แจ้งเรื่อง")            # → the bot's answer (messages as LINE received them)
    user.tap("สินบน/เรียกรับเงิน")    # presses a quick-reply button of the last answer
    user.send_location("ที่ว่าการอำเภอ", "ตำบลบางพระ อำเภอเมืองตราด ตราด 23000", 12.24, 102.51)
    user.send_image(jpeg_bytes)

The fake API checks what LINE checks and a bot can get wrong: the bearer token, at most 5 messages per request,
5,000 characters per text, 13 quick-reply buttons with labels of 20 characters at most, a reply token used once.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


def sign(secret: str, body: bytes) -> str:
    """X-Line-Signature: Base64 of HMAC-SHA256 of the raw body under the channel secret."""
    return base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()).decode("ascii")


def new_user_id() -> str:
    return "U" + secrets.token_hex(16)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # the chat is the output; no access log lines in between
        pass


class LimitError(Exception):
    pass


def check_messages(messages: list) -> None:
    if not 1 <= len(messages) <= 5:
        raise LimitError(f"{len(messages)} messages in one request (1 to 5)")
    for m in messages:
        if m.get("type") == "text" and not 1 <= len(m.get("text") or "") <= 5000:
            raise LimitError("text length outside 1..5000")
        items = ((m.get("quickReply") or {}).get("items")) or []
        if len(items) > 13:
            raise LimitError(f"{len(items)} quick-reply items (at most 13)")
        for item in items:
            label = (item.get("action") or {}).get("label") or ""
            if not 1 <= len(label) <= 20:
                raise LimitError(f"quick-reply label {label!r} outside 1..20 characters")


@dataclass
class Sent:
    kind: str               # reply | push
    to: str                 # user id
    messages: list
    reply_token: str | None = None
    seq: int = 0


class LineSimulator:
    def __init__(self, channel_secret: str | None = None, webhook_url: str | None = None,
                 access_token: str = "simulated-channel-access-token", host: str = "127.0.0.1", port: int = 0):
        self.secret = channel_secret or secrets.token_hex(16)
        self.webhook_url = webhook_url
        self.access_token = access_token
        self.host, self.port = host, port
        self.sent: list[Sent] = []
        self.errors: list[str] = []          # limit violations and bad tokens the bot caused
        self.content: dict[str, tuple[bytes, str]] = {}
        self.reply_tokens: dict[str, str] = {}   # token -> user id (unused tokens)
        self._lock = threading.Condition()
        self._seq = 0
        self._server = None

    # -- the fake Messaging API --------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "LineSimulator":
        self._server = make_server(self.host, self.port, self._wsgi, threaded=True,
                                   request_handler=_QuietHandler)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, name="line-simulator", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _refuse(self, status: int, message: str) -> Response:
        with self._lock:
            self.errors.append(message)
        return Response(json.dumps({"message": message}), status=status, content_type="application/json")

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        response = self._route(request)
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.access_token}":
            return self._refuse(401, "Authentication failed")
        path = request.path
        m = re.fullmatch(r"/v2/bot/message/([^/]+)/content", path)
        if request.method == "GET" and m:
            found = self.content.get(m.group(1))
            if found is None:
                return Response(json.dumps({"message": "Not found"}), status=404, content_type="application/json")
            return Response(found[0], content_type=found[1])
        if request.method != "POST" or path not in ("/v2/bot/message/reply", "/v2/bot/message/push"):
            return Response(json.dumps({"message": "Not found"}), status=404, content_type="application/json")
        body = request.get_json(force=True, silent=True) or {}
        messages = body.get("messages") or []
        try:
            check_messages(messages)
        except LimitError as exc:
            return self._refuse(400, str(exc))
        with self._lock:
            if path.endswith("/reply"):
                user = self.reply_tokens.pop(body.get("replyToken") or "", None)
                if user is None:
                    self.errors.append("Invalid reply token")
                    return Response(json.dumps({"message": "Invalid reply token"}), status=400,
                                    content_type="application/json")
                self._record(Sent("reply", user, messages, reply_token=body["replyToken"]))
            else:
                retry_key = request.headers.get("X-Line-Retry-Key")
                if retry_key and any(getattr(s, "retry_key", None) == retry_key for s in self.sent):
                    return Response(json.dumps({"message": "duplicate retry key"}), status=409,
                                    content_type="application/json")
                sent = Sent("push", body.get("to") or "", messages)
                sent.retry_key = retry_key
                self._record(sent)
        ids = [{"id": str(int(time.time() * 1000) + i), "quoteToken": secrets.token_hex(8)}
               for i in range(len(messages))]
        return Response(json.dumps({"sentMessages": ids}), content_type="application/json")

    def _record(self, sent: Sent) -> None:
        self._seq += 1
        sent.seq = self._seq
        self.sent.append(sent)
        self._lock.notify_all()

    # -- users ----------------------------------------------------------------------------------------------------
    def user(self, user_id: str | None = None) -> "SimUser":
        return SimUser(self, user_id or new_user_id())

    def post_webhook(self, events: list[dict], *, signature: str | None = "sign", body: bytes | None = None):
        if body is None:
            body = json.dumps({"destination": "U" + "0" * 32, "events": events}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["X-Line-Signature"] = sign(self.secret, body)
        elif signature is not None:
            headers["X-Line-Signature"] = signature
        return requests.post(self.webhook_url, data=body, headers=headers, timeout=30)

    def pushes_to(self, user_id: str, after: int = 0) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.kind == "push" and s.to == user_id and s.seq > after]


@dataclass
class SimUser:
    sim: LineSimulator
    user_id: str
    last: list = field(default_factory=list)     # the messages of the bot's last answer
    events: list = field(default_factory=list)   # every event this user sent (for redelivery)

    # -- building and sending events -------------------------------------------------------------------------------
    def _event(self, type_: str, **extra) -> dict:
        token = secrets.token_hex(16)
        event = {"type": type_, "mode": "active", "timestamp": int(time.time() * 1000),
                 "source": {"type": "user", "userId": self.user_id},
                 "webhookEventId": "01" + uuid.uuid4().hex[:24].upper(),
                 "deliveryContext": {"isRedelivery": False}, "replyToken": token, **extra}
        with self.sim._lock:
            self.sim.reply_tokens[token] = self.user_id
        return event

    def send(self, event: dict, timeout: float = 30.0) -> list[dict]:
        """Post one signed event and wait for the bot's answer to it (its reply, and pushes that follow)."""
        self.events.append(event)
        with self.sim._lock:
            mark = self.sim._seq
        response = self.sim.post_webhook([event])
        if response.status_code != 200:
            raise AssertionError(f"webhook answered {response.status_code}: {response.text}")
        return self._answer(event.get("replyToken"), mark, timeout)

    def _answer(self, token, mark: int, timeout: float) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self.sim._lock:
            while True:
                mine = [s for s in self.sim.sent if s.seq > mark and s.to == self.user_id]
                if any(s.kind == "reply" and s.reply_token == token for s in mine) or (
                        mine and all(s.kind == "push" for s in mine) and token not in self.sim.reply_tokens):
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("the bot did not answer")
                self.sim._lock.wait(min(left, 0.1))
        time.sleep(0.2)  # further batches of the same answer arrive as pushes right after the reply
        with self.sim._lock:
            mine = [s for s in self.sim.sent if s.seq > mark and s.to == self.user_id]
        self.last = [m for s in mine for m in s.messages]
        return self.last

    def redeliver(self, event: dict) -> int:
        """LINE's redelivery of an event the bot already got: same webhookEventId, isRedelivery true."""
        again = {**event, "deliveryContext": {"isRedelivery": True}}
        return self.sim.post_webhook([again]).status_code

    def say(self, text: str) -> list[dict]:
        return self.send(self._event("message", message={"type": "text", "id": self._msg_id(), "text": text,
                                                         "quoteToken": secrets.token_hex(8)}))

    def postback(self, data: str, params: dict | None = None) -> list[dict]:
        postback = {"data": data}
        if params:
            postback["params"] = params
        return self.send(self._event("postback", postback=postback))

    def follow(self) -> list[dict]:
        return self.send(self._event("follow", follow={"isUnblocked": False}))

    def send_location(self, title: str, address: str, latitude: float, longitude: float) -> list[dict]:
        return self.send(self._event("message", message={
            "type": "location", "id": self._msg_id(), "title": title, "address": address,
            "latitude": latitude, "longitude": longitude}))

    def send_image(self, data: bytes, media_type: str = "image/jpeg") -> list[dict]:
        message_id = self._msg_id()
        self.sim.content[message_id] = (data, media_type)
        return self.send(self._event("message", message={
            "type": "image", "id": message_id, "quoteToken": secrets.token_hex(8),
            "contentProvider": {"type": "line"}}))

    def send_file(self, data: bytes, file_name: str) -> list[dict]:
        message_id = self._msg_id()
        self.sim.content[message_id] = (data, "application/octet-stream")
        return self.send(self._event("message", message={
            "type": "file", "id": message_id, "fileName": file_name, "fileSize": len(data)}))

    @staticmethod
    def _msg_id() -> str:
        return str(secrets.randbelow(10 ** 17) + 10 ** 17)

    # -- the last answer ----------------------------------------------------------------------------------------------
    def quick(self) -> list[dict]:
        """The quick-reply actions of the last answer."""
        for message in reversed(self.last):
            items = (message.get("quickReply") or {}).get("items")
            if items:
                return [item["action"] for item in items]
        return []

    def texts(self) -> list[str]:
        return [m.get("text", "") for m in self.last]

    def tap(self, label: str, date: str | None = None) -> list[dict]:
        """Press a quick-reply button of the last answer, as the LINE app would."""
        for action in self.quick():
            if action.get("label") == label:
                if action["type"] == "postback":
                    return self.postback(action["data"])
                if action["type"] == "datetimepicker":
                    return self.postback(action["data"], {"date": date or action.get("initial")})
                if action["type"] == "message":
                    return self.say(action["text"])
                raise ValueError(f"the {action['type']} button needs the LINE app (send_location, send_image)")
        raise KeyError(f"no button {label!r}; buttons: {[a.get('label') for a in self.quick()]}")
