"""What every delivery channel shares: the message, the channel contract, and the two ways a send can fail.

The sending service (notify; intake for tipsters) owns retries and backoff; a channel makes exactly one attempt
and says, by the exception it raises, whether trying again later could help. Exception text is logged and shown
to operators, so it carries status codes only, never the recipient address or the message content (providers echo
both back in errors).
"""
from __future__ import annotations

import abc
import dataclasses
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests

LANGUAGES = ("th", "en")


@dataclasses.dataclass(frozen=True)
class OutboundMessage:
    """One rendered notification for one recipient on one channel.

    Email uses subject, text and html. Chat, SMS and webhook channels send text alone, so text must stand on its
    own without the subject.
    """

    recipient: str  # the address on this channel: email address, LINE user id, phone number, ...
    language: str
    subject: str
    text: str
    html: str | None
    idempotency_key: str  # the delivery id; the same key for every attempt of the same delivery
    # Which attempt this is, as the sender's ledger counts them. Above 1 an earlier attempt may have reached the
    # recipient before its sender died; a channel that can look (the file channel) checks before sending again.
    attempt: int = 1

    def __post_init__(self):
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, got {self.language!r}")
        if not self.idempotency_key:
            raise ValueError("idempotency_key is required: it is how a provider recognises a retried delivery")


class DeliveryError(Exception):
    def __init__(self, reason: str, *, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status  # HTTP status or SMTP reply code, when there was one


class TransientDeliveryError(DeliveryError):
    """Trying again later may succeed: the provider is down, slow, throttling, or asked us to wait."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason, status=status)
        self.retry_after = retry_after  # seconds, when the provider said how long to wait


class PermanentDeliveryError(DeliveryError):
    """Trying again will fail the same way: bad address, rejected content, refused request."""


class ChannelConfigError(ValueError):
    """The channel's configuration is incomplete or invalid; raised at start-up, not at send time."""


class Channel(abc.ABC):
    kind: str  # file, email, webhook, line, sms
    name: str  # what the config calls this instance; the kind unless build_channels says otherwise

    @abc.abstractmethod
    def send(self, message: OutboundMessage) -> str:
        """Deliver one message in one attempt; return the provider's message id."""


def require(config: dict, channel: str, *keys: str) -> None:
    missing = [key for key in keys if config.get(key) in (None, "")]
    if missing:
        raise ChannelConfigError(f"{channel}: missing {', '.join(missing)}")


def as_bool(value) -> bool:
    """YAML config with ${ENV:default} substitution hands booleans over as strings."""
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


def require_http_url(url: str, channel: str) -> str:
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ChannelConfigError(f"{channel}: url must start with https:// or http://")
    return url


def retry_uuid(idempotency_key: str) -> str:
    """The idempotency key as a UUID, for providers that insist on one; stable for the same key."""
    try:
        return str(uuid.UUID(idempotency_key))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sodsong:delivery:{idempotency_key}"))


def post_once(session: requests.Session, url: str, *, timeout: float, also_ok: tuple[int, ...] = (),
              **kwargs) -> requests.Response:
    """POST once and turn every failure into a Transient or Permanent delivery error.

    also_ok lists non-2xx statuses the caller handles itself (LINE's 409 for an already-accepted retry).

    Redirects are not followed: requests would turn a redirected POST into a GET and the message would vanish
    with a 200, so a redirect means the configured URL is wrong.
    """
    import requests  # loaded by the first send, not by every process that reads the delivery ledger

    try:
        response = session.post(url, timeout=timeout, allow_redirects=False, **kwargs)
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise TransientDeliveryError(f"{type(exc).__name__} talking to the provider") from None
    except requests.RequestException as exc:
        raise PermanentDeliveryError(f"{type(exc).__name__} building the request") from None
    if response.status_code not in also_ok:
        raise_for_delivery_status(response)
    return response


def raise_for_delivery_status(response: requests.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    reason = f"HTTP {status} {response.reason or ''}".strip()
    if status in (408, 429) or status >= 500:
        raise TransientDeliveryError(reason, status=status, retry_after=_retry_after(response))
    raise PermanentDeliveryError(reason, status=status)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    # Only the delta-seconds form; an HTTP-date is rare from these providers and the service's backoff covers it.
    return float(value) if value.strip().isdigit() else None


def provider_id_from_json(response: requests.Response, *keys: str) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        for key in keys:
            if body.get(key) not in (None, ""):
                return str(body[key])
    return None
