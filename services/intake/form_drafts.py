"""Short-lived, sealed drafts of the public web form (table intake_form_drafts).

- files: what a tipster attached to a form that came back (a mistake to correct, a list of districts to pick
  from, the other language). The files stay here, sealed like every attachment, so the tipster does not have to
  attach them again; the re-shown form carries only an opaque token. Expire after `files_minutes`.
- receipt: the receipt just shown after filing, so that the receipt page can be shown once more in the other
  language within the same browser session (a cookie holding the token; never in a URL). Expire after
  `receipt_minutes`, and are deleted when re-shown for the last time.

Only the SHA-256 of a token is stored: the database alone does not lead back to a page. Every write also deletes
the drafts that have expired.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from services.intake.domain.attachments import Upload
from services.intake.models import FormDraft
from shared.clock import aware_utc, utcnow

TOKEN_BYTES = 24


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def _aad(token_hash: str) -> str:
    return f"{FormDraft.__tablename__}.content:{token_hash}"


def put(db, keyring, kind: str, payload: dict, minutes: float) -> str:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    token_hash = _hash(token)
    now = utcnow()
    sealed = keyring.encrypt(json.dumps(payload).encode("utf-8"), _aad(token_hash))
    with db.transaction() as uow:
        uow.session.execute(delete(FormDraft).where(FormDraft.expires_at <= now))
        uow.session.add(FormDraft(token_hash=token_hash, kind=kind, content=sealed, created_at=now,
                                  expires_at=now + timedelta(minutes=float(minutes))))
    return token


def get(db, keyring, kind: str, token: str | None) -> dict | None:
    if not token or len(token) > 64 or not token.isascii():
        return None
    token_hash = _hash(token)
    with db.reading() as session:
        row = session.execute(select(FormDraft).where(FormDraft.token_hash == token_hash)).scalar_one_or_none()
        if row is None or row.kind != kind or aware_utc(row.expires_at) <= utcnow():
            return None
        content = bytes(row.content)
    return json.loads(keyring.decrypt(content, _aad(token_hash)))


def drop(db, token: str | None) -> None:
    if not token or len(token) > 64 or not token.isascii():
        return
    with db.transaction() as uow:
        uow.session.execute(delete(FormDraft).where(FormDraft.token_hash == _hash(token)))


def keep_files(db, keyring, uploads: list[Upload], minutes: float) -> str | None:
    """A token for these files (None when there are none)."""
    if not uploads:
        return None
    payload = {"files": [{"name": u.filename, "data": base64.b64encode(u.data).decode("ascii")} for u in uploads]}
    return put(db, keyring, "files", payload, minutes)


def kept_files(db, keyring, token: str | None) -> list[Upload]:
    found = get(db, keyring, "files", token)
    if not found:
        return []
    return [Upload(f["name"], base64.b64decode(f["data"])) for f in found["files"]]
