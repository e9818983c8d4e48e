"""A loopback SMTP server for the email channel tests, run as its own process.

The test process is eventlet-patched and asyncio does not belong there, so aiosmtpd runs here. Prints
"READY <port>" once listening. Each accepted message is written to OUT/<n>.eml (raw bytes) and OUT/<n>.json
(envelope and session facts) before the 250 reply, so a test can read it as soon as send() returns.
"""
import argparse
import asyncio
import itertools
import json
import signal
import ssl
import warnings
from pathlib import Path

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Recorder:
    def __init__(self, out: Path, rcpt_reply: str | None, data_reply: str | None):
        self.out, self.rcpt_reply, self.data_reply = out, rcpt_reply, data_reply
        self.numbers = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        number = next(self.numbers)
        facts = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "authenticated": bool(session.authenticated),
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "helo": session.host_name,
        }
        (self.out / f"{number:04d}.json").write_text(json.dumps(facts))
        (self.out / f"{number:04d}.eml").write_bytes(envelope.original_content)
        return "250 2.0.0 Message accepted"


def password_checker(user: str, password: str):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            user.encode(), password.encode())
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself
    return authenticator


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--rcpt-reply", help='answer every RCPT with this, e.g. "550 5.1.1 No such user"')
    parser.add_argument("--data-reply", help='answer every DATA with this, e.g. "451 4.3.0 Try later"')
    parser.add_argument("--auth", help="USER:PASSWORD; AUTH is then required before MAIL")
    parser.add_argument("--cert", help="certificate (PEM) for STARTTLS or implicit TLS")
    parser.add_argument("--key", help="private key (PEM) for --cert")
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (port 465 style)")
    args = parser.parse_args()
    # Plain-text AUTH on loopback is what the plain-auth test is about; aiosmtpd's warning about it is noise.
    warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
    args.out.mkdir(parents=True, exist_ok=True)

    tls = None
    if args.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)
    authenticator = password_checker(*args.auth.split(":", 1)) if args.auth else None
    handler = Recorder(args.out, args.rcpt_reply, args.data_reply)
    starttls = tls is not None and not args.implicit_tls

    def protocol():
        return SMTP(handler, hostname="sodsong-test-relay", authenticator=authenticator,
                    auth_required=authenticator is not None, auth_require_tls=tls is not None,
                    tls_context=tls if starttls else None, require_starttls=starttls)

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(
        protocol, "127.0.0.1", 0, ssl=tls if args.implicit_tls else None))
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
