"""The delivery state machine on a scratch SQLite table: claims, backoff, dead after the limit, operator retry."""
from datetime import timedelta

import pytest
from sqlalchemy import Column, MetaData, String, Table, select, update

from shared.db import ServiceDatabase, engine_for
from shared.messaging_tables import messaging_tables
from shared.notifications import ledger
from shared.notifications.channels import PermanentDeliveryError, TransientDeliveryError

SETTINGS = {"max_attempts": 3, "backoff_seconds": [10, 60]}


@pytest.fixture
def db_and_table(tmp_path):
    metadata = MetaData()
    table = Table("t_deliveries", metadata, Column("id", String(36), primary_key=True), *ledger.delivery_columns())
    tables = messaging_tables(metadata, "t")
    engine = engine_for(f"sqlite:///{tmp_path / 'ledger.db'}")
    metadata.create_all(engine)
    return ServiceDatabase(engine, tables), table


def add(db, table, row_id="d1", **values):
    now = ledger.utcnow()
    with db.transaction() as uow:
        uow.session.execute(table.insert().values(id=row_id, status="pending", attempts=0, next_attempt_at=now,
                                                  created_at=now, updated_at=now, **values))


def row(db, table, row_id="d1"):
    with db.reading() as session:
        return dict(session.execute(select(table).where(table.c.id == row_id)).mappings().one())


def fail_transient(retry_after=None):
    def send():
        raise TransientDeliveryError("HTTP 503", status=503, retry_after=retry_after)
    return send


def test_sent_on_first_attempt(db_and_table):
    db, table = db_and_table
    add(db, table)
    assert ledger.claim(db, table, "d1")
    assert ledger.settle(db, table, "d1", ledger.attempt(lambda: "prov-1"), SETTINGS) == "sent"
    r = row(db, table)
    assert (r["status"], r["attempts"], r["provider_id"], r["last_error"]) == ("sent", 1, "prov-1", None)
    assert r["sent_at"] is not None


def test_only_one_claim_wins(db_and_table):
    db, table = db_and_table
    add(db, table)
    assert ledger.claim(db, table, "d1")
    assert not ledger.claim(db, table, "d1")


def test_transient_failure_backs_off_then_dies_at_the_limit(db_and_table):
    db, table = db_and_table
    add(db, table)
    statuses = []
    for attempt in range(1, 4):
        with db.transaction() as uow:  # pretend the backoff has elapsed
            uow.session.execute(update(table).values(next_attempt_at=ledger.utcnow() - timedelta(seconds=1)))
        assert ledger.claim(db, table, "d1")
        before = ledger.utcnow()
        statuses.append(ledger.settle(db, table, "d1", ledger.attempt(fail_transient()), SETTINGS))
        r = row(db, table)
        assert r["attempts"] == attempt and r["last_error"].startswith("TransientDeliveryError: HTTP 503")
        if r["status"] == "failed":
            wait = r["next_attempt_at"].replace(tzinfo=before.tzinfo) - before
            assert timedelta(seconds=SETTINGS["backoff_seconds"][attempt - 1] - 1) < wait
    assert statuses == ["failed", "failed", "dead"]


def test_a_backing_off_delivery_cannot_be_claimed_early(db_and_table):
    db, table = db_and_table
    add(db, table)
    ledger.claim(db, table, "d1")
    ledger.settle(db, table, "d1", ledger.attempt(fail_transient()), SETTINGS)
    with db.reading() as session:
        assert ledger.due_ids(session, table) == []
    assert not ledger.claim(db, table, "d1")


def test_provider_retry_after_is_honoured(db_and_table):
    db, table = db_and_table
    add(db, table)
    ledger.claim(db, table, "d1")
    before = ledger.utcnow()
    ledger.settle(db, table, "d1", ledger.attempt(fail_transient(retry_after=300)), SETTINGS)
    wait = row(db, table)["next_attempt_at"].replace(tzinfo=before.tzinfo) - before
    assert wait >= timedelta(seconds=299)


def test_permanent_failure_is_dead_at_once_and_operator_can_retry(db_and_table):
    db, table = db_and_table
    add(db, table)
    ledger.claim(db, table, "d1")

    def rejected():
        raise PermanentDeliveryError("sms: recipient is not a phone number")

    assert ledger.settle(db, table, "d1", ledger.attempt(rejected), SETTINGS) == "dead"
    assert row(db, table)["last_error"] == "permanent: sms: recipient is not a phone number"
    assert ledger.retry_now(db, table, "d1")
    r = row(db, table)
    assert (r["status"], r["attempts"]) == ("pending", 0)
    assert not ledger.retry_now(db, table, "d1")  # only failed or dead ones


