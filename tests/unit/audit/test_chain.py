"""The audit chain detects edits, deletions and reordering, naming the first bad entry; it is keyed, and signed
checkpoints catch a rewrite by someone who holds the chain key."""
import hashlib
import secrets

import pytest
from sqlalchemy import create_engine, delete, update
from sqlalchemy.orm import Session

from services.audit import usecases
from services.audit.domain import chain
from services.audit.models import Base, ChainEntry
from services.audit.repository import AuditRepository
from tests.unit.shared.test_events import _status_changed

KEYS = chain.ChainKeys("k1", {"k1": secrets.token_bytes(32)})


class _Uow:
    def __init__(self, session):
        self.repo = AuditRepository(session)


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        for _ in range(6):
            usecases.append(_Uow(s), _status_changed(), KEYS)
            s.flush()
        s.commit()
        yield s


def test_intact_chain_verifies(session):
    verdict = usecases.verify(AuditRepository(session), KEYS)
    assert verdict.ok and verdict.entries == 6


def test_edit_is_found_at_the_edited_entry(session):
    session.execute(update(ChainEntry).where(ChainEntry.seq == 4).values(event_type="case.opened"))
    verdict = usecases.verify(AuditRepository(session), KEYS)
    assert not verdict.ok and verdict.first_bad_seq == 4 and "edited" in verdict.problem


def test_deleting_an_entry_is_found(session):
    session.execute(delete(ChainEntry).where(ChainEntry.seq == 3))
    verdict = usecases.verify(AuditRepository(session), KEYS)
    assert not verdict.ok and verdict.first_bad_seq == 3


def test_reordering_is_found(session):
    session.execute(update(ChainEntry).where(ChainEntry.seq == 2).values(seq=-2))
    session.execute(update(ChainEntry).where(ChainEntry.seq == 5).values(seq=2))
    session.execute(update(ChainEntry).where(ChainEntry.seq == -2).values(seq=5))
    verdict = usecases.verify(AuditRepository(session), KEYS)
    assert not verdict.ok and verdict.first_bad_seq == 2


def test_removing_the_tail_is_found(session):
    session.execute(delete(ChainEntry).where(ChainEntry.seq == 6))
    verdict = usecases.verify(AuditRepository(session), KEYS)
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
    verdict = usecases.verify(AuditRepository(session), KEYS)
    assert verdict.ok and verdict.entries == 5


def _rewrite_without(session, seqs, key=None, key_id=None):
    """What an insider with write access does: delete entries, renumber and relink the rest, move the head."""
    from services.audit.models import ChainHead

    session.execute(delete(ChainEntry).where(ChainEntry.seq.in_(seqs)))
    rows = session.query(ChainEntry).order_by(ChainEntry.seq).all()
    prev = chain.GENESIS
    for new_seq, row in enumerate(rows, 1):
        session.execute(update(ChainEntry).where(ChainEntry.seq == row.seq).values(seq=-new_seq))
    for new_seq, row in enumerate(session.query(ChainEntry).order_by(ChainEntry.seq.desc()).all(), 1):
        entry = {c: getattr(row, c) for c in chain.FIELDS}
        entry["seq"], entry["prev_hash"] = new_seq, prev
        if key is None:
            digest = hashlib.sha256(chain.canonical(entry)).hexdigest()
        else:
            digest = chain.entry_hash(entry, key, key_id)
        session.execute(update(ChainEntry).where(ChainEntry.seq == row.seq).values(
            seq=new_seq, prev_hash=prev, hash=digest, key_id=key_id))
        prev = digest
    session.execute(update(ChainHead).where(ChainHead.id == 1).values(seq=len(rows), hash=prev))
    session.expire_all()


def test_the_chain_is_keyed():
    row_hashes = set()
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        row = usecases.append(_Uow(s), _status_changed(), KEYS)
        entry = {c: row[c] for c in chain.FIELDS}
        row_hashes.add(row["hash"])
        assert row["key_id"] == "k1"
        assert row["hash"] != hashlib.sha256(chain.canonical(entry)).hexdigest()
        other = chain.ChainKeys("k1", {"k1": secrets.token_bytes(32)})
        s.flush()
        verdict = usecases.verify(AuditRepository(s), other)
        assert not verdict.ok and verdict.first_bad_seq == 1


def test_removing_entries_and_relinking_without_the_key_is_found(session):
    _rewrite_without(session, [2, 3])
    verdict = usecases.verify(AuditRepository(session), KEYS)
    assert not verdict.ok and verdict.first_bad_seq == 1


def test_removing_entries_and_relinking_with_the_key_is_found_by_a_checkpoint(session):
    from services.audit.models import ChainHead

    head = session.get(ChainHead, 1)
    checkpoints = {head.seq: head.hash}
    _rewrite_without(session, [2, 3], KEYS.keys["k1"], "k1")
    # the key alone cannot tell: an insider holding it made a chain that links up
    assert usecases.verify(AuditRepository(session), KEYS).ok
    verdict = usecases.verify(AuditRepository(session), KEYS, checkpoints)
    assert not verdict.ok and "checkpoint" in verdict.problem


def test_entries_after_the_last_checkpoint_still_verify_when_untouched(session):
    third = session.get(ChainEntry, 3)
    verdict = usecases.verify(AuditRepository(session), KEYS, {3: third.hash})
    assert verdict.ok and verdict.checkpoint_seq == 3 and verdict.entries == 6


def test_a_key_missing_from_the_keyring_is_named(session):
    verdict = usecases.verify(AuditRepository(session), chain.ChainKeys("k2", {"k2": secrets.token_bytes(32)}))
    assert not verdict.ok and "k1" in verdict.problem


def test_an_unkeyed_entry_after_keyed_ones_is_refused(session):
    row = session.get(ChainEntry, 4)
    session.execute(update(ChainEntry).where(ChainEntry.seq == 4).values(key_id=None))
    verdict = usecases.verify(AuditRepository(session), KEYS)
    assert not verdict.ok and verdict.first_bad_seq == 4 and row is not None
