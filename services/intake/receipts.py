"""Receipts: 16 random digits shown to the tipster once, stored only as a keyed hash.

A receipt is found by HMAC-SHA256(receipt key, receipt): one indexed query whose cost does not depend on whether
the receipt exists, so a wrong guess costs the server almost nothing and its answer time tells nothing. The
receipt key is kept apart from the database (`intake.receipt_key` in the configuration, or a key file in the
data directory), so a copy of the database alone cannot be searched for receipts.

Receipts issued before keyed hashes (rows with only an argon2id hash and a 6-digit locator) keep working: while
such rows exist, a receipt that matches no keyed hash is checked against them, and every such miss costs the same
one argon2id verification whether or not its locator exists (a decoy hash otherwise), so the old path does not
say which locators are in use. The first time an old receipt works, its row gets the keyed hash and loses the
argon2id hash and the locator. Hashing runs in a real OS thread (eventlet.tpool) so it never stalls the hub.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from shared import argon2_work
from shared import keys as keys_mod
from shared import storage
from shared.off_hub import run_off_hub

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


KEY_FILE_NAME = "intake-receipt-key"


class ReceiptKeyError(Exception):
    """The configured receipt key is unusable (refuse to start)."""


class ReceiptKey:
    """HMAC-SHA256 of a receipt under a 256-bit key that never goes into the database."""

    def __init__(self, key: bytes):
        if len(key) != 32:
            raise ReceiptKeyError("intake.receipt_key must be 32 bytes (base64)")
        self._key = key

    def mac(self, receipt: str) -> str:
        return hmac.new(self._key, b"sodsong-receipt|" + receipt.encode("ascii"), hashlib.sha256).hexdigest()

    def derive(self, purpose: str) -> bytes:
        """A key for another keyed hash that must outlive keyring rotations (the LINE bot's chat keys)."""
        return hmac.new(self._key, b"sodsong-derive|" + purpose.encode("ascii"), hashlib.sha256).digest()


def load_key(config: dict) -> ReceiptKey:
    """`intake.receipt_key` (base64 of 32 bytes), else — only when the keyring too lives in the data directory
    (embedded, one instance) — the data directory's key file (made on first run, 0600). With `intake.keys`
    configured, `intake.receipt_key` is required: intake refuses to start without it.

    Every intake instance must use the same key. Losing it makes every receipt stop working (the tips themselves
    are untouched)."""
    configured = (config.get("intake") or {}).get("receipt_key")
    if configured:
        try:
            return ReceiptKey(base64.b64decode(str(configured), validate=True))
        except (binascii.Error, ValueError):
            raise ReceiptKeyError("intake.receipt_key is not base64") from None
    if (config.get("intake") or {}).get("keys"):
        # a deployment that configures its keyring keeps keys out of the data directory (which may not last or be
        # shared): a receipt key made there would differ per instance and vanish with it, and receipts with it
        raise ReceiptKeyError("intake.receipt_key must be set when intake.keys is (base64 of 32 random bytes, the "
                              "same on every intake instance): see deploy/README.md")
    # kept with the other keys, apart from the data (an older release's file in the data directory is moved)
    storage._move_legacy_intake_key_file(config, Path(config["data_dir"]), keys_mod.keys_dir(config), KEY_FILE_NAME)
    path = keys_mod.keys_dir(config) / KEY_FILE_NAME
    keys_mod.private_file(config, KEY_FILE_NAME, lambda: keys_mod.new_key() + "\n")
    try:
        return ReceiptKey(base64.b64decode(path.read_text(encoding="ascii").strip(), validate=True))
    except (binascii.Error, ValueError):
        raise ReceiptKeyError(f"{path} does not hold a base64 key") from None


class ReceiptHasher:
    """argon2id, for receipts issued before keyed hashes (verification only, until their first use)."""

    def __init__(self, time_cost: int = 3, memory_cost_kib: int = 65536, parallelism: int = 1):
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost_kib,
                                      parallelism=parallelism, type=Type.ID)
        self._decoy = argon2_work.decoy(self._hasher)  # made without hashing: no argon2id run at start

    def hash(self, receipt: str) -> str:
        with argon2_work.slots():
            return run_off_hub(self._hasher.hash, receipt)

    def verify(self, stored_hash: str | None, receipt: str) -> bool:
        """True if `receipt` matches; with no hash, the same work against a decoy (always False)."""
        def check():
            try:
                return self._hasher.verify(stored_hash or self._decoy, receipt) and stored_hash is not None
            except (VerificationError, InvalidHashError):
                return False
        with argon2_work.slots():  # old receipts only: at most two argon2id runs at once per process
            return run_off_hub(check)
