"""Idempotency-Key for POST /api/v1/tips (and the web form's hidden key): a retry gets the first answer back.

- Same key (for the same caller) and the same request within 24 hours: the first response again, with the same
  reference and receipt, and never a second tip.
- Same key, different request: 409.
- The stored response holds the receipt, so it is sealed (services.intake.crypto) and deleted after 24 hours.
  The request's fingerprint (SHA-256 over the canonical JSON and the files' SHA-256s) is sealed inside it.
- The key is scoped by caller (anonymous public, a volunteer, a partner) and stored only as a SHA-256.
"""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from sqlalchemy import delete, select

from services.intake.models import IdempotentResponse
from services.intake.submission import aad
from shared.clock import aware_utc, utcnow
from shared.web import ApiError

TTL = timedelta(hours=24)
HEADER = "Idempotency-Key"


def parse_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not (1 <= len(raw) <= 255) or not raw.isascii() or not raw.isprintable():
        raise ApiError(400, "idempotency.invalid_key")
    return raw


def key_hash(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}\n{key}".encode("utf-8")).hexdigest()


def fingerprint(data: dict, file_digests: list[str]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    h = hashlib.sha256(canonical.encode("utf-8", "surrogatepass"))
    for digest in file_digests:
        h.update(b"\n" + digest.encode("ascii"))
    return h.hexdigest()


def lookup(session, keyring, khash: str) -> dict | None:
    row = session.get(IdempotentResponse, khash)
    if row is None:
        return None
    expires = aware_utc(row.expires_at)
    if expires <= utcnow():
        return None
    return json.loads(keyring.decrypt_text(row.response_enc, aad("intake_idempotency.response_enc", khash)))


def replay(stored: dict, fp: str) -> tuple[int, dict]:
    if stored["fingerprint"] != fp:
        raise ApiError(409, "idempotency.conflict")
    return stored["status"], stored["body"]


def remember(session, keyring, khash: str, fp: str, status: int, body: dict) -> None:
    """Inside the transaction that creates the tip: a concurrent twin fails on the primary key and rolls back."""
    now = utcnow()
    session.execute(delete(IdempotentResponse).where(IdempotentResponse.expires_at <= now))
    payload = json.dumps({"fingerprint": fp, "status": status, "body": body}, ensure_ascii=False)
    session.add(IdempotentResponse(
        key_hash=khash, created_at=now, expires_at=now + TTL,
        response_enc=keyring.encrypt_text(payload, aad("intake_idempotency.response_enc", khash))))
    session.flush()


def purge(db) -> int:
    with db.transaction() as uow:
        result = uow.session.execute(delete(IdempotentResponse).where(IdempotentResponse.expires_at <= utcnow()))
    return result.rowcount or 0


def exists(session, khash: str) -> bool:
    return session.execute(select(IdempotentResponse.key_hash).where(
        IdempotentResponse.key_hash == khash)).first() is not None
