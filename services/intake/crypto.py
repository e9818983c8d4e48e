"""Encryption at rest for what can hurt a tipster: the tip's text and facts, who the reporter is, attachments,
messages, caseworkers' questions and stored idempotent responses (which hold a receipt).

AES-256-GCM (the `cryptography` package) with a 96-bit random nonce per value. Every ciphertext names the key
that sealed it, so keys can be rotated: new values use the current key, old ones stay readable while their key
is still in the keyring, and `sodsong intake rotate-keys` re-seals everything under the current key (see
docs/key-rotation.md). The associated data binds a ciphertext to its table, column and row, so a value copied
into another row or column does not decrypt.

Keys come from configuration:

    intake:
      keys:
        current: k2026a
        keys: {k2026a: <base64 of 32 random bytes>, k2025b: <old key, kept until rotate-keys has run>}

With no keys configured (embedded mode, `make run`), a key file is created in the keys directory (apart from the
data directory, see shared/keys.py) on first run (mode 0600) and used from then on.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import yaml
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared import keys as keys_mod
from shared import storage
from shared.logging import get_logger

log = get_logger(__name__)

KEY_FILE_NAME = "intake-keys.yaml"
_MAGIC = b"\x01"          # binary format version
_TEXT_PREFIX = "e1:"       # text format: e1:<key id>:<base64 of the binary format>
NONCE_BYTES = 12


KeyringError = keys_mod.KeyringError  # the configured keys are unusable (a configuration mistake: refuse to start)


class DecryptionError(Exception):
    """A ciphertext could not be opened: unknown key id, or it was altered or moved."""


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict  # key id -> 32-byte key

    # -- binary values (attachments) ------------------------------------------------------------------------
    def encrypt(self, plaintext: bytes, aad: str) -> bytes:
        kid = self.current.encode("ascii")
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plaintext, _aad(aad, kid))
        return _MAGIC + bytes([len(kid)]) + kid + nonce + sealed

    def decrypt(self, blob: bytes, aad: str) -> bytes:
        kid, nonce, sealed = _split(blob)
        key = self.keys.get(kid.decode("ascii"))
        if key is None:
            raise DecryptionError(f"no key with id {kid.decode('ascii')!r} in the keyring")
        try:
            return AESGCM(key).decrypt(nonce, sealed, _aad(aad, kid))
        except InvalidTag:
            raise DecryptionError("ciphertext altered, or sealed for another row or column") from None

    # -- text values (JSON in text columns) ---------------------------------------------------------------------
    def encrypt_text(self, plaintext: str, aad: str) -> str:
        blob = self.encrypt(plaintext.encode("utf-8"), aad)
        return f"{_TEXT_PREFIX}{self.current}:{base64.b64encode(blob).decode('ascii')}"

    def decrypt_text(self, value: str, aad: str) -> str:
        if not is_encrypted_text(value):
            raise DecryptionError("not an encrypted value")
        _, _, b64 = value[len(_TEXT_PREFIX):].partition(":")
        try:
            blob = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            raise DecryptionError("not an encrypted value") from None
        return self.decrypt(blob, aad).decode("utf-8")

    def derive(self, purpose: str, kid: str | None = None) -> bytes:
        """A 256-bit key for another purpose (guard hashing, proof-of-filing codes), from a keyring key."""
        return hmac.new(self.keys[kid or self.current], b"sodsong-intake-derive|" + purpose.encode(),
                        hashlib.sha256).digest()

    def needs_rotation(self, value) -> bool:
        """True when a stored value is plaintext (from before encryption) or sealed with a non-current key."""
        if value is None:
            return False
        if isinstance(value, (bytes, bytearray, memoryview)):
            return key_id_of(bytes(value)) != self.current
        return not is_encrypted_text(value) or text_key_id(value) != self.current


def _aad(aad: str, kid: bytes) -> bytes:
    return b"sodsong-intake|" + kid + b"|" + aad.encode("utf-8")


def _split(blob: bytes):
    if len(blob) < 2 or blob[:1] != _MAGIC:
        raise DecryptionError("not an encrypted value")
    n = blob[1]
    kid = blob[2:2 + n]
    nonce = blob[2 + n:2 + n + NONCE_BYTES]
    sealed = blob[2 + n + NONCE_BYTES:]
    if len(kid) != n or len(nonce) != NONCE_BYTES or len(sealed) < 16:
        raise DecryptionError("truncated ciphertext")
    return kid, nonce, sealed


def key_id_of(blob: bytes) -> str:
    return _split(blob)[0].decode("ascii")


def is_encrypted_text(value) -> bool:
    return isinstance(value, str) and value.startswith(_TEXT_PREFIX)


def text_key_id(value: str) -> str:
    return value[len(_TEXT_PREFIX):].partition(":")[0]


def new_key() -> str:
    return keys_mod.new_key()


def from_settings(settings: dict) -> Keyring:
    """A keyring from `{current: id, keys: {id: base64}}`; raises KeyringError on any mistake."""
    return Keyring(*keys_mod.parse_keyring(settings, "intake"))


def load(config: dict) -> Keyring:
    """The keyring for this deployment: configured keys, or the keys directory's key file (created if absent)."""
    configured = (config.get("intake") or {}).get("keys") or (config.get("keys") or {}).get("intake")
    if configured:
        return from_settings(configured)
    return from_settings(_key_file(key_dir(config)))


def key_dir(config: dict) -> Path:
    """The keys directory (apart from the data); a key file left in the data directory by an older release is
    moved there first."""
    storage._move_legacy_intake_key_file(config, Path(config["data_dir"]), keys_mod.keys_dir(config))
    return keys_mod.keys_dir(config)


def _key_file(data_dir: Path) -> dict:
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        keys_mod.ensure_private_dir(data_dir)
        kid = "k" + secrets.token_hex(4)
        content = yaml.safe_dump({"current": kid, "keys": {kid: new_key()}})
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            log.warning("intake.key_file_created", path=str(path),
                        hint="back the keys directory up, apart from the data; without it stored tips cannot be read")
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def write_key_file(data_dir: Path, settings: dict) -> Path:
    """Replace the keys directory's key file atomically (used by `sodsong intake rotate-keys --new-key`)."""
    return keys_mod.write_key_file(Path(data_dir) / KEY_FILE_NAME, settings)
