"""Audit's handler without a database: each event is chained after the head, and a tampered entry is found."""
from __future__ import annotations

import base64
import secrets

import pytest
from nameko.testing.services import worker_factory

from services.audit import usecases
from services.audit.domain import chain
from services.audit.service import Service
from tests.support.fakes import FakeDatabase
from tests.support.fakes_audit import InMemoryAuditRepository
from tests.unit.shared.test_events import _status_changed

KEYRING = {"current": "k1", "keys": {"k1": base64.b64encode(secrets.token_bytes(32)).decode()}}


@pytest.fixture
def repo():
    return InMemoryAuditRepository()


@pytest.fixture
def audit(repo):
    config = {"keys": {"audit_chain": KEYRING}, "audit": {}, "data_dir": "/nonexistent"}
    return worker_factory(Service, db=FakeDatabase(repo), config={"SODSONG": config}), config


def test_each_event_is_chained_after_the_head_and_the_chain_verifies(audit, repo):
    service, config = audit
    events = [_status_changed() for _ in range(3)]
    for event in events:
        service.record(event)
    service.record(events[0])  # a redelivery is not chained twice
    assert sorted(repo.entries_by_seq) == [1, 2, 3]
    first, second = repo.entries_by_seq[1], repo.entries_by_seq[2]
    assert (first["prev_hash"], second["prev_hash"]) == (chain.GENESIS, first["hash"])
    assert [e["event_id"] for e in repo.entries(0, 3, 10)] == [e.id for e in events]
    assert first["key_id"] == "k1" and "payload" not in first
    assert repo.head() == (3, repo.entries_by_seq[3]["hash"])
    verdict = usecases.verify(repo, chain.chain_keys(config))
    assert verdict.ok and verdict.entries == 3


def test_a_tampered_entry_is_named(audit, repo):
    service, config = audit
    for _ in range(4):
        service.record(_status_changed())
    repo.entries_by_seq[2]["actor_id"] = "someone-else"
    verdict = usecases.verify(repo, chain.chain_keys(config), batch=2)
    assert not verdict.ok and verdict.first_bad_seq == 2 and "MAC" in verdict.problem
    assert verdict.entries == 1


def test_an_entry_removed_from_the_middle_is_found(audit, repo):
    service, config = audit
    for _ in range(3):
        service.record(_status_changed())
    del repo.entries_by_seq[2]
    verdict = usecases.verify(repo, chain.chain_keys(config))
    assert not verdict.ok and verdict.first_bad_seq == 2 and "missing" in verdict.problem
