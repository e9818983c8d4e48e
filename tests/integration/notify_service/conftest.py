"""The notify service in this (eventlet-patched) process, a scripted HTTP provider on loopback, event builders."""
import collections
import datetime
import json
import uuid
from http.server import ThreadingHTTPServer

import pytest

from services.notify import usecases as deliveries
from shared.events import new_event
from shared.notifications import ledger
from tests.support.loopback_http import QuietHandler, serving

UTC = datetime.timezone.utc


class Provider:
    """A webhook provider: answers from a script of statuses, then with `default`; records every request."""

    def __init__(self):
        self.script = collections.deque()
        self.default = 200
        self.requests = []
        provider = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                provider.requests.append({"headers": dict(self.headers.items()), "body": json.loads(body)})
                status = provider.script.popleft() if provider.script else provider.default
                reply = b'{"id": "prov-%d"}' % len(provider.requests)
                self.answer(status, reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def bodies(self):
        return [r["body"] for r in self.requests]


@pytest.fixture
def provider():
    server = Provider()
    with serving(server.httpd):
        yield server


def case_opened(reference=None, office="PACC-R2", **changes):
    now = datetime.datetime.now(UTC)
    reference = reference or f"SS-{uuid.uuid4().hex[:4].upper()}-{uuid.uuid4().hex[:4].upper()}"
    payload = {"reference": reference, "case_id": str(uuid.uuid4()),
               "office": {"code": office, "name_th": "ศูนย์ต่อต้านการทุจริต ภาค 2", "name_en": "PACC Region 2"},
               "category": "bribery", "province_code": "23", "status": "received",
               "acknowledge_due": now + datetime.timedelta(days=7), "feedback_due": now + datetime.timedelta(days=90),
               "opened_at": now}
    payload.update(changes)
    return new_event("case.opened", payload, reference)


def dead_delivery(notify_db, config) -> str:
    """An office's delivery of a new case that failed for good, as an operator finds it on the page."""
    with notify_db.transaction() as uow:
        [delivery_id] = deliveries.record(uow, case_opened(), config)
    assert deliveries.claim(notify_db, delivery_id)
    outcome = ledger.Outcome(error="permanent: HTTP 400", permanent=True)
    retries = ledger.settings_of(config["notify"])
    assert ledger.settle(notify_db, deliveries.TABLE, delivery_id, outcome, retries) == "dead"
    return delivery_id


def case_assigned(reference, assignee_id="u-somsri", office="PACC-R2"):
    now = datetime.datetime.now(UTC)
    return new_event("case.assigned", {
        "reference": reference, "case_id": str(uuid.uuid4()), "office_code": office, "assignee_id": assignee_id,
        "caseworker_name": "สมศรี ใจดี", "category": "bribery", "province_code": "23",
        "due_by": now + datetime.timedelta(days=7), "assigned_by": "u-boss", "assigned_at": now,
    }, reference, actor={"kind": "user", "id": "u-boss"})


def case_deadline(reference, kind="case.deadline_breached", office="PACC-R2", escalate_to="supervisor",
                  assignee_id="u-somsri"):
    now = datetime.datetime.now(UTC)
    return new_event(kind, {
        "reference": reference, "case_id": str(uuid.uuid4()), "office_code": office, "deadline": "acknowledge",
        "due_at": now - datetime.timedelta(hours=1), "assignee_id": assignee_id, "caseworker_name": "สมศรี ใจดี",
        "escalate_to": escalate_to, "raised_at": now,
    }, reference)
