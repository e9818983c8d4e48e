"""Idempotent responses, kept sealed for 24 hours (the rules: domain/idempotency.py): the first answer to a
request with an Idempotency-Key, read back for a retry, forgotten once expired."""
from __future__ import annotations

import json

from services.intake.crypto import Keyring
from services.intake.domain.idempotency import TTL
from services.intake.models import IdempotentResponse
from services.intake.usecases.submission import aad
from shared.clock import aware_utc, utcnow


def lookup(repo, keyring: Keyring, khash: str) -> dict | None:
    """The stored first answer ({fingerprint, status, body}), unless there is none or it has expired."""
    row = repo.idempotent_response(khash)
    if row is None or aware_utc(row.expires_at) <= utcnow():
        return None
    return json.loads(keyring.decrypt_text(row.response_enc, aad("intake_idempotency.response_enc", khash)))


def remember(uow, keyring: Keyring, khash: str, fp: str, status: int, body: dict) -> None:
    """Inside the transaction that creates the tip: a concurrent twin fails on the primary key and rolls back."""
    now = utcnow()
    uow.repo.forget_expired_responses(now)
    payload = json.dumps({"fingerprint": fp, "status": status, "body": body}, ensure_ascii=False)
    uow.repo.add(IdempotentResponse(
        key_hash=khash, created_at=now, expires_at=now + TTL,
        response_enc=keyring.encrypt_text(payload, aad("intake_idempotency.response_enc", khash))))


def purge(db) -> int:
    """Forget every expired response; how many."""
    with db.transaction() as uow:
        return uow.repo.forget_expired_responses(utcnow())
