"""Sealing what can hurt a tipster, at rest, in every service: one primitive for every table.

`SealedText(service, purpose)` / `SealedJSON(service, purpose)` are SQLAlchemy column types: values are sealed
with AES-256-GCM (`cryptography`) under the service's current key when written and opened when read, so domain
code keeps working with plain strings and dicts. A sealed value is text: `s1:<key id>:<base64 of nonce+ciphertext>`.
The key id makes keys rotatable (old values stay readable while their key is in the keyring; `sodsong keys
rotate` re-seals them). The associated data binds a value to its service and column (`casework|notes.body`), so
a ciphertext moved to another column does not open.

Keys: one keyring per service (`keys.<service>`, or `<keys_dir>/<service>-keys.yaml`, see shared/keys.py),
installed by the service's Database dependency and by the operator tools (`install(config, service)`).
Values written before sealing (no `s1:` prefix) are read as they are, and re-sealed by `sodsong keys rotate`.
"""
from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text, and_, select, type_coerce, update
from sqlalchemy.types import TypeDecorator

from shared import keys as keys_mod

PREFIX = "s1:"
NONCE_BYTES = 12


class SealError(Exception):
    """A sealed value could not be opened: its key is not in the keyring, or it was altered or moved."""


class Sealer:
    """One service's keyring: seals with the current key, opens with any key it knows."""

    def __init__(self, service: str, current: str, keys: dict):
        self.service = service
        self.current = current
        self.keys = dict(keys)

    def _aad(self, purpose: str, kid: str) -> bytes:
        return f"sodsong-seal|{self.service}|{purpose}|{kid}".encode()

    def seal(self, plaintext: str, purpose: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plaintext.encode("utf-8"),
                                                         self._aad(purpose, self.current))
        return f"{PREFIX}{self.current}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def open(self, value: str, purpose: str) -> str:
        if not is_sealed(value):
            return value  # written before sealing; `sodsong keys rotate` seals it
        kid, _, b64 = value[len(PREFIX):].partition(":")
        key = self.keys.get(kid)
        if key is None:
            raise SealError(f"{self.service}: no key {kid!r} in the keyring")
        try:
            blob = base64.b64decode(b64, validate=True)
            return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], self._aad(purpose, kid)).decode()
        except (binascii.Error, ValueError, InvalidTag):
            raise SealError(f"{self.service}: a sealed {purpose} was altered or moved") from None

    def needs_rotation(self, value) -> bool:
        return value is not None and (not is_sealed(value) or key_id(value) != self.current)


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id(value: str) -> str:
    return value[len(PREFIX):].partition(":")[0]


# -- the keyrings of this process ------------------------------------------------------------------------------

_sealers: dict[str, Sealer] = {}
_lock = threading.Lock()


def install(config: dict, service: str) -> Sealer:
    """Load the service's keyring (created in the keys directory when nothing is configured) for this process.

    Keys from earlier installs stay known for opening (tests run several deployments in one process)."""
    settings = keys_mod.keyring_settings(config, service)
    current, keys = keys_mod.parse_keyring(settings, service)
    return install_keys(service, current, keys)


def install_keys(service: str, current: str, keys: dict) -> Sealer:
    with _lock:
        known = dict(_sealers[service].keys) if service in _sealers else {}
        known.update(keys)
        found = Sealer(service, current, known)
        _sealers[service] = found
    return found


def sealer(service: str) -> Sealer:
    found = _sealers.get(service)
    if found is None:
        raise SealError(f"no keyring installed for {service} (shared.sealing.install)")
    return found


def seal(service: str, plaintext: str, purpose: str) -> str:
    return sealer(service).seal(plaintext, purpose)


def open_(service: str, value: str, purpose: str) -> str:
    if not is_sealed(value):
        return value
    return sealer(service).open(value, purpose)


# -- column types ----------------------------------------------------------------------------------------------

class SealedText(TypeDecorator):
    """A text column whose values are sealed at rest (None stays None)."""
    impl = Text
    cache_ok = True

    def __init__(self, service: str, purpose: str):
        super().__init__()
        self.service = service
        self.purpose = purpose

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return seal(self.service, self._dump(value), self.purpose)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return self._load(open_(self.service, value, self.purpose))

    def _dump(self, value):
        return str(value)

    def _load(self, text):
        return text


class SealedJSON(SealedText):
    """A JSON value (dict, list, ...) sealed at rest."""
    cache_ok = True

    def _dump(self, value):
        return json.dumps(value, ensure_ascii=False, default=str)

    def _load(self, text):
        return json.loads(text)


# -- rotation ----------------------------------------------------------------------------------------------------

def sealed_columns(metadata) -> list:
    """(table, column) of every sealed column of a service's metadata (its own tables, outbox, dead letters)."""
    return [(table, column) for table in metadata.sorted_tables for column in table.columns
            if isinstance(column.type, SealedText)]


def reseal(service_db, service: str, metadata, *, check: bool = False, batch: int = 200) -> dict:
    """Re-seal every value not sealed with the service's current key (and seal plaintext left from before
    sealing), in batches of one transaction each; with `check`, only count them. Safe to run again."""
    found = sealer(service)
    by_key: dict[str, int] = {}
    stale = resealed = 0
    for table, column in sealed_columns(metadata):
        pk = list(table.primary_key.columns)
        raw = type_coerce(column, Text).label("raw")
        offset = 0
        while True:
            with service_db.reading() as session:
                rows = session.execute(select(*pk, raw).where(column.is_not(None)).order_by(*pk)
                                       .offset(offset).limit(batch)).all()
            if not rows:
                break
            offset += len(rows)
            todo = []
            for row in rows:
                kid = key_id(row.raw) if is_sealed(row.raw) else "(plaintext)"
                by_key[kid] = by_key.get(kid, 0) + 1
                if found.needs_rotation(row.raw):
                    stale += 1
                    todo.append(row)
            if check or not todo:
                continue
            with service_db.transaction() as uow:
                for row in todo:
                    plaintext = found.open(row.raw, column.type.purpose)
                    where = and_(*[c == getattr(row, c.name) for c in pk])
                    uow.session.execute(update(table).where(where).values({column.name: plaintext}))
                    resealed += 1
    return {"service": service, "current": found.current, "stale": stale - resealed if not check else stale,
            "resealed": resealed, "values_by_key": by_key}


def add_key_to_file(config: dict, service: str) -> str:
    """Key-file mode: a new key for the service, made current (old keys stay for reading)."""
    settings = keys_mod.keyring_settings(config, service)
    if (config.get("keys") or {}).get(service) or (config.get(service) or {}).get("keys"):
        raise keys_mod.KeyringError(f"keys for {service} are configured: add the new key to the configuration")
    kid = "k" + secrets.token_hex(4)
    settings = {"current": kid, "keys": {**settings["keys"], kid: keys_mod.new_key()}}
    keys_mod.write_key_file(keys_mod.key_file(config, service), settings)
    return kid
