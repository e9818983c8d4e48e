"""LINE Messaging API push messages (https://developers.line.biz/en/reference/messaging-api/#send-push-message).

X-Line-Retry-Key makes a retried push idempotent: LINE answers 409 to a key it has already accepted, which for
us means the earlier attempt got through.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import (
    Channel,
    OutboundMessage,
    PermanentDeliveryError,
    post_once,
    require,
    require_http_url,
    retry_uuid,
)

if TYPE_CHECKING:
    import requests

# User, group and room ids: a letter then 32 lowercase hex digits.
_LINE_ID = re.compile(r"^[UCR][0-9a-f]{32}$")
MAX_TEXT = 5000  # LINE's limit for one text message


class LineChannel(Channel):
    kind = name = "line"

    def __init__(self, *, channel_access_token: str, base_url: str = "https://api.line.me",
                 timeout: float = 10.0, session: requests.Session | None = None):
        self.token = channel_access_token
        self.base_url = require_http_url(base_url, self.kind).rstrip("/")
        self.timeout = float(timeout)
        self.session = session or _session()

    @classmethod
    def from_config(cls, config: dict) -> LineChannel:
        require(config, cls.kind, "channel_access_token")
        return cls(channel_access_token=config["channel_access_token"],
                   base_url=config.get("base_url") or "https://api.line.me", timeout=config.get("timeout", 10.0))

    def send(self, message: OutboundMessage) -> str:
        if not _LINE_ID.match(message.recipient):
            raise PermanentDeliveryError("line: recipient is not a LINE user, group or room id")
        if len(message.text) > MAX_TEXT:
            raise PermanentDeliveryError(f"line: text longer than {MAX_TEXT} characters")
        headers = {
            "Authorization": f"Bearer {self.token}",
            "X-Line-Retry-Key": retry_uuid(message.idempotency_key),
        }
        payload = {"to": message.recipient, "messages": [{"type": "text", "text": message.text}]}
        response = post_once(self.session, f"{self.base_url}/v2/bot/message/push", timeout=self.timeout,
                             also_ok=(409,), json=payload, headers=headers)
        if response.status_code == 409:  # an earlier attempt under this retry key was accepted
            return "line-request:" + response.headers.get("x-line-accepted-request-id", "")
        try:
            return str(response.json()["sentMessages"][0]["id"])
        except (ValueError, KeyError, IndexError, TypeError):
            return "line-request:" + response.headers.get("x-line-request-id", "")


def _session():
    import requests  # here, not at import: only a process that sends through this channel loads it

    return requests.Session()
