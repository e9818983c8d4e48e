"""The instance job every sending service runs (notify's deliveries, intake's tipster notices, intake's LINE
events): a dependency provider whose `tick()` runs on every instance (shared.jobs) every `poll_seconds`, or at
once when a handler has just recorded something (`wakeup.set()`).

A failing tick is logged by the job's name and the exception's type only (the message may hold an address), and
the loop pauses before it tries again; nothing a tick leaves undone is lost, since the rows wait in the table.
"""
from __future__ import annotations

import threading

from nameko.extensions import DependencyProvider

from shared import jobs


class SenderLoop(DependencyProvider):
    identifier = "sender"  # names the job (and its managed thread)
    poll_seconds = 1.0

    def setup(self):
        self.stopping = threading.Event()
        self.wakeup = threading.Event()  # set: tick now (after the current tick, if one is running)
        self.loop = None

    def start(self):
        job = jobs.Job(self.identifier, float(self.poll_seconds), self.tick, backoff_seconds=1.0)
        self.loop = jobs.start_loop(self.container, job, self.stopping, wakeup=self.wakeup)

    def stop(self):
        self.stopping.set()
        if self.loop is not None:
            self.loop.stop()

    kill = stop

    def tick(self) -> None:
        raise NotImplementedError

    def _db(self):
        return jobs.service_db_of(self.container)

    def get_dependency(self, worker_ctx):
        return self

