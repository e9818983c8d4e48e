"""Messages per second through the email channel into a loopback SMTP server.

    .venv/bin/python bench/notify_smtp_bench.py [--messages 500] [--html]

One SMTP connection per message, as the channel sends in production; the server (aiosmtpd) runs in this
process on its own thread and only counts what it accepts. Each message is a rendered Thai office_new_case.
"""
from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.smtp import SMTP  # noqa: E402

from shared.notifications.channels import OutboundMessage, SmtpChannel  # noqa: E402
from shared.notifications.messages import render  # noqa: E402


class CountingHandler:
    def __init__(self):
        self.accepted = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope):
        self.accepted += 1
        self.bytes += len(envelope.original_content)
        return "250 OK"


def start_server(handler) -> int:
    """Run aiosmtpd on a daemon thread; return its port once it listens."""
    ready = concurrent.futures.Future()

    def serve():
        loop = asyncio.new_event_loop()
        server = loop.run_until_complete(loop.create_server(lambda: SMTP(handler), "127.0.0.1", 0))
        ready.set_result(server.sockets[0].getsockname()[1])
        loop.run_forever()

    threading.Thread(target=serve, daemon=True).start()
    return ready.result(timeout=10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--html", action="store_true", help="send the html alternative too")
    args = parser.parse_args()

    handler = CountingHandler()
    port = start_server(handler)
    channel = SmtpChannel(host="127.0.0.1", port=port, security="none", timeout=10,
                          sender="สอดส่อง <noreply@sodsong.example>")
    subject, text, html = render("office_new_case", "th", {
        "reference": "SS-2025-000123", "category": "ทุจริตการจัดซื้อจัดจ้าง / ฮั้วประมูล", "province": "เชียงใหม่",
        "acknowledge_by": datetime.now(timezone.utc) + timedelta(days=7),
        "desk_url": "https://desk.sodsong.example/cases/SS-2025-000123"})

    started = time.perf_counter()
    for n in range(args.messages):
        channel.send(OutboundMessage(recipient=f"office{n % 50}@agency.example", language="th", subject=subject,
                                     text=text, html=html if args.html else None, idempotency_key=f"bench-{n}"))
    elapsed = time.perf_counter() - started

    assert handler.accepted == args.messages, (handler.accepted, args.messages)
    print(f"{args.messages} messages in {elapsed:.2f} s: {args.messages / elapsed:.0f} messages/s "
          f"({elapsed / args.messages * 1000:.2f} ms each, {handler.bytes // args.messages} bytes each, "
          f"one connection per message{', text + html' if args.html else ', text only'})")


if __name__ == "__main__":
    main()
