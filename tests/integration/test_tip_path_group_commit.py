"""A tip's consumers take the events their workers hold at one moment in one transaction (shared.group_commit), on
PostgreSQL and SQLite: routing's tip.received (and its duplicate check), casework's tip.routed (and
tip.duplicates_found), intake's tip.routed
and case.opened projections, notify's case.opened. Each hop is fed what the hop before it wrote to its outbox,
delivered through the service's own handler by ten concurrent workers, some events twice: every effect once (the
rows, the events emitted), fewer transactions than events, and one failing event failing alone."""
from __future__ import annotations

import collections
import json
import threading
from types import SimpleNamespace

import eventlet
import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, text

from services.casework.service import Service as Casework
from services.casework.usecases import routing_decisions
from services.intake import crypto
from services.intake.domain.tip import TipSchema
from services.intake.service import Service as Intake
from services.intake.usecases import projection, submission
from services.notify import usecases as notify_usecases
from services.notify.service import Service as Notify
from services.routing.domain.rules import load_engine
from services.routing.repository import RoutingRepository
from services.routing.service import Service as Routing
from services.routing.usecases import decisions
from services.routing.usecases.duplicate_watch import DuplicateWatch
from shared.db import ServiceDatabase
from shared.dependencies import WorkerDatabase
from shared.events import from_wire
from sodsong import registry
from tests.support.inprocess import db, environment
from tests.support.tips import tip

TIPS = 24
TWICE = 6  # the first events of each hop are delivered twice


@pytest.fixture(params=["rabbitmq", "memory"], ids=["postgresql", "sqlite"])
def cfg(request, tmp_path):
    with environment(request.param, tmp_path) as cfg:
        for service in ("intake", "routing", "casework", "notify"):
            registry.migrate(service, cfg[service]["db_url"])
        yield cfg


class Commits:
    """Counts the transactions a service's engine commits."""

    def __init__(self, service_db):
        self.engine, self.count = service_db.engine, 0
        sa_event.listen(self.engine, "commit", self._committed)

    def _committed(self, _conn):
        self.count += 1

    def close(self):
        sa_event.remove(self.engine, "commit", self._committed)


class Batches:
    """The batches `consume_many` was given, and whether each committed."""

    def __init__(self, monkeypatch):
        self.seen: list[tuple[list[str], bool]] = []
        real = ServiceDatabase.consume_many

        def consume_many(service_db, events, handler, effect):
            try:
                outcome = real(service_db, events, handler, effect)
            except Exception:
                self.seen.append(([e.id for e in events], False))
                raise
            self.seen.append(([e.id for e in events], True))
            return outcome
        monkeypatch.setattr(ServiceDatabase, "consume_many", consume_many)

    def failed_with(self, event) -> bool:
        return any(event.id in ids and len(ids) > 1 and not ok for ids, ok in self.seen)


def deliver(handler, events, twice=TWICE):
    """Each event to `handler` from ten concurrent workers (the first `twice` of them twice); the exceptions raised,
    by event id, and what the handler returned, by event id."""
    returned, raised = collections.defaultdict(list), {}

    def one(ev):
        try:
            returned[ev.id].append(handler(ev))
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            raised[ev.id] = exc

    pool = eventlet.GreenPool(10)
    for ev in events + events[:twice]:
        pool.spawn(one, ev)
    pool.waitall()
    return returned, raised


def outbox(service_db, event_type):
    table = service_db.tables.outbox
    with service_db.reading() as session:
        bodies = session.execute(select(table.c.body).where(table.c.event_type == event_type)
                                 .order_by(table.c.seq)).scalars().all()
    return [from_wire(json.loads(body)) for body in bodies]


def count(service_db, sql):
    with service_db.reading() as session:
        return session.execute(text(sql)).scalar()


def inbox(service_db, handler):
    table = service_db.tables.inbox
    with service_db.reading() as session:
        return session.execute(select(func.count()).where(table.c.handler == handler)).scalar()


