"""The LINE channel against a loopback server standing in for api.line.me."""
import json
import uuid

import pytest

from shared.notifications.channels import (
    LineChannel,
    OutboundMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
    build_channels,
)

USER = "U" + "4af4980629" * 3 + "ab"
TEXT = "สอดส่อง: รายงาน SS-2025-000123 ของคุณมีความคืบหน้า"


def message(**changes):
    fields = dict(recipient=USER, language="th", subject="ignored by LINE", text=TEXT, html=None,
                  idempotency_key="d-100")
    fields.update(changes)
    return OutboundMessage(**fields)


def channel(base_url):
    return build_channels({"line": {"channel_access_token": "tok-123", "base_url": base_url + "/",
                                     "timeout": 5}})["line"]


def test_push_request(http_server):
    http_server.reply(200, {"sentMessages": [{"id": "461230966842064897", "quoteToken": "q"}]})
    assert channel(http_server.url).send(message()) == "461230966842064897"

    [request] = http_server.requests
    assert request["path"] == "/v2/bot/message/push"
    assert request["headers"]["Authorization"] == "Bearer tok-123"
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {"to": USER, "messages": [{"type": "text", "text": TEXT}]}
    retry_key = request["headers"]["X-Line-Retry-Key"]
    assert uuid.UUID(retry_key)


def test_retry_key_is_stable_per_delivery_and_kept_when_already_a_uuid(http_server):
    delivery = str(uuid.uuid4())
    line = channel(http_server.url)
    line.send(message())
    line.send(message())
    line.send(message(idempotency_key=delivery))
    keys = [r["headers"]["X-Line-Retry-Key"] for r in http_server.requests]
    assert keys[0] == keys[1] and keys[2] == delivery


def test_409_for_an_accepted_retry_key_counts_as_delivered(http_server):
    http_server.reply(409, {"message": "The retry key is already accepted"},
                      headers={"x-line-accepted-request-id": "req-abc"})
    assert channel(http_server.url).send(message()) == "line-request:req-abc"


@pytest.mark.parametrize("status, error", [(400, PermanentDeliveryError), (401, PermanentDeliveryError),
                                           (429, TransientDeliveryError), (500, TransientDeliveryError)])
def test_errors_are_classified(http_server, status, error):
    http_server.reply(status, {"message": "error"})
    with pytest.raises(error):
        channel(http_server.url).send(message())


@pytest.mark.parametrize("recipient", ["someone@example.org", "0812345678", "U123"])
def test_non_line_recipient_is_permanent_without_a_request(http_server, recipient):
    with pytest.raises(PermanentDeliveryError):
        channel(http_server.url).send(message(recipient=recipient))
    assert http_server.requests == []


def test_too_long_text_is_permanent(http_server):
    with pytest.raises(PermanentDeliveryError):
        channel(http_server.url).send(message(text="ก" * 5001))
    assert http_server.requests == []


def test_default_base_url_is_the_line_api():
    assert LineChannel(channel_access_token="t").base_url == "https://api.line.me"
