"""Email through an SMTP relay: one connection per message, plain/STARTTLS/implicit TLS, optional AUTH.

The Message-ID is derived from the delivery id, so a retried delivery carries the same id and mail clients and
relays can recognise the duplicate.
"""
from __future__ import annotations

import email.policy
import email.utils
import hashlib
import re
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage

from .base import (
    Channel,
    ChannelConfigError,
    OutboundMessage,
    PermanentDeliveryError,
    TransientDeliveryError,
    as_bool,
    require,
)

SECURITY_MODES = ("starttls", "ssl", "none")
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_MESSAGE_ID_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_ENHANCED_STATUS = re.compile(rb"^[245]\.\d{1,3}\.\d{1,3}")


class SmtpChannel(Channel):
    kind = name = "email"

    def __init__(self, *, host: str, port: int, sender: str, security: str = "starttls",
                 username: str | None = None, password: str | None = None, timeout: float = 10.0,
                 helo_name: str | None = None, tls_verify: bool = True, tls_ca_file: str | None = None):
        if security not in SECURITY_MODES:
            raise ChannelConfigError(f"email: security must be one of {SECURITY_MODES}")
        _, from_address = email.utils.parseaddr(sender)
        if not _ADDRESS.match(from_address):
            raise ChannelConfigError("email: from must be an address like 'Sodsong <noreply@example.org>'")
        self.host, self.port, self.security = host, int(port), security
        self.sender, self.from_address = sender, from_address
        self.domain = from_address.rsplit("@", 1)[1]
        self.username, self.password = username, password
        self.timeout = float(timeout)
        # smtplib's default HELO name is socket.getfqdn(), a DNS lookup that can stall for seconds.
        self.helo_name = helo_name or self.domain
        self.tls_context = _tls_context(tls_verify, tls_ca_file) if security != "none" else None

    @classmethod
    def from_config(cls, config: dict) -> SmtpChannel:
        require(config, cls.kind, "host", "from")
        security = config.get("security", "starttls")
        default_port = {"starttls": 587, "ssl": 465, "none": 25}.get(security, 587)
        return cls(host=config["host"], port=config.get("port") or default_port, sender=config["from"],
                   security=security, username=config.get("username") or None,
                   password=config.get("password") or None, timeout=config.get("timeout", 10.0),
                   helo_name=config.get("helo_name"), tls_verify=as_bool(config.get("tls_verify", True)),
                   tls_ca_file=config.get("tls_ca_file"))

    def message_id(self, idempotency_key: str) -> str:
        local = idempotency_key if _MESSAGE_ID_SAFE.match(idempotency_key) else (
            hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:40])
        return f"<{local}.sodsong@{self.domain}>"

    def build(self, message: OutboundMessage) -> EmailMessage:
        if not _ADDRESS.match(message.recipient):
            raise PermanentDeliveryError("email: recipient is not a plain ASCII email address")
        mail = EmailMessage(policy=email.policy.SMTP)
        mail["From"] = self.sender
        mail["To"] = Address(addr_spec=message.recipient)
        mail["Subject"] = " ".join(message.subject.split())  # one line: a newline here would split the header
        mail["Date"] = email.utils.formatdate(localtime=False)
        mail["Message-ID"] = self.message_id(message.idempotency_key)
        mail["X-Sodsong-Delivery"] = message.idempotency_key
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: keeps vacation responders from replying
        mail.set_content(message.text, charset="utf-8")
        if message.html:
            mail.add_alternative(message.html, subtype="html", charset="utf-8")
        mail["Content-Language"] = message.language  # after the body: set_content() clears Content-* headers
        return mail

    def send(self, message: OutboundMessage) -> str:
        mail = self.build(message)
        smtp = self._open_session()  # failures before MAIL FROM are the relay's or ours, never the message's
        try:
            smtp.send_message(mail, from_addr=self.from_address, to_addrs=[message.recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise _by_code(code, reply, "RCPT") from None
        except smtplib.SMTPSenderRefused as exc:
            raise _by_code(exc.smtp_code, exc.smtp_error, "MAIL") from None
        except smtplib.SMTPDataError as exc:
            raise _by_code(exc.smtp_code, exc.smtp_error, "DATA") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientDeliveryError(f"email: {type(exc).__name__} while sending") from None
        finally:
            _quit_quietly(smtp)
        return mail["Message-ID"]

    def _open_session(self) -> smtplib.SMTP:
        try:
            if self.security == "ssl":
                smtp = smtplib.SMTP_SSL(self.host, self.port, local_hostname=self.helo_name,
                                        timeout=self.timeout, context=self.tls_context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, local_hostname=self.helo_name, timeout=self.timeout)
        except smtplib.SMTPConnectError as exc:
            raise TransientDeliveryError(f"email: relay refused the connection ({exc.smtp_code})",
                                         status=exc.smtp_code) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientDeliveryError(f"email: {type(exc).__name__} connecting to the relay") from None
        try:
            if self.security == "starttls":
                smtp.starttls(context=self.tls_context)
            if self.username:
                smtp.login(self.username, self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            # A rejected login is a configuration fault: once fixed, the queued deliveries should still go out.
            _quit_quietly(smtp)
            raise TransientDeliveryError(f"email: relay rejected the login ({exc.smtp_code})",
                                         status=exc.smtp_code) from None
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            _quit_quietly(smtp)
            raise TransientDeliveryError(f"email: {type(exc).__name__} setting up the session") from None
        return smtp


def _by_code(code: int, reply: bytes, stage: str):
    enhanced = _ENHANCED_STATUS.match(reply or b"")
    # The reply text is left out on purpose: relays echo the recipient address in it.
    reason = f"email: relay answered {code}{' ' + enhanced.group().decode() if enhanced else ''} at {stage}"
    if 400 <= code < 500 or code == 530:
        # 530 "authentication required" is the relay's configuration, not this message: keep it queued.
        return TransientDeliveryError(reason, status=code)
    if 500 <= code < 600:
        return PermanentDeliveryError(reason, status=code)
    return TransientDeliveryError(reason, status=code)


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    # The message is already accepted (or already failed); a broken QUIT must not turn that into a retry.
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _tls_context(verify: bool, ca_file: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=ca_file)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context

