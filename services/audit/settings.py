"""audit's settings, declared once (listed in docs/settings.md; assembled by sodsong/settings.py)."""
from __future__ import annotations

from shared.config import Setting as S
from shared.config import Settings

SETTINGS = Settings(
    "audit", "audit (the hash chain)",
    S("audit.checkpoint_file", str, None, "Signed checkpoints of the chain (unset: "
      "<data_dir>-checkpoints/audit-checkpoints.jsonl); ship the file elsewhere.",
      example="/var/lib/sodsong-checkpoints/audit-checkpoints.jsonl"),
    S("audit.checkpoint_every_seconds", float, 600, "How often a checkpoint is appended (a cluster job); 0: only "
      "`sodsong audit checkpoint`.", example=600),
    S("audit.checkpoint_public_key", str, None, "PEM of the checkpoints' verification key (unset: derived from "
      "the signing key)."),
    S("audit.unkeyed_entries_up_to", int, 0, "Upgrades only: entries recorded before the chain was keyed are "
      "accepted unkeyed up to this sequence number."),
    S("audit.keys", dict, {}, "audit's keyring, if not under keys.audit."),
)
