"""The managed loop every sending service runs (notify's deliveries, intake's tipster notices).

It wakes every `poll_seconds`, or at once when a handler has just recorded something (`wakeup.set()`), and calls
`tick()`. A failing tick is logged by the exception's type only (the message may hold an address) and the loop
pauses two seconds before it tries again; nothing a tick leaves undone is lost, since the rows wait in the table.
"""
from __future__ import annotations

import threading

from nameko.extensions import DependencyProvider

from shared.dependencies import Database
from shared.logging import get_logger

log = get_logger(__name__)


class SenderLoop(DependencyProvider):
    identifier = "sender"  # names the managed thread and the log event of a failed tick
    poll_seconds = 1.0

    def setup(self):
        self.stopping = threading.Event()
        self.wakeup = threading.Event()

    def start(self):
        self.container.spawn_managed_thread(self._loop, identifier=self.identifier)

    def stop(self):
        self.stopping.set()
        self.wakeup.set()

    kill = stop

    def tick(self) -> None:
        raise NotImplementedError

    def _db(self):
        return next(dep for dep in self.container.dependencies if isinstance(dep, Database)).service_db

    def _loop(self):
        while not self.stopping.is_set():
            self.wakeup.wait(timeout=self.poll_seconds)
            self.wakeup.clear()
            try:
                self.tick()
            except Exception as exc:
                log.warning(f"{self.identifier}.loop_failed", error=type(exc).__name__)
                self.stopping.wait(2.0)

    def get_dependency(self, worker_ctx):
        return self
