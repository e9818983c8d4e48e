"""Delivery channels for the notify service: plain Python, one attempt per send, no retries here.

build_channels() takes the `channels` section of the notify config, keyed by channel name:

    file:    {path}
    email:   {host, port, security: starttls|ssl|none, username, password, from, timeout, helo_name,
              tls_verify, tls_ca_file}
    webhook: {url, secret, timeout}
    line:    {channel_access_token, base_url, timeout}
    sms:     {url, api_key, api_key_header, sender, body_format: json|form, timeout}

A section that is absent, empty, or has `enabled: false` is not built.
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
from .smtp import SmtpChannel
from .sms import SmsChannel
from .webhook import WebhookChannel, verify_signature

CHANNEL_CLASSES = {cls.name: cls for cls in (FileChannel, SmtpChannel, WebhookChannel, LineChannel, SmsChannel)}


def build_channels(config: dict) -> dict[str, Channel]:
    unknown = set(config or {}) - set(CHANNEL_CLASSES)
    if unknown:
        # A typo ("emial") would otherwise silently leave a channel off.
        raise ChannelConfigError(f"unknown channels in config: {', '.join(sorted(unknown))}")
    channels = {}
    for name, section in (config or {}).items():
        if not section or not as_bool(section.get("enabled", True)):
            continue
        channels[name] = CHANNEL_CLASSES[name].from_config(section)
    return channels


__all__ = [
    "Channel", "ChannelConfigError", "DeliveryError", "OutboundMessage", "PermanentDeliveryError",
    "TransientDeliveryError", "FileChannel", "SmtpChannel", "WebhookChannel", "LineChannel", "SmsChannel",
    "build_channels", "read_file_channel", "verify_signature", "CHANNEL_CLASSES",
]