def paced(real):
    """The use case after a moment's pause (another green thread runs meanwhile), as a PostgreSQL round trip gives
    one: SQLite's driver never yields, so without it each worker would finish its batch before the next arrives."""
    def effect(uow, event, *args, **kwargs):
        eventlet.sleep(0.002)
        return real(uow, event, *args, **kwargs)
    return effect


def pace_on_sqlite(cfg, monkeypatch, module, name):
    if cfg["amqp_uri"].startswith("memory://"):
        monkeypatch.setattr(module, name, paced(getattr(module, name)))


def poisoned(real, reference):
    """The use case (paced), except that it raises for one tip."""
    def effect(uow, event, *args, **kwargs):
        eventlet.sleep(0.002)
        if event.payload["reference"] == reference:
            raise ValueError("this event cannot be handled")
        return real(uow, event, *args, **kwargs)
    return effect


# -- the services, each with its real database and its real handler ----------------------------------------------
def filed(cfg, n=TIPS):
    """`n` tips filed in intake; their tip.received events, as intake's outbox holds them."""
    intake_db, keyring = db(cfg, "intake"), crypto.load(cfg)
    for i in range(n):
        body = tip(description=f"เจ้าหน้าที่เรียกรับเงิน {i} บาท เพื่อเร่งออกใบอนุญาตก่อสร้าง")
        with intake_db.transaction() as uow:
            submission.submit_tip(uow, TipSchema().load(body), f"mac-{i}", f"{i:016d}",
                                  {"kind": "tipster", "id": "anonymous"}, keyring)
    return outbox(intake_db, "tip.received")


def routing(cfg):
    routing_db = db(cfg, "routing")
    service = worker_factory(Routing, db=WorkerDatabase(routing_db, "on_tip_received"), jurisdiction=load_engine(),
                             duplicates=DuplicateWatch(routing_db, RoutingRepository), config={"SODSONG": cfg})
    return service, routing_db


def casework(cfg):
    casework_db = db(cfg, "casework")
    return worker_factory(Casework, db=WorkerDatabase(casework_db, "on_tip_routed"), config={"SODSONG": cfg}), \
        casework_db


def intake(cfg, handler):
    intake_db = db(cfg, "intake")
    notices = SimpleNamespace(reporter=None, volunteer_contact=None, wakeup=threading.Event())
    return worker_factory(Intake, db=WorkerDatabase(intake_db, handler), notices=notices,
                          config={"SODSONG": cfg}), intake_db


def notify(cfg):
    notify_db = db(cfg, "notify")
    sender = SimpleNamespace(wakeup=threading.Event())
    return worker_factory(Notify, db=WorkerDatabase(notify_db, "on_case_opened"), sender=sender,
                          config={"SODSONG": cfg}), notify_db


def routed(cfg):
    """Every hop before casework done: the tips filed and routed (routing's outbox)."""
    service, routing_db = routing(cfg)
    deliver(service.on_tip_received, filed(cfg), twice=0)
    return outbox(routing_db, "tip.routed")


def opened(cfg):
    service, casework_db = casework(cfg)
    deliver(service.on_tip_routed, routed(cfg), twice=0)
    return outbox(casework_db, "case.opened")


# -- routing: tip.received -----------------------------------------------------------------------------------------
def test_routing_routes_and_checks_each_tip_once_in_shared_transactions(cfg, monkeypatch):
    received = filed(cfg)
    pace_on_sqlite(cfg, monkeypatch, decisions, "route_new_tip")
    service, routing_db = routing(cfg)
    commits = Commits(routing_db)
    try:
        _, raised = deliver(service.on_tip_received, received)
    finally:
        commits.close()
    assert raised == {}
    assert inbox(routing_db, "on_tip_received") == TIPS
    assert count(routing_db, "SELECT count(*) FROM routing_tips") == TIPS
    assert count(routing_db, "SELECT count(*) FROM routing_decisions") == TIPS
    assert count(routing_db, "SELECT count(*) FROM routing_tips WHERE duplicates_checked_at IS NULL") == 0
    announced = outbox(routing_db, "tip.routed")
    assert sorted(e.payload["reference"] for e in announced) == sorted(e.payload["reference"] for e in received)
    assert {e.causation_id for e in announced} == {e.id for e in received}
    # alone: a transaction to route each tip and one to check it
    assert commits.count < 2 * TIPS


