"""Receipt guessing: limited per client and overall, with lockouts.

Every request that presents a receipt (status, messages, new receipt, the status web page) first asks
`check(client)`; a wrong, unknown or malformed receipt then calls `failed(client)`. Wrong and unknown receipts
get the very same answer (404 receipt.unknown); a locked-out client or a global lockout gets 429 whatever it
sends, so a lockout tells an attacker nothing about the receipt either.

- Per client: `client_failures` failures within `client_window_seconds` lock that client out for
  `client_lockout_seconds`. The client is a keyed hash (HMAC-SHA256 with a secret derived from the intake key)
  of its address: the address itself is never stored or logged.
- Overall: `global_failures` failures within `global_window_seconds` (from everyone) lock out every receipt
  lookup for `global_lockout_seconds`: this stops a guesser with many addresses, at the price of making
  tipsters wait during an attack (receipts are 16 digits and argon2id-hashed, so guessing is hopeless anyway;
  the lockout keeps it that way and keeps the argon2 work bounded).

State lives in the `intake_guard` table, so it survives restarts and is shared by every intake instance that
uses the same database: counts from all instances add up (each failure is one UPDATE), and a lockout set by one
instance is seen by the others on their next check. Each instance also keeps the lockouts it has seen in
memory, so a locked-out client costs no database read until its lockout ends.
"""
from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from services.intake.models import GuardBucket
from shared.events import aware_utc, utcnow
from shared.logging import get_logger
from shared.web import ApiError

log = get_logger(__name__)

DEFAULTS = {
    "client_failures": 10, "client_window_seconds": 900, "client_lockout_seconds": 900,
    "global_failures": 300, "global_window_seconds": 60, "global_lockout_seconds": 60,
}
GLOBAL = "global"


def settings(config: dict) -> dict:
    return {**DEFAULTS, **((config.get("intake") or {}).get("receipt_guard") or {})}


class ReceiptGuard:
    def __init__(self, db, secret: bytes, options: dict | None = None):
        self.db = db
        self.secret = secret
        self.options = {**DEFAULTS, **(options or {})}
        self._locked: dict[str, object] = {}  # bucket -> locked_until, as seen by this instance
        self._lock = threading.Lock()

    def client_bucket(self, client_address: str | None) -> str:
        digest = hmac.new(self.secret, (client_address or "unknown").encode("utf-8"), hashlib.sha256)
        return "c:" + digest.hexdigest()[:40]

    # -- checks ----------------------------------------------------------------------------------------------
    def check(self, client_address: str | None) -> str:
        """Raise 429 when this client, or everybody, is locked out; returns the client's bucket."""
        bucket = self.client_bucket(client_address)
        now = utcnow()
        for name in (GLOBAL, bucket):
            until = self._locked.get(name)
            if until is not None and until > now:
                raise self._too_many(until, now)
        with self.db.reading() as session:
            rows = session.execute(select(GuardBucket.bucket, GuardBucket.locked_until).where(
                GuardBucket.bucket.in_((GLOBAL, bucket)))).all()
        for name, until in rows:
            until = _aware(until)
            if until is not None and until > now:
                with self._lock:
                    self._locked[name] = until
                raise self._too_many(until, now)
        return bucket

    def failed(self, bucket: str) -> None:
        """Count a failed attempt for this client and overall; set lockouts when a limit is reached."""
        o = self.options
        self._count(bucket, int(o["client_failures"]), int(o["client_window_seconds"]),
                    int(o["client_lockout_seconds"]))
        self._count(GLOBAL, int(o["global_failures"]), int(o["global_window_seconds"]),
                    int(o["global_lockout_seconds"]))

    def _count(self, bucket: str, limit: int, window: int, lockout: int) -> None:
        now = utcnow()
        for _ in range(3):
            try:
                with self.db.transaction() as uow:
                    row = uow.session.execute(select(GuardBucket).where(GuardBucket.bucket == bucket)
                                              .with_for_update()).scalar_one_or_none()
                    if row is None:
                        row = GuardBucket(bucket=bucket, window_start=now, failures=0, locked_until=None)
                        uow.session.add(row)
                    if _aware(row.window_start) + timedelta(seconds=window) <= now:
                        row.window_start, row.failures = now, 0
                    row.failures += 1
                    locked = row.failures >= limit
                    if locked:
                        row.locked_until = now + timedelta(seconds=lockout)
                        row.window_start, row.failures = now, 0
                        with self._lock:
                            self._locked[bucket] = row.locked_until
                if locked:  # who it was is not logged: the bucket is a hash of an address
                    log.warning("receipt_guard.lockout", scope="global" if bucket == GLOBAL else "client",
                                seconds=lockout)
                return
            except IntegrityError:  # another instance created the row first
                continue

    def purge(self) -> int:
        """Forget client buckets that are neither counting nor locked (nothing about a client outlives a day)."""
        cutoff = utcnow() - timedelta(days=1)
        with self.db.transaction() as uow:
            result = uow.session.execute(delete(GuardBucket).where(
                GuardBucket.bucket != GLOBAL, GuardBucket.window_start < cutoff))
            uow.session.execute(update(GuardBucket).where(GuardBucket.locked_until < cutoff)
                                .values(locked_until=None))
        with self._lock:
            now = utcnow()
            for name in [n for n, until in self._locked.items() if until <= now]:
                del self._locked[name]
        return result.rowcount or 0

    @staticmethod
    def _too_many(until, now):
        retry = max(1, int((until - now).total_seconds()) + 1)
        return ApiError(429, "receipt.too_many_attempts", retry_after_seconds=retry)


def _aware(value):
    return aware_utc(value)
