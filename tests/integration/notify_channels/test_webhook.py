"""The webhook channel against a loopback HTTP server that checks the signature as a receiver would."""
import hashlib
import hmac
import json
import time

import pytest

from shared.notifications.channels import (
    ChannelConfigError,
    OutboundMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
    WebhookChannel,
    build_channels,
    verify_signature,
)
from shared.notifications.channels.webhook import sign

SECRET = "office-shared-secret"


def expected_signature(secret, timestamp, body: bytes):
    """Written out from the documented scheme, independently of the code under test."""
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def message(**changes):
    fields = dict(recipient="nacc-cm", language="th", subject="[สอดส่อง] เรื่องใหม่ SS-2025-000123",
                  text="มีเรื่องร้องเรียนใหม่ส่งถึงหน่วยงานของท่าน", html="<p>ignored</p>", idempotency_key="d-42")
    fields.update(changes)
    return OutboundMessage(**fields)


def channel(url, **changes):
    return WebhookChannel.from_config({"url": url, "secret": SECRET, "timeout": 5, **changes})


@pytest.fixture
def receiver(http_server):
    """The HTTP server answering 401 to anything whose signature does not verify."""
    def check(request):
        headers = request["headers"]
        ok = verify_signature(SECRET, headers.get("X-Sodsong-Timestamp"), request["body"],
                              headers.get("X-Sodsong-Signature"))
        return None if ok else 401
    http_server.check = check
    return http_server


def test_signed_json_post(receiver):
    provider_id = channel(receiver.url + "/hooks/sodsong").send(message())

    [request] = receiver.requests
    assert request["path"] == "/hooks/sodsong"
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Sodsong-Delivery"] == "d-42"
    assert abs(int(headers["X-Sodsong-Timestamp"]) - time.time()) < 60
    assert headers["X-Sodsong-Signature"] == expected_signature(SECRET, headers["X-Sodsong-Timestamp"],
                                                                request["body"])
    assert json.loads(request["body"]) == {
        "delivery_id": "d-42", "to": "nacc-cm", "language": "th",
        "subject": "[สอดส่อง] เรื่องใหม่ SS-2025-000123", "text": "มีเรื่องร้องเรียนใหม่ส่งถึงหน่วยงานของท่าน"}
    assert provider_id == "d-42"


def test_500_then_200_is_transient_then_delivered(receiver):
    receiver.reply(500, b"oops")
    receiver.reply(200, {"id": "rcv-9"})
    webhook = channel(receiver.url)
    with pytest.raises(TransientDeliveryError) as failure:
        webhook.send(message())
    assert failure.value.status == 500
    assert webhook.send(message()) == "rcv-9"  # the channel made one attempt per send
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["headers"]["X-Sodsong-Delivery"] == receiver.requests[1]["headers"][
        "X-Sodsong-Delivery"]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_4xx_is_permanent(http_server, status):
    http_server.reply(status)
    with pytest.raises(PermanentDeliveryError) as failure:
        channel(http_server.url).send(message())
    assert failure.value.status == status


@pytest.mark.parametrize("status", [408, 429, 502, 503])
def test_408_429_and_5xx_are_transient(http_server, status):
    http_server.reply(status, headers={"Retry-After": "30"})
    with pytest.raises(TransientDeliveryError) as failure:
        channel(http_server.url).send(message())
    assert failure.value.retry_after == 30


def test_redirect_is_permanent_not_followed(http_server):
    http_server.reply(302, headers={"Location": "/elsewhere"})
    with pytest.raises(PermanentDeliveryError):
        channel(http_server.url).send(message())
    assert len(http_server.requests) == 1


def test_wrong_secret_is_rejected_by_the_receiver(receiver):
    with pytest.raises(PermanentDeliveryError) as failure:
        WebhookChannel(url=receiver.url, secret="not-the-secret", timeout=5).send(message())
    assert failure.value.status == 401


def test_timeout_is_transient(http_server):
    http_server.hold_next()
    started = time.monotonic()
    with pytest.raises(TransientDeliveryError):
        channel(http_server.url, timeout=0.3).send(message())
    assert time.monotonic() - started < 5


def test_connection_refused_is_transient(refused_port):
    with pytest.raises(TransientDeliveryError):
        channel(f"http://127.0.0.1:{refused_port}/hook").send(message())


def test_verify_signature_accepts_the_real_thing_and_rejects_tampering():
    body = '{"text":"มีเรื่องร้องเรียนใหม่"}'.encode()
    now = 1_700_000_000
    signature = expected_signature(SECRET, now, body)
    assert sign(SECRET, now, body) == signature
    assert verify_signature(SECRET, str(now), body, signature, now=now)
    assert verify_signature(SECRET, now, body.decode(), signature, now=now + 299)
    assert not verify_signature(SECRET, now, body.replace("ใหม่".encode(), b"x"), signature, now=now)
    assert not verify_signature(SECRET, now + 1, body, signature, now=now)
    assert not verify_signature("other", now, body, signature, now=now)
    assert not verify_signature(SECRET, now, body, signature, now=now + 301)  # a replay, too old
    assert not verify_signature(SECRET, "soon", body, signature, now=now)
    assert not verify_signature(SECRET, now, body, "", now=now)


def test_config_is_checked_at_build_time():
    with pytest.raises(ChannelConfigError):
        build_channels({"webhook": {"url": "https://agency.example/hook"}})  # no secret
    with pytest.raises(ChannelConfigError):
        build_channels({"webhook": {"url": "ftp://agency.example", "secret": "s"}})
    assert build_channels({"webhook": {"enabled": "false", "url": "x"}}) == {}


def test_named_channels_of_one_type(receiver):
    channels = build_channels({
        "nacc_chiangmai": {"type": "webhook", "url": receiver.url + "/a", "secret": SECRET},
        "pacc_hook": {"type": "webhook", "url": receiver.url + "/b", "secret": SECRET},
    })
    assert {name: (c.name, c.kind) for name, c in channels.items()} == {
        "nacc_chiangmai": ("nacc_chiangmai", "webhook"), "pacc_hook": ("pacc_hook", "webhook")}
    channels["pacc_hook"].send(message())
    assert [r["path"] for r in receiver.requests] == ["/b"]
    with pytest.raises(ChannelConfigError, match="nacc_chiangmai"):
        build_channels({"nacc_chiangmai": {"type": "webhook", "url": receiver.url}})
    with pytest.raises(ChannelConfigError, match="unknown channel type"):
        build_channels({"office": {"type": "fax"}})
