"""The audit chain: each entry's MAC covers the previous entry's MAC and the entry's own canonical content.

The MAC is HMAC-SHA256 under the audit chain key (`keys.audit_chain`, or `audit_chain-keys.yaml` in the keys
directory), which is kept apart from the audit database: someone who can write to the database but does not hold
the key cannot append, edit, delete or reorder entries and recompute the chain so that it verifies again.

An insider who holds the key can; signed checkpoints (services.audit.domain.anchor) catch that for every entry up to
the last checkpoint shipped out of their reach. Entries written before the chain was keyed (no `key_id`) keep
their plain SHA-256 link and are verified as such, but only before the first keyed entry.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared import keys as keys_mod

GENESIS = "0" * 64
KEYRING_NAME = "audit_chain"
FIELDS = ("seq", "event_id", "event_type", "correlation_id", "occurred_at", "actor_kind", "actor_id",
          "payload_sha256", "prev_hash", "recorded_at")


@dataclass(frozen=True)
class ChainKeys:
    current: str
    keys: dict  # key id -> 32 raw bytes


_cache: dict = {}


def chain_keys(config: dict) -> ChainKeys:
    """The chain keyring of this deployment (configured, or the key file in the keys directory).

    Asked for on every event: a key file is parsed again only when it changed (a rotation replaces it, which
    changes its inode and mtime), so a rotation still takes effect at the next event."""
    stamp = _key_file_stamp(config)
    found = _cache.get(stamp) if stamp is not None else None
    if found is not None:
        return found
    settings = keys_mod.keyring_settings(config, KEYRING_NAME)
    cache_key = repr(sorted(settings.get("keys", {}).items())) + str(settings.get("current"))
    found = _cache.get(cache_key)
    if found is None:
        found = _cache[cache_key] = ChainKeys(*keys_mod.parse_keyring(settings, KEYRING_NAME))
    if stamp is not None:
        _cache[stamp] = found
    return found


def _key_file_stamp(config: dict) -> tuple | None:
    """Identity of the key file as it is now; None when the keyring is configured (or there is no file yet)."""
    if (config.get("keys") or {}).get(KEYRING_NAME) or (config.get(KEYRING_NAME) or {}).get("keys"):
        return None
    path = keys_mod.key_file(config, KEYRING_NAME)
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path), st.st_ino, st.st_mtime_ns, st.st_size, st.st_mode)


def canonical(entry: dict) -> bytes:
    return json.dumps({k: entry[k] for k in FIELDS}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def entry_hash(entry: dict, key: bytes | None = None, key_id: str | None = None) -> str:
    """HMAC-SHA256 of the canonical entry under `key`; plain SHA-256 only for legacy (unkeyed) entries."""
    if key is None:
        return hashlib.sha256(canonical(entry)).hexdigest()
    return hmac.new(key, b"sodsong-audit|" + (key_id or "").encode() + b"|" + canonical(entry),
                    hashlib.sha256).hexdigest()


def payload_digest(payload: dict) -> str:
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def next_entry(head_seq: int, head_hash: str, wire: dict, keys: ChainKeys, recorded_at: str) -> dict:
    """The entry that follows the head for one event (`wire`: the event as sent), with its MAC and key id."""
    entry = {
        "seq": head_seq + 1,
        "event_id": wire["id"],
        "event_type": wire["type"],
        "correlation_id": wire["correlation_id"],
        "occurred_at": wire["occurred_at"],
        "actor_kind": wire["actor"]["kind"],
        "actor_id": wire["actor"]["id"],
        "payload_sha256": payload_digest(wire["payload"]),
        "prev_hash": head_hash,
        "recorded_at": recorded_at,
    }
    entry["hash"] = entry_hash(entry, keys.keys[keys.current], keys.current)
    entry["key_id"] = keys.current
    return entry


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None
    legacy_entries: int = 0
    checkpoint_seq: int | None = None
    notes: tuple = field(default_factory=tuple)


def walk(entries: Iterable[Mapping], head: tuple[int, str] | None, keys: ChainKeys,
         checkpoints: dict | None = None, unkeyed_up_to: int = 0) -> Verdict:
    """Check the chain: `entries` in seq order up to the head (each with FIELDS, `hash` and `key_id`), `head` the
    (seq, hash) read before the entries were (None: no head row).

    `checkpoints` ({seq: hash}, from signed checkpoints) must each match the entry at that seq, and the chain
    must reach the highest of them. Unkeyed (legacy SHA-256) entries are accepted only up to `unkeyed_up_to`
    (`audit.unkeyed_entries_up_to`, set once by an operator upgrading a chain that began unkeyed).
    """
    checkpoints = checkpoints or {}
    top_checkpoint = max(checkpoints) if checkpoints else None
    head_seq = head[0] if head is not None else 0
    prev_hash, expected_seq, count, legacy = GENESIS, 1, 0, 0
    keyed_seen = False

    def bad(seq, problem):
        return Verdict(False, count, seq, problem, legacy, top_checkpoint)

    for row in entries:
        entry = {c: row[c] for c in FIELDS}
        if row["seq"] != expected_seq:
            return bad(expected_seq, f"entry {expected_seq} is missing (found {row['seq']})")
        if row["prev_hash"] != prev_hash:
            return bad(row["seq"], "does not follow the previous entry (reordered or removed)")
        if row["key_id"] is None:
            if keyed_seen or row["seq"] > unkeyed_up_to:
                return bad(row["seq"], "an unkeyed entry where the chain is keyed (rewritten without the key)")
            legacy += 1
            expected = entry_hash(entry)
        else:
            keyed_seen = True
            key = keys.keys.get(row["key_id"])
            if key is None:
                return bad(row["seq"], f"sealed with chain key {row['key_id']!r}, which is not in the keyring")
            expected = entry_hash(entry, key, row["key_id"])
        if not hmac.compare_digest(expected, row["hash"]):
            return bad(row["seq"], "content does not match its MAC (edited, or rewritten without the key)")
        if row["seq"] in checkpoints and checkpoints[row["seq"]] != row["hash"]:
            return bad(row["seq"], "differs from the signed checkpoint at this entry "
                                   "(entries before it were removed, added or rewritten)")
        prev_hash, expected_seq, count = row["hash"], expected_seq + 1, count + 1
    if head is not None and (count != head_seq or head[1] != prev_hash):
        return bad(count + 1, f"chain ends at entry {count} but the head says {head_seq} (entries removed at the end)")
    if top_checkpoint is not None and count < top_checkpoint:
        return bad(count + 1, f"chain ends at entry {count} but a signed checkpoint says there were "
                              f"{top_checkpoint} (entries removed)")
    return Verdict(True, count, legacy_entries=legacy, checkpoint_seq=top_checkpoint)
