"""Structured JSON logging (structlog) for every service and the CLI.

Two rules: the correlation id of the tip is bound per worker, and nothing that identifies a tipster
(names, phones, emails, LINE ids, receipts, client IPs) is ever written. The redaction below is the
last line of defence; code should not log such values in the first place.
"""
from __future__ import annotations

import logging
import re
import sys

import structlog

# Keys whose values are never written, wherever they appear in an event dict.
REDACTED_KEYS = frozenset({
    "receipt", "x-receipt", "password", "token", "authorization", "cookie",
    "reporter", "name", "phone", "email", "line_user_id", "address",
    "ip", "client_ip", "remote_addr", "x-forwarded-for", "user_agent",
    "description", "body", "reset_code", "totp_secret", "totp_uri",
})


def redact(_, __, event_dict):
    for key in list(event_dict):
        if key.lower() in REDACTED_KEYS:
            event_dict[key] = "[redacted]"
    return event_dict


# user:password@ inside a URL (a broker or database address with several hosts, as kombu prints it on a failed
# connection, masks only the first password)
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@\s;]+):(?P<secret>[^@\s;]+)@", re.I)


def _scrub(value):
    if isinstance(value, str) and "://" in value:
        return _URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:********@", value)
    return value


def scrub_credentials(_, __, event_dict):
    for key, value in list(event_dict.items()):
        event_dict[key] = _scrub(value)
    return event_dict


class _DropAccessLogs(logging.Filter):
    """eventlet.wsgi's access log line starts with the client IP: never let it through."""

    def filter(self, record):
        return not record.name.startswith("nameko.web.server")


_configured = False


def configure(level: str = "INFO", stream=None) -> None:
    global _configured
    shared_processors = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact,
        scrub_credentials,
    ]
    structlog.configure(
        processors=shared_processors + [structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared_processors,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            scrub_credentials,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_DropAccessLogs())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("amqp", "kombu", "alembic"):
        logging.getLogger(noisy).setLevel("WARNING")
    logging.getLogger("nameko.web.server").setLevel("WARNING")
    _configured = True


def get_logger(name: str | None = None):
    return structlog.get_logger(name)