def test_stuck_sending_is_claimable_after_a_while(db_and_table):
    db, table = db_and_table
    add(db, table)
    ledger.claim(db, table, "d1")  # the process "dies" here
    assert not ledger.claim(db, table, "d1")
    with db.transaction() as uow:
        uow.session.execute(update(table).values(updated_at=ledger.utcnow() - ledger.STUCK_SENDING - timedelta(1)))
    assert ledger.claim(db, table, "d1")
    assert row(db, table)["attempts"] == 2


def test_settle_after_operator_reset_changes_nothing(db_and_table):
    db, table = db_and_table
    add(db, table)
    ledger.claim(db, table, "d1")
    with db.transaction() as uow:
        uow.session.execute(update(table).values(status="pending"))
    assert ledger.settle(db, table, "d1", ledger.attempt(lambda: "x"), SETTINGS) is None
    assert row(db, table)["status"] == "pending"


def test_unexpected_exceptions_are_transient():
    outcome = ledger.attempt(lambda: (_ for _ in ()).throw(ConnectionResetError("peer reset")))
    assert outcome.error.startswith("ConnectionResetError") and not outcome.permanent


# -- claim and read in one statement, settle in one guarded UPDATE -----------------------------------------------
def test_claim_row_returns_the_claimed_row_once_and_settles_as_claim_does(db_and_table):
    db, table = db_and_table
    add(db, table)
    claimed = ledger.claim_row(db, table, "d1")
    assert (claimed["id"], claimed["status"], claimed["attempts"]) == ("d1", "sending", 1)
    assert ledger.claim_row(db, table, "d1") is None and not ledger.claim(db, table, "d1")
    settled = []
    assert ledger.settle(db, table, "d1", ledger.attempt(lambda: "prov-1"), SETTINGS,
                         on_settled=lambda uow, r, status: settled.append((r["id"], r["attempts"], status)),
                         claimed=claimed) == "sent"
    r = row(db, table)
    assert (r["status"], r["attempts"], r["provider_id"], r["last_error"]) == ("sent", 1, "prov-1", None)
    assert settled == [("d1", 1, "sent")]


def test_claimed_rows_back_off_then_die_at_the_limit(db_and_table):
    db, table = db_and_table
    add(db, table)
    statuses = []
    for attempt in range(1, 4):
        with db.transaction() as uow:
            uow.session.execute(update(table).values(next_attempt_at=ledger.utcnow() - timedelta(seconds=1)))
        claimed = ledger.claim_row(db, table, "d1")
        assert claimed["attempts"] == attempt
        statuses.append(ledger.settle(db, table, "d1", ledger.attempt(fail_transient()), SETTINGS, claimed=claimed))
    assert statuses == ["failed", "failed", "dead"] and row(db, table)["attempts"] == 3


def test_a_claim_taken_over_meanwhile_is_settled_as_the_row_now_is(db_and_table):
    db, table = db_and_table
    add(db, table)
    first = ledger.claim_row(db, table, "d1")
    with db.transaction() as uow:  # stuck: another instance takes it over (attempt 2)
        uow.session.execute(update(table).values(updated_at=ledger.utcnow() - ledger.STUCK_SENDING - timedelta(1)))
    second = ledger.claim_row(db, table, "d1")
    assert second["attempts"] == 2
    assert ledger.settle(db, table, "d1", ledger.attempt(lambda: "p1"), SETTINGS, claimed=first) == "sent"
    assert ledger.settle(db, table, "d1", ledger.attempt(lambda: "p2"), SETTINGS, claimed=second) is None
    r = row(db, table)
    assert (r["status"], r["attempts"], r["provider_id"]) == ("sent", 2, "p1")


def test_a_claimed_row_reset_by_an_operator_is_not_settled(db_and_table):
    db, table = db_and_table
    add(db, table)
    claimed = ledger.claim_row(db, table, "d1")
    with db.transaction() as uow:
        uow.session.execute(update(table).values(status="pending"))
    assert ledger.settle(db, table, "d1", ledger.attempt(lambda: "x"), SETTINGS, claimed=claimed) is None
    assert row(db, table)["status"] == "pending"
