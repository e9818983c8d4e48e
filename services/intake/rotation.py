"""Key rotation: re-seal every encrypted value with the keyring's current key (see docs/key-rotation.md).

Values that are plaintext (tips stored before intake_0002) are sealed too. Each batch is one transaction;
rows are re-read inside it, so a row changed meanwhile is simply handled on its own terms. Running it again is
harmless: values already under the current key are skipped.
"""
from __future__ import annotations

import secrets
from pathlib import Path

import yaml
from sqlalchemy import func, select

from services.intake import crypto
from services.intake.line import store
from services.intake.models import (LINE_TABLES, Attachment, FormDraft, IdempotentResponse, Message, Question,
                                   Tip)

# (model, primary key attribute, column, kind): kind "text" for e1: strings, "bytes" for sealed blobs
SEALED = [
    (Tip, "id", "facts_json", "text"),
    (Tip, "id", "reporter_json", "text"),
    (Tip, "id", "closure_json", "text"),
    (Attachment, "id", "content", "bytes"),
    (Attachment, "id", "filename_enc", "text"),
    (Message, "id", "text_enc", "text"),
    (Question, "id", "text_enc", "text"),
    (IdempotentResponse, "key_hash", "response_enc", "text"),
    (FormDraft, "token_hash", "content", "bytes"),
]


def _line_tables():
    """The LINE bot's sealed columns (Core tables): (table, primary key column, column, kind)."""
    t = LINE_TABLES
    return [(t[store.CHATS], "chat_key", "state_enc", "text"), (t[store.EVENTS], "id", "payload_enc", "text"),
            (t[store.EVENTS], "id", "replies_enc", "text"), (t[store.FILES], "id", "content", "bytes"),
            (t[store.FILES], "id", "filename_enc", "text")]


def _reseal_table(db, keyring, table, pk, column, kind, batch: int) -> int:
    resealed = 0
    pk_col, col = table.c[pk], table.c[column]
    size = batch if kind == "text" else max(1, min(batch, 5))
    last = ""
    while True:
        with db.transaction() as uow:
            rows = uow.session.execute(select(pk_col, col).where(pk_col > last).order_by(pk_col).limit(size)).all()
            if not rows:
                return resealed
            for row_id, value in rows:
                if keyring.needs_rotation(value):
                    aad = f"{table.name}.{column}:{row_id}"
                    uow.session.execute(table.update().where(pk_col == row_id).values(
                        {column: _reseal(keyring, value, kind, aad)}))
                    resealed += 1
            last = rows[-1][0]


def _aad(model, column, row_id):
    return f"{model.__tablename__}.{column}:{row_id}"


def _reseal(keyring, value, kind, aad):
    if kind == "bytes":
        return keyring.encrypt(keyring.decrypt(bytes(value), aad), aad)
    plain = keyring.decrypt_text(value, aad) if crypto.is_encrypted_text(value) else value
    return keyring.encrypt_text(plain, aad)


def reseal_all(db, keyring: crypto.Keyring, batch: int = 200) -> dict:
    resealed = 0
    for model, pk, column, kind in SEALED:
        pk_col = getattr(model, pk)
        size = batch if kind == "text" else max(1, min(batch, 5))  # attachments: up to 10 MB each
        last = ""
        while True:
            with db.transaction() as uow:
                rows = uow.session.execute(select(model).where(pk_col > last).order_by(pk_col).limit(size)
                                           ).scalars().all()
                if not rows:
                    break
                for row in rows:
                    value = getattr(row, column)
                    if keyring.needs_rotation(value):
                        row_id = getattr(row, pk)
                        setattr(row, column, _reseal(keyring, value, kind, _aad(model, column, row_id)))
                        resealed += 1
                last = getattr(rows[-1], pk)
    for table, pk, column, kind in _line_tables():
        resealed += _reseal_table(db, keyring, table, pk, column, kind, batch)
    return {"resealed": resealed, "stale": count_stale(db, keyring)["stale"]}


def count_stale(db, keyring: crypto.Keyring) -> dict:
    stale = 0
    by_key: dict[str, int] = {}
    with db.reading() as session:
        columns = [(getattr(model, column), kind) for model, _, column, kind in SEALED]
        columns += [(table.c[column], kind) for table, _, column, kind in _line_tables()]
        for col, kind in columns:
            # for blobs only the header (format byte, key id length, key id) is read, not the content
            selected = func.substr(col, 1, 40) if kind == "bytes" else col
            for value in session.execute(select(selected)).scalars():
                if value is None:
                    continue
                if kind == "bytes":
                    kid = _blob_key_id(bytes(value))
                else:
                    kid = crypto.text_key_id(value) if crypto.is_encrypted_text(value) else "(plaintext)"
                by_key[kid] = by_key.get(kid, 0) + 1
                if kid != keyring.current:
                    stale += 1
    return {"stale": stale, "values_by_key": by_key}


def _blob_key_id(header: bytes) -> str:
    if len(header) < 2 or header[:1] != b"\x01":
        return "(plaintext)"
    return header[2:2 + header[1]].decode("ascii", "replace")


def add_key_to_file(config: dict) -> str:
    """Key-file mode: add a fresh key and make it current, keeping the old ones for reading."""

    data_dir = crypto.key_dir(config)
    crypto.load(config)  # creates the file if it does not exist yet
    with open(data_dir / crypto.KEY_FILE_NAME, encoding="utf-8") as fh:
        settings = yaml.safe_load(fh)
    kid = "k" + secrets.token_hex(4)
    settings["keys"][kid] = crypto.new_key()
    settings["current"] = kid
    crypto.write_key_file(data_dir, settings)
    return kid
