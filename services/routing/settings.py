"""routing's settings, declared once (listed in docs/settings.md; assembled by sodsong/settings.py)."""
from __future__ import annotations

from services.routing.domain.transfers import MAX_TRANSFERS
from shared.config import Setting as S
from shared.config import Settings

SETTINGS = Settings(
    "routing", "routing (the competent office)",
    S("routing.overrides", str, None, "A YAML file over the shipped agency directory: contacts and region "
      "assignments per deployment (`sodsong routing rules check` checks it).",
      example="/etc/sodsong/agencies.override.yaml"),
    S("routing.max_transfers", int, MAX_TRANSFERS, "Transfers of one tip between offices before a further one is "
      "refused."),
    S("routing.keys", dict, {}, "routing's keyring, if not under keys.routing."),
)
