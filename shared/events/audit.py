"""Events audit produces: only what its own retention deleted (audit records every event; it announces little)."""
from __future__ import annotations

from shared.events.catalogue import Contracts

AUDIT = Contracts("audit")
AUDIT.retention()
