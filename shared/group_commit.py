"""Group commit for a consumer: the events its workers hold at one moment are consumed in one transaction.

    service_db.consume_together(event, handler, lambda uow, events: ...)   # from each worker, one event each
    service_db.consume_together(event, handler, each_in_turn(effect, order))  # effect(uow, event), as `consume`

The first worker to arrive writes a batch: its own event and every event other workers of the same handler
brought while the previous batch was being written (up to `max_batch`). The others wait, and each returns only
after the transaction holding its event committed, so a message is still acked after its effect is durable. Nothing
waits on a timer: a batch is whatever queued up during the last transaction, so a lone event costs what `consume`
costs, and a burst shares one transaction (for audit, one lock of the chain's head per batch).

Each event is claimed in the inbox as by `consume` (a redelivered event is left out of the effect). If a batch of
several fails, each of its events is then consumed alone, so one event's failure (retried, then dead-lettered by
shared.reliable) is never its neighbours'.

`Together` is the mechanism without the inbox: any work that several green threads bring at once and that one
call can do for all of them (routing's duplicate check after its group commit), with the same leader, the same
wait for the batch's outcome and the same fall-back to one item at a time.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

MAX_BATCH = 50


class _Waiter:
    def __init__(self, item):
        self.item = item
        # Looked up when made, not when this module was imported: green once eventlet has patched threading.
        self.ready = threading.Event()
        self.leads = self.done = False
        self.result = None
        self.error: BaseException | None = None


class Together:
    """Items brought by several green threads, done batch by batch: `run(item, many, one)` from each thread.

    `many(items)` does a batch in one go and returns one result per item, in order; if it raises for a batch of
    several, `one(item)` does each item alone, so only a failing item fails. The leader's `many` and `one` do the
    whole batch: every caller of one `Together` must pass equivalent functions."""

    def __init__(self, max_batch: int = MAX_BATCH):
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Waiter] = []
        self._writing = False

    def run(self, item, many: Callable[[list], list], one: Callable[[object], object]):
        """The result of this item's batch for this item, raising what its batch (or it alone) raised."""
        me = _Waiter(item)
        with self._lock:
            self._queue.append(me)
            if not self._writing:
                self._writing = me.leads = True
        while not me.done:
            if me.leads:
                self._write_batch(me, many, one)
            else:
                me.ready.wait()
                me.ready.clear()
        if me.error is not None:
            raise me.error
        return me.result

    def _write_batch(self, me: _Waiter, many, one) -> None:
        with self._lock:
            batch, self._queue[:self.max_batch] = self._queue[:self.max_batch], []
        try:
            self._settle(batch, many, one)
        finally:
            with self._lock:
                # Interrupted (this worker was killed): the others' items go back to the front of the queue, and
                # the next of them writes them (this one's message, not acked, comes back from the broker).
                self._queue[:0] = [w for w in batch if not w.done and w is not me]
                for w in batch:
                    w.leads = False
                following = self._queue[0] if self._queue else None
                if following is not None:
                    following.leads = True
                else:
                    self._writing = False
            for w in batch:
                if w.done:
                    w.ready.set()
            if following is not None:
                following.ready.set()

    @staticmethod
    def _settle(batch: list[_Waiter], many, one) -> None:
        try:
            results = many([w.item for w in batch])
        except Exception as exc:
            if len(batch) == 1:
                batch[0].error, batch[0].done = exc, True
                return
            for w in batch:  # alone, so that only a failing item fails
                try:
                    w.result = one(w.item)
                except Exception as exc_alone:
                    w.error = exc_alone
                w.done = True
            return
        for w, result in zip(batch, results, strict=True):
            w.result, w.done = result, True


class GroupCommit:
    """One per (service database, handler) in a process: queues events and writes them batch by batch."""

    def __init__(self, service_db, handler: str, max_batch: int = MAX_BATCH):
        self.service_db = service_db
        self.handler = handler
        self._together = Together(max_batch)

    def consume(self, event, effect) -> bool:
        """`effect(uow, events)` once for the events of this one's batch not processed before; returns whether this
        event was one of them (False: a redelivery), raising what its transaction raised."""
        db, handler = self.service_db, self.handler
        return self._together.run(
            event,
            lambda events: db.consume_many(events, handler, effect),
            lambda ev: db.consume(ev, handler, lambda uow, one: effect(uow, [one])))


def each_in_turn(effect: Callable, order: Callable | None = None) -> Callable:
    """A batch effect `effect(uow, events)` made of a per-event one, `effect(uow, event)`: each event of the batch
    is applied in turn in the batch's transaction, exactly as `consume` applies it alone.

    `order(event)` sorts the batch (a stable sort: events with one key keep their order) so that every batch takes
    its row locks in one order, e.g. by the tip's reference: two batches that lock the same rows (two handlers of
    one service, two instances) then wait for each other instead of deadlocking."""
    def apply(uow, events):
        for event in (sorted(events, key=order) if order is not None else events):
            effect(uow, event)
    return apply


def by_reference(event) -> str:
    """The usual lock order of a tip's events: its reference."""
    return str(event.payload.get("reference") or "")
