"""LINE webhook: how fast intake answers LINE (signature check + sealed store), and how long until the user sees
the bot's reply, over N text messages from M users.

    python bench/line_webhook.py [--messages 200] [--users 10] [--mode embedded|real]

Starts Sodsong as a user would (`sodsong run`; real mode: a fresh RabbitMQ vhost and PostgreSQL database, one
process per service) with LINE simulated on loopback, then posts signed webhook events one after another.
LINE expects the webhook's 200 within a few seconds and redelivers otherwise; the answer itself goes out from
the processing loop.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.intake.line.simulator import LineSimulator  # noqa: E402
from tests.support.deployment import Deployment  # noqa: E402


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run(mode: str, messages: int, users: int) -> None:
    with ExitStack() as stack:
        sim = stack.enter_context(LineSimulator())
        line = {"channel_secret": sim.secret, "channel_access_token": sim.access_token, "api_base": sim.base_url,
                "data_api_base": sim.base_url, "poll_seconds": 0.2}
        dep = Deployment(mode, Path(tempfile.mkdtemp(prefix="sodsong-line-bench-")), stack,
                         extra_env={"SODSONG__intake__line": json.dumps(line)})
        dep.start()
        sim.webhook_url = f"http://127.0.0.1:{dep.intake_port}/line/webhook"
        people = [sim.user() for _ in range(users)]
        webhook_ms, answer_ms = [], []
        for i in range(messages):
            user = people[i % users]
            event = user._event("message", message={"type": "text", "id": str(i), "text": f"สวัสดี {i}",
                                                    "quoteToken": "q"})
            mark = sim._seq
            started = time.perf_counter()
            response = sim.post_webhook([event])
            webhook_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
            user._answer(event["replyToken"], mark, 30)
            answer_ms.append((time.perf_counter() - started) * 1000 - 200)  # _answer waits 200 ms for pushes
    print(f"{mode}: {messages} messages from {users} users")
    for name, values in (("webhook 200", webhook_ms), ("reply seen", answer_ms)):
        print(f"  {name:12s} p50 {statistics.median(values):7.1f} ms   p95 {pct(values, 95):7.1f} ms   "
              f"max {max(values):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--mode", choices=["embedded", "real"], default="embedded")
    args = parser.parse_args()
    run(args.mode, args.messages, args.users)


if __name__ == "__main__":
    main()
