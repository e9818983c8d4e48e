"""The email channel against a real SMTP server (aiosmtpd in its own process) on loopback."""
import email
import email.policy

import pytest

from shared.notifications.channels import (
    OutboundMessage,
    PermanentDeliveryError,
    SmtpChannel,
    TransientDeliveryError,
    build_channels,
)

SUBJECT = "สอดส่อง: รายงานของคุณมีความคืบหน้า"
TEXT = "รายงาน SS-2025-000123 ของคุณมีความคืบหน้า ตรวจสอบได้ด้วยรหัสใบรับแจ้งของคุณ\n"
HTML = "<p>รายงาน <b>SS-2025-000123</b> มีความคืบหน้า</p>\n"


def message(**changes):
    fields = dict(recipient="office@agency.example", language="th", subject=SUBJECT, text=TEXT, html=None,
                  idempotency_key="d-7f3a9c")
    fields.update(changes)
    return OutboundMessage(**fields)


def channel(port, **config):
    settings = dict(host="127.0.0.1", port=port, security="none", **{"from": "สอดส่อง <noreply@sodsong.example>"},
                    timeout=5)
    settings.update(config)
    return SmtpChannel.from_config(settings)


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def body(part):
    # MIME text is canonically CRLF on the wire (and inside base64); readers turn it back into newlines.
    return part.get_content().replace("\r\n", "\n")


def test_thai_message_arrives_and_decodes(smtp_server):
    server = smtp_server()
    provider_id = channel(server.port).send(message(html=HTML))

    [(facts, raw)] = server.received()
    assert facts["mail_from"] == "noreply@sodsong.example"
    assert facts["rcpt_tos"] == ["office@agency.example"]
    assert facts["helo"] == "sodsong.example"  # no DNS lookup for the HELO name
    assert raw.isascii(), "headers and bodies must be encoded for 7-bit transport"
    assert b"=?utf-8?" in raw.lower()  # RFC 2047 encoded-word for the Thai subject

    mail = parse(raw)
    assert mail["Subject"] == SUBJECT
    assert mail["From"].addresses[0].display_name == "สอดส่อง"
    assert mail["To"] == "office@agency.example"
    assert mail["Message-ID"] == provider_id == "<d-7f3a9c.sodsong@sodsong.example>"
    assert mail["X-Sodsong-Delivery"] == "d-7f3a9c"
    assert mail["Date"].datetime is not None
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_content_type() == "multipart/alternative"
    assert body(mail.get_body(("plain",))) == TEXT
    assert body(mail.get_body(("html",))) == HTML


def test_text_only_message_is_a_single_part(smtp_server):
    server = smtp_server()
    channel(server.port).send(message(language="en", subject="Sodsong: your report has an update",
                                      text="Your report SS-1 has an update.\n"))
    [(_, raw)] = server.received()
    mail = parse(raw)
    assert mail.get_content_type() == "text/plain"
    assert body(mail) == "Your report SS-1 has an update.\n"
    assert mail["Content-Language"] == "en"


def test_retry_keeps_the_message_id_and_odd_keys_are_hashed():
    smtp = channel(25)
    assert smtp.message_id("d-1") == smtp.message_id("d-1")
    odd = smtp.message_id("delivery id with spaces <and> @")
    assert odd == smtp.message_id("delivery id with spaces <and> @")
    assert " " not in odd and odd.count("@") == 1


def test_subject_with_a_newline_cannot_inject_headers(smtp_server):
    server = smtp_server()
    channel(server.port).send(message(subject="Update\r\nBcc: spy@evil.example"))
    [(facts, raw)] = server.received()
    assert facts["rcpt_tos"] == ["office@agency.example"]
    assert parse(raw)["Bcc"] is None


@pytest.mark.parametrize("bad", ["not-an-address", "a@b", "x@y.example\r\nBcc: spy@evil.example",
                                 "ผู้แจ้ง@example.org"])