def test_a_tip_routing_cannot_route_fails_alone(cfg, monkeypatch):
    received = filed(cfg, 12)
    bad = received[5]
    monkeypatch.setattr(decisions, "route_new_tip", poisoned(decisions.route_new_tip, bad.payload["reference"]))
    service, routing_db = routing(cfg)
    batches = Batches(monkeypatch)
    _, raised = deliver(service.on_tip_received, received, twice=0)
    assert batches.failed_with(bad)  # it was in a batch of several, which failed
    assert list(raised) == [bad.id] and isinstance(raised[bad.id], ValueError)
    assert {e.payload["reference"] for e in outbox(routing_db, "tip.routed")} == \
        {e.payload["reference"] for e in received} - {bad.payload["reference"]}
    monkeypatch.undo()  # delivered again (the retry), it is routed
    service.on_tip_received(bad)
    assert len(outbox(routing_db, "tip.routed")) == 12 and inbox(routing_db, "on_tip_received") == 12


# -- casework: tip.routed --------------------------------------------------------------------------------------------
def test_casework_opens_each_case_once_in_shared_transactions(cfg, monkeypatch):
    decided = routed(cfg)
    pace_on_sqlite(cfg, monkeypatch, routing_decisions, "open_case")
    service, casework_db = casework(cfg)
    commits = Commits(casework_db)
    try:
        _, raised = deliver(service.on_tip_routed, decided)
    finally:
        commits.close()
    assert raised == {}
    assert inbox(casework_db, "on_tip_routed") == TIPS
    assert count(casework_db, "SELECT count(*) FROM casework_cases") == TIPS
    assert count(casework_db, "SELECT count(*) FROM casework_case_events WHERE kind = 'opened'") == TIPS
    assert count(casework_db, "SELECT count(DISTINCT case_id) FROM casework_search_terms") == TIPS
    announced = outbox(casework_db, "case.opened")
    assert sorted(e.payload["reference"] for e in announced) == sorted(e.payload["reference"] for e in decided)
    assert commits.count < TIPS


def test_a_case_casework_cannot_open_fails_alone(cfg, monkeypatch):
    decided = routed(cfg)[:12]
    bad = decided[3]
    monkeypatch.setattr(routing_decisions, "open_case", poisoned(routing_decisions.open_case,
                                                                 bad.payload["reference"]))
    service, casework_db = casework(cfg)
    batches = Batches(monkeypatch)
    _, raised = deliver(service.on_tip_routed, decided, twice=0)
    assert batches.failed_with(bad)  # it was in a batch of several, which failed
    assert list(raised) == [bad.id]
    assert count(casework_db, "SELECT count(*) FROM casework_cases") == 11
    monkeypatch.undo()
    service.on_tip_routed(bad)
    assert len(outbox(casework_db, "case.opened")) == 12


def test_casework_keeps_each_tips_possible_duplicates_once_in_shared_transactions(cfg, monkeypatch):
    routing_service, routing_db = routing(cfg)
    deliver(routing_service.on_tip_received, filed(cfg), twice=0)
    found = outbox(routing_db, "tip.duplicates_found")  # the tips are alike: most name others
    assert len(found) > 5
    pace_on_sqlite(cfg, monkeypatch, routing_decisions, "duplicates_found")
    casework_db = db(cfg, "casework")
    service = worker_factory(Casework, db=WorkerDatabase(casework_db, "on_duplicates_found"), config={"SODSONG": cfg})
    commits = Commits(casework_db)
    try:
        _, raised = deliver(service.on_duplicates_found, found)
    finally:
        commits.close()
    assert raised == {} and inbox(casework_db, "on_duplicates_found") == len(found)
    expected = {(e.payload["reference"], c["reference"]) for e in found for c in e.payload["candidates"]}
    expected |= {(b, a) for a, b in expected}
    with casework_db.reading() as session:
        kept = set(session.execute(text("SELECT reference, candidate_reference "
                                        "FROM casework_duplicate_candidates")).all())
    assert kept == expected and commits.count < len(found)


