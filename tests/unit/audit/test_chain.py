"""The audit chain detects edits, deletions and reordering, naming the first bad entry."""
import pytest
from sqlalchemy import create_engine, delete, update
from sqlalchemy.orm import Session

from services.audit import chain
from services.audit.models import Base, ChainEntry
from tests.unit.shared.test_events import _status_changed


class _Uow:
    def __init__(self, session):
        self.session = session


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        for _ in range(6):
            chain.append(_Uow(s), _status_changed())
            s.flush()
        s.commit()
        yield s


def test_intact_chain_verifies(session):
    verdict = chain.verify(session)
    assert verdict.ok and verdict.entries == 6


def test_edit_is_found_at_the_edited_entry(session):
    session.execute(update(ChainEntry).where(ChainEntry.seq == 4).values(event_type="case.opened"))
    verdict = chain.verify(session)
    assert not verdict.ok and verdict.first_bad_seq == 4 and "edited" in verdict.problem


def test_deleting_an_entry_is_found(session):
    session.execute(delete(ChainEntry).where(ChainEntry.seq == 3))
    verdict = chain.verify(session)
    assert not verdict.ok and verdict.first_bad_seq == 3


def test_reordering_is_found(session):
    session.execute(update(ChainEntry).where(ChainEntry.seq == 2).values(seq=-2))
    session.execute(update(ChainEntry).where(ChainEntry.seq == 5).values(seq=2))
    session.execute(update(ChainEntry).where(ChainEntry.seq == -2).values(seq=5))
    verdict = chain.verify(session)
    assert not verdict.ok and verdict.first_bad_seq == 2


def test_removing_the_tail_is_found(session):
    session.execute(delete(ChainEntry).where(ChainEntry.seq == 6))
    verdict = chain.verify(session)
    assert not verdict.ok and "head" in verdict.problem


def test_payload_is_digested_not_stored(session):
    row = session.get(ChainEntry, 1)
    assert len(row.payload_sha256) == 64
    assert "payload" not in ChainEntry.__table__.columns


def test_entries_appended_while_verifying_are_left_for_the_next_walk(session):
    from services.audit.models import ChainHead

    fifth = session.get(ChainEntry, 5)
    # As if the walk read the head just before entry 6 was appended by a running audit service.
    session.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=5, hash=fifth.hash))
    verdict = chain.verify(session)
    assert verdict.ok and verdict.entries == 5
