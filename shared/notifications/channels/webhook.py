"""A signed JSON POST to an agency's own system, so an office can take cases into its case management.

Signature: X-Sodsong-Signature = "sha256=" + hex HMAC-SHA256(secret, f"{timestamp}.{body}"), with the unix time
in X-Sodsong-Timestamp. Signing the timestamp with the body lets a receiver refuse replays older than a few
minutes; X-Sodsong-Delivery lets it drop a retried delivery it has already taken.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING

from .base import Channel, OutboundMessage, post_once, provider_id_from_json, require, require_http_url

if TYPE_CHECKING:
    import requests


class WebhookChannel(Channel):
    kind = name = "webhook"

    def __init__(self, *, url: str, secret: str, timeout: float = 10.0, session: requests.Session | None = None):
        self.url = require_http_url(url, self.kind)
        self.secret = secret
        self.timeout = float(timeout)
        self.session = session or _session()

    @classmethod
    def from_config(cls, config: dict) -> WebhookChannel:
        require(config, cls.kind, "url", "secret")
        return cls(url=config["url"], secret=config["secret"], timeout=config.get("timeout", 10.0))

    def send(self, message: OutboundMessage) -> str:
        body = json.dumps({
            "delivery_id": message.idempotency_key,
            "to": message.recipient,
            "language": message.language,
            "subject": message.subject,
            "text": message.text,
        }, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Sodsong-Delivery": message.idempotency_key,
            "X-Sodsong-Timestamp": timestamp,
            "X-Sodsong-Signature": sign(self.secret, timestamp, body),
        }
        response = post_once(self.session, self.url, timeout=self.timeout, data=body, headers=headers)
        return provider_id_from_json(response, "id") or message.idempotency_key


def sign(secret: str, timestamp: str | int, body: bytes | str) -> str:
    if isinstance(body, str):
        body = body.encode("utf-8")
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str | int, body: bytes | str, signature: str,
                     tolerance: int = 300, now: float | None = None) -> bool:
    """True when the signature matches this body and timestamp, and the timestamp is within tolerance seconds."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent_at, body), signature or "")


def _session():
    import requests  # here, not at import: only a process that sends through this channel loads it

    return requests.Session()