# -- intake: the projections of tip.routed and case.opened -----------------------------------------------------------
def timeline(intake_db, status):
    return count(intake_db, f"SELECT count(*) FROM intake_timeline WHERE status = '{status}'")


def test_intake_projects_each_decision_and_case_once_in_shared_transactions(cfg, monkeypatch):
    cases = opened(cfg)
    pace_on_sqlite(cfg, monkeypatch, projection, "on_tip_routed")
    pace_on_sqlite(cfg, monkeypatch, projection, "on_case_opened")
    routed_again = outbox(db(cfg, "routing"), "tip.routed")
    on_routed, intake_db = intake(cfg, "on_tip_routed")
    on_opened, _ = intake(cfg, "on_case_opened")
    commits = Commits(intake_db)
    try:
        # both handlers at once, as intake's two consumers take them
        pool = eventlet.GreenPool(2)
        results = [pool.spawn(deliver, on_routed.on_tip_routed, routed_again),
                   pool.spawn(deliver, on_opened.on_case_opened, cases)]
        (_, raised_routed), (_, raised_opened) = [r.wait() for r in results]
    finally:
        commits.close()
    assert raised_routed == {} and raised_opened == {}
    assert inbox(intake_db, "on_tip_routed") == TIPS and inbox(intake_db, "on_case_opened") == TIPS
    assert timeline(intake_db, "routed") == TIPS and timeline(intake_db, "received") == TIPS
    assert count(intake_db, "SELECT count(*) FROM intake_tips WHERE status = 'received'") == TIPS
    assert len(routed_again) == TIPS and commits.count < 2 * TIPS


def test_a_projection_intake_cannot_make_fails_alone(cfg, monkeypatch):
    cases = opened(cfg)[:12]
    bad = cases[7]
    monkeypatch.setattr(projection, "on_case_opened", poisoned(projection.on_case_opened, bad.payload["reference"]))
    on_opened, intake_db = intake(cfg, "on_case_opened")
    batches = Batches(monkeypatch)
    _, raised = deliver(on_opened.on_case_opened, cases, twice=0)
    assert batches.failed_with(bad)  # it was in a batch of several, which failed
    assert list(raised) == [bad.id]
    assert timeline(intake_db, "received") == 11
    monkeypatch.undo()
    assert on_opened.on_case_opened(bad) is None and timeline(intake_db, "received") == 12
    assert inbox(intake_db, "on_case_opened") == 12


# -- notify: case.opened ---------------------------------------------------------------------------------------------
def test_notify_records_each_new_case_once_in_shared_transactions(cfg, monkeypatch):
    cases = opened(cfg)
    pace_on_sqlite(cfg, monkeypatch, notify_usecases, "record")
    service, notify_db = notify(cfg)
    commits = Commits(notify_db)
    try:
        _, raised = deliver(service.on_case_opened, cases)
    finally:
        commits.close()
    assert raised == {} and service.sender.wakeup.is_set()
    assert inbox(notify_db, "on_case_opened") == TIPS
    per_case = count(notify_db, "SELECT count(*) FROM notify_deliveries") / TIPS
    assert per_case >= 1 and per_case == int(per_case)  # the office's channels, for every case alike
    assert count(notify_db, "SELECT count(DISTINCT event_id) FROM notify_deliveries") == TIPS
    assert commits.count < TIPS


def test_a_case_notify_cannot_record_fails_alone(cfg, monkeypatch):
    cases = opened(cfg)[:12]
    bad = cases[6]
    monkeypatch.setattr(notify_usecases, "record", poisoned(notify_usecases.record, bad.payload["reference"]))
    service, notify_db = notify(cfg)
    batches = Batches(monkeypatch)
    _, raised = deliver(service.on_case_opened, cases, twice=0)
    assert batches.failed_with(bad)  # it was in a batch of several, which failed
    assert list(raised) == [bad.id]
    assert count(notify_db, "SELECT count(DISTINCT event_id) FROM notify_deliveries") == 11
    monkeypatch.undo()
    service.on_case_opened(bad)
    assert count(notify_db, "SELECT count(DISTINCT event_id) FROM notify_deliveries") == 12
