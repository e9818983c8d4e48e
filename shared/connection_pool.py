"""The PostgreSQL connection pool of a service process: SQLAlchemy's QueuePool, with connections that linger.

SQLAlchemy's QueuePool keeps `pool_size` idle connections and closes any other the moment it comes back, even
when the next transaction needs a new one a millisecond later. With 10 workers and 4 kept connections that closed
and opened connections (a PostgreSQL backend forked and authenticated, its caches warmed) for a large share of
transactions under load. Here a connection beyond the kept ones stays open while it is being reused and is closed
once it has been idle `linger_seconds`, so a burst is served by the connections it opened and a quiet process
goes back to its kept ones (other processes need those server slots too).

The pool hands out the connection returned last (LIFO): a light load keeps reusing one connection used a moment
ago, and the surplus sinks to the end of the queue, where it is the first to be closed. When PostgreSQL refuses a
new connection for want of slots, an idle connection of this pool is closed to free one (`shed_for_a_slot`):
the pool never waits on a slot that it holds itself.
"""
from __future__ import annotations

import time

from sqlalchemy.pool import QueuePool

LINGER_SECONDS = 5.0
_RETURNED_AT = "sodsong_returned_at"


class LingeringPool(QueuePool):
    """QueuePool(pool_size=<the most connections>, max_overflow=0, use_lifo=True) that closes idle connections
    beyond `kept` after `linger_seconds` idle (checked whenever a connection comes back)."""

    kept = 0
    linger_seconds = LINGER_SECONDS

    def configure(self, kept: int, linger_seconds: float = LINGER_SECONDS) -> LingeringPool:
        self.kept, self.linger_seconds = kept, linger_seconds
        return self

    def recreate(self) -> LingeringPool:  # engine.dispose() makes a new pool: it keeps the same rule
        return super().recreate().configure(self.kept, self.linger_seconds)

    def _do_return_conn(self, record) -> None:
        record.info[_RETURNED_AT] = time.monotonic()
        super()._do_return_conn(record)
        self._close_longest_idle(keep=self.kept, idle_since=time.monotonic() - self.linger_seconds)

    def shed_for_a_slot(self) -> bool:
        """Close the connection idle longest, whatever the kept number: the server refused a new connection for
        want of slots, and an idle connection of ours is holding one. True when one was closed."""
        return self._close_longest_idle(keep=0, idle_since=None)

    def _close_longest_idle(self, keep: int, idle_since: float | None) -> bool:
        queue = self._pool  # sqlalchemy.util.queue.Queue; LIFO takes from the right: the left idled longest
        with queue.mutex:
            if queue.qsize() <= keep:
                return False
            record = queue.queue[0]
            if idle_since is not None and record.info.get(_RETURNED_AT, 0.0) > idle_since:
                return False
            queue.queue.popleft()
        try:
            record.close()
        finally:
            self._dec_overflow()  # as QueuePool does for a connection it closes on return: one more may open
        return True
