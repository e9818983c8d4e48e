"""Every event contract is declared once, by its producer, and only its producer may emit it."""
import importlib
import re
from pathlib import Path

import pytest
from sqlalchemy import MetaData

from shared.clock import utcnow
from shared.db import NotTheProducer, UnitOfWork
from shared.events import CATALOGUE, PRODUCERS
from shared.events.catalogue import Contracts, RetentionApplied
from shared.messaging_tables import messaging_tables
from tests.support.fakes import FakeUnitOfWork

ARCHITECTURE = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"


def test_every_contract_names_one_of_the_five_services_as_producer():
    assert PRODUCERS == ("intake", "routing", "casework", "notify", "audit")
    assert CATALOGUE
    for name, spec in CATALOGUE.items():
        assert spec.producer in PRODUCERS, name
        assert spec.name == name


@pytest.mark.parametrize("producer", PRODUCERS)
def test_each_producer_module_declares_only_its_own_contracts(producer):
    module = importlib.import_module(f"shared.events.{producer}")
    declared = [value for value in vars(module).values() if isinstance(value, Contracts)]
    assert [c.producer for c in declared] == [producer]
    source = Path(module.__file__).read_text(encoding="utf-8")
    names = re.findall(r'\.declare\("([^"]+)"', source) + [f"{producer}.retention_applied"]
    assert sorted(names) == sorted(n for n, spec in CATALOGUE.items() if spec.producer == producer)


def test_a_contract_is_declared_once():
    with pytest.raises(ValueError, match="declared twice"):
        Contracts("intake").declare("tip.received", RetentionApplied)
    with pytest.raises(ValueError, match="unknown producer"):
        Contracts("someone")


def test_the_architecture_table_lists_every_contract_with_its_producer():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z_.]+)` \| (\w+) \|", text, re.M)
    assert dict(rows) == {name: spec.producer for name, spec in CATALOGUE.items()}
    assert len(rows) == len(CATALOGUE)


def _retention(service):
    return {"service": service, "kind": "drafts", "count": 1, "at": utcnow()}


def test_a_service_may_emit_only_the_event_types_it_produces():
    tables = messaging_tables(MetaData(), "routing")
    uow = UnitOfWork(session=None, tables=tables)  # refused before anything reaches the session
    with pytest.raises(NotTheProducer, match="tip.received is produced by intake, not routing"):
        uow.emit("tip.received", {}, "SS-AAAA-BBBB")
    with pytest.raises(NotTheProducer, match="intake.retention_applied is produced by intake"):
        uow.emit("intake.retention_applied", _retention("intake"), "retention")
    with pytest.raises(NotTheProducer, match="not an event type"):
        uow.emit("tip.teleported", {}, "SS-AAAA-BBBB")
    assert uow.events == []


def test_the_fake_unit_of_work_checks_the_producer_when_it_knows_its_service():
    uow = FakeUnitOfWork(service="audit")
    uow.emit("audit.retention_applied", _retention("audit"), "retention")
    with pytest.raises(NotTheProducer):
        uow.emit("routing.retention_applied", _retention("routing"), "retention")
    assert [e.type for e in uow.events] == ["audit.retention_applied"]
