"""Files at rest: only the service's own user may read them.

At every start (`sodsong ...`) the process mask is set to 077, so every file it creates (SQLite databases and
their -wal/-shm, the notification file, key files, checkpoints) is 0600 and every directory 0700. Before services
run, the data directory is made 0700 and files already in it 0600 (they may come from an older release or a
restore), and the process says where the data, the keys and the audit checkpoints are: three places, backed up
separately.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from shared import keys as keys_mod
from shared.config import SERVICES
from shared.logging import get_logger

log = get_logger(__name__)


def restrict_umask() -> None:
    os.umask(0o077)


def tighten_data_dir(config: dict) -> dict:
    """Data directory 0700, its files 0600; the keys directory apart from it. Returns the places, for the log."""
    data_dir = Path(config["data_dir"])
    uses_files = not config.get("db_url") or any(
        str((config.get(s) or {}).get("db_url", "")).startswith("sqlite") for s in _services())
    tightened = 0
    if data_dir.exists() or uses_files:
        keys_mod.ensure_private_dir(data_dir)
        for path in data_dir.rglob("*"):
            try:
                mode = path.lstat().st_mode
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(mode):
                continue
            wanted = 0o700 if stat.S_ISDIR(mode) else 0o600
            if mode & 0o777 & ~wanted:
                os.chmod(path, wanted)
                tightened += 1
    keys_dir = keys_mod.keys_dir(config)
    if keys_dir == data_dir or data_dir in keys_dir.parents:
        log.warning("storage.keys_inside_data_dir", keys_dir=str(keys_dir),
                    hint="keep keys apart from the data: a copy of the data directory must not carry its keys")
    _move_legacy_intake_key_file(config, data_dir, keys_dir)
    _move_legacy_intake_key_file(config, data_dir, keys_dir, "evidence-link.key")
    return {"data_dir": str(data_dir), "keys_dir": str(keys_dir), "tightened": tightened}


def _services():
    return SERVICES


def _move_legacy_intake_key_file(config: dict, data_dir: Path, keys_dir: Path, name: str = "intake-keys.yaml") -> None:
    """Releases before keys were kept apart wrote key files into the data directory: move them out."""
    legacy = data_dir / name
    target = keys_dir / name
    if not legacy.exists():
        return
    keys_mod.ensure_private_dir(keys_dir)
    if target.exists():
        log.warning("storage.legacy_key_file_left", path=str(legacy),
                    hint="a key file is in the keys directory already; merge them by hand, then delete this one")
        return
    os.replace(legacy, target) if legacy.stat().st_dev == keys_dir.stat().st_dev else _copy_then_remove(legacy, target)
    log.warning("storage.key_file_moved", source=str(legacy), target=str(target))


def _copy_then_remove(src: Path, dst: Path) -> None:
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(src.read_bytes())
        fh.flush()
        os.fsync(fh.fileno())
    src.unlink()


def audit_checkpoint_file(config: dict) -> Path:
    """Where signed audit checkpoints are appended: `audit.checkpoint_file`, else beside the data directory."""
    configured = (config.get("audit") or {}).get("checkpoint_file")
    if configured:
        return Path(configured).expanduser().resolve()
    data_dir = Path(config["data_dir"])
    return data_dir.parent / (data_dir.name + "-checkpoints") / "audit-checkpoints.jsonl"
