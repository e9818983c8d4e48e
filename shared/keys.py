"""Where secret keys live: apart from the data, so a copy of the data directory or a database dump alone is not
enough to read sealed values or to forge the audit trail.

Keys are configured (`keys.<name>: {current: id, keys: {id: base64 of 32 bytes}}`, best through `${VAR}`
expansion from the service manager's secret store), or, when nothing is configured (embedded mode), generated
on first use as `<keys_dir>/<name>-keys.yaml` (mode 0600) in a directory of their own (mode 0700):
`keys_dir` in the configuration or SODSONG_KEYS_DIR, by default `<data_dir>-keys` beside the data directory.

Every keyring names its current key and keeps older ones for reading, so keys rotate without losing data.
"""
from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from pathlib import Path

import yaml

from shared.logging import get_logger

log = get_logger(__name__)

KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class KeyringError(Exception):
    """The configured keys are unusable (a configuration mistake: refuse to start)."""


def keys_dir(config: dict) -> Path:
    configured = config.get("keys_dir")
    if configured:
        return Path(configured).expanduser().resolve()
    data_dir = Path(config["data_dir"])
    return data_dir.parent / (data_dir.name + "-keys")


def ensure_private_dir(path: Path) -> Path:
    """Create a directory only its owner can enter (0700), or tighten an existing one."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def parse_keyring(settings, name: str) -> tuple[str, dict[str, bytes]]:
    """(current key id, {key id: 32 raw bytes}) from `{current, keys}`; raises KeyringError on any mistake."""
    if not isinstance(settings, dict) or not isinstance(settings.get("keys"), dict) or not settings["keys"]:
        raise KeyringError(f"keys.{name} needs `current` and a non-empty `keys` mapping")
    keys = {}
    for kid, b64 in settings["keys"].items():
        kid = str(kid)
        if not KEY_ID.match(kid):
            raise KeyringError(f"{name}: key id {kid!r}: use 1-32 letters, digits, '_', '.' or '-'")
        try:
            raw = base64.b64decode(str(b64), validate=True)
        except (binascii.Error, ValueError):
            raise KeyringError(f"{name}: key {kid!r} is not base64") from None
        if len(raw) != 32:
            raise KeyringError(f"{name}: key {kid!r} must be 32 bytes (256 bits), got {len(raw)}")
        keys[kid] = raw
    current = str(settings.get("current") or "")
    if current not in keys:
        raise KeyringError(f"keys.{name}.current ({current!r}) is not one of the keys")
    return current, keys


def key_file(config: dict, name: str) -> Path:
    return keys_dir(config) / f"{name}-keys.yaml"


def keyring_settings(config: dict, name: str, *, create: bool = True) -> dict:
    """The `{current, keys}` settings of keyring `name`: configured, else the key file (created if absent)."""
    configured = (config.get("keys") or {}).get(name) or (config.get(name) or {}).get("keys")
    if configured:
        return configured
    path = key_file(config, name)
    if not path.exists():
        if not create:
            raise KeyringError(f"no keys.{name} configured and no key file at {path}")
        ensure_private_dir(path.parent)
        kid = "k" + secrets.token_hex(4)
        _write_new(path, yaml.safe_dump({"current": kid, "keys": {kid: new_key()}}))
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def write_key_file(path: Path, settings: dict) -> Path:
    """Replace a key file atomically (rotation adds a key and makes it current)."""
    ensure_private_dir(path.parent)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(yaml.safe_dump(settings))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def _write_new(path: Path, content: str) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it first: use theirs
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    # Not logged here: operator commands print JSON on stdout. Every service start says where the keys are.


def private_file(config: dict, name: str, make) -> bytes:
    """A secret file in the keys directory (e.g. a signing key), made by `make()` on first use."""
    path = keys_dir(config) / name
    if not path.exists():
        ensure_private_dir(path.parent)
        _write_new(path, make())
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return path.read_bytes()
