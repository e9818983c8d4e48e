"""argon2id's memory, bounded: decoys made without hashing, at most two runs at once."""
import threading
import time

import argon2
import pytest
from argon2 import PasswordHasher, Type
from argon2.exceptions import VerifyMismatchError

from services.casework.usecases import accounts
from services.intake import receipts
from shared import argon2_work

SMALL = {"time_cost": 1, "memory_cost": 8192, "parallelism": 1}


def test_a_decoy_has_the_hashers_parameters_and_matches_no_password():
    hasher = PasswordHasher(type=Type.ID, **SMALL)
    decoy = argon2_work.decoy(hasher)
    assert argon2.extract_parameters(decoy) == argon2.extract_parameters(hasher.hash("x"))
    with pytest.raises(VerifyMismatchError):  # a well-formed hash that argon2 computed against and refused
        hasher.verify(decoy, "")
    assert argon2_work.decoy(hasher) != decoy  # its salt and bytes are random


def test_shipped_parameters_give_a_shipped_decoy():
    hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1, type=Type.ID)
    params = argon2.extract_parameters(argon2_work.decoy(hasher))
    assert (params.type, params.memory_cost, params.time_cost, params.parallelism) == (Type.ID, 65536, 3, 1)
    assert (params.salt_len, params.hash_len) == (16, 32)


@pytest.fixture
def no_hashing(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("argon2 ran")

    monkeypatch.setattr(PasswordHasher, "hash", refuse)
    monkeypatch.setattr(PasswordHasher, "verify", refuse)


def test_making_the_desks_and_intakes_hashers_runs_no_argon2(no_hashing):
    """At the shipped 64 MiB a hashing at start was casework's start-up peak (155 MB against 103 MB after)."""
    accounts.Passwords(time_cost=3, memory_cost_kib=65536, parallelism=1)
    receipts.ReceiptHasher(time_cost=3, memory_cost_kib=65536, parallelism=1)


def test_an_unknown_user_and_an_unknown_receipt_still_cost_a_verification():
    seen = []
    real = PasswordHasher.verify

    def counting(self, hash_, password):
        seen.append(hash_)
        return real(self, hash_, password)

    pw = accounts.Passwords(time_cost=1, memory_cost_kib=8192, parallelism=1)
    rh = receipts.ReceiptHasher(time_cost=1, memory_cost_kib=8192, parallelism=1)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(PasswordHasher, "verify", counting)
        assert not pw.verify(None, "a password long enough")
        assert not rh.verify(None, "1234567890123456")
    assert len(seen) == 2 and all(h.startswith("$argon2id$v=19$m=8192,t=1,p=1$") for h in seen)


def test_at_most_two_argon2_runs_at_once(monkeypatch):
    running, most = [0], [0]
    lock = threading.Lock()

    def slow(self, password, *, salt=None):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return "$argon2id$v=19$m=8192,t=1,p=1$c2FsdHNhbHQ$aGFzaA"

    monkeypatch.setattr(PasswordHasher, "hash", slow)
    pw = accounts.Passwords(time_cost=1, memory_cost_kib=8192, parallelism=1)
    rh = receipts.ReceiptHasher(time_cost=1, memory_cost_kib=8192, parallelism=1)
    threads = [threading.Thread(target=(pw.hash if i % 2 else rh.hash), args=("a password long enough",))
               for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == argon2_work.SLOTS == 2
