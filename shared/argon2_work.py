"""argon2id's memory, bounded: a decoy hash made without hashing, and at most two hashings at once per process.

argon2id at the shipped parameters takes `memory_cost_kib` (64 MiB) for every hashing or verification while it
runs. A decoy hash (verified when a username or receipt is unknown, so an unknown one costs the time a known one
does) used to be made by hashing at start: a 64 MiB peak in a process that might never see a sign-in. And
eventlet's thread pool runs up to 20 verifications at once: 1.3 GB for a burst of sign-ins.
"""
from __future__ import annotations

import base64
import os
import threading

from argon2 import PasswordHasher

SLOTS = 2  # the machine's cores do the work: more at once only adds memory


def decoy(hasher: PasswordHasher) -> str:
    """An encoded argon2 hash in `hasher`'s own parameters, with a random salt and random hash bytes: verifying
    any password against it runs argon2 exactly as against a real hash (same memory, same time) and fails, since
    no password is known to give those bytes. Nothing is hashed to make it."""
    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode("ascii").rstrip("=")

    kind = hasher.type.name.lower()  # "id", "i", "d"
    return (f"$argon2{kind}$v=19$m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}"
            f"${b64(os.urandom(hasher.salt_len))}${b64(os.urandom(hasher.hash_len))}")


_slots = None
_slots_lock = threading.Lock()


def slots():
    """At most SLOTS argon2 computations at once in this process (`with slots(): ...`). Made on first use, so
    under eventlet (monkey-patched at start) it is a green semaphore: a caller waiting for a slot yields the hub."""
    global _slots
    if _slots is None:
        with _slots_lock:
            if _slots is None:
                _slots = threading.BoundedSemaphore(SLOTS)
    return _slots
