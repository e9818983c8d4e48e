"""Signed checkpoints of the audit chain, kept outside the audit database.

A checkpoint is one JSON line `{"seq", "hash", "written_at", "signer", "sig"}` appended to
`audit.checkpoint_file` (default `<data_dir>-checkpoints/audit-checkpoints.jsonl`). `sig` is an Ed25519
signature over the other fields, made with the checkpoint signing key (`keys.audit_checkpoint_pem`, or the file
`audit-checkpoint.pem` in the keys directory). The public key (`audit-checkpoint.pub`, or printed by
`sodsong audit checkpoint --public-key`) is all a verifier needs.

The file only ever grows; an operator ships it (or each new line) somewhere the database's administrators cannot
write: another host, a WORM bucket, a printed log. `sodsong audit verify` then fails when the chain in the
database no longer contains the entry a checkpoint names, even if whoever changed it also held the chain key.
"""
from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from services.audit.domain.errors import CheckpointError
from shared import keys as keys_mod
from shared.clock import utcnow
from shared.storage import audit_checkpoint_file

SIGNING_KEY_FILE = "audit-checkpoint.pem"
PUBLIC_KEY_FILE = "audit-checkpoint.pub"


def checkpoint_file(config: dict) -> Path:
    return audit_checkpoint_file(config)


def _new_pem() -> str:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def signing_key(config: dict) -> Ed25519PrivateKey:
    configured = (config.get("keys") or {}).get("audit_checkpoint_pem")
    pem = configured.encode() if configured else keys_mod.private_file(config, SIGNING_KEY_FILE, _new_pem)
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise keys_mod.KeyringError("the audit checkpoint key must be an Ed25519 private key (PEM)")
    return key


def public_key_pem(config: dict) -> str:
    return signing_key(config).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def verifying_key(config: dict) -> Ed25519PublicKey:
    """The public key: configured (`audit.checkpoint_public_key`, PEM), else derived from the signing key."""
    configured = (config.get("audit") or {}).get("checkpoint_public_key")
    if configured:
        key = serialization.load_pem_public_key(configured.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise CheckpointError("audit.checkpoint_public_key must be an Ed25519 public key (PEM)")
        return key
    return signing_key(config).public_key()


def _signed_bytes(record: dict) -> bytes:
    return json.dumps({k: record[k] for k in ("seq", "hash", "written_at")}, sort_keys=True,
                      separators=(",", ":")).encode()


def write(config: dict, seq: int, hash_: str) -> dict:
    """Append a signed checkpoint of the chain's head at (seq, hash) to the checkpoint file."""
    record = {"seq": seq, "hash": hash_, "written_at": utcnow().isoformat()}
    key = signing_key(config)
    record["sig"] = base64.b64encode(key.sign(_signed_bytes(record))).decode()
    path = checkpoint_file(config)
    keys_mod.ensure_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record, sort_keys=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    pub = keys_mod.keys_dir(config) / PUBLIC_KEY_FILE
    if not pub.exists() and not (config.get("keys") or {}).get("audit_checkpoint_pem"):
        pub.write_text(public_key_pem(config))
    return record


def read(config: dict, path: Path | None = None) -> list[dict]:
    """Every checkpoint in the file, each signature checked; raises CheckpointError on a bad line."""
    path = path or checkpoint_file(config)
    if not path.exists():
        return []
    key = verifying_key(config)
    out: list[dict] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                key.verify(base64.b64decode(record["sig"]), _signed_bytes(record))
            except (ValueError, KeyError, TypeError, InvalidSignature):
                raise CheckpointError(f"checkpoint line {n} of {path} does not verify (altered or forged)") from None
            if out and record["seq"] < out[-1]["seq"]:
                raise CheckpointError(f"checkpoint line {n} of {path} goes backwards (seq {record['seq']})")
            out.append(record)
    return out


def last_written_at(config: dict) -> float | None:
    path = checkpoint_file(config)
    return path.stat().st_mtime if path.exists() else None


def checkpoint_due(config: dict, now: float) -> bool:
    """A checkpoint is due every `audit.checkpoint_every_seconds` (0: only when the operator writes one)."""
    every = float((config.get("audit") or {}).get("checkpoint_every_seconds") or 0)
    if every <= 0:
        return False
    last = last_written_at(config)
    return last is None or now - last >= every