def test_bad_address_is_permanent_without_connecting(bad, refused_port):
    with pytest.raises(PermanentDeliveryError):
        channel(refused_port).send(message(recipient=bad))


def test_recipient_refused_with_5xx_is_permanent(smtp_server):
    server = smtp_server("--rcpt-reply", "550 5.1.1 <office@agency.example>: no such user")
    with pytest.raises(PermanentDeliveryError) as failure:
        channel(server.port).send(message())
    assert failure.value.status == 550
    assert "5.1.1" in str(failure.value) and "office@agency.example" not in str(failure.value)
    assert server.received() == []


def test_recipient_deferred_with_4xx_is_transient(smtp_server):
    server = smtp_server("--rcpt-reply", "450 4.2.1 Mailbox busy, try later")
    with pytest.raises(TransientDeliveryError) as failure:
        channel(server.port).send(message())
    assert failure.value.status == 450


def test_data_refused_with_5xx_is_permanent_and_4xx_transient(smtp_server):
    with pytest.raises(PermanentDeliveryError):
        channel(smtp_server("--data-reply", "554 5.7.1 Message rejected").port).send(message())
    with pytest.raises(TransientDeliveryError):
        channel(smtp_server("--data-reply", "451 4.3.0 Try again later").port).send(message())


def test_connection_refused_is_transient(refused_port):
    with pytest.raises(TransientDeliveryError):
        channel(refused_port).send(message())


def test_silent_server_times_out_as_transient(silent_port):
    with pytest.raises(TransientDeliveryError):
        channel(silent_port, timeout=0.5).send(message())


def test_plain_auth(smtp_server):
    server = smtp_server("--auth", "desk:s3cret")
    channel(server.port, username="desk", password="s3cret").send(message())
    [(facts, _)] = server.received()
    assert facts["authenticated"] is True


def test_wrong_password_is_transient_because_it_is_a_configuration_fault(smtp_server):
    server = smtp_server("--auth", "desk:s3cret")
    with pytest.raises(TransientDeliveryError) as failure:
        channel(server.port, username="desk", password="wrong").send(message())
    assert failure.value.status == 535
    assert server.received() == []


def test_missing_auth_is_transient_because_it_is_a_configuration_fault(smtp_server):
    server = smtp_server("--auth", "desk:s3cret")
    with pytest.raises(TransientDeliveryError) as failure:
        channel(server.port).send(message())
    assert failure.value.status == 530  # at MAIL FROM
    assert server.received() == []


def test_starttls_then_auth(smtp_server, tls_certificate):
    cert, key = tls_certificate
    server = smtp_server("--auth", "desk:s3cret", "--cert", cert, "--key", key)
    channel(server.port, security="starttls", tls_ca_file=str(cert), username="desk",
            password="s3cret").send(message())
    [(facts, raw)] = server.received()
    assert facts["tls"] is True and facts["authenticated"] is True
    assert parse(raw)["Subject"] == SUBJECT


def test_starttls_refuses_an_untrusted_certificate(smtp_server, tls_certificate):
    cert, key = tls_certificate
    server = smtp_server("--cert", cert, "--key", key)
    with pytest.raises(TransientDeliveryError):
        channel(server.port, security="starttls").send(message())  # system CAs do not know this certificate
    assert server.received() == []


def test_implicit_tls(smtp_server, tls_certificate):
    cert, key = tls_certificate
    server = smtp_server("--cert", cert, "--key", key, "--implicit-tls")
    channel(server.port, security="ssl", tls_ca_file=str(cert)).send(message())
    [(facts, _)] = server.received()
    assert facts["tls"] is True


def test_build_channels_makes_the_email_channel(smtp_server):
    server = smtp_server()
    channels = build_channels({"email": {"host": "127.0.0.1", "port": str(server.port), "security": "none",
                                         "from": "noreply@sodsong.example", "timeout": "5"}})
    assert set(channels) == {"email"}
    channels["email"].send(message())
    assert len(server.received()) == 1
