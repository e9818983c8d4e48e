"""Audit chains the events its workers hold at one moment in one transaction (shared.group_commit), on PostgreSQL
and SQLite: every event once, the chain linked and verifying, redeliveries left out, each worker returning only
after its event is committed, and one failing event failing alone."""
import eventlet
import pytest
from sqlalchemy import text

from services.audit import usecases as audit_usecases
from services.audit.domain import chain
from services.audit.models import TABLES as AUDIT_TABLES
from services.audit.repository import AuditRepository
from shared.db import ServiceDatabase, engine_for
from sodsong import registry
from tests.integration.test_reliable_events import tip_received
from tests.support.inprocess import environment

KEYS = chain.ChainKeys("k1", {"k1": b"k" * 32})


@pytest.fixture(params=["rabbitmq", "memory"], ids=["postgresql", "sqlite"])
def audit_db(request, tmp_path):
    with environment(request.param, tmp_path) as cfg:
        url = cfg["audit"]["db_url"]
        registry.migrate("audit", url)
        yield ServiceDatabase(engine_for(url), AUDIT_TABLES, repository=AuditRepository)


class Counting:
    """The chain's effect, counting its transactions and what each one chained."""

    def __init__(self, poison: str | None = None):
        self.batches: list[list[str]] = []
        self.poison = poison

    def __call__(self, uow, events):
        if any(ev.correlation_id == self.poison for ev in events):
            raise ValueError("this event cannot be chained")
        eventlet.sleep(0.005)  # a transaction that takes a moment, while other workers bring their events
        audit_usecases.append_all(uow, events, KEYS)
        self.batches.append([ev.id for ev in events])


def chained(audit_db):
    with audit_db.reading() as session:
        verdict = audit_usecases.verify(AuditRepository(session), KEYS)
        ids = [r[0] for r in session.execute(text("SELECT event_id FROM audit_chain ORDER BY seq"))]
    return verdict, ids


def test_events_held_at_once_share_transactions_and_chain_once_each(audit_db):
    events = [tip_received(f"SS-GRP-{i:04d}") for i in range(40)]
    effect, outcomes, committed_before_return = Counting(), {}, []

    def deliver(event):
        outcomes.setdefault(event.id, []).append(audit_db.consume_together(event, "record", effect))
        committed_before_return.append(event.id in {i for batch in effect.batches for i in batch})

    pool = eventlet.GreenPool(10)
    for event in events + events[:10]:  # ten of them delivered twice
        pool.spawn(deliver, event)
    pool.waitall()

    verdict, ids = chained(audit_db)
    assert verdict.ok and verdict.entries == len(events), verdict
    assert sorted(ids) == sorted(e.id for e in events)
    assert all(sorted(v) == ([False, True] if len(v) == 2 else [True]) for v in outcomes.values())
    assert all(committed_before_return)
    assert len(effect.batches) < len(events) and max(len(b) for b in effect.batches) > 1


def test_a_failing_event_fails_alone_and_its_neighbours_are_chained(audit_db):
    events = [tip_received(f"SS-BAD-{i:04d}") for i in range(12)]
    effect, errors, done = Counting(poison="SS-BAD-0005"), {}, []

    def deliver(event):
        try:
            done.append(audit_db.consume_together(event, "record", effect))
        except ValueError as exc:
            errors[event.correlation_id] = exc

    pool = eventlet.GreenPool(10)
    for event in events:
        pool.spawn(deliver, event)
    pool.waitall()

    assert list(errors) == ["SS-BAD-0005"] and done == [True] * 11
    verdict, ids = chained(audit_db)
    assert verdict.ok and verdict.entries == 11
    assert events[5].id not in ids
    # delivered again (the retry), it is chained after the others
    assert audit_db.consume_together(events[5], "record", lambda uow, evs: audit_usecases.append_all(uow, evs, KEYS))
    verdict, ids = chained(audit_db)
    assert verdict.ok and ids[-1] == events[5].id


def test_one_batch_locks_the_head_once_and_moves_it_to_its_last_entry(audit_db):
    events = [tip_received(f"SS-ONE-{i:04d}") for i in range(5)]
    assert audit_db.consume_many(events + events[:1], "record",
                                 lambda uow, evs: audit_usecases.append_all(uow, evs, KEYS)) == [True] * 5 + [False]
    assert audit_db.consume_many(events[:2], "record", lambda uow, evs: pytest.fail("nothing new")) == [False, False]
    with audit_db.reading() as session:
        repo = AuditRepository(session)
        head, entries = repo.head(), repo.entries(0, 10, 10)
    assert head == (5, entries[-1]["hash"]) and [e["prev_hash"] for e in entries[1:]] == [e["hash"] for e in
                                                                                         entries[:-1]]
