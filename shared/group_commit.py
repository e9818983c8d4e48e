"""Group commit for a consumer: the events its workers hold at one moment are consumed in one transaction.

    service_db.consume_together(event, handler, lambda uow, events: ...)   # from each worker, one event each

The first worker to arrive writes a batch: its own event and every event other workers of the same handler
brought while the previous batch was being written (up to `max_batch`). The others wait, and each returns only
after the transaction holding its event committed, so a message is still acked after its effect is durable. Nothing
waits on a timer: a batch is whatever queued up during the last transaction, so a lone event costs what `consume`
costs, and a burst shares one transaction (for audit, one lock of the chain's head per batch).

Each event is claimed in the inbox as by `consume` (a redelivered event is left out of the effect). If a batch of
several fails, each of its events is then consumed alone, so one event's failure (retried, then dead-lettered by
shared.reliable) is never its neighbours'.
"""
from __future__ import annotations

import threading

MAX_BATCH = 50


class _Waiter:
    def __init__(self, event):
        self.event = event
        # Looked up when made, not when this module was imported: green once eventlet has patched threading.
        self.ready = threading.Event()
        self.leads = self.done = self.claimed = False
        self.error: BaseException | None = None


class GroupCommit:
    """One per (service database, handler) in a process: queues events and writes them batch by batch."""

    def __init__(self, service_db, handler: str, max_batch: int = MAX_BATCH):
        self.service_db = service_db
        self.handler = handler
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Waiter] = []
        self._writing = False

    def consume(self, event, effect) -> bool:
        """`effect(uow, events)` once for the events of this one's batch not processed before; returns whether this
        event was one of them (False: a redelivery), raising what its transaction raised."""
        me = _Waiter(event)
        with self._lock:
            self._queue.append(me)
            if not self._writing:
                self._writing = me.leads = True
        while not me.done:
            if me.leads:
                self._write_batch(me, effect)
            else:
                me.ready.wait()
                me.ready.clear()
        if me.error is not None:
            raise me.error
        return me.claimed

    def _write_batch(self, me: _Waiter, effect) -> None:
        with self._lock:
            batch, self._queue[:self.max_batch] = self._queue[:self.max_batch], []
        try:
            self._settle(batch, effect)
        finally:
            with self._lock:
                # Interrupted (this worker was killed): the others' events go back to the front of the queue, and
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

    def _settle(self, batch: list[_Waiter], effect) -> None:
        try:
            claimed = self.service_db.consume_many([w.event for w in batch], self.handler, effect)
        except Exception as exc:
            if len(batch) == 1:
                batch[0].error, batch[0].done = exc, True
                return
            for w in batch:  # alone, so that only a failing event fails
                try:
                    w.claimed = self.service_db.consume(w.event, self.handler, lambda uow, ev: effect(uow, [ev]))
                except Exception as exc_alone:
                    w.error = exc_alone
                w.done = True
            return
        for w, was_claimed in zip(batch, claimed, strict=True):
            w.claimed, w.done = was_claimed, True
