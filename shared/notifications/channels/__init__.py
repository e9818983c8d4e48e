"""Delivery channels shared by notify (staff, offices, operators) and intake (tipsters): plain Python, one
attempt per send, no retries here (the delivery ledger owns retries, see shared.notifications.ledger).

build_channels() takes the `channels` section of the notify config: channel name -> settings. The kind of
channel is `type`, or the name itself when `type` is absent, so two offices can each have their own webhook:

    file:    {path}
    email:   {host, port, security: starttls|ssl|none, username, password, from, timeout, helo_name,
              tls_verify, tls_ca_file}
    webhook: {url, secret, timeout}
    line:    {channel_access_token, base_url, timeout}
    sms:     {url, api_key, api_key_header, sender, body_format: json|form, timeout}
    nacc_cm: {type: webhook, url, secret}

A section that is empty or has `enabled: false` is not built. Bad settings raise ChannelConfigError at once.
"""
from __future__ import annotations

from .base import (
    Channel,
    ChannelConfigError,
    DeliveryError,
    OutboundMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
    as_bool,
)
from .file import FileChannel, read_file_channel
from .line import LineChannel
from .sms import SmsChannel
from .smtp import SmtpChannel
from .webhook import WebhookChannel, verify_signature

CHANNEL_CLASSES = {cls.kind: cls for cls in (FileChannel, SmtpChannel, WebhookChannel, LineChannel, SmsChannel)}


def build_channels(config: dict) -> dict[str, Channel]:
    channels = {}
    for name, section in (config or {}).items():
        if not section or not as_bool(section.get("enabled", True)):
            continue
        kind = section.get("type") or name
        if kind not in CHANNEL_CLASSES:
            # A typo ("emial") would otherwise silently leave a channel off.
            raise ChannelConfigError(f"{name}: unknown channel type {kind!r}; known: {', '.join(CHANNEL_CLASSES)}")
        try:
            channel = CHANNEL_CLASSES[kind].from_config(section)
        except ChannelConfigError as exc:
            raise ChannelConfigError(f"{name}: {exc}" if name != kind else str(exc)) from None
        channel.name = name
        channels[name] = channel
    return channels


__all__ = [
    "Channel", "ChannelConfigError", "DeliveryError", "OutboundMessage", "PermanentDeliveryError",
    "TransientDeliveryError", "FileChannel", "SmtpChannel", "WebhookChannel", "LineChannel", "SmsChannel",
    "build_channels", "read_file_channel", "verify_signature", "CHANNEL_CLASSES",
]
