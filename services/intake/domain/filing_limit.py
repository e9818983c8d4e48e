"""Anonymous filing is limited per client, so nobody can flood offices with cases and notifications.

`tips` tips per `window_seconds` per client (an IPv4 address or IPv6 /64; behind trusted proxies the address
they report: shared.clients), counted in memory under a random key, never stored. Volunteers and Open311
partners file with their own revocable credentials and are not counted here. A refused tip (TooManyTips) gets
429 with Retry-After and a Thai/English message saying that nothing already sent was lost; an idempotent replay of a tip
already filed is never refused.
"""
from __future__ import annotations

from services.intake.domain.errors import TooManyTips
from services.intake.settings import SETTINGS as INTAKE
from shared.clients import ClientLimiter

def settings(config: dict) -> dict:
    return INTAKE.section(config, "intake.filing_limit")


class FilingLimiter:
    def __init__(self, options: dict | None = None, clock=None):
        o = {**INTAKE.defaults("intake.filing_limit"), **(options or {})}
        kw = {"max_clients": int(o["max_clients"])}
        if clock is not None:
            kw["clock"] = clock
        self.limiter = ClientLimiter(int(o["tips"]), float(o["window_seconds"]), **kw)

    def check(self, client: str | None) -> None:
        wait = self.limiter.retry_after(self.limiter.key(client))
        if wait:
            raise TooManyTips(retry_after_seconds=wait)

    def filed(self, client: str | None) -> None:
        self.limiter.hit(self.limiter.key(client))
