"""Receipts: 16 random digits shown to the tipster once, stored only as an argon2id hash.

The first six digits are a non-secret locator that finds the row without a table scan; the whole receipt is
what argon2id verifies. Hashing runs in a real OS thread (eventlet.tpool) so it never stalls other requests.
"""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

LOCATOR_DIGITS = 6
RECEIPT_DIGITS = 16


def new_receipt() -> str:
    return f"{secrets.randbelow(10 ** RECEIPT_DIGITS):0{RECEIPT_DIGITS}d}"


def normalise(raw: str | None) -> str | None:
    """Accept spaces and dashes (receipts are shown as 4 groups of 4); None if it cannot be a receipt."""
    if not raw:
        return None
    digits = "".join(ch for ch in raw if ch not in " -")
    if len(digits) != RECEIPT_DIGITS or not digits.isdigit() or not digits.isascii():
        return None
    return digits


def locator(receipt: str) -> str:
    return receipt[:LOCATOR_DIGITS]


def display(receipt: str) -> str:
    return " ".join(receipt[i:i + 4] for i in range(0, RECEIPT_DIGITS, 4))


class ReceiptHasher:
    def __init__(self, time_cost: int = 3, memory_cost_kib: int = 65536, parallelism: int = 1):
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost_kib,
                                      parallelism=parallelism, type=Type.ID)

    def hash(self, receipt: str) -> str:
        return _off_hub(self._hasher.hash, receipt)

    def verify(self, stored_hash: str, receipt: str) -> bool:
        def check():
            try:
                return self._hasher.verify(stored_hash, receipt)
            except (VerificationError, InvalidHashError):
                return False
        return _off_hub(check)


def _off_hub(fn, *args):
    try:
        import eventlet.patcher
        from eventlet import tpool

        if eventlet.patcher.is_monkey_patched("thread"):
            return tpool.execute(fn, *args)
    except ImportError:
        pass
    return fn(*args)
