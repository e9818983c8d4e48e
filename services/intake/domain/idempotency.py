"""Idempotency-Key for POST /api/v1/tips (and the web form's hidden key): a retry gets the first answer back.

- Same key (for the same caller) and the same request within 24 hours: the first response again, with the same
  reference and receipt, and never a second tip.
- Same key, different request: refused (IdempotencyConflict).
- The stored response holds the receipt, so it is sealed (services.intake.crypto) and deleted after 24 hours.
  The request's fingerprint (SHA-256 over the canonical JSON and the files' SHA-256s) is sealed inside it
  (stored and read back by the repository).
- The key is scoped by caller (anonymous public, a volunteer, a partner) and stored only as a SHA-256.
"""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from services.intake.domain.errors import IdempotencyConflict, InvalidIdempotencyKey

TTL = timedelta(hours=24)
HEADER = "Idempotency-Key"


def parse_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not (1 <= len(raw) <= 255) or not raw.isascii() or not raw.isprintable():
        raise InvalidIdempotencyKey()
    return raw


def key_hash(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}\n{key}".encode("utf-8")).hexdigest()


def fingerprint(data: dict, file_digests: list[str]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    h = hashlib.sha256(canonical.encode("utf-8", "surrogatepass"))
    for digest in file_digests:
        h.update(b"\n" + digest.encode("ascii"))
    return h.hexdigest()


def replay(stored: dict, fp: str) -> tuple[int, dict]:
    """The first answer again, for the same request only."""
    if stored["fingerprint"] != fp:
        raise IdempotencyConflict()
    return stored["status"], stored["body"]
