"""SMS through an HTTP gateway: POST {to, message, sender} as JSON or a form, with the API key in a header.

Thai gateways differ in details but share this shape; what differs is configuration (URL, key header, body
format). Errors are classified as for webhooks.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .base import (
    Channel,
    ChannelConfigError,
    OutboundMessage,
    PermanentDeliveryError,
    post_once,
    provider_id_from_json,
    require,
    require_http_url,
)

if TYPE_CHECKING:
    import requests

BODY_FORMATS = ("json", "form")
_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


class SmsChannel(Channel):
    kind = name = "sms"

    def __init__(self, *, url: str, api_key: str, sender: str, api_key_header: str = "X-API-Key",
                 body_format: str = "json", timeout: float = 10.0, session: requests.Session | None = None):
        if body_format not in BODY_FORMATS:
            raise ChannelConfigError(f"sms: body_format must be one of {BODY_FORMATS}")
        self.url = require_http_url(url, self.kind)
        self.api_key, self.api_key_header = api_key, api_key_header
        self.sender, self.body_format = sender, body_format
        self.timeout = float(timeout)
        self.session = session or _session()

    @classmethod
    def from_config(cls, config: dict) -> SmsChannel:
        require(config, cls.kind, "url", "api_key", "sender")
        return cls(url=config["url"], api_key=config["api_key"], sender=config["sender"],
                   api_key_header=config.get("api_key_header") or "X-API-Key",
                   body_format=config.get("body_format") or "json", timeout=config.get("timeout", 10.0))

    def send(self, message: OutboundMessage) -> str:
        phone = re.sub(r"[\s-]", "", message.recipient)
        if not _PHONE.match(phone):
            raise PermanentDeliveryError("sms: recipient is not a phone number")
        fields = {"to": phone, "message": message.text, "sender": self.sender}
        body = {"json": fields} if self.body_format == "json" else {"data": fields}
        headers = {self.api_key_header: self.api_key, "X-Sodsong-Delivery": message.idempotency_key}
        response = post_once(self.session, self.url, timeout=self.timeout, headers=headers, **body)
        return provider_id_from_json(response, "id", "message_id", "messageId") or message.idempotency_key


def _session():
    import requests  # here, not at import: only a process that sends through this channel loads it

    return requests.Session()
