"""Receipt guessing: limited per client, in memory, without ever refusing a receipt that works.

A receipt lookup is one indexed query by keyed hash (services.intake.receipts), so a wrong guess costs the server
almost nothing and there is no overall limit that a guesser with many addresses could trip to lock honest
tipsters out. What is limited is how fast one client can guess:

- a client (an IPv4 address or an IPv6 /64, behind trusted proxies the address they report: shared.clients)
  may get `client_failures` wrong, unknown or malformed receipts within `client_window_seconds`;
- beyond that the client is throttled, not locked: one lookup per `throttled_interval_seconds`. A receipt that
  works is answered as usual even then; anything else, and any request between two lookups, is refused
  (TooManyReceiptAttempts, with the wait). So a tipster who shares an address with a guesser waits at most that interval, and tipsters
  elsewhere never notice.

Wrong and unknown receipts get the very same answer (ReceiptUnknown) in the same time. Counts live in
memory only, keyed by an HMAC of the client under a random key made at start and replaced daily: no address,
nor anything an address could be recovered from, is stored or logged. Each intake instance counts on its own
(with n instances a client gets n times the allowance, still hopeless against 10^16 receipts).
"""
from __future__ import annotations

from services.intake.settings import SETTINGS as INTAKE
from shared.clients import ClientLimiter
from services.intake.domain.errors import ReceiptUnknown, TooManyReceiptAttempts
from shared.logging import get_logger

log = get_logger(__name__)

def settings(config: dict) -> dict:
    return INTAKE.section(config, "intake.receipt_guard")


class Attempt:
    def __init__(self, failures_key: bytes, throttled: bool):
        self.failures_key = failures_key
        self.throttled = throttled


class ReceiptGuard:
    def __init__(self, options: dict | None = None, clock=None):
        o = self.options = {**INTAKE.defaults("intake.receipt_guard"), **(options or {})}
        kw = {"max_clients": int(o["max_clients"])}
        if clock is not None:
            kw["clock"] = clock
        self.failures = ClientLimiter(int(o["client_failures"]), float(o["client_window_seconds"]), **kw)
        self.lookups = ClientLimiter(1, float(o["throttled_interval_seconds"]), **kw)

    def admit(self, client_address: str | None) -> Attempt:
        """Before a lookup: a throttled client gets one lookup per interval, else TooManyReceiptAttempts."""
        key = self.failures.key(client_address)
        if not self.failures.retry_after(key):
            return Attempt(key, False)
        lookup_key = self.lookups.key(client_address)
        wait = self.lookups.retry_after(lookup_key)
        if wait:
            raise _too_many(wait)
        self.lookups.hit(lookup_key)
        return Attempt(key, True)

    def failed(self, attempt: Attempt) -> ReceiptUnknown | TooManyReceiptAttempts:
        """Count a failed lookup; the error to raise (ReceiptUnknown, or TooManyReceiptAttempts once throttled)."""
        count = self.failures.hit(attempt.failures_key)
        if attempt.throttled:
            return _too_many(int(self.options["throttled_interval_seconds"]))
        if count == int(self.options["client_failures"]):
            log.warning("receipt_guard.client_throttled")  # who it was is not logged
        return ReceiptUnknown()


def _too_many(seconds: int) -> TooManyReceiptAttempts:
    return TooManyReceiptAttempts(retry_after_seconds=max(1, int(seconds)))
