"""The SMS channel against a loopback server standing in for an HTTP SMS gateway."""
import json
from urllib.parse import parse_qs

import pytest

from shared.notifications.channels import (
    ChannelConfigError,
    OutboundMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
    build_channels,
)

TEXT = "สอดส่อง: รายงาน SS-2025-000123 ของคุณมีความคืบหน้า"


def message(**changes):
    fields = dict(recipient="+66 81-234-5678", language="th", subject="ignored by SMS", text=TEXT, html=None,
                  idempotency_key="d-7")
    fields.update(changes)
    return OutboundMessage(**fields)


def channel(url, **changes):
    config = dict(url=url + "/v1/sms", api_key="key-xyz", sender="Sodsong", timeout=5)
    config.update(changes)
    return build_channels({"sms": config})["sms"]


def test_json_body(http_server):
    http_server.reply(200, {"message_id": "gw-555"})
    assert channel(http_server.url).send(message()) == "gw-555"
    [request] = http_server.requests
    assert request["path"] == "/v1/sms"
    assert request["headers"]["X-API-Key"] == "key-xyz"
    assert request["headers"]["X-Sodsong-Delivery"] == "d-7"
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {"to": "+66812345678", "message": TEXT, "sender": "Sodsong"}


def test_form_body_and_custom_key_header(http_server):
    assert channel(http_server.url, body_format="form", api_key_header="Authorization").send(message()) == "d-7"
    [request] = http_server.requests
    assert request["headers"]["Authorization"] == "key-xyz"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request["body"].decode()) == {"to": ["+66812345678"], "message": [TEXT], "sender": ["Sodsong"]}


@pytest.mark.parametrize("status, error", [(400, PermanentDeliveryError), (402, PermanentDeliveryError),
                                           (408, TransientDeliveryError), (429, TransientDeliveryError),
                                           (503, TransientDeliveryError)])
def test_errors_are_classified(http_server, status, error):
    http_server.reply(status)
    with pytest.raises(error):
        channel(http_server.url).send(message())


def test_timeout_and_refused_are_transient(http_server, refused_port):
    http_server.hold_next()
    with pytest.raises(TransientDeliveryError):
        channel(http_server.url, timeout=0.3).send(message())
    with pytest.raises(TransientDeliveryError):
        channel(f"http://127.0.0.1:{refused_port}").send(message())


@pytest.mark.parametrize("recipient", ["office@agency.example", "12345", "+66 81 234 5678 ext 9"])
def test_bad_number_is_permanent_without_a_request(http_server, recipient):
    with pytest.raises(PermanentDeliveryError):
        channel(http_server.url).send(message(recipient=recipient))
    assert http_server.requests == []


def test_config_is_checked_at_build_time():
    with pytest.raises(ChannelConfigError):
        build_channels({"sms": {"url": "https://gw.example", "api_key": "k"}})  # no sender
    with pytest.raises(ChannelConfigError):
        build_channels({"sms": {"url": "https://gw.example", "api_key": "k", "sender": "S", "body_format": "xml"}})
    with pytest.raises(ChannelConfigError):
        build_channels({"smss": {"url": "https://gw.example"}})  # a typo must not switch SMS off
