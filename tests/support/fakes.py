"""A unit of work without a database, for fast unit tests of use cases.

A use case sees `uow.repo` (the service's repository) and `uow.emit(...)`. The fake gives it an in-memory
repository of the test's choosing and keeps the emitted events, each built and validated exactly as the real
outbox would (`shared.events.new_event` checks the payload against the producer's contract).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from shared.db import check_producer
from shared.events import Event, new_event


@dataclass
class FakeUnitOfWork:
    repo: object = None
    events: list[Event] = field(default_factory=list)
    committed: int = 0
    service: str | None = None  # when given, emit refuses another service's event types, as the real one does

    def emit(self, type_: str, payload: dict, correlation_id: str, *, causation: Event | None = None,
             actor: dict | None = None) -> Event:
        if self.service is not None:
            check_producer(self.service, type_)
        ev = new_event(type_, payload, correlation_id, causation=causation, actor=actor)
        ev.to_wire()  # serialisable, as the outbox stores it
        self.events.append(ev)
        return ev

    def emitted(self, type_: str) -> list[Event]:
        return [e for e in self.events if e.type == type_]


class FakeDatabase:
    """Stands in for a service's `self.db` (transaction / consume) around one fake unit of work.

    `consume` runs an effect once per (event id, handler), like the inbox; a raising effect leaves no events.
    """

    def __init__(self, repo=None, handler: str = "test", service: str | None = None):
        self.uow = FakeUnitOfWork(repo=repo, service=service)
        self.handler = handler
        self.seen: set[tuple[str, str]] = set()

    @contextlib.contextmanager
    def transaction(self):
        before = len(self.uow.events)
        try:
            yield self.uow
        except BaseException:
            del self.uow.events[before:]
            raise
        self.uow.committed += 1

    def consume(self, event: Event, effect) -> bool:
        key = (event.id, self.handler)
        if key in self.seen:
            return False
        with self.transaction() as uow:
            effect(uow, event)
        self.seen.add(key)
        return True

    def consume_together(self, event: Event, effect) -> bool:
        """`consume` with `effect(uow, events)`, as the group commit calls it (here a batch of one)."""
        return self.consume(event, lambda uow, ev: effect(uow, [ev]))
